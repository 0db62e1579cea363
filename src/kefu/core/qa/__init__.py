"""Quality inspection 质检 (taxonomy.md "Quality-inspection rules"), pure.

- `QaEngine` / `engine_for(shop)`: message checks (`check_text`) and conversation scans
  (`scan`, with the score);
- `check_message(text, shop)`: the workspace's pre-send guard;
- `words`: the word lists, data extendable per shop with `qa.extra_words`.
"""

from kefu.core.qa.engine import ConversationReport, QaEngine, Violation, engine_for
from kefu.core.qa.guard import Finding, check_message

__all__ = [
    "ConversationReport",
    "Finding",
    "QaEngine",
    "Violation",
    "check_message",
    "engine_for",
]
