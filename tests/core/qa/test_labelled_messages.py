"""Table-driven check of the message-level rules on the labelled tuning set."""

from __future__ import annotations

import pytest
from qa_labelled_cases import CASES

from kefu.core.qa import engine_for
from kefu.core.shopconfig import DEFAULT_SHOP

ENGINE = engine_for(DEFAULT_SHOP)


def test_the_table_is_big_and_half_near_misses() -> None:
    near_misses = [text for text, rules in CASES if not rules]
    assert len(CASES) >= 150
    assert len(near_misses) >= len(CASES) * 0.45


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:16] for c in CASES])
def test_labelled_message(text: str, expected: set[str]) -> None:
    found = {v.rule for v in ENGINE.check_text(text)}
    assert found == expected
