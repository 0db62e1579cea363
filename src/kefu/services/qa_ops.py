"""Quality inspection 质检, live: scans of closed conversations, appeals 申诉, aggregates.

The rules themselves live in the pure core (`kefu.core.qa`); this module turns database
rows into the formats.md Conversation record, runs the core scan and keeps the result.

- `do_scan_conversation` stores one `QaResult` per conversation. A re-scan replaces the
  findings but keeps the rows (and so their appeals) of findings found again, so scanning
  twice changes nothing and a decided appeal survives a re-scan.
- `scan_closed_conversations` is the catch-up batch (closed and never scanned, or closed
  again after the scan); `handle_qa_sweep` is the same as a scheduler job handler.
- `do_appeal` / `do_decide_appeal`: an agent appeals a finding of their own conversation;
  a supervisor accepts (the deduction leaves the score) or rejects. Both are audited.
- `do_allow_blocked` / `check_allow_token`: a supervisor lets one blocked draft through
  the pre-send guard; the override is audited and bound to that exact text.
- `qa_summary`: score mean, findings by rule and trend by day, for the team and per agent.

Callers own the transaction (actions flush; the route or job commits), as in `accounts`.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from kefu.core import records
from kefu.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.core.i18n import translate
from kefu.core.permissions import Permission, has_permission
from kefu.core.privacy import mask_phones_in_text
from kefu.core.qa import ConversationReport, Violation, check_message, engine_for
from kefu.core.qa import words as qa_words
from kefu.core.shopconfig import ShopConfig
from kefu.db.models.accounts import User
from kefu.db.models.inbox import Conversation, Message, Rating
from kefu.db.models.jobs import ScheduledJob
from kefu.db.models.qa import QaAppeal, QaFinding, QaResult
from kefu.db.uow import Event, listen
from kefu.services import accounts, inbox, jobs, passwords, shops
from kefu.services.accounts import audit
from kefu.services.workspace import may_see_contact

SUPERVISOR = "supervisor"
# A finding counts against the score unless a supervisor accepted its appeal.
COUNTING_STATUSES = frozenset({"active", "appealed", "upheld"})
ALLOW_TOKEN_SECONDS = 15 * 60  # an override is for the draft at hand, not for the day
SUMMARY_DAYS = 30
SWEEP_BATCH = 500
SWEEP_EVERY = timedelta(minutes=5)


class QaError(InvalidInput):
    """A QA action refused for a reason the user can fix; `code` is stable."""


class AllowRefused(PermissionDenied):
    """No supervisor confirmed the override; the refused attempt stays in the audit log."""

    code = "supervisor_required"
    default_message = "放行失败：需要主管账号和正确的密码"
    keep_writes = True


# --- scanning ---------------------------------------------------------------------------------


def conversation_record(
    session: Session, conversation: Conversation, shop: ShopConfig
) -> records.Conversation:
    """The formats.md Conversation record of a stored conversation (messages by seq).

    Every message is kept, system ones included, so `message_index` i is the (i+1)-th
    message in seq order, as in an exported record.
    """
    messages = session.scalars(
        select(Message).where(Message.conversation_pk == conversation.id).order_by(Message.seq)
    ).all()
    rating = None
    rated = session.scalar(select(Rating).where(Rating.conversation_pk == conversation.id))
    if rated is not None and 1 <= rated.rating <= 5:
        rating = int(rated.rating)
    return records.Conversation.model_validate(
        {
            "conversation_id": conversation.conversation_id,
            "platform": conversation.platform,
            "buyer_id": conversation.buyer_id,
            "agent_id": agent_of(session, conversation),
            "order_ids": list(conversation.order_ids or []),
            "messages": [
                {
                    "sender": m.sender,
                    "text": m.text,
                    "ts": m.ts,
                    "quick_reply": bool(m.quick_reply),
                }
                for m in messages
            ],
            "closed_by": conversation.closed_by,
            "rating": rating,
        },
        context={"tz": shop.tz},
    )


def agent_of(session: Session, conversation: Conversation) -> str | None:
    """The username the conversation's QA result belongs to."""
    if conversation.agent_id:
        return conversation.agent_id
    if conversation.assignee_id is not None:
        user = session.get(User, conversation.assignee_id)
        return user.username if user else None
    return None


def _points(shop: ShopConfig, rule: str) -> Decimal:
    return Decimal(str(shop.qa.deductions.get(rule, 0)))


def _whole(value: Decimal | float) -> int:
    """Scores and deductions are stored as whole points (half up)."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def result_score(result: QaResult, shop: ShopConfig) -> int:
    """100 − the deductions of the findings that still count (accepted appeals do not)."""
    counting = [
        Violation(f.rule, f.evidence, f.message_index)
        for f in result.findings
        if f.status in COUNTING_STATUSES
    ]
    return _whole(engine_for(shop).score(counting))


def _key(rule: str, message_index: int | None, evidence: str) -> tuple[str, int, str]:
    return (rule, -1 if message_index is None else message_index, evidence)


def do_scan_conversation(
    session: Session,
    conversation: Conversation,
    *,
    now: datetime,
    shop: ShopConfig | None = None,
    source: str = "auto",
) -> QaResult:
    """Scan one conversation and store (or replace) its QA result."""
    shop = shop or shops.config(session, conversation.shop_id)
    # Two workers scanning the same conversation take turns (PostgreSQL row lock; SQLite
    # has one writer anyway), so the second finds the first's result instead of adding one.
    session.execute(
        select(Conversation.id).where(Conversation.id == conversation.id).with_for_update()
    )
    report: ConversationReport = engine_for(shop).scan(
        conversation_record(session, conversation, shop)
    )
    result = session.scalar(
        select(QaResult)
        .where(QaResult.conversation_pk == conversation.id)
        .options(selectinload(QaResult.findings))
        .order_by(QaResult.id)
        .limit(1)
    )
    if result is None:
        result = QaResult(
            shop_id=conversation.shop_id, conversation_pk=conversation.id, score=100, findings=[]
        )
        session.add(result)
    result.agent_id = agent_of(session, conversation)
    result.scanned_at = now
    result.source = source

    # Findings found again keep their row (status, appeals); the others go, new ones come.
    old: dict[tuple[str, int, str], list[QaFinding]] = defaultdict(list)
    for finding in result.findings:
        old[_key(finding.rule, finding.message_index, finding.evidence)].append(finding)
    kept: list[QaFinding] = []
    for violation in report.violations:
        same = old.get(_key(violation.rule, violation.message_index, violation.evidence))
        if same:
            finding = same.pop(0)
        else:
            finding = QaFinding(
                shop_id=conversation.shop_id,
                rule=violation.rule,
                message_index=violation.message_index,
                evidence=violation.evidence,
                status="active",  # set now: the column default comes only at the flush
            )
        finding.deduction = _whole(_points(shop, violation.rule))
        kept.append(finding)
    result.findings = kept  # delete-orphan removes the findings not found again
    result.score = result_score(result, shop)
    session.flush()
    return result


def scan_closed_conversations(
    session: Session,
    *,
    now: datetime,
    shop_id: str | None = None,
    limit: int | None = None,
) -> int:
    """Scan every closed conversation without a result newer than its closing; the count.

    Called by the worker (`handle_qa_sweep`), by `kefu`'s catch-up and after a close.
    """
    # One result per conversation (do_scan_conversation updates it in place).
    stmt = (
        select(Conversation)
        .outerjoin(QaResult, QaResult.conversation_pk == Conversation.id)
        .where(
            Conversation.status == "closed",
            or_(
                QaResult.id.is_(None),
                (Conversation.closed_at.is_not(None))
                & (QaResult.scanned_at < Conversation.closed_at),
            ),
        )
        .order_by(Conversation.id)
    )
    if shop_id is not None:
        stmt = stmt.where(Conversation.shop_id == shop_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    count = 0
    for conversation in session.scalars(stmt).unique().all():
        shop = shops.config(session, conversation.shop_id)
        do_scan_conversation(session, conversation, now=now, shop=shop)
        count += 1
    return count


@listen(inbox.CONVERSATION_CLOSED)
def _scan_on_close(session: Session, event: Event, now: datetime) -> None:
    """质检 right after a close commits; `handle_qa_sweep` catches any this missed."""
    conversation: Conversation = event.subject
    if conversation.status == "closed":
        do_scan_conversation(session, conversation, now=now)


@jobs.job("qa_sweep", every=lambda _shop: SWEEP_EVERY)
def handle_qa_sweep(session: Session, job: ScheduledJob, shop: ShopConfig, now: datetime) -> str:
    """The catch-up scan of one shop: closed conversations without a current result (an
    import, or a close whose listener never ran)."""
    count = scan_closed_conversations(session, now=now, shop_id=job.shop_id, limit=SWEEP_BATCH)
    return f"{count} conversations scanned"


# --- reading ------------------------------------------------------------------------------------


def is_supervisor(user: User) -> bool:
    return has_permission(user.role, Permission.QA_READ_ALL)


def _check_reader(user: User) -> None:
    # admin manages accounts and settings; it does not read buyers' chats (workspace.py).
    if user.role == accounts.ADMIN:
        raise PermissionDenied()


def may_see_result(user: User, result: QaResult, conversation: Conversation) -> bool:
    if user.shop_id != result.shop_id or user.role == accounts.ADMIN:
        return False
    if is_supervisor(user):
        return True
    return result.agent_id == user.username or conversation.assignee_id == user.id


@dataclass(frozen=True)
class ConversationQa:
    conversation: Conversation
    result: QaResult | None
    messages: list[Message]
    appeals: dict[int, QaAppeal]  # finding id -> its latest appeal


def access_conversation_qa(
    session: Session, user: User, conversation_id: str, *, now: datetime
) -> ConversationQa:
    """One conversation with its QA result, for its agent or a supervisor.

    A closed conversation that was never scanned is scanned now (the page must not be
    empty because the worker has not come round yet).
    """
    _check_reader(user)
    conversation = session.scalar(
        select(Conversation).where(
            Conversation.shop_id == user.shop_id, Conversation.conversation_id == conversation_id
        )
    )
    if conversation is None:
        raise NotFound()
    result = _result_of(session, conversation)
    if result is None and conversation.status == "closed":
        result = do_scan_conversation(session, conversation, now=now)
    owner_ok = is_supervisor(user) or conversation.assignee_id == user.id
    if result is not None:
        owner_ok = may_see_result(user, result, conversation)
    elif conversation.agent_id == user.username:
        owner_ok = True
    if not owner_ok:
        raise NotFound()  # another agent's chat is not revealed
    messages = list(
        session.scalars(
            select(Message).where(Message.conversation_pk == conversation.id).order_by(Message.seq)
        )
    )
    appeals: dict[int, QaAppeal] = {}
    if result is not None and result.findings:
        ids = [f.id for f in result.findings]
        for appeal in session.scalars(
            select(QaAppeal).where(QaAppeal.finding_id.in_(ids)).order_by(QaAppeal.id)
        ):
            appeals[appeal.finding_id] = appeal
    return ConversationQa(conversation, result, messages, appeals)


def _result_of(session: Session, conversation: Conversation) -> QaResult | None:
    return session.scalar(
        select(QaResult)
        .where(QaResult.conversation_pk == conversation.id)
        .options(selectinload(QaResult.findings))
        .order_by(QaResult.id)
        .limit(1)
    )


def access_finding(session: Session, user: User, finding_id: int) -> QaFinding:
    finding = session.get(QaFinding, finding_id)
    if finding is None or finding.shop_id != user.shop_id:
        raise NotFound()
    return finding


def access_appeal(session: Session, user: User, appeal_id: int) -> QaAppeal:
    appeal = session.get(QaAppeal, appeal_id)
    if appeal is None or appeal.shop_id != user.shop_id:
        raise NotFound()
    return appeal


def pending_appeals(session: Session, user: User) -> list[tuple[QaAppeal, QaFinding, str]]:
    """Open appeals of the shop (supervisors) or of the agent: (appeal, finding, conv id)."""
    _check_reader(user)
    stmt = (
        select(QaAppeal, QaFinding, Conversation.conversation_id)
        .join(QaFinding, QaFinding.id == QaAppeal.finding_id)
        .join(QaResult, QaResult.id == QaFinding.result_id)
        .join(Conversation, Conversation.id == QaResult.conversation_pk)
        .where(QaAppeal.shop_id == user.shop_id, QaAppeal.status == "pending")
        .order_by(QaAppeal.id)
    )
    if not is_supervisor(user):
        stmt = stmt.where(QaAppeal.appellant_id == user.id)
    return [(a, f, c) for a, f, c in session.execute(stmt)]


# --- appeals ------------------------------------------------------------------------------------


def do_appeal(
    session: Session, finding: QaFinding, agent: User, reason: str, *, now: datetime
) -> QaAppeal:
    """The conversation's agent appeals one of its findings (once, while it is active)."""
    reason = reason.strip()
    if not reason:
        raise QaError("reason_required", "请填写申诉理由")
    if finding.shop_id != agent.shop_id:
        raise NotFound()
    result = finding.result
    if result.agent_id != agent.username:
        raise PermissionDenied("forbidden", "只有接待该会话的客服可以申诉")
    if finding.status != "active":
        raise Conflict("not_appealable", "该条质检结果已申诉或已处理")
    appeal = QaAppeal(
        shop_id=finding.shop_id, finding_id=finding.id, appellant_id=agent.id, reason=reason[:2000]
    )
    session.add(appeal)
    finding.status = "appealed"
    session.flush()
    audit(
        session,
        shop_id=agent.shop_id,
        actor_id=agent.id,
        action="qa.appeal",
        target=str(finding.id),
        target_type="qa_finding",
        detail={"appeal_id": appeal.id, "rule": finding.rule, "reason": appeal.reason},
        now=now,
    )
    session.flush()
    return appeal


def do_decide_appeal(
    session: Session,
    appeal: QaAppeal,
    supervisor: User,
    decision: Literal["accept", "reject"],
    note: str = "",
    *,
    now: datetime,
    shop: ShopConfig | None = None,
) -> QaAppeal:
    """A supervisor accepts (the finding is overturned, the score goes back up) or rejects."""
    accounts.check(supervisor, Permission.QA_DECIDE_APPEAL)
    if appeal.shop_id != supervisor.shop_id:
        raise NotFound()
    if decision not in ("accept", "reject"):
        raise QaError("bad_decision", "处理结果须为 accept 或 reject")
    if appeal.status != "pending":
        raise Conflict("already_decided", "该申诉已处理")
    finding = session.get(QaFinding, appeal.finding_id)
    if finding is None:
        raise NotFound()
    result = finding.result
    shop = shop or shops.config(session, appeal.shop_id)
    before = result.score
    appeal.status = "accepted" if decision == "accept" else "rejected"
    appeal.decided_by_id = supervisor.id
    appeal.decided_at = now
    appeal.decision_note = note.strip()[:2000]
    finding.status = "overturned" if decision == "accept" else "upheld"
    session.flush()
    result.score = result_score(result, shop)
    audit(
        session,
        shop_id=supervisor.shop_id,
        actor_id=supervisor.id,
        action=f"qa.appeal_{decision}",
        target=str(appeal.id),
        target_type="qa_appeal",
        before={"status": "pending", "score": before},
        detail={
            "status": appeal.status,
            "finding_id": finding.id,
            "rule": finding.rule,
            "score": result.score,
            "note": appeal.decision_note,
        },
        now=now,
    )
    session.flush()
    return appeal


# --- pre-send guard overrides ---------------------------------------------------------------------


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _allow_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="kefu.qa.allow")


def do_allow_blocked(
    session: Session,
    agent: User,
    text: str,
    rules: Sequence[str],
    *,
    secret: str,
    now: datetime,
    supervisor_username: str | None = None,
    supervisor_password: str | None = None,
    ip: str = "",
) -> str:
    """A supervisor lets one blocked draft through; returns a token bound to the text.

    The supervisor is either the caller (supervisor or above) or confirms at the agent's
    desk with their own username and password. Every override, and every refused attempt,
    is in the audit log.
    """
    supervisor: User | None = agent if is_supervisor(agent) else None
    if supervisor is None:
        name = (supervisor_username or "").strip()
        found = (
            session.scalar(select(User).where(User.shop_id == agent.shop_id, User.username == name))
            if name
            else None
        )
        ok = (
            found is not None
            and found.is_active
            and found.password_hash is not None
            and passwords.verify_password(found.password_hash, supervisor_password or "")
            and is_supervisor(found)
        )
        if not ok:
            if found is None or not found.password_hash:
                passwords.verify_password(passwords.DUMMY_HASH, supervisor_password or "")
            audit(
                session,
                shop_id=agent.shop_id,
                actor_id=agent.id,
                action="qa.allow_refused",
                target=agent.username,
                detail={"supervisor": name[:64], "rules": list(rules), "ip": ip},
                now=now,
            )
            session.flush()
            raise AllowRefused()
        supervisor = found
    assert supervisor is not None
    digest = _text_hash(text)
    audit(
        session,
        shop_id=agent.shop_id,
        actor_id=supervisor.id,
        action="qa.allow_send",
        target=agent.username,
        detail={"agent": agent.username, "rules": list(rules), "text_sha256": digest, "ip": ip},
        now=now,
    )
    session.flush()
    return _allow_serializer(secret).dumps({"u": agent.id, "h": digest, "by": supervisor.id})


def check_allow_token(secret: str, token: str, agent: User, text: str) -> bool:
    """Whether `token` lets `agent` send exactly `text` (for the send path to call)."""
    try:
        data = _allow_serializer(secret).loads(token, max_age=ALLOW_TOKEN_SECONDS)
    except BadSignature:
        return False
    return (
        isinstance(data, dict) and data.get("u") == agent.id and data.get("h") == _text_hash(text)
    )


def check_guard(secret: str, shop: ShopConfig, agent: User, text: str, allow_token: str) -> None:
    """The pre-send guard, enforced on the server: the page's check can be skipped (an old
    tab, a script), and a leaked phone number or an off-platform contact cannot be taken
    back once the buyer has read it. A supervisor's allow token for exactly this text lets
    it through; otherwise a blocking finding refuses the message (code QA_BLOCKED)."""
    if not text.strip():
        return
    blocking = [f for f in check_message(text, shop) if f.blocking]
    if not blocking or check_allow_token(secret, allow_token, agent, text):
        return
    names = "、".join(
        dict.fromkeys(f"「{translate('zh-CN', f'qa.rule.{f.rule}')}」" for f in blocking)
    )
    raise PermissionDenied(
        "QA_BLOCKED",
        f"消息未发送：触犯质检规则{names}。{blocking[0].suggestion}确需原样发送请由主管放行。",
    )


# --- aggregates -----------------------------------------------------------------------------------


@dataclass
class Stats:
    """Score and findings of a set of scanned conversations."""

    conversations: int = 0
    score_sum: int = 0
    findings: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    by_day: dict[date, list[int]] = field(default_factory=dict)

    @property
    def mean(self) -> float | None:
        if not self.conversations:
            return None
        return float(
            (Decimal(self.score_sum) / self.conversations).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
        )

    def trend(self) -> list[tuple[date, float, int]]:
        """(day, mean score, conversations) for each day with results, oldest first."""
        out = []
        for day in sorted(self.by_day):
            scores = self.by_day[day]
            mean = (Decimal(sum(scores)) / len(scores)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            out.append((day, float(mean), len(scores)))
        return out

    def rules(self) -> list[tuple[str, int]]:
        """(rule, count), most frequent first, then by code."""
        return sorted(self.by_rule.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class Summary:
    since: datetime
    until: datetime
    team: Stats | None  # None for an agent: they see their own figures only
    agents: dict[str, Stats]
    pending_appeals: int = 0


def qa_summary(
    session: Session,
    viewer: User,
    *,
    now: datetime,
    days: int = SUMMARY_DAYS,
    agent: str | None = None,
    shop: ShopConfig | None = None,
) -> Summary:
    """Team and per-agent figures over the last `days` days (by the conversation's close).

    Supervisors and managers see the whole shop (or one `agent`); agents see their own.
    """
    _check_reader(viewer)
    if not is_supervisor(viewer):
        if agent is not None and agent != viewer.username:
            raise PermissionDenied("forbidden", "客服只能查看自己的质检数据")
        agent = viewer.username
        team_visible = False
    else:
        team_visible = agent is None
    shop = shop or shops.config(session, viewer.shop_id)
    days = max(1, min(days, 366))
    since = now - timedelta(days=days)
    when = Conversation.closed_at
    stmt = (
        select(QaResult.id, QaResult.agent_id, QaResult.score, when, QaResult.scanned_at)
        .join(Conversation, Conversation.id == QaResult.conversation_pk)
        .where(
            QaResult.shop_id == viewer.shop_id,
            or_(when >= since, (when.is_(None)) & (QaResult.scanned_at >= since)),
        )
    )
    if agent is not None:
        stmt = stmt.where(QaResult.agent_id == agent)
    rows = session.execute(stmt).all()
    team = Stats()
    agents: dict[str, Stats] = {}
    owner: dict[int, str] = {}
    for result_id, agent_id, score, closed_at, scanned_at in rows:
        day = (closed_at or scanned_at).astimezone(shop.tz).date()
        name = agent_id or ""
        owner[result_id] = name
        for stats in (team, agents.setdefault(name, Stats())):
            stats.conversations += 1
            stats.score_sum += score
            stats.by_day.setdefault(day, []).append(score)
    for chunk in _chunks(list(owner), 500):
        for result_id, rule in session.execute(
            select(QaFinding.result_id, QaFinding.rule).where(
                QaFinding.result_id.in_(chunk),
                QaFinding.status.in_(sorted(COUNTING_STATUSES)),
            )
        ):
            for stats in (team, agents[owner[result_id]]):
                stats.findings += 1
                stats.by_rule[rule] += 1
    pending = len(pending_appeals(session, viewer))
    return Summary(since, now, team if team_visible else None, agents, pending)


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rule_codes() -> tuple[str, ...]:
    """The 14 rule codes of taxonomy.md, message-level first."""
    return qa_words.ALL_RULES


def findings_by_message(result: QaResult | None) -> dict[int, list[QaFinding]]:
    """Message index -> its findings (for highlighting); conversation-wide ones under -1."""
    out: dict[int, list[QaFinding]] = defaultdict(list)
    if result is not None:
        for finding in result.findings:
            out[-1 if finding.message_index is None else finding.message_index].append(finding)
    return dict(out)


def summary_json(summary: Summary) -> dict[str, Any]:
    """A plain dict of a summary (used by the API)."""

    def stats(s: Stats) -> dict[str, Any]:
        return {
            "conversations": s.conversations,
            "score_mean": s.mean,
            "findings": s.findings,
            "by_rule": [{"rule": r, "count": n} for r, n in s.rules()],
            "trend": [
                {"day": d.isoformat(), "score_mean": m, "conversations": n} for d, m, n in s.trend()
            ],
        }

    return {
        "since": summary.since,
        "until": summary.until,
        "team": stats(summary.team) if summary.team is not None else None,
        "agents": [
            {"agent_id": name or None, **stats(s)}
            for name, s in sorted(summary.agents.items(), key=lambda item: item[0])
        ],
        "pending_appeals": summary.pending_appeals,
    }


# --- the conversation view ------------------------------------------------------------------------


def highlight(text: str, needles: Sequence[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """`text` cut into (piece, rule or None): each evidence marked where it first occurs."""
    marks: list[tuple[int, int, str]] = []
    for evidence, rule in needles:
        if not evidence:
            continue
        start = text.find(evidence)
        if start < 0:
            continue
        end = start + len(evidence)
        if all(end <= s or start >= e for s, e, _ in marks):  # overlaps: the first one wins
            marks.append((start, end, rule))
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for start, end, rule in sorted(marks):
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], rule))
        at = end
    if at < len(text) or not pieces:
        pieces.append((text[at:], None))
    return pieces


def conversation_view(session: Session, user: User, qa: ConversationQa) -> dict[str, Any]:
    """What the QA conversation view shows: messages with their findings highlighted.

    Phone numbers are masked for whoever may not see the buyer's contact (policies.md §5),
    in the messages and in the evidence alike.
    """
    conv, result = qa.conversation, qa.result
    shown = str if may_see_contact(session, user, conv.buyer_id) else mask_phones_in_text
    supervisor = is_supervisor(user)
    own = result is not None and result.agent_id == user.username

    def finding_view(f: QaFinding) -> dict[str, Any]:
        appeal = qa.appeals.get(f.id)
        return {
            "id": f.id,
            "rule": f.rule,
            "message_index": f.message_index,
            "evidence": shown(f.evidence),
            "deduction": f.deduction,
            "status": f.status,
            "counts": f.status in COUNTING_STATUSES,
            "can_appeal": own and f.status == "active",
            "can_decide": supervisor and appeal is not None and appeal.status == "pending",
            "appeal": None
            if appeal is None
            else {
                "id": appeal.id,
                "status": appeal.status,
                "reason": appeal.reason,
                "decision_note": appeal.decision_note,
                "decided_at": appeal.decided_at,
            },
        }

    by_message = findings_by_message(result)
    messages = []
    for index, m in enumerate(qa.messages):
        findings = [finding_view(f) for f in by_message.get(index, [])]
        text = shown(m.text)
        messages.append(
            {
                "index": index,
                "seq": m.seq,
                "sender": m.sender,
                "text": text,
                "ts": m.ts,
                "quick_reply": bool(m.quick_reply),
                "pieces": highlight(text, [(f["evidence"], f["rule"]) for f in findings]),
                "findings": findings,
            }
        )
    return {
        "conversation_id": conv.conversation_id,
        "buyer_id": conv.buyer_id,
        "agent_id": result.agent_id if result is not None else conv.agent_id,
        "status": conv.status,
        "closed_by": conv.closed_by,
        "closed_at": conv.closed_at,
        "scanned": result is not None,
        "score": result.score if result is not None else None,
        "scanned_at": result.scanned_at if result is not None else None,
        "messages": messages,
        "conversation_findings": [finding_view(f) for f in by_message.get(-1, [])],
    }


@dataclass(frozen=True)
class ResultRow:
    conversation_id: str
    agent_id: str | None
    score: int
    findings: int
    closed_at: datetime | None
    scanned_at: datetime


def recent_results(
    session: Session, viewer: User, *, agent: str | None = None, limit: int = 20
) -> list[ResultRow]:
    """The latest scanned conversations the viewer may open (own ones for an agent)."""
    _check_reader(viewer)
    if not is_supervisor(viewer):
        agent = viewer.username
    stmt = (
        select(QaResult, Conversation.conversation_id, Conversation.closed_at)
        .join(Conversation, Conversation.id == QaResult.conversation_pk)
        .where(QaResult.shop_id == viewer.shop_id)
        .options(selectinload(QaResult.findings))
        .order_by(QaResult.scanned_at.desc(), QaResult.id.desc())
        .limit(limit)
    )
    if agent is not None:
        stmt = stmt.where(QaResult.agent_id == agent)
    return [
        ResultRow(
            conversation_id,
            result.agent_id,
            result.score,
            sum(1 for f in result.findings if f.status in COUNTING_STATUSES),
            closed_at,
            result.scanned_at,
        )
        for result, conversation_id, closed_at in session.execute(stmt)
    ]
