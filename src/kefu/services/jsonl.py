"""Reading the JSON Lines of formats.md: a path or `-` for stdin, one record a line.

A line that is not JSON, not an object, or not a valid record becomes a `LineError` in its
place (the batch commands print it as `{"line": N, "error": ...}`, the imports count it);
reading goes on. Times without an offset are read in the shop's timezone.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from pydantic import BaseModel, ValidationError

from kefu.core.errors import InvalidInput
from kefu.core.records import describe_error
from kefu.core.shopconfig import ShopConfig

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LineError:
    line: int
    error: str

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "error": self.error}


def open_input(path: str) -> IO[str]:
    if path == "-":
        return sys.stdin
    file = Path(path)
    if not file.is_file():
        raise InvalidInput("no_file", f"no such file: {path}")
    return file.open(encoding="utf-8")


def iter_json_lines(path: str) -> Iterator[tuple[int, Any | LineError]]:
    """(line number, parsed JSON or LineError) for every non-blank line."""
    stream = open_input(path)
    try:
        for number, raw in enumerate(stream, start=1):
            text = raw.strip()
            if not text:
                continue
            if number == 1:
                text = text.lstrip("\ufeff")
            try:
                yield number, json.loads(text)
            except json.JSONDecodeError as exc:
                yield number, LineError(number, f"invalid JSON: {exc.msg}")
    finally:
        if stream is not sys.stdin:
            stream.close()


def iter_records(
    path: str, model: type[M], shop: ShopConfig
) -> Iterator[tuple[int, M | LineError]]:
    """Each line validated as `model`; times without an offset read in the shop's zone."""
    context = {"tz": shop.tz}
    for number, value in iter_json_lines(path):
        if isinstance(value, LineError):
            yield number, value
        elif not isinstance(value, dict):
            yield number, LineError(number, "not a JSON object")
        else:
            try:
                yield number, model.model_validate(value, context=context)
            except ValidationError as exc:
                yield number, LineError(number, describe_error(exc))
