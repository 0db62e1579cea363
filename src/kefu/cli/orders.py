"""`kefu reminders plan` and `kefu orders triage` (formats.md)."""

from __future__ import annotations

import gc
import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from kefu.cli import batch
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
