"""Payment reminders 催付 (policies.md §1): when and how to chase an unpaid order.

`plan_reminders` is pure: the plan depends only on the order and the shop config, never on
"now" (reminders already in the past are still listed).

Readings of the spec, where it leaves room:
- Slot bounds and slot deadlines are fixed by the table (06:00 / 12:00 / 17:00, deadlines
  12:00, 17:00 and 10:00 next day); only the reminder times are shop config.
- The deadline check applies to `t + im_delay_minutes` when it replaces the slot time, as
  written. The evening slot has no next slot: a reminder pushed past its deadline by a very
  long `im_delay_minutes` stays at `t + im_delay_minutes`.
- Quiet hours are the half-open interval [start, end) of `reminders.sms_quiet_hours`,
  wrapping midnight when start > end; start == end means no quiet hours.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple

from kefu.core.records import Order
from kefu.core.shopconfig import ShopConfig
from kefu.core.shopconfig import parse_hhmm as _parse_hhmm
from kefu.core.timeutil import to_decimal

IM = "im"
SMS = "sms"
PHONE = "phone"

# After one method comes a different one: a big order is never chased twice the same way.
_SECOND_CHANNEL = {IM: SMS, SMS: PHONE, PHONE: PHONE}

_MORNING, _AFTERNOON, _EVENING, _LATE_NIGHT = "morning", "afternoon", "evening", "late_night"
_NEXT_SLOT = {_MORNING: _AFTERNOON, _AFTERNOON: _EVENING}
_NOON, _FIVE_PM, _SIX_AM, _TEN_AM = time(12), time(17), time(6), time(10)

# The same few "HH:MM" config strings are read for every order of a batch.
parse_hhmm = functools.lru_cache(maxsize=64)(_parse_hhmm)


class Reminder(NamedTuple):
    channel: str  # im | sms | phone
    at: datetime


def plan_reminders(order: Order, shop: ShopConfig) -> list[Reminder]:
    """The planned reminders of one order, first one first ([] when nothing to chase).

    Only `unpaid` orders are chased, and never cash-on-delivery ones (nothing to pay
    before delivery).
    """
    if order.status != "unpaid" or order.payment_method == "cod":
        return []
    config = shop.reminders
    delay = timedelta(minutes=config.im_delay_minutes)
    if order.buyer_online:
        # The implicit reminder: an address check in the open chat, always by im.
        first = Reminder(IM, _shift(order.created_at, delay, shop.tz))
    else:
        at = _silent_reminder_time(order.created_at, delay, shop)
        first = Reminder(IM if _in_quiet_hours(at, shop) else SMS, at)
    plan = [first]
    if to_decimal(order.amount) >= to_decimal(config.big_order_amount):
        plan.append(_second_reminder(first, shop))
    return plan


def _silent_reminder_time(created_at: datetime, delay: timedelta, shop: ShopConfig) -> datetime:
    local = created_at.astimezone(shop.tz)
    earliest = _shift(created_at, delay, shop.tz)
    slot = _slot_of(local.time())
    while True:
        at, deadline = _slot_window(slot, local.date(), shop)
        if at >= earliest:
            return at
        # The slot time comes too soon after the order: wait the im delay instead, unless
        # that misses the slot's deadline, in which case the next slot is tried.
        if deadline is not None and earliest >= deadline and slot in _NEXT_SLOT:
            slot = _NEXT_SLOT[slot]
            continue
        return earliest


def _slot_of(t: time) -> str:
    if _SIX_AM <= t < _NOON:
        return _MORNING
    if _NOON <= t < _FIVE_PM:
        return _AFTERNOON
    if t >= _FIVE_PM:
        return _EVENING
    return _LATE_NIGHT


def _slot_window(slot: str, day: date, shop: ShopConfig) -> tuple[datetime, datetime | None]:
    """(reminder time, slot deadline) of `slot` for an order placed on local `day`."""
    times = shop.reminders.slot_times
    tz = shop.tz
    if slot == _MORNING:
        return _at(day, parse_hhmm(times.morning), tz), _at(day, _NOON, tz)
    if slot == _AFTERNOON:
        return _at(day, parse_hhmm(times.afternoon), tz), _at(day, _FIVE_PM, tz)
    if slot == _EVENING:
        next_day = day + timedelta(days=1)
        return _at(next_day, parse_hhmm(times.evening_next_day), tz), _at(next_day, _TEN_AM, tz)
    return _at(day, parse_hhmm(times.late_night), tz), None


def _second_reminder(first: Reminder, shop: ShopConfig) -> Reminder:
    """Big orders: a second try `second_after_hours` later by a different method; one that
    falls in the quiet hours goes out at `evening_next_day` on the day the quiet period ends
    (due 23:00 -> 09:30 next day; due 01:00 -> 09:30 the same day)."""
    at = _shift(first.at, timedelta(hours=shop.reminders.second_after_hours), shop.tz)
    if _in_quiet_hours(at, shop):
        morning = parse_hhmm(shop.reminders.slot_times.evening_next_day)
        at = _at(_quiet_end_date(at, shop), morning, shop.tz)
    return Reminder(_SECOND_CHANNEL[first.channel], at)


def _quiet_bounds(shop: ShopConfig) -> tuple[time, time] | None:
    hours = shop.reminders.sms_quiet_hours
    if len(hours) < 2:
        return None
    start, end = parse_hhmm(hours[0]), parse_hhmm(hours[1])
    return None if start == end else (start, end)


def _in_quiet_hours(moment: datetime, shop: ShopConfig) -> bool:
    """22:00 is quiet, 08:00 is not (defaults 22:00-08:00)."""
    bounds = _quiet_bounds(shop)
    if bounds is None:
        return False
    start, end = bounds
    t = moment.astimezone(shop.tz).time()
    if start < end:
        return start <= t < end
    return t >= start or t < end


def _quiet_end_date(moment: datetime, shop: ShopConfig) -> date:
    """The local date on which the quiet period holding `moment` ends."""
    local = moment.astimezone(shop.tz)
    bounds = _quiet_bounds(shop)
    if bounds is not None:
        start, end = bounds
        if start > end and local.time() >= start:
            return local.date() + timedelta(days=1)
    return local.date()


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def _shift(moment: datetime, delta: timedelta, tz: tzinfo) -> datetime:
    """`moment + delta` in elapsed time (through UTC, so a DST change cannot skew it)."""
    return (moment.astimezone(UTC) + delta).astimezone(tz)
