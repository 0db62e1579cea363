"""`kefu nlu` commands: predict, eval, train."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

from kefu.cli import batch
from kefu.cli.options import InputArgument, NowOption, ShopOption
from kefu.core.assistant import model_store
from kefu.core.assistant.nlu import understand
from kefu.core.assistant.nlu.evaluation import Scored, report
from kefu.core.records import LabelledMessage, TextLine

app = typer.Typer(no_args_is_help=True)


@app.command()
def predict(file: InputArgument, shop: ShopOption = None, now: NowOption = None) -> int:
    """Intent, confidence and entities of each buyer message `{"id", "text"}`."""
    shop_config = batch.load_shop(shop)
    _require_file(file)
    model = model_store.load_model()
    return batch.run_per_line(
        file, TextLine, shop_config, lambda line: understand(model, line.text).as_json(line.id)
    )


@app.command("eval")
def evaluate(
    file: InputArgument,
    shop: ShopOption = None,
    now: NowOption = None,
    text: Annotated[bool, typer.Option("--text", help="A readable table instead of JSON.")] = False,
) -> int:
    """Score labelled messages: accuracy, macro-F1, per-intent P/R, confusions, entity F1, ECE."""
    shop_config = batch.load_shop(shop)
    _require_file(file)
    model = model_store.load_model()
    scored: list[Scored] = []
    had_error = False
    for _, record in batch.iter_records(file, LabelledMessage, shop_config):
        if isinstance(record, batch.LineError):
            had_error = True
            print(
                json.dumps({"file": file, **record.as_json()}, ensure_ascii=False), file=sys.stderr
            )
            continue
        result = understand(model, record.text)
        gold = None
        if record.entities is not None:
            gold = [(e.type, e.value) for e in record.entities]
        scored.append(
            Scored(
                record.intent,
                result.intent,
                result.confidence,
                gold,
                [(e.type, e.value) for e in result.entities],
            )
        )
    summary = report(scored)
    if text:
        print(_as_text(summary))
    else:
        print(json.dumps(summary, ensure_ascii=False))
    return 1 if had_error else 0


@app.command()
def train(shop: ShopOption = None, now: NowOption = None) -> int:
    """(Re)build the cached intent model from the packaged training data."""
    started = time.perf_counter()
    model_store.load_model(retrain=True)
    path, _, _ = model_store.model_path()
    print(json.dumps({"model": str(path), "seconds": round(time.perf_counter() - started, 2)}))
    return 0


def _require_file(file: str) -> None:
    """A missing input file is a usage error (exit 2) before the model is loaded."""
    if file != "-":
        batch.open_input(file).close()


def _as_text(summary: dict[str, object]) -> str:
    lines = [
        f"messages   {summary['messages']}",
        f"accuracy   {summary['accuracy']:.4f}",
        f"macro-F1   {summary['macro_f1']:.4f}",
        f"entity F1  {summary['entity_f1']:.4f}  "
        f"(P {summary['entity_precision']:.4f} R {summary['entity_recall']:.4f})",
        f"ECE        {summary['ece']:.4f}",
        "",
        f"{'intent':24} {'P':>6} {'R':>6} {'F1':>6} {'n':>4}",
    ]
    per_intent = summary["per_intent"]
    assert isinstance(per_intent, dict)
    for label, m in per_intent.items():
        lines.append(
            f"{label:24} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:4}"
        )
    confusions = summary["confusions"]
    assert isinstance(confusions, list)
    if confusions:
        lines += ["", "confusions (gold -> predicted)"]
        lines += [f"  {c['gold']} -> {c['predicted']}: {c['count']}" for c in confusions]
    return "\n".join(lines)
