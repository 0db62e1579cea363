"""Pre-send guard for the workspace: check a draft before the agent sends it.

`check_message(text, shop)` runs the message-level rules and gives, per finding, a
suggested rewording and whether the send must be blocked (a leaked phone/ID/address or an
off-platform contact cannot be taken back once the buyer has seen it).
"""

from __future__ import annotations

from dataclasses import dataclass

from kefu.core.qa import words as w
from kefu.core.qa.engine import engine_for
from kefu.core.shopconfig import ShopConfig


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    evidence: str
    suggestion: str
    blocking: bool


def check_message(text: str, shop: ShopConfig) -> list[Finding]:
    """Findings for a draft agent message, sorted by rule code."""
    return [
        Finding(v.rule, v.evidence, w.SUGGESTIONS[v.rule], v.rule in w.BLOCKING_RULES)
        for v in engine_for(shop).check_text(text)
    ]
