"""The demo shop 小鹿生活旗舰店, generated deterministically as pure data.

`generate_demo_shop(seed, now)` builds the whole shop from a seeded `random.Random`: no I/O,
no clock (the default `now` is fixed so the output is reproducible). Same seed and `now` give
byte-identical JSON. The persistence layer loads it into the database; tests and benchmarks
reuse it. Every value is JSON-ready (str, int, float, bool, None, list, dict): times are ISO
8601 strings with the shop offset (`+08:00`), money is a float in yuan with at most 2 decimals.

`DemoShop` fields and the keys of their dicts:

- `config`: the shop config of formats.md (every key of the contract's defaults, with
  `shop_id` "demo", `name` "小鹿生活旗舰店", `platform` "taobao").
- `agents`: `agent_id` ("kf01"...), `username` (same as agent_id), `display_name` (Chinese
  name), `agent_no` ("客服8号"), `role` (presale | insale | aftersale | review | supervisor |
  manager | admin), `queues` (list of presale | insale | aftersale | review; empty for admin),
  `status` (online | busy | away | offline). Every agent's password is `DEMO_PASSWORD`
  (hashing belongs to the accounts code).
- `products`: `product_id` ("TS-001"), `title`, `category` (apparel | food | daily_chemical |
  home_textile | small_appliance), `price` (float, the lowest SKU price), `attributes` (dict
  of str -> str: 材质/产地/保质期/功率/规格...), `size_chart` (apparel: list of rows `{size,
  height_min, height_max, weight_min_kg, weight_max_kg, chest_cm (tops) | waist_cm (pants),
  length_cm}`; shoes: `{size, foot_length_mm}`; None for everything else), `description`, `weight_kg`
  (float), `dims_cm` (list of 3 floats), `skus` (list of `{sku, color, size, stock, price}`;
  sku like "TS-001-M-BLK", color/size may be "" when the product has none, stock int >= 0).
- `buyers`: `buyer_id` ("tb_xiaomi88"...), `platform`, `nickname`, `name`, `phone` (11-digit
  mainland mobile), `addresses` (list of formats.md address dicts `{name, phone, province,
  city, district, detail}`; the first is the default), `tags` (list of str), `notes` (str),
  `vip_level` (int 0-5).
- `orders`: formats.md order records (all keys of the example, times as ISO strings or
  None, `amount` = the goods: sum of item price * qty, postage apart in `shipping_fee`;
  `items[].sku` from `products[].skus`), sorted by `created_at`. Every status; the problem
  cases of every triage flag. Cash-on-delivery orders are `unpaid` until confirmed and, once
  delivered, have `paid_at` = `signed_at`; a `refunding` order without `signed_at` was
  refused at the door (its tracking ends `returned`).
- `tracking_events`: formats.md tracking events `{tracking_no, courier, order_id, ts,
  status, location, desc}`, in time order per parcel, none after `now`. Most parcels arrive;
  some shipped ones have no scan yet, are stalled (no scan for 3+ days) or failed a delivery.
- `conversations`: formats.md conversation records `{conversation_id, platform, buyer_id,
  agent_id, order_ids, messages: [{sender, text, ts, quick_reply}], closed_by, rating}`,
  plus informational keys the records ignore: `intents` (taxonomy intent codes the chat is
  about, "human_agent" when the bot handed over), `stage` (pre | in | post) and `qa_flaw`
  (None for a clean chat, else the planted slip: bare_negative | one_word | slow_first |
  slow | no_greeting | promise | no_closing | quick_overuse | rude | privacy | off_platform |
  competitor). Chats outside business hours are the bot's (agent_id null, or an agent's
  follow-up the next morning). All are closed except the last few (`demo.live`), still
  in progress at `now` (`closed_by` None, an extra key `queue`): some waiting in a queue
  for an agent, some held by an agent with the buyer's last message unanswered.
- `faqs`: `faq_id` ("faq-001"), `question`, `answer`, `category` (shipping | returns |
  payment | invoice | product | size | promotion | service | logistics | aftersale),
  `keywords` (list of str).
- `quick_replies`: `quick_reply_id` ("qr-001"), `title`, `text` (may contain the variables
  `{agent_no}`, `{buyer_name}`, `{order_id}`), `category` (welcome | bargaining | product |
  payment | logistics | returns | aftersale | farewell | review), `shortcut` ("/hy").
- `promotions`: `promotion_id` ("promo-01"), `title`, `kind` (coupon | 满减 | member),
  `rule` (Chinese text), `starts_at`, `ends_at` (ISO strings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DEMO_PASSWORD = "kefu-demo"
DEMO_SHOP_ID = "demo"


@dataclass(frozen=True)
class DemoShop:
    """The whole demo shop as JSON-ready data; see the module docstring for every key."""

    config: dict[str, Any]
    agents: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    buyers: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    tracking_events: list[dict[str, Any]] = field(default_factory=list)
    conversations: list[dict[str, Any]] = field(default_factory=list)
    faqs: list[dict[str, Any]] = field(default_factory=list)
    quick_replies: list[dict[str, Any]] = field(default_factory=list)
    promotions: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """All fields as one JSON-ready dict (keys = field names)."""
        return {
            "config": self.config,
            "agents": self.agents,
            "products": self.products,
            "buyers": self.buyers,
            "orders": self.orders,
            "tracking_events": self.tracking_events,
            "conversations": self.conversations,
            "faqs": self.faqs,
            "quick_replies": self.quick_replies,
            "promotions": self.promotions,
        }


def generate_demo_shop(seed: int = 2026, now: datetime | None = None) -> DemoShop:
    """Build the demo shop. `now` defaults to 2026-11-25T12:00:00+08:00 (reproducible)."""
    from kefu.demo.build import build_shop

    return build_shop(seed, now)


__all__ = ["DEMO_PASSWORD", "DEMO_SHOP_ID", "DemoShop", "generate_demo_shop"]
