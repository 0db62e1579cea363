"""`kefu qa` commands: `check` (message-level rules) and `scan` (whole conversations)."""

from __future__ import annotations

from typing import Any

import typer

from kefu.cli.batch import load_shop, run_per_line
from kefu.cli.options import InputArgument, NowOption, ShopOption
from kefu.core.qa import ConversationReport, engine_for
from kefu.core.records import Conversation, TextLine

app = typer.Typer(no_args_is_help=True)


@app.command("check")
def check(path: InputArgument, shop: ShopOption = None, now: NowOption = None) -> int:
    """Message-level rules on `{"id", "text"}` agent messages."""
    config = load_shop(shop)
    engine = engine_for(config)

    def handle(line: TextLine) -> dict[str, Any]:
        violations = [
            {"rule": v.rule, "evidence": v.evidence} for v in engine.check_text(line.text)
        ]
        return {"id": line.id, "violations": violations}

    raise typer.Exit(run_per_line(path, TextLine, config, handle))


def _report_json(report: ConversationReport) -> dict[str, Any]:
    return {
        "conversation_id": report.conversation_id,
        "score": report.score,
        "violations": [
            {"rule": v.rule, "message_index": v.message_index, "evidence": v.evidence}
            for v in report.violations
        ],
    }


@app.command("scan")
def scan(path: InputArgument, shop: ShopOption = None, now: NowOption = None) -> int:
    """All rules on conversation records, with the score."""
    config = load_shop(shop)
    engine = engine_for(config)
    raise typer.Exit(
        run_per_line(path, Conversation, config, lambda c: _report_json(engine.scan(c)))
    )
