"""`kefu reminders plan`, `kefu orders triage` (formats.md) and `kefu orders digest`.

`plan` and `triage` are batch commands on files; `digest` reads the configured database
(like `kefu export`) and writes the latest problem-order digest, the same document the API
serves at `/api/v1/orders/problems/digest`.
"""

from __future__ import annotations

import gc
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from kefu.cli import batch
from kefu.cli.data import OutOption, ShopIdOption
from kefu.cli.options import InputArgument, NowOption, ShopOption
from kefu.core.orders import TriageBatch, plan_reminders
from kefu.core.records import Order
from kefu.core.timeutil import format_time

reminders_app = typer.Typer(no_args_is_help=True)
orders_app = typer.Typer(no_args_is_help=True)

StockOption = Annotated[
    str | None,
    typer.Option("--stock", help='JSON object {"SKU": available_qty}; default: all in stock.'),
]


@reminders_app.command("plan")
def plan(path: InputArgument, shop: ShopOption = None, now: NowOption = None) -> int:
    """Planned payment reminders per order (the plan does not depend on `--now`)."""
    config = batch.load_shop(shop)

    def handle(order: Order) -> dict[str, Any]:
        reminders = plan_reminders(order, config)
        return {
            "order_id": order.order_id,
            "reminders": [
                {"channel": channel, "at": format_time(at, config.tz)} for channel, at in reminders
            ],
        }

    return batch.run_per_line(path, Order, config, handle)


@orders_app.command("triage")
def triage_command(
    path: InputArgument,
    shop: ShopOption = None,
    now: NowOption = None,
    stock: StockOption = None,
) -> int:
    """Problem-order flags; the whole file is one batch (stock, multi-address)."""
    config = batch.load_shop(shop)
    moment = batch.parse_now(now, config)
    available = load_stock(stock) if stock is not None else None
    triaged = TriageBatch(config, moment, available)
    rows: list[str | batch.LineError] = []  # an order's id, or the line error in its place
    # Many small records are kept until the end and none forms a reference cycle: the
    # cyclic GC would only rescan them again and again, so it is paused meanwhile.
    gc.disable()
    try:
        for _, record in batch.iter_records(path, Order, config):
            if isinstance(record, Order):
                triaged.add(record)
                rows.append(record.order_id)
            else:
                rows.append(record)
        flags = iter(triaged.flags())
    finally:
        gc.enable()
    return batch.write_all(
        {"order_id": row, "flags": next(flags)} if isinstance(row, str) else row for row in rows
    )


def load_stock(path: str) -> dict[str, int | float]:
    """The `--stock` file: a JSON object of SKU -> available quantity (else exit 2)."""
    file = Path(path)
    if not file.is_file():
        raise batch.UsageError(f"no such stock file: {path}")
    try:
        data = json.loads(file.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise batch.UsageError(f"stock file {path} is not JSON") from exc
    if not isinstance(data, dict):
        raise batch.UsageError(f'stock file {path} is not a JSON object {{"SKU": qty}}')
    for sku, qty in data.items():
        if isinstance(qty, bool) or not isinstance(qty, int | float) or not math.isfinite(qty):
            raise batch.UsageError(f"stock file {path}: quantity of {sku!r} is not a number")
    return data


FormatOption = Annotated[
    Literal["json", "csv"], typer.Option("--format", help="json (one object) or csv.")
]
FlagOption = Annotated[
    str | None, typer.Option("--flag", help="Only the orders carrying this flag (e.g. SHIP_LATE).")
]


@orders_app.command("digest")
def digest_command(
    fmt: FormatOption = "json",
    out: OutOption = None,
    flag: FlagOption = None,
    shop_id: ShopIdOption = None,
    shop: ShopOption = None,
    now: NowOption = None,
) -> int:
    """The latest problem-order digest 问题订单汇总 from the database, as the API serves it.

    It names orders and flags only (no buyer contact data), so it needs no masking.
    Exit 1 when the shop has no digest yet (the worker makes one every
    `digest_every_hours`).
    """
    from kefu.cli.data import _engine, _shop_config
    from kefu.db.models import Shop
    from kefu.db.session import session_scope
    from kefu.services import orders_board, orders_ops

    with _engine() as engine:
        config = _shop_config(engine, shop, shop_id)
        shop_id = shop_id or config.shop_id
        with session_scope(engine) as session:
            if session.get(Shop, shop_id) is None:
                raise batch.UsageError(f"no shop {shop_id!r} in the database")
            try:
                digest = orders_board.digest_export(session, shop_id, flag=flag or None)
            except orders_ops.OpsError as exc:
                raise batch.UsageError(f"--flag: {exc}") from None
            if digest is None:
                print(f"kefu: no problem-order digest yet in shop {shop_id}", file=sys.stderr)
                return 1
            if fmt == "csv":
                text = orders_ops.digest_csv(digest, config)
            else:
                document = orders_board.digest_document(digest, config)
                text = json.dumps(document, ensure_ascii=False) + "\n"
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0
