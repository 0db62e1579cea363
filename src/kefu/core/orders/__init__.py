"""Order operations rules (pure): payment reminders 催付, problem-order triage, late
shipment 延迟发货 and shipping quotes 运费 (policies.md §1, §3, §4; taxonomy.md)."""

from kefu.core.orders.late_shipment import LateShipmentResult, assess_late_shipment
from kefu.core.orders.reminders import Reminder, plan_reminders
from kefu.core.orders.shipping import Quote, UnknownCourier, quote
from kefu.core.orders.texts import (
    address_check_text,
    mask_name,
    mask_phone,
    reminder_sms_text,
    reminder_text,
)
from kefu.core.orders.triage import TriageBatch, triage

__all__ = [
    "LateShipmentResult",
    "Quote",
    "Reminder",
    "TriageBatch",
    "UnknownCourier",
    "address_check_text",
    "assess_late_shipment",
    "mask_name",
    "mask_phone",
    "plan_reminders",
    "quote",
    "reminder_sms_text",
    "reminder_text",
    "triage",
]
