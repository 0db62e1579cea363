"""`kefu policy` commands: `return`, `late-shipment`, `shipping-quote` (formats.md)."""

from __future__ import annotations

from typing import Any

import typer

from kefu.cli import batch
from kefu.cli.options import InputArgument, NowOption, ShopOption
from kefu.core.aftersales import decide_return
from kefu.core.orders import assess_late_shipment, quote
from kefu.core.orders.shipping import NoRate, UnknownCourier
from kefu.core.records import Order, ReturnCase, ShippingQuoteRequest
from kefu.core.shopconfig import ShopConfig
from kefu.core.timeutil import format_time, round_money

app = typer.Typer(no_args_is_help=True)


@app.command("return")
def return_(path: InputArgument, shop: ShopOption = None, now: NowOption = None) -> int:
    """Decide return cases: `{"id", "decision", "code", ...}` per line (`--now` is ignored)."""
    config = batch.load_shop(shop)

    def handle(case: ReturnCase) -> dict[str, Any]:
        result = decide_return(case, config)
        return {
            "id": case.id,
            "decision": result.decision,
            "code": result.code,
            "return_shipping_payer": result.return_shipping_payer,
            "buyer_pays_original_shipping": result.buyer_pays_original_shipping,
        }

    return batch.run_per_line(path, ReturnCase, config, handle)


@app.command("late-shipment")
def late_shipment(path: InputArgument, shop: ShopOption = None, now: NowOption = None) -> int:
    """Ship-by deadline, lateness and what a late order owes, per order record."""
    config = batch.load_shop(shop)
    moment = batch.parse_now(now, config)

    def handle(order: Order) -> dict[str, Any]:
        result = assess_late_shipment(order, config, moment)
        return {
            "order_id": order.order_id,
            "deadline": format_time(result.deadline, config.tz),
            "late": result.late,
            "compensation": round_money(result.compensation),
            "points": result.points,
        }

    return batch.run_per_line(path, Order, config, handle)


@app.command("shipping-quote")
def shipping_quote(path: InputArgument, shop: ShopOption = None, now: NowOption = None) -> int:
    """Chargeable weight and fee per request; an unknown courier is a line error."""
    config = batch.load_shop(shop)
    return batch.write_all(_quotes(path, config))


def _quotes(path: str, config: ShopConfig) -> Any:
    for number, request in batch.iter_records(path, ShippingQuoteRequest, config):
        if isinstance(request, batch.LineError):
            yield request
            continue
        try:
            result = quote(request, config)
        except (UnknownCourier, NoRate) as exc:
            yield batch.LineError(number, str(exc))
            continue
        yield {
            "id": result.id,
            "chargeable_kg": result.chargeable_kg,
            "fee": round_money(result.fee),
        }
