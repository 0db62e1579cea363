"""Channel adapters: how the shop reaches a buyer or hands work to a person.

- in-app: a bot message appended to the buyer's chat (`inbox.do_shop_message`: their
  latest conversation, or a new one opened for the order);
- SMS: a row in the `sms_outbox` (the record of what was sent, keyed by an idempotency key),
  then handed to an `SmsProvider`; the default provider only writes a log line;
- phone and other work for a person: an `ops_tasks` row.

Every adapter is idempotent on its key: called twice with the same key it finds the first
result and adds nothing. Callers write the effect in the same transaction as the state
change that caused it (a reminder marked sent), so the key is the second fence, not the
first (ADR 0002).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Engine, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.core.privacy import mask_phone
from kefu.db.models import Conversation, Message, OpsTask, SmsOutbox
from kefu.db.session import session_scope
from kefu.services import inbox

log = logging.getLogger("kefu.channels")

MESSAGE_SENDER = "bot"  # the shop's automatic messages read as the bot's (not an agent's)


# --- in-app message ---------------------------------------------------------------------------


def buyer_agent_id(session: Session, shop_id: str, buyer_id: str) -> int | None:
    """The agent who served the buyer last (their latest conversation's assignee)."""
    found = session.scalars(
        select(Conversation.assignee_id)
        .where(
            Conversation.shop_id == shop_id,
            Conversation.buyer_id == buyer_id,
            Conversation.assignee_id.is_not(None),
        )
        .order_by(Conversation.last_message_at.desc().nulls_last(), Conversation.id.desc())
        .limit(1)
    ).first()
    return found


def post_to_buyer_chat(
    session: Session,
    *,
    shop_id: str,
    buyer_id: str,
    order_id: str | None,
    text: str,
    key: str,
    now: datetime,
) -> Message:
    """Append a bot message to the buyer's chat (once per `key`) and return it: the
    inbox's own action, so the message gets its seq, its event and its live push."""
    return inbox.do_shop_message(
        session, shop_id=shop_id, buyer_id=buyer_id, order_id=order_id, text=text, key=key, now=now
    )


# --- SMS --------------------------------------------------------------------------------------


class SmsProvider(Protocol):
    """A gateway that delivers one SMS. It receives the outbox row's idempotency key: a
    provider that supports one (most do) then never delivers a retried row twice."""

    def send(self, *, phone: str, text: str, idempotency_key: str) -> str:
        """Deliver, returning the provider's message id; raise on failure."""
        ...


class LogSmsProvider:
    """The default: no gateway, the outbox row and this log line are the record."""

    def send(self, *, phone: str, text: str, idempotency_key: str) -> str:
        log.info("sms %s to %s: %s", idempotency_key, mask_phone(phone), text)
        return f"log:{idempotency_key}"


def outbox_row(
    *,
    shop_id: str,
    key: str,
    phone: str,
    text: str,
    now: datetime,
    reminder_id: int | None = None,
) -> dict[str, Any]:
    """The values of a queued outbox row."""
    return {
        "shop_id": shop_id,
        "idempotency_key": key,
        "reminder_id": reminder_id,
        "phone": phone,
        "text": text,
        "status": "queued",
        "send_after": now,
        "attempts": 0,
        "last_error": "",
        "created_at": now,
        "updated_at": now,
    }


def queue_sms_rows(session: Session, rows: list[dict[str, Any]]) -> int:
    """Write outbox rows (`outbox_row`) in one statement, skipping keys already present;
    returns how many went in."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    statement: Any
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(SmsOutbox)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(SmsOutbox)
    result = session.execute(statement.values(rows).on_conflict_do_nothing())
    return int(getattr(result, "rowcount", 0) or 0)


def queue_sms(
    session: Session,
    *,
    shop_id: str,
    key: str,
    phone: str,
    text: str,
    now: datetime,
    reminder_id: int | None = None,
) -> bool:
    """Write the outbox row for `key` unless it exists; True if this call wrote it."""
    row = outbox_row(
        shop_id=shop_id, key=key, phone=phone, text=text, now=now, reminder_id=reminder_id
    )
    return queue_sms_rows(session, [row]) == 1


@dataclass
class OutboxRun:
    sent: int = 0
    failed: int = 0


MAX_SMS_ATTEMPTS = 5


def deliver_outbox(
    engine: Engine, provider: SmsProvider, *, now: datetime, limit: int = 100
) -> OutboxRun:
    """Hand queued SMS to the provider, a batch per transaction.

    Rows are locked with SKIP LOCKED on PostgreSQL, so two workers never take the same
    row. A worker dying after the provider accepted a message but before the commit
    leaves the row queued: it is handed over again with the same idempotency key.
    """
    run = OutboxRun()
    with session_scope(engine) as session:
        query = (
            select(SmsOutbox)
            .where(
                SmsOutbox.status == "queued",
                or_(SmsOutbox.send_after.is_(None), SmsOutbox.send_after <= now),
            )
            .order_by(SmsOutbox.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for row in session.scalars(query):
            row.attempts += 1
            try:
                row.provider_msg_id = provider.send(
                    phone=row.phone, text=row.text, idempotency_key=row.idempotency_key
                )
            except Exception as exc:  # a provider error is the row's, not the worker's
                row.last_error = str(exc)[:500]
                if row.attempts >= MAX_SMS_ATTEMPTS:
                    row.status = "failed"
                    run.failed += 1
                continue
            row.status = "sent"
            row.sent_at = now
            run.sent += 1
    return run


# --- tasks for people -------------------------------------------------------------------------


def create_task(
    session: Session,
    *,
    shop_id: str,
    key: str,
    kind: str,
    title: str,
    now: datetime,
    order_pk: int | None = None,
    order_id: str | None = None,
    assignee_id: int | None = None,
    detail: str = "",
    amount: Decimal | None = None,
    reminder_id: int | None = None,
    due_at: datetime | None = None,
) -> tuple[OpsTask, bool]:
    """The task for `key` and whether this call created it (a second call creates none)."""
    existing = session.scalars(select(OpsTask).where(OpsTask.key == key)).first()
    if existing is not None:
        return existing, False
    task = OpsTask(
        shop_id=shop_id,
        key=key,
        kind=kind,
        status="open",
        order_pk=order_pk,
        order_id=order_id,
        reminder_id=reminder_id,
        assignee_id=assignee_id,
        title=title[:300],
        detail=detail,
        amount=amount,
        due_at=due_at or now,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(task)
    except IntegrityError:
        return session.scalars(select(OpsTask).where(OpsTask.key == key)).one(), False
    return task, True
