"""Analytics (pure): the KPIs 绩效指标 of policies.md §7."""

from kefu.core.analytics.conversation import ConversationFacts, Period, read_conversation
from kefu.core.analytics.inquiries import Inquiry, OrderBook, find_inquiries
from kefu.core.analytics.kpi import kpi_report

__all__ = [
    "ConversationFacts",
    "Inquiry",
    "OrderBook",
    "Period",
    "find_inquiries",
    "kpi_report",
    "read_conversation",
]
