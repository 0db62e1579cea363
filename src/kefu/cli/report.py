"""`kefu report` commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel

from kefu.cli import batch
from kefu.cli.options import NowOption, ShopOption
from kefu.core.analytics import Period, kpi_report
from kefu.core.records import Conversation, Order
from kefu.core.shopconfig import ShopConfig
from kefu.core.timeutil import parse_time

app = typer.Typer(no_args_is_help=True)

M = TypeVar("M", bound=BaseModel)


class _LineErrors:
    """Writes `{"file", "line", "error"}` lines to stderr (formats.md: `report kpi` prints
    one object, so its line errors cannot take the place of output lines)."""

    def __init__(self) -> None:
        self.count = 0

    def records(self, path: str, model: type[M], shop: ShopConfig) -> Iterator[M]:
        """The valid records of `path`; each bad line is reported and skipped."""
        for _, record in batch.iter_records(path, model, shop):
            if isinstance(record, batch.LineError):
                self.count += 1
                error = {"file": path, "line": record.line, "error": record.error}
                sys.stderr.write(json.dumps(error, ensure_ascii=False) + "\n")
            else:
                yield record


def _parse_period(start: str, end: str, shop: ShopConfig) -> Period:
    bounds = []
    for option, value in (("--from", start), ("--to", end)):
        try:
            bounds.append(parse_time(value, shop.tz))
        except ValueError as exc:
            raise batch.UsageError(f"{option} is not an ISO 8601 time: {value}") from exc
    if bounds[0] > bounds[1]:
        raise batch.UsageError(f"--from {start} is after --to {end}")
    return Period(bounds[0], bounds[1])


def _check_inputs(conversations: str, orders: str) -> None:
    """Fail before any output when a file is missing (streams are opened lazily)."""
    if conversations == "-" and orders == "-":
        raise batch.UsageError("--conversations and --orders cannot both be stdin (-)")
    for path in (conversations, orders):
        if path != "-" and not Path(path).is_file():
            raise batch.UsageError(f"no such file: {path}")


@app.command("kpi")
def kpi(
    conversations: Annotated[
        str, typer.Option("--conversations", help="Conversation records (JSON Lines, or -).")
    ],
    orders: Annotated[str, typer.Option("--orders", help="Order records (JSON Lines, or -).")],
    start: Annotated[str, typer.Option("--from", help="Period start, inclusive (ISO 8601).")],
    end: Annotated[str, typer.Option("--to", help="Period end, exclusive (ISO 8601).")],
    shop: ShopOption = None,
    now: NowOption = None,
) -> int:
    """KPIs 绩效指标 of the team and of each agent for the period [from, to), as one JSON
    object. `--now` is accepted and ignored: the KPIs depend on the period only."""
    shop_config = batch.load_shop(shop)
    period = _parse_period(start, end, shop_config)
    _check_inputs(conversations, orders)
    errors = _LineErrors()
    report = kpi_report(
        errors.records(conversations, Conversation, shop_config),
        errors.records(orders, Order, shop_config),
        period,
        shop_config,
    )
    sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 1 if errors.count else 0
