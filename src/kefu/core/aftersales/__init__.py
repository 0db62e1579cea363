"""After-sales rules (pure): returns, exchanges and repairs 退换货 (policies.md §2)."""

from kefu.core.aftersales.returns import ReturnDecision, decide_return

__all__ = ["ReturnDecision", "decide_return"]
