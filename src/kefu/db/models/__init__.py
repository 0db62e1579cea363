"""All tables, one module per domain; importing this package registers them on `Base`.

Every table but `shops` is scoped by `shop_id`. Import models from here:
`from kefu.db.models import Order, Conversation, Message`.
"""

from kefu.db.base import Base
from kefu.db.models.accounts import ApiToken, User, WebSession
from kefu.db.models.approvals import ApprovalRequest
from kefu.db.models.audit import AuditEntry
from kefu.db.models.buyers import Buyer
from kefu.db.models.cases import AfterSalesCase, Dispute, ReviewFollowUp
from kefu.db.models.catalog import Product, Sku
from kefu.db.models.inbox import Conversation, Message, Rating
from kefu.db.models.jobs import OpsTask, OrderFlag, ProblemDigest, ScheduledJob
from kefu.db.models.knowledge import FaqArticle, Promotion, QuickReply
from kefu.db.models.logistics import Shipment, TrackingEvent
from kefu.db.models.orders import Order, OrderItem, OrderRemark, OrderStatusChange
from kefu.db.models.qa import QaAppeal, QaFinding, QaResult
from kefu.db.models.reminders import Reminder, SmsOutbox
from kefu.db.models.shops import Shop

metadata = Base.metadata

__all__ = [
    "AfterSalesCase",
    "ApiToken",
    "ApprovalRequest",
    "AuditEntry",
    "Base",
    "Buyer",
    "Conversation",
    "Dispute",
    "FaqArticle",
    "Message",
    "OpsTask",
    "Order",
    "OrderFlag",
    "OrderItem",
    "OrderRemark",
    "OrderStatusChange",
    "ProblemDigest",
    "Product",
    "Promotion",
    "QaAppeal",
    "QaFinding",
    "QaResult",
    "QuickReply",
    "Rating",
    "Reminder",
    "ReviewFollowUp",
    "ScheduledJob",
    "Shipment",
    "Shop",
    "Sku",
    "SmsOutbox",
    "TrackingEvent",
    "User",
    "WebSession",
    "metadata",
]
