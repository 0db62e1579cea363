"""Routing of policies.md §6: stage queue, sticky agent, least-loaded, capacity, waiting line.

Pure: the caller passes the agents' current state and the buyer's recent history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from kefu.core import vocabulary
from kefu.core.shopconfig import ShopConfig

Queue = Literal["presale", "insale", "aftersale", "review"]  # = vocabulary.Queue's codes
QUEUES: tuple[Queue, ...] = vocabulary.codes(vocabulary.Queue)  # type: ignore[assignment]
QUEUE_LABELS: dict[str, str] = vocabulary.labels(vocabulary.Queue)

# Intent codes of taxonomy.md by the stage that handles them. Intents marked "any" in the
# taxonomy (greeting, invoice, other_platform, human_agent, thanks_bye, other) start in
# pre-sale, where a new buyer is most likely to be; `complaint` goes to after-sales.
_INTENT_QUEUE: dict[str, Queue] = {
    "product_info": "presale",
    "size_advice": "presale",
    "stock_check": "presale",
    "price_bargain": "presale",
    "promotion": "presale",
    "shipping_fee": "presale",
    "delivery_time": "presale",
    "courier_choice": "presale",
    "cod": "presale",
    "payment_issue": "insale",
    "order_modify": "insale",
    "order_cancel": "insale",
    "urge_shipping": "insale",
    "logistics_query": "insale",
    "not_received": "aftersale",
    "return_exchange": "aftersale",
    "refund_status": "aftersale",
    "quality_complaint": "aftersale",
    "wrong_or_missing_item": "aftersale",
    "price_protection": "aftersale",
    "usage_help": "aftersale",
    "complaint": "aftersale",
}

# Words that make a message a review dispute (中差评): those go to the review team.
_REVIEW_WORDS = ("差评", "中评", "评价", "追评", "好评", "晒图", "评论")


# A mid or bad review given or threatened: with any after-sales matter it is a dispute.
_DISPUTE_WORDS = ("差评", "中评", "追评")


def queue_for(intent: str, text: str = "") -> Queue:
    """The stage queue for a buyer message with this intent."""
    queue = _INTENT_QUEUE.get(intent, "presale")
    if intent in ("complaint", "quality_complaint", "other") and any(
        word in text for word in _REVIEW_WORDS
    ):
        return "review"
    if queue == "aftersale" and any(word in text for word in _DISPUTE_WORDS):
        return "review"  # "颜色差太多了，我准备给个中评": the review team handles it
    return queue


STAGE_MIN_CONFIDENCE = 0.6


def stage_queue(
    intent: str, confidence: float, distribution: Mapping[str, float], text: str
) -> Queue:
    """The stage queue for a new conversation from the intent model's reading of the
    buyer's first message. A sure intent decides; an unsure one still does when the likely
    intents agree on the stage ("我要退款": refund or return, after-sales either way);
    otherwise pre-sale, the entry queue, whose agents hand on what is another stage's."""
    if confidence >= STAGE_MIN_CONFIDENCE:
        return queue_for(intent, text)
    mass: dict[Queue, float] = {}
    best: dict[Queue, tuple[float, str]] = {}
    for label, share in distribution.items():
        queue = _INTENT_QUEUE.get(label, "presale")
        mass[queue] = mass.get(queue, 0.0) + share
        best[queue] = max(best.get(queue, (0.0, label)), (share, label))
    if not mass:
        return "presale"
    queue = max(mass, key=lambda q: mass[q])
    if mass[queue] < STAGE_MIN_CONFIDENCE:
        return "presale"
    return queue_for(best[queue][1], text)


@dataclass(frozen=True)
class AgentState:
    agent_id: str
    queues: tuple[str, ...]
    status: str  # online | busy | away | offline
    open_conversations: int


@dataclass(frozen=True)
class LastService:
    """The agent who last served this buyer, and when."""

    agent_id: str
    at: datetime


@dataclass(frozen=True)
class RoutingDecision:
    queue: Queue
    agent_id: str | None
    sticky: bool = False
    waiting: bool = False


def route(
    queue: Queue,
    agents: Sequence[AgentState],
    now: datetime,
    shop: ShopConfig,
    last_service: LastService | None = None,
) -> RoutingDecision:
    """Pick the agent for a new conversation in `queue`.

    A buyer who comes back within `routing.sticky_hours` goes to the agent who served them
    when that agent is online and has room, whatever their queue. Otherwise the online agent
    of the queue with the fewest open conversations (ties: agent id, so it is repeatable),
    each taking at most `routing.max_open_per_agent`. Nobody free: the buyer waits.
    """
    capacity = shop.routing.max_open_per_agent
    by_id = {agent.agent_id: agent for agent in agents}
    if last_service is not None and now - last_service.at <= timedelta(
        hours=shop.routing.sticky_hours
    ):
        previous = by_id.get(last_service.agent_id)
        if previous and previous.status == "online" and previous.open_conversations < capacity:
            return RoutingDecision(queue, previous.agent_id, sticky=True)
    candidates = [
        agent
        for agent in agents
        if agent.status == "online"
        and queue in agent.queues
        and agent.open_conversations < capacity
    ]
    if not candidates:
        return RoutingDecision(queue, None, waiting=True)
    best = min(candidates, key=lambda agent: (agent.open_conversations, agent.agent_id))
    return RoutingDecision(queue, best.agent_id)


def waiting_position(waiting_since: Sequence[datetime], mine: datetime) -> int:
    """1-based place in the waiting line: buyers who started waiting earlier go first."""
    return 1 + sum(1 for since in waiting_since if since < mine)
