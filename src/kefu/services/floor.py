"""The supervisor's live floor view 现场监控: who is on the floor, how loaded, who waits.

Read-only. "Open" is the inbox's own definition (`inbox.OPEN`, counted per agent by
`inbox.open_load`). A buyer is "waiting" while their active conversation has no agent: the
inbox parks such conversations as `pending` until an agent has room (`do_route_waiting`),
and an active conversation that lost its agent (or came in unassigned) waits just the same,
so both count. The wait runs from the first buyer message (`started_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.core.inbox.routing import QUEUES
from kefu.db.models.accounts import AGENT_STATUSES, User
from kefu.db.models.inbox import Conversation
from kefu.services import accounts, inbox, shops


@dataclass(frozen=True)
class AgentRow:
    id: int
    username: str
    agent_no: str
    role: str
    queues: tuple[str, ...]
    status: str  # online | busy | away | offline
    open_count: int
    capacity: int

    @property
    def full(self) -> bool:
        return self.open_count >= self.capacity


@dataclass(frozen=True)
class QueueRow:
    queue: str
    waiting: int
    longest_wait_seconds: int | None  # None when nobody waits
    over_sla: bool  # the longest wait is past the shop's first-response target


@dataclass(frozen=True)
class Floor:
    agents: list[AgentRow]
    queues: list[QueueRow]
    status_counts: dict[str, int]
    open_total: int
    capacity_total: int  # of the agents who take chats now (online)
    waiting_total: int
    longest_wait_seconds: int | None
    sla_seconds: float


def agent_queues(user: User) -> tuple[str, ...]:
    """The queues an agent works: their own list, else the queue named like their role."""
    queues = tuple(q for q in (user.queues or []) if q in QUEUES)
    if not queues and user.role in QUEUES:
        queues = (user.role,)
    return queues


def floor_view(session: Session, shop_id: str, now: datetime) -> Floor:
    shop = shops.config(session, shop_id)
    shop_capacity = shop.routing.max_open_per_agent
    load = inbox.open_load(session, shop_id)
    agents: list[AgentRow] = []
    users = session.scalars(
        select(User)
        .where(User.shop_id == shop_id, User.is_active.is_(True))
        .order_by(User.role, User.agent_no, User.username)
    )
    for user in users:
        if user.role not in accounts.ROLE_LADDER:  # admin manages accounts, takes no chats
            continue
        capacity = shop_capacity if user.max_open is None else min(shop_capacity, user.max_open)
        agents.append(
            AgentRow(
                id=user.id,
                username=user.username,
                agent_no=inbox.agent_label(user),
                role=user.role,
                queues=agent_queues(user),
                status=user.status if user.status in AGENT_STATUSES else "offline",
                open_count=load.get(user.id, 0),
                capacity=max(0, capacity),
            )
        )
    # Online first (the ones taking chats), then busy, away, offline.
    agents.sort(key=lambda a: AGENT_STATUSES.index(a.status))

    sla = shop.qa.first_response_seconds
    waits: dict[str, list[int]] = {q: [] for q in QUEUES}
    rows = session.execute(
        select(Conversation.queue, Conversation.started_at, Conversation.created_at).where(
            Conversation.shop_id == shop_id,
            Conversation.status.in_(inbox.OPEN),
            Conversation.assignee_id.is_(None),
        )
    )
    for queue, started_at, created_at in rows:
        since = started_at or created_at
        # An unknown queue is routed as pre-sale by the inbox; count it there too.
        key = queue if queue in QUEUES else "presale"
        waits[key].append(max(0, int((now - since).total_seconds())) if since else 0)
    queues = [
        QueueRow(
            queue=q,
            waiting=len(waits[q]),
            longest_wait_seconds=max(waits[q]) if waits[q] else None,
            over_sla=bool(waits[q]) and max(waits[q]) > sla,
        )
        for q in QUEUES
    ]
    all_waits = [w for ws in waits.values() for w in ws]
    return Floor(
        agents=agents,
        queues=queues,
        status_counts={s: sum(1 for a in agents if a.status == s) for s in AGENT_STATUSES},
        open_total=sum(a.open_count for a in agents),
        capacity_total=sum(a.capacity for a in agents if a.status == "online"),
        waiting_total=len(all_waits),
        longest_wait_seconds=max(all_waits) if all_waits else None,
        sla_seconds=sla,
    )


def format_wait(seconds: int | None) -> str:
    """`1:05` / `1:02:03` for the board; empty when nobody waits."""
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
