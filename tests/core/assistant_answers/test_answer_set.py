"""The answer test set (answer_cases.py) end to end: the shipped NLU, then `respond`.

Each case must give its fact in a grounded answer (with sources, passing the QA rules), or
hand off when the shop's data does not hold the answer. The whole-set test prints the pass
rate and holds the set to its size and hand-off share.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from answer_cases import CASES, HANDOFF, NOW, Case, other_buyers_order
from assistant_env import context_for, demo

from kefu.core.assistant.answer import BotTurn, qa_findings, respond
from kefu.core.assistant.model_store import load_model
from kefu.core.assistant.nlu import understand
from kefu.core.assistant.nlu.model import IntentModel


@cache
def model() -> IntentModel:
    return load_model()  # finding the cached model hashes the training data: do it once


@cache
def run_case(case: Case) -> tuple[bool, BotTurn, str]:
    data, shop, kb = demo()
    buyer_id, fact = (None, None)
    if case.buyer is not None:
        buyer_id, fact = case.buyer(data)
    text = (
        case.text.replace("{other}", other_buyers_order(data))
        if "{other}" in case.text
        else case.text
    )
    expect = case.expect.replace("{fact}", fact or "")
    turn = respond(
        text,
        context_for(buyer_id, case.product),
        kb,
        shop,
        NOW,
        understand=lambda t: understand(model(), t),
    )
    if expect == HANDOFF:
        ok = turn.handoff is not None and (not case.reasons or turn.handoff.reason in case.reasons)
        got = f"handoff {turn.handoff.reason}" if turn.handoff else f"answer {turn.reply}"
        return ok, turn, got
    ok = turn.answer is not None and expect in turn.answer.text and bool(turn.sources)
    got = turn.reply if turn.answer else f"handoff {turn.handoff.reason if turn.handoff else ''}"
    return ok, turn, got


HANDOFFS = [c for c in CASES if c.expect == HANDOFF]
FACTS = [c for c in CASES if c.expect != HANDOFF]
# The set runs through the live intent model, which other work retrains: a fact question
# the model misreads is handed off (safe, counted against the rate), never mis-answered.
MIN_PASS_RATE = 0.95


@pytest.mark.parametrize("case", HANDOFFS, ids=[f"handoff{i:02d}" for i in range(len(HANDOFFS))])
def test_what_the_data_does_not_hold_is_handed_off(case: Case) -> None:
    ok, turn, got = run_case(case)
    assert ok, (
        f"{case.text!r}: expected a hand-off {case.reasons}, got {got} ({turn.understanding})"
    )


@pytest.mark.parametrize("case", FACTS, ids=[f"fact{i:02d}" for i in range(len(FACTS))])
def test_an_answer_states_the_fact_from_the_data(case: Case) -> None:
    ok, turn, got = run_case(case)
    if turn.answer is None:
        pytest.skip(f"handed off ({got}); counted in the pass rate")
    assert ok, f"{case.text!r}: expected {case.expect!r}, got {got} ({turn.understanding})"
    assert not qa_findings(turn.answer.text, demo()[1])


def test_answer_set_size_and_pass_rate(capsys: Any) -> None:
    no_data = [c for c in HANDOFFS if c.missing]
    assert len(CASES) >= 60
    assert len(no_data) * 3 >= len(CASES), "a third must ask what the data does not hold"
    passed = sum(run_case(c)[0] for c in CASES)
    rate = passed / len(CASES)
    with capsys.disabled():
        print(f"\nassistant answer set: {passed}/{len(CASES)} passed ({rate:.1%})")
    assert rate >= MIN_PASS_RATE
