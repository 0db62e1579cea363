"""Shared plumbing of the batch commands of formats.md.

JSON Lines in (a path or `-` for stdin), JSON Lines out, one output line per input line in
input order. A bad line becomes `{"line": N, "error": "..."}` in its place and the command
exits 1 at the end; usage errors exit 2 with a one-line message on stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar

from pydantic import BaseModel, ValidationError

from kefu.core.records import describe_error
from kefu.core.shopconfig import ShopConfig, build_shop_config
from kefu.core.timeutil import parse_time
from kefu.services.jsonl import LineError, iter_json_lines, iter_records, open_input

M = TypeVar("M", bound=BaseModel)


class UsageError(Exception):
    """Bad option or missing file: exit 2 with a one-line message."""


__all__ = ["LineError", "iter_json_lines", "iter_records", "open_input", "UsageError"]


def load_shop(path: str | None) -> ShopConfig:
    """The shop config file merged over the defaults (the demo shop when no file)."""
    if path is None:
        return build_shop_config()
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"no such shop config file: {path}")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UsageError(f"shop config {path} is not JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise UsageError(f"shop config {path} is not a JSON object")
    try:
        return build_shop_config(data)
    except ValidationError as exc:
        raise UsageError(f"shop config {path}: {describe_error(exc)}") from exc


def parse_now(value: str | None, shop: ShopConfig) -> datetime:
    if value is None:
        return datetime.now(shop.tz)
    try:
        return parse_time(value, shop.tz)
    except ValueError as exc:
        raise UsageError(f"--now is not an ISO 8601 time: {value}") from exc


class JsonLinesWriter:
    """Writes one JSON object per line and remembers whether any line was an error."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out or sys.stdout
        self.had_error = False

    def write(self, obj: dict[str, Any] | LineError) -> None:
        if isinstance(obj, LineError):
            self.had_error = True
            obj = obj.as_json()
        self.out.write(json.dumps(obj, ensure_ascii=False) + "\n")

    @property
    def exit_code(self) -> int:
        return 1 if self.had_error else 0


def run_per_line(
    path: str, model: type[M], shop: ShopConfig, handle: Callable[[M], dict[str, Any]]
) -> int:
    """The common shape: each valid record -> one output object; returns the exit code."""
    writer = JsonLinesWriter()
    for _, record in iter_records(path, model, shop):
        writer.write(record if isinstance(record, LineError) else handle(record))
    sys.stdout.flush()
    return writer.exit_code


def write_all(rows: Iterable[dict[str, Any] | LineError]) -> int:
    writer = JsonLinesWriter()
    for row in rows:
        writer.write(row)
    sys.stdout.flush()
    return writer.exit_code
