"""Import formats.md JSON Lines (orders, conversations, tracking events) into a shop.

Rules, the same for the three kinds:
- Idempotent: records are upserted by their natural key (`order_id`; `conversation_id`;
  `(tracking_no, ts, status)`) and a record equal to the stored one (same SHA-256 of its
  canonical JSON) changes nothing, so importing one file twice adds nothing.
- Batches of `batch_size` records, one transaction each, written with bulk statements (no
  per-row round trips). A bad line (not JSON, missing field, wrong type, a value too long or
  too large for its column) is reported as `LineError` and skipped; the rest of the file
  goes in. Should the database still refuse a batch, it is retried one record per
  transaction so that only the offending records are reported; nothing half-written is
  left (an order and its items, a conversation and its messages commit together).
- The same key twice in one file: an identical repeat counts as unchanged; a different one
  is a line error (`duplicate order_id ... (first on line N)`) and is skipped. One file is
  one snapshot, and two different states of one order in it are ambiguous: send the newer
  state in a later file, which then updates the order.
- Conversations merge, they never lose messages: a changed conversation keeps the messages
  already stored and appends the record's messages not yet stored (matched by sender,
  time and text), numbered after the last `seq`. A new conversation without `closed_by`
  is live: it gets the queue the inbox routes its first buyer message to, and waits as
  `pending` when no agent of the shop holds it (`_live_state`).
- Order status history records every status change seen by a later import (a new order's
  history starts at its first import).
- Orders react at once: right after each batch commits, the orders it added or changed go
  through `orders_ops.on_orders_changed` (reminders planned or cancelled, follow-ups and
  deadline checks scheduled, problem flags re-triaged) in a transaction of their own, so a
  reaction that fails leaves the imported orders in place. That reaction still costs a few
  queries per order (about 3 ms), so one import reacts to at most `REACT_LIMIT` orders,
  its first ones; a bulk load beyond that, and anything missed, is caught up by the
  worker's `order_sync` job, which finds every change by `updated_at`.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import JSON, Engine, String, Table, delete, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from kefu.core import records
from kefu.core.shopconfig import ShopConfig
from kefu.db.base import utcnow
from kefu.db.models import (
    Conversation,
    Message,
    Order,
    OrderItem,
    OrderStatusChange,
    Rating,
    Shipment,
    Shop,
    TrackingEvent,
    User,
)
from kefu.db.session import session_scope
from kefu.services.jsonl import LineError, iter_records

log = logging.getLogger("kefu.imports")

R = TypeVar("R", bound=BaseModel)
BATCH_SIZE = 1000
REACT_LIMIT = 1000  # orders of one import handled by `on_orders_changed` right away
MONEY_LIMIT = Decimal("10000000000")  # Numeric(12, 2) holds up to 9,999,999,999.99
CENT = Decimal("0.01")


@dataclass
class ImportSummary:
    """What an import did. `errors` are the skipped lines, in file order."""

    kind: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return self.added + self.updated + self.unchanged + len(self.errors)

    def one_line(self) -> str:
        return (
            f"{self.kind}: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.errors)} errors"
        )

    def merge(self, other: Counts) -> None:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_pks: list[int] = field(default_factory=list)  # rows added or updated


class RecordError(ValueError):
    """A well-formed record the database cannot hold (too long, too large)."""


class RefusedError(Exception):
    """The database refused a COPY (a constraint); the batch is retried record by record."""


Progress = Callable[[int], None]  # called with the number of lines just processed


# --- helpers ----------------------------------------------------------------------------------


def record_hash(record: BaseModel) -> str:
    """SHA-256 of the record's canonical JSON (pydantic's own serialisation, field order)."""
    return hashlib.sha256(record.model_dump_json().encode("utf-8")).hexdigest()


def money(value: float | None, name: str) -> Decimal:
    """A JSON number of yuan as Decimal, half-up to cents; refuses NaN/inf/too large."""
    if value is None:
        return Decimal("0.00")
    if isinstance(value, float) and not math.isfinite(value):
        raise RecordError(f"{name}: not a finite number")
    amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(amount) >= MONEY_LIMIT:
        raise RecordError(f"{name}: too large")
    return amount


_LENGTHS: dict[str, dict[str, int]] = {}


def _check_lengths(table: Table, row: dict[str, Any], prefix: str = "") -> None:
    """A string longer than its column is a line error, not a database failure."""
    lengths = _LENGTHS.get(table.name)
    if lengths is None:
        lengths = _LENGTHS[table.name] = {
            c.name: c.type.length
            for c in table.c
            if isinstance(c.type, String) and c.type.length is not None
        }
    for key, length in lengths.items():
        value = row.get(key)
        if isinstance(value, str) and len(value) > length:
            raise RecordError(f"{prefix}{key}: longer than {length} characters")


def _insert_returning_keys(
    session: Session, table: Table, key: str, rows: list[dict[str, Any]]
) -> dict[str, int]:
    """Bulk INSERT of new rows; returns natural key -> new surrogate id."""
    if session.get_bind().dialect.name == "postgresql":
        ids = _pg_next_ids(session, table, len(rows))
        rows = [{**row, "id": pk} for row, pk in zip(rows, ids, strict=True)]
        _pg_copy(session, table, rows)
        return {row[key]: row["id"] for row in rows}
    # SQLite: the driver's executemany, then one indexed look-up of the new ids by natural
    # key (cheaper than SQLAlchemy's per-row handling of a multi-row INSERT ... RETURNING).
    _sqlite_insert(session, table, rows)
    keys = [row[key] for row in rows]
    found = session.execute(
        select(table.c[key], table.c.id).where(
            table.c.shop_id == rows[0]["shop_id"], table.c[key].in_(keys)
        )
    )
    return {natural: pk for natural, pk in found.all()}


def _bulk_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Bulk INSERT: COPY on PostgreSQL, the driver's executemany on SQLite."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _pg_copy(session, table, rows)
    else:
        _sqlite_insert(session, table, rows)


def _with_defaults(table: Table, rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Column names and value lists, with the Python-side column defaults filled in.

    The fast paths below skip SQLAlchemy's per-row parameter handling, which is what would
    otherwise apply these defaults (a server default needs nothing: the column is left out).
    """
    columns = list(rows[0])
    defaults: dict[str, Any] = {}  # column -> scalar, or a callable taking a context
    for column in table.c:
        default: Any = column.default
        usable = default is not None and (default.is_scalar or default.is_callable)
        if column.name not in columns and usable:
            defaults[column.name] = default.arg
    values = []
    for row in rows:
        line = [row.get(name) for name in columns]
        line.extend(d(None) if callable(d) else d for d in defaults.values())
        values.append(line)
    return columns + list(defaults), values


def _sqlite_insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """executemany with the values converted by each column type's own bind processor."""
    names, values = _with_defaults(table, rows)
    dialect = session.get_bind().dialect
    processors = [
        (index, processor)
        for index, name in enumerate(names)
        if (processor := table.c[name].type._cached_bind_processor(dialect)) is not None
    ]
    for line in values:
        for index, processor in processors:
            line[index] = processor(line[index])
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    statement = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})'
    session.connection().exec_driver_sql(statement, [tuple(line) for line in values])


def _pg_next_ids(session: Session, table: Table, count: int) -> list[int]:
    """Reserve `count` ids from the table's sequence in one round trip."""
    statement = text(
        "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
    )
    return list(session.scalars(statement, {"table": table.name, "n": count}))


def _pg_copy(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY rows into a PostgreSQL table, in the session's transaction.

    Why: multi-row INSERTs of thousands of parameters are parsed by the driver at every
    batch and dominate the import time; COPY streams the values with no SQL to parse.
    """
    import psycopg
    from psycopg.types.json import Json

    names, values = _with_defaults(table, rows)
    json_at = [i for i, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
    connection: Any = session.connection().connection.driver_connection
    quoted = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    try:
        with connection.cursor() as cursor, cursor.copy(statement) as copy:
            for line in values:
                for index in json_at:
                    if line[index] is not None:
                        line[index] = Json(line[index])
                copy.write_row(line)
    except psycopg.Error as exc:
        raise RefusedError(str(exc).strip().splitlines()[0]) from exc


def _text(value: str | None) -> str:
    return value or ""


def ensure_shop(session: Session, shop: ShopConfig, shop_id: str | None = None) -> str:
    """The shop row for `shop_id` (default: the config's), created from `shop` if missing."""
    shop_id = shop_id or shop.shop_id
    if session.get(Shop, shop_id) is None:
        session.add(
            Shop(
                id=shop_id,
                name=shop.name,
                platform=shop.platform,
                timezone=str(getattr(shop, "timezone", "Asia/Shanghai")),
                config=shop.model_dump(mode="json"),
            )
        )
        session.flush()
    return shop_id


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class Prepared(Generic[R]):
    line: int
    record: R
    digest: str
    rows: Any = None  # the writer's rows for this record, computed once by `check`


class _Writer(Generic[R]):
    """One record kind: its natural key and the bulk upsert of a batch."""

    kind = ""
    model: type[R]
    tables: tuple[str, ...] = ()  # the tables a large import fills

    def key(self, record: R) -> Any:
        raise NotImplementedError

    def key_text(self, record: R) -> str:
        raise NotImplementedError

    def check(self, record: R) -> Any:
        """Raise `RecordError` when the record cannot be stored as it is, else its rows."""
        return None

    def write(self, session: Session, shop_id: str, batch: Sequence[Prepared[R]]) -> Counts:
        raise NotImplementedError

    def after_commit(self, engine: Engine, shop_id: str, shop: ShopConfig, counts: Counts) -> None:
        """React to a committed batch (default: nothing)."""


def _run_import(
    engine: Engine,
    path: str,
    shop: ShopConfig,
    shop_id: str | None,
    writer: _Writer[R],
    *,
    batch_size: int,
    progress: Progress | None,
) -> ImportSummary:
    summary = ImportSummary(kind=writer.kind)
    with session_scope(engine) as session:
        shop_id = ensure_shop(session, shop, shop_id)
    seen: dict[Any, tuple[int, str]] = {}  # key -> (first line, digest)
    errors_by_line: dict[int, LineError] = {}

    def prepared() -> Iterator[Prepared[R]]:
        for line, record in iter_records(path, writer.model, shop):
            if progress is not None:
                progress(1)
            if isinstance(record, LineError):
                errors_by_line[line] = record
                continue
            try:
                rows = writer.check(record)
            except RecordError as exc:
                errors_by_line[line] = LineError(line, str(exc))
                continue
            digest = record_hash(record)
            key = writer.key(record)
            first = seen.get(key)
            if first is not None:
                if first[1] == digest:
                    summary.unchanged += 1
                else:
                    errors_by_line[line] = LineError(
                        line, f"duplicate {writer.key_text(record)} (first on line {first[0]})"
                    )
                continue
            seen[key] = (line, digest)
            yield Prepared(line, record, digest, rows)

    analyzed_at = 0  # rows added when the tables' statistics were last refreshed
    for batch in _chunks(prepared(), batch_size):
        try:
            with session_scope(engine) as session:
                counts = writer.write(session, shop_id, batch)
            summary.merge(counts)
            writer.after_commit(engine, shop_id, shop, counts)
            if engine.dialect.name == "postgresql" and summary.added >= 2 * analyzed_at + 1000:
                # A table filled within one import keeps the statistics of its empty start, so
                # the planner would scan it whole for every batch's key lookup (quadratic).
                # Refresh them whenever the rows added double: a handful of cheap ANALYZEs.
                _analyze(engine, writer.tables)
                analyzed_at = summary.added
        except (IntegrityError, DBAPIError, RefusedError):
            # Find the culprits: one record per transaction, the good ones still go in.
            for item in batch:
                try:
                    with session_scope(engine) as session:
                        counts = writer.write(session, shop_id, [item])
                    summary.merge(counts)
                    writer.after_commit(engine, shop_id, shop, counts)
                except (IntegrityError, DBAPIError, RefusedError) as exc:
                    reason = str(getattr(exc, "orig", exc)).strip().splitlines()
                    detail = reason[0] if reason else type(exc).__name__
                    errors_by_line[item.line] = LineError(item.line, f"rejected: {detail}")
    summary.errors = [errors_by_line[line] for line in sorted(errors_by_line)]
    return summary


def _analyze(engine: Engine, tables: Sequence[str]) -> None:
    with engine.connect() as connection:
        for table in tables:
            connection.exec_driver_sql(f'ANALYZE "{table}"')
        connection.commit()


# --- orders -------------------------------------------------------------------------------------

_ORDERS = cast(Table, Order.__table__)
_ITEMS = cast(Table, OrderItem.__table__)


def _order_row(record: records.Order) -> dict[str, Any]:
    address = record.address
    return {
        "order_id": record.order_id,
        "platform": record.platform or "taobao",
        "buyer_id": record.buyer_id,
        "status": record.status,
        "created_at": record.created_at,
        "paid_at": record.paid_at,
        "shipped_at": record.shipped_at,
        "signed_at": record.signed_at,
        "amount": money(record.amount, "amount"),
        "shipping_fee": money(record.shipping_fee, "shipping_fee"),
        "free_shipping": bool(record.free_shipping),
        "payment_method": record.payment_method or "online",
        "courier": record.courier,
        "tracking_no": record.tracking_no,
        "buyer_note": _text(record.buyer_note),
        "presale": bool(record.presale),
        "customized": bool(record.customized),
        "address_changed_after_payment": bool(record.address_changed_after_payment),
        "receiver_name": _text(address.name),
        "receiver_phone": _text(address.phone),
        "province": _text(address.province),
        "city": _text(address.city),
        "district": _text(address.district),
        "address_detail": _text(address.detail),
    }


def _item_rows(record: records.Order) -> list[dict[str, Any]]:
    return [
        {
            "line_no": index,
            "sku": item.sku,
            "title": _text(item.title),
            "category": item.category or "other",
            "qty": item.qty,
            "price": money(item.price, f"items.{index}.price"),
        }
        for index, item in enumerate(record.items)
    ]


class OrderWriter(_Writer[records.Order]):
    kind = "orders"
    tables = ("orders", "order_items")
    model = records.Order

    def __init__(self, react_limit: int | None = None) -> None:
        self.react_left = REACT_LIMIT if react_limit is None else react_limit

    def key(self, record: records.Order) -> str:
        return record.order_id

    def key_text(self, record: records.Order) -> str:
        return f"order_id {record.order_id}"

    def check(self, record: records.Order) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        order_row, item_rows = _order_row(record), _item_rows(record)
        _check_lengths(_ORDERS, order_row)
        for index, row in enumerate(item_rows):
            _check_lengths(_ITEMS, row, f"items.{index}.")
            if not -(2**31) < row["qty"] < 2**31:
                raise RecordError(f"items.{index}.qty: out of range")
        return order_row, item_rows

    def write(
        self, session: Session, shop_id: str, batch: Sequence[Prepared[records.Order]]
    ) -> Counts:
        return upsert_orders(
            session, shop_id, [(p.record, p.digest) for p in batch], [p.rows for p in batch]
        )

    def after_commit(self, engine: Engine, shop_id: str, shop: ShopConfig, counts: Counts) -> None:
        pks = counts.changed_pks[: max(self.react_left, 0)]
        if pks:
            self.react_left -= len(pks)
            react_to_orders(engine, shop_id, shop, pks)


def react_to_orders(engine: Engine, shop_id: str, shop: ShopConfig, order_pks: list[int]) -> None:
    """`on_orders_changed` for orders just committed, in a transaction of its own.

    A failure is logged, not raised: the orders are stored and the worker's `order_sync`
    job reacts to them a little later (it reads changes by `updated_at`).
    """
    from kefu.services import orders_ops  # the import CLI starts without the ops stack

    try:
        with session_scope(engine) as session:
            orders_ops.on_orders_changed(session, shop_id, order_pks, now=utcnow(), shop=shop)
    except Exception:  # the safety net above catches up; the import goes on
        log.exception(
            "reacting to %d imported orders failed; order_sync will retry", len(order_pks)
        )


def upsert_orders(
    session: Session,
    shop_id: str,
    batch: Sequence[tuple[records.Order, str]],
    rows: Sequence[tuple[dict[str, Any], list[dict[str, Any]]] | None] | None = None,
) -> Counts:
    """Insert new orders, update changed ones (items replaced), skip equal ones.

    `rows`, when given, are each record's (order row, item rows), already computed.
    """
    counts = Counts()
    prepared = {
        record.order_id: given or (_order_row(record), _item_rows(record))
        for (record, _), given in zip(batch, rows or [None] * len(batch), strict=True)
    }
    ids = [record.order_id for record, _ in batch]
    existing = {
        row.order_id: row
        for row in session.execute(
            select(_ORDERS.c.id, _ORDERS.c.order_id, _ORDERS.c.record_hash, _ORDERS.c.status)
            .where(_ORDERS.c.shop_id == shop_id)
            .where(_ORDERS.c.order_id.in_(ids))
        )
    }
    now = utcnow()
    new: list[tuple[records.Order, str]] = []
    changed: list[tuple[records.Order, str, Any]] = []
    for record, digest in batch:
        row = existing.get(record.order_id)
        if row is None:
            new.append((record, digest))
        elif row.record_hash == digest:
            counts.unchanged += 1
        else:
            changed.append((record, digest, row))

    items: list[dict[str, Any]] = []
    if new:
        new_rows = [
            {
                **prepared[r.order_id][0],
                "shop_id": shop_id,
                "record_hash": d,
                "imported_at": now,
                "updated_at": now,
            }
            for r, d in new
        ]
        # RETURNING the natural key too: matching by it needs no row-order guarantee, which
        # would make SQLAlchemy fall back to one INSERT per row on some backends.
        inserted = _insert_returning_keys(session, _ORDERS, "order_id", new_rows)
        for record, _ in new:
            pk = inserted[record.order_id]
            counts.changed_pks.append(pk)
            items.extend(
                {**i, "shop_id": shop_id, "order_pk": pk} for i in prepared[record.order_id][1]
            )
        counts.added += len(new)
    if changed:
        session.execute(
            update(Order),
            [
                {**prepared[r.order_id][0], "id": row.id, "record_hash": d, "updated_at": now}
                for r, d, row in changed
            ],
        )
        pks = [row.id for _, _, row in changed]
        counts.changed_pks.extend(pks)
        session.execute(delete(_ITEMS).where(_ITEMS.c.order_pk.in_(pks)))
        for record, _, row in changed:
            items.extend(
                {**i, "shop_id": shop_id, "order_pk": row.id} for i in prepared[record.order_id][1]
            )
        history = [
            {
                "shop_id": shop_id,
                "order_pk": row.id,
                "from_status": row.status,
                "to_status": record.status,
                "at": now,
                "source": "import",
            }
            for record, _, row in changed
            if record.status != row.status
        ]
        if history:
            _bulk_insert(session, cast(Table, OrderStatusChange.__table__), history)
        counts.updated += len(changed)
    if items:
        _bulk_insert(session, _ITEMS, items)
    return counts


# --- conversations ------------------------------------------------------------------------------

_CONVERSATIONS = cast(Table, Conversation.__table__)
_MESSAGES = cast(Table, Message.__table__)


def _conversation_row(record: records.Conversation) -> dict[str, Any]:
    times = [m.ts for m in record.messages]
    buyer_times = [m.ts for m in record.messages if m.sender == "buyer"]
    return {
        "conversation_id": record.conversation_id,
        "platform": record.platform or "taobao",
        "buyer_id": record.buyer_id,
        "agent_id": record.agent_id,
        "order_ids": list(record.order_ids or []),
        "closed_by": record.closed_by,
        "status": "closed" if record.closed_by else "open",
        "started_at": min(buyer_times) if buyer_times else None,
        "last_message_at": max(times) if times else None,
        "closed_at": max(times) if times and record.closed_by else None,
    }


def _live_state(record: records.Conversation, agents: dict[str, int]) -> dict[str, Any]:
    """A new conversation still in progress joins the inbox as if it had just come in: in
    the queue the inbox routes its first buyer message to, and, without an agent of the
    shop, `pending` (waiting for one, like the inbox's own waiting buyers)."""
    if record.closed_by:  # every row of a batch has the same keys (`_with_defaults`)
        return {"queue": None, "status": "closed"}
    from kefu.services.inbox import stage_queue  # only for open chats: imports stay light

    first = next((m.text for m in record.messages if m.sender == "buyer"), "")
    held = agents.get(record.agent_id or "") is not None
    return {"queue": stage_queue(first), "status": "open" if held else "pending"}


def _message_key(sender: str, ts: datetime, text: str) -> tuple[str, str, str]:
    return sender, ts.astimezone(UTC).isoformat(), text


class ConversationWriter(_Writer[records.Conversation]):
    kind = "conversations"
    tables = ("conversations", "messages")
    model = records.Conversation

    def __init__(self) -> None:
        self.agents: dict[str, dict[str, int]] = {}  # shop -> username -> user id

    def key(self, record: records.Conversation) -> str:
        return record.conversation_id

    def key_text(self, record: records.Conversation) -> str:
        return f"conversation_id {record.conversation_id}"

    def check(self, record: records.Conversation) -> None:
        _check_lengths(_CONVERSATIONS, _conversation_row(record))

    def write(
        self, session: Session, shop_id: str, batch: Sequence[Prepared[records.Conversation]]
    ) -> Counts:
        if shop_id not in self.agents:
            self.agents[shop_id] = dict(
                session.execute(select(User.username, User.id).where(User.shop_id == shop_id)).all()
            )
        return upsert_conversations(
            session, shop_id, [(p.record, p.digest) for p in batch], self.agents[shop_id]
        )


def upsert_conversations(
    session: Session,
    shop_id: str,
    batch: Sequence[tuple[records.Conversation, str]],
    agents: dict[str, int] | None = None,
) -> Counts:
    """Insert new conversations, merge changed ones (messages appended), skip equal ones."""
    agents = agents or {}
    counts = Counts()
    ids = [record.conversation_id for record, _ in batch]
    existing = {
        row.conversation_id: row
        for row in session.execute(
            select(
                _CONVERSATIONS.c.id,
                _CONVERSATIONS.c.conversation_id,
                _CONVERSATIONS.c.record_hash,
                _CONVERSATIONS.c.last_seq,
            )
            .where(_CONVERSATIONS.c.shop_id == shop_id)
            .where(_CONVERSATIONS.c.conversation_id.in_(ids))
            # Lock them (PostgreSQL): the inbox may be giving out the next `seq` right now.
            .with_for_update()
        )
    }
    now = utcnow()
    new = [(r, d) for r, d in batch if r.conversation_id not in existing]
    changed = [
        (r, d, existing[r.conversation_id])
        for r, d in batch
        if r.conversation_id in existing and existing[r.conversation_id].record_hash != d
    ]
    counts.unchanged += len(batch) - len(new) - len(changed)

    def message_rows(record: records.Conversation, pk: int, start: int) -> list[dict[str, Any]]:
        return [
            {
                "shop_id": shop_id,
                "conversation_pk": pk,
                "seq": start + index,
                "sender": m.sender,
                "text": m.text,
                "ts": m.ts,
                "quick_reply": bool(m.quick_reply),
                "sender_id": agents.get(record.agent_id or "") if m.sender == "agent" else None,
            }
            for index, m in enumerate(record.messages)
        ]

    messages: list[dict[str, Any]] = []
    ratings: list[dict[str, Any]] = []
    if new:
        rows = [
            {
                **_conversation_row(r),
                **_live_state(r, agents),
                "shop_id": shop_id,
                "assignee_id": agents.get(r.agent_id or ""),
                "last_seq": len(r.messages),
                "record_hash": d,
                "created_at": now,
                "updated_at": now,
            }
            for r, d in new
        ]
        inserted = _insert_returning_keys(session, _CONVERSATIONS, "conversation_id", rows)
        for record, _ in new:
            pk = inserted[record.conversation_id]
            messages.extend(message_rows(record, pk, 1))
            if record.rating is not None:
                ratings.append(_rating_row(shop_id, pk, record))
        counts.added += len(new)
    if changed:
        pks = [row.id for _, _, row in changed]
        stored: dict[int, set[tuple[str, str, str]]] = {pk: set() for pk in pks}
        for m in session.execute(
            select(
                _MESSAGES.c.conversation_pk, _MESSAGES.c.sender, _MESSAGES.c.ts, _MESSAGES.c.text
            ).where(_MESSAGES.c.conversation_pk.in_(pks))
        ):
            stored[m.conversation_pk].add(_message_key(m.sender, m.ts, m.text))
        updates = []
        for record, digest, row in changed:
            fresh = [
                new_row
                for new_row in message_rows(record, row.id, 0)
                if _message_key(new_row["sender"], new_row["ts"], new_row["text"])
                not in stored[row.id]
            ]
            for offset, new_row in enumerate(fresh, start=1):
                new_row["seq"] = row.last_seq + offset
            messages.extend(fresh)
            updates.append(
                {
                    **_conversation_row(record),
                    "id": row.id,
                    "assignee_id": agents.get(record.agent_id or ""),
                    "last_seq": row.last_seq + len(fresh),
                    "record_hash": digest,
                    "updated_at": now,
                }
            )
            if record.rating is not None:
                ratings.append(_rating_row(shop_id, row.id, record))
        session.execute(update(Conversation), updates)
        changed_pks = set(pks)
        rated = [r["conversation_pk"] for r in ratings if r["conversation_pk"] in changed_pks]
        if rated:  # a new rating replaces the old one; no rating leaves a stored one alone
            session.execute(
                delete(cast(Table, Rating.__table__)).where(Rating.conversation_pk.in_(rated))
            )
        counts.updated += len(changed)
    if messages:
        _bulk_insert(session, _MESSAGES, messages)
    if ratings:
        _bulk_insert(session, cast(Table, Rating.__table__), ratings)
    return counts


def _rating_row(shop_id: str, pk: int, record: records.Conversation) -> dict[str, Any]:
    times = [m.ts for m in record.messages]
    return {
        "shop_id": shop_id,
        "conversation_pk": pk,
        "agent_id": record.agent_id,
        "rating": record.rating,
        "comment": "",
        "rated_at": max(times) if times else None,
    }


# --- tracking events ----------------------------------------------------------------------------

_SHIPMENTS = cast(Table, Shipment.__table__)
_EVENTS = cast(Table, TrackingEvent.__table__)


def _event_row(record: records.TrackingEvent) -> dict[str, Any]:
    return {
        "tracking_no": record.tracking_no,
        "courier": record.courier,
        "order_id": record.order_id,
        "ts": record.ts,
        "status": record.status,
        "location": _text(record.location),
        "desc": _text(record.desc),
    }


class TrackingWriter(_Writer[records.TrackingEvent]):
    kind = "tracking"
    tables = ("shipments", "tracking_events")
    model = records.TrackingEvent

    def key(self, record: records.TrackingEvent) -> tuple[str, datetime, str]:
        return record.tracking_no, record.ts, record.status

    def key_text(self, record: records.TrackingEvent) -> str:
        return f"event {record.tracking_no} {record.ts.isoformat()} {record.status}"

    def check(self, record: records.TrackingEvent) -> None:
        _check_lengths(_EVENTS, _event_row(record))

    def write(
        self, session: Session, shop_id: str, batch: Sequence[Prepared[records.TrackingEvent]]
    ) -> Counts:
        return upsert_tracking_events(session, shop_id, [p.record for p in batch])


def upsert_tracking_events(
    session: Session, shop_id: str, batch: Sequence[records.TrackingEvent]
) -> Counts:
    """Create missing shipments, insert new events, update changed ones, refresh shipments."""
    counts = Counts()
    numbers = sorted({r.tracking_no for r in batch})
    shipments = dict(
        session.execute(
            select(_SHIPMENTS.c.tracking_no, _SHIPMENTS.c.id)
            .where(_SHIPMENTS.c.shop_id == shop_id)
            .where(_SHIPMENTS.c.tracking_no.in_(numbers))
        ).all()
    )
    missing = [n for n in numbers if n not in shipments]
    if missing:
        first: dict[str, records.TrackingEvent] = {}
        for r in batch:
            first.setdefault(r.tracking_no, r)
        order_ids = {first[n].order_id for n in missing if first[n].order_id}
        order_pks = dict(
            session.execute(
                select(_ORDERS.c.order_id, _ORDERS.c.id)
                .where(_ORDERS.c.shop_id == shop_id)
                .where(_ORDERS.c.order_id.in_(order_ids))
            ).all()
        )
        now = utcnow()
        rows = [
            {
                "shop_id": shop_id,
                "tracking_no": n,
                "courier": first[n].courier,
                "order_id": first[n].order_id,
                "order_pk": order_pks.get(first[n].order_id or ""),
                "created_at": now,
                "updated_at": now,
            }
            for n in missing
        ]
        shipments.update(_insert_returning_keys(session, _SHIPMENTS, "tracking_no", rows))

    stored = {
        (e.tracking_no, e.ts, e.status): e
        for e in session.execute(
            select(
                _EVENTS.c.id,
                _EVENTS.c.tracking_no,
                _EVENTS.c.ts,
                _EVENTS.c.status,
                _EVENTS.c.courier,
                _EVENTS.c.order_id,
                _EVENTS.c.location,
                _EVENTS.c.desc,
            )
            .where(_EVENTS.c.shop_id == shop_id)
            .where(_EVENTS.c.tracking_no.in_(numbers))
        )
    }
    new, changed = [], []
    for record in batch:
        row = _event_row(record)
        old = stored.get((record.tracking_no, record.ts, record.status))
        if old is None:
            new.append({**row, "shop_id": shop_id, "shipment_id": shipments[record.tracking_no]})
        elif (old.courier, old.order_id, old.location, old.desc) != (
            row["courier"],
            row["order_id"],
            row["location"],
            row["desc"],
        ):
            changed.append({**row, "id": old.id})
        else:
            counts.unchanged += 1
    if new:
        _bulk_insert(session, _EVENTS, new)
        counts.added += len(new)
    if changed:
        session.execute(update(TrackingEvent), changed)
        counts.updated += len(changed)
    if new or changed:
        refresh_shipments(session, [shipments[n] for n in numbers])
    return counts


def refresh_shipments(session: Session, shipment_ids: Sequence[int]) -> None:
    """Each shipment's summary (latest status, place, collected/delivered times) from its events."""
    latest: dict[int, Any] = {}
    collected: dict[int, datetime] = {}
    delivered: dict[int, datetime] = {}
    for e in session.execute(
        select(_EVENTS.c.shipment_id, _EVENTS.c.ts, _EVENTS.c.status, _EVENTS.c.location)
        .where(_EVENTS.c.shipment_id.in_(shipment_ids))
        .order_by(_EVENTS.c.shipment_id, _EVENTS.c.ts, _EVENTS.c.id)
    ):
        latest[e.shipment_id] = e
        if e.status == "collected":
            collected.setdefault(e.shipment_id, e.ts)
        if e.status == "delivered":
            delivered[e.shipment_id] = e.ts
    if not latest:
        return
    session.execute(
        update(Shipment),
        [
            {
                "id": pk,
                "status": e.status,
                "last_event_at": e.ts,
                "last_location": e.location,
                "collected_at": collected.get(pk),
                "delivered_at": delivered.get(pk),
                "updated_at": utcnow(),
            }
            for pk, e in latest.items()
        ],
    )


# --- entry points -------------------------------------------------------------------------------

WRITERS: dict[str, Callable[[], _Writer[Any]]] = {
    "orders": OrderWriter,
    "conversations": ConversationWriter,
    "tracking": TrackingWriter,
}


def import_file(
    engine: Engine,
    kind: str,
    path: str,
    shop: ShopConfig,
    *,
    shop_id: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a JSON Lines file of `kind` (orders | conversations | tracking) into a shop.

    The shop row is created from `shop` when missing. Raises `UsageError` for a missing file.
    """
    if kind not in WRITERS:
        raise ValueError(f"unknown import kind {kind!r}")
    return _run_import(
        engine, path, shop, shop_id, WRITERS[kind](), batch_size=batch_size, progress=progress
    )


def import_orders(engine: Engine, path: str, shop: ShopConfig, **kw: Any) -> ImportSummary:
    return import_file(engine, "orders", path, shop, **kw)


def import_conversations(engine: Engine, path: str, shop: ShopConfig, **kw: Any) -> ImportSummary:
    return import_file(engine, "conversations", path, shop, **kw)


def import_tracking(engine: Engine, path: str, shop: ShopConfig, **kw: Any) -> ImportSummary:
    return import_file(engine, "tracking", path, shop, **kw)
