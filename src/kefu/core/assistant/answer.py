"""The bot's turn: understand a buyer message, answer it from the shop's data or hand off.

`respond(text, context, kb, shop, now)` is the one entry point for the live inbox: it
returns a `BotTurn` holding either an `Answer` (text + sources) or a `Handoff` (queue,
reason, intent, entities, transcript summary, and the message telling the buyer a person is
coming). The caller owns the conversation state: it calls `respond` only while the bot owns
the conversation, sends `turn.reply`, and on a hand-off gives the conversation to the queue
and stops calling the bot until it is handed back (one owner at a time).

`suggest_replies(...)` gives an agent the top 3 drafts for a selected buyer message.

Pure: no clock (now is passed in), no I/O. The understanding comes from the NLU; pass it in
(`understanding=`), or let `respond` load the cached intent model through `model_store`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import zip_longest
from typing import Any

from kefu.core.assistant.handoff import Handoff, is_angry, make_handoff
from kefu.core.assistant.knowledge import KnowledgeBase, Source
from kefu.core.assistant.retrieval import uncovered_terms
from kefu.core.assistant.skills import (
    Answer,
    BuyerContext,
    Escalation,
    Question,
    UnderstandingLike,
    fill_variables,
    run_skills,
    target_order,
)
from kefu.core.shopconfig import ShopConfig

# Intents a person must take whatever the data says.
ALWAYS_HUMAN = frozenset({"human_agent", "complaint"})
# Intents about an order in progress or after it: a big order goes to a person.
ORDER_INTENTS = frozenset(
    {
        "payment_issue", "order_modify", "order_cancel", "urge_shipping", "logistics_query",
        "not_received", "return_exchange", "refund_status", "quality_complaint",
        "wrong_or_missing_item", "price_protection",
    }
)  # fmt: skip


@dataclass(frozen=True)
class BotTurn:
    understanding: UnderstandingLike
    answer: Answer | None = None
    handoff: Handoff | None = None
    sources: tuple[Source, ...] = field(default=())

    @property
    def reply(self) -> str:
        """What the bot sends the buyer: the answer, or "a person is coming"."""
        if self.answer is not None:
            return self.answer.text
        assert self.handoff is not None
        return self.handoff.message

    @property
    def handed_off(self) -> bool:
        return self.handoff is not None


def _entities_json(understanding: UnderstandingLike) -> list[dict[str, Any]]:
    return [{"type": e.type, "value": e.value} for e in understanding.entities]


_model: list[Any] = []  # the intent model, loaded once per process on first use


def default_model() -> Any:
    """The shipped intent model (the model store is the assistant's one I/O).

    Looked up once per process: finding it in the store hashes the training data (~0.1 s),
    far too slow to repeat per message."""
    from kefu.core.assistant.model_store import load_model

    if not _model:
        _model.append(load_model())
    return _model[0]


def default_understand(text: str) -> UnderstandingLike:
    """The shipped NLU on the cached model."""
    from kefu.core.assistant.nlu import understand

    return understand(default_model(), text)


def qa_findings(text: str, shop: ShopConfig) -> list[str]:
    """Message-level QA rules the bot's own reply breaks (codes); empty when clean."""
    try:
        from kefu.core.qa.guard import check_message
    except ImportError:  # the QA engine is optional for the assistant
        return []
    return [f.rule for f in check_message(text, shop)]


def respond(
    text: str,
    context: BuyerContext,
    kb: KnowledgeBase,
    shop: ShopConfig,
    now: datetime,
    *,
    understanding: UnderstandingLike | None = None,
    understand: Callable[[str], UnderstandingLike] = default_understand,
) -> BotTurn:
    """Answer `text` from the shop's data, or hand it to a person (see the module doc)."""
    u = understanding if understanding is not None else understand(text)
    q = Question(text, u, context, kb, shop, now)

    def hand_off(reason: str, order_id: str | None = None, note: str = "") -> BotTurn:
        handoff = make_handoff(
            text=text,
            intent=u.intent,
            confidence=u.confidence,
            entities=_entities_json(u),
            reason=reason,
            transcript=context.transcript,
            shop=shop,
            now=now,
            order_id=order_id,
            note=note,
        )
        return BotTurn(u, handoff=handoff)

    if u.intent in ALWAYS_HUMAN:
        return hand_off(u.intent)
    if is_angry(text):
        return hand_off("angry")
    if u.confidence < shop.bot.handoff_confidence:
        return hand_off("low_confidence")
    if u.intent in ORDER_INTENTS:
        order = target_order(q)
        if order is not None and order.amount > shop.bot.handoff_amount:
            return hand_off("big_order", order.order_id, f"订单金额{order.amount:g}元")
    result = run_skills(q)
    if isinstance(result, Escalation):
        return hand_off(result.reason, result.order_id, result.note)
    if result is None:
        return hand_off("no_grounded_answer")
    broken = qa_findings(result.text, shop)
    if broken:
        return hand_off("qa_guard", note="、".join(broken))
    return BotTurn(u, answer=result, sources=result.sources)


# --- agent assist ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A draft reply for the agent to edit and send."""

    text: str
    kind: str  # skill | faq | quick_reply
    sources: tuple[Source, ...]


def _speaks_to(q: Question, text: str, keywords: Sequence[str] = ()) -> bool:
    """Whether `text` mentions at least one content term of the buyer's message."""
    return any(not uncovered_terms([t], text, keywords) for t in q.terms)


# Quick-reply categories that fit each intent (demo shop's categories, formats of kefu.demo).
_QR_CATEGORIES: dict[str, tuple[str, ...]] = {
    "greeting": ("welcome",),
    "product_info": ("product",),
    "size_advice": ("product",),
    "stock_check": ("product",),
    "price_bargain": ("bargaining",),
    "promotion": ("bargaining",),
    "shipping_fee": ("logistics",),
    "delivery_time": ("logistics",),
    "courier_choice": ("logistics",),
    "invoice": ("payment",),
    "payment_issue": ("payment",),
    "cod": ("payment",),
    "order_modify": ("logistics",),
    "urge_shipping": ("logistics",),
    "logistics_query": ("logistics",),
    "not_received": ("aftersale",),
    "return_exchange": ("returns",),
    "refund_status": ("aftersale",),
    "quality_complaint": ("aftersale",),
    "wrong_or_missing_item": ("aftersale",),
    "price_protection": ("aftersale",),
    "complaint": ("aftersale", "review"),
    "human_agent": ("welcome",),
    "thanks_bye": ("farewell",),
}
SUGGESTIONS = 3


def suggest_replies(
    message: str,
    context: BuyerContext,
    kb: KnowledgeBase,
    shop: ShopConfig,
    now: datetime,
    *,
    understanding: UnderstandingLike | None = None,
    understand: Callable[[str], UnderstandingLike] = default_understand,
    limit: int = SUGGESTIONS,
) -> list[Suggestion]:
    """Top drafts for one buyer message: the grounded skill answer first, then the best FAQ
    answers and quick replies in turn (variables filled; a reply whose variables are unknown
    is skipped). Every draft passes the message-level QA rules. Drafts are plain text the
    agent edits before sending; for complaints they are the apology/escalation replies."""
    u = understanding if understanding is not None else understand(message)
    q = Question(message, u, context, kb, shop, now)
    order = target_order(q)
    skill: list[Suggestion] = []
    faqs: list[Suggestion] = []
    replies: list[Suggestion] = []

    result = run_skills(q)
    if isinstance(result, Answer):
        skill.append(Suggestion(result.text, "skill", result.sources))
    for article, _score in kb.search(message, kinds=("faq",), k=limit + 2):
        faq = kb.faq(article.id)
        if faq is not None and _speaks_to(q, f"{faq.question} {faq.answer}", faq.keywords):
            faqs.append(Suggestion(faq.answer, "faq", (Source("faq", faq.faq_id),)))
    # Quick replies: those of the intent's categories that match the words first, then the
    # rest of those categories, then any that match the words.
    categories = _QR_CATEGORIES.get(u.intent, ())
    hits = kb.search(message, kinds=("quick_reply",), k=limit + 2)
    ranked = [a.id for a, _ in hits if a.category in categories]
    ranked += [r.quick_reply_id for r in kb.quick_replies if r.category in categories]
    ranked += [a.id for a, _ in hits if _speaks_to(q, a.text)]
    for reply_id in dict.fromkeys(ranked):
        reply = kb.quick_reply(reply_id)
        filled = reply and fill_variables(reply.text, q, order.order_id if order else None)
        if reply and filled:
            replies.append(Suggestion(filled, "quick_reply", (Source("quick_reply", reply_id),)))

    # The grounded answer first, then FAQ answers and quick replies in turn; for an upset
    # buyer the apology and escalation replies come before any FAQ.
    drafts: list[Suggestion] = []
    first, second = (
        (replies, faqs)
        if u.intent in ALWAYS_HUMAN or is_angry(message)
        else (
            faqs,
            replies,
        )
    )
    mixed = [s for pair in zip_longest(first, second) for s in pair if s is not None]
    for draft in [*skill, *mixed]:
        if len(drafts) == limit:
            break
        if all(d.text != draft.text for d in drafts) and not qa_findings(draft.text, shop):
            drafts.append(draft)
    return drafts[:limit]
