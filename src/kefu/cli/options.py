"""Options shared by the batch commands (`--shop`, `--now`)."""

from __future__ import annotations

from typing import Annotated

import typer

ShopOption = Annotated[
    str | None, typer.Option("--shop", help="Shop config JSON (default: the demo shop).")
]
NowOption = Annotated[
    str | None, typer.Option("--now", help="Fix 'now' (ISO 8601; default: the current time).")
]
InputArgument = Annotated[str, typer.Argument(help="JSON Lines file, or - for stdin.")]
