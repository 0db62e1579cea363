"""The shop config, read through one provider with one cache (formats.md's defaults
merged with what the shop stored).

Every process reads a shop's config on almost every action (routing, QA, reminders, the
bot), so it is cached: at most `TTL` seconds old, and dropped at once in the process that
changed it (the `shop.config_changed` listener). Other processes see a change within `TTL`.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu.core.shopconfig import DEFAULT_SHOP, ShopConfig, build_shop_config
from kefu.db.models.shops import Shop
from kefu.db.uow import Event, emit, listen

TTL = 10.0  # seconds a cached config may be old in another process
CONFIG_CHANGED = "shop.config_changed"


class ShopConfigs:
    """A cache of built shop configs, keyed by shop id; safe to share between threads."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        # Keyed by database too: one process may hold several (tests, a migration tool).
        self._cache: dict[tuple[str, str], tuple[float, ShopConfig]] = {}

    def get(self, session: Session, shop_id: str) -> ShopConfig:
        now = time.monotonic()
        key = (_database(session), shop_id)
        cached = self._cache.get(key)
        if cached is not None and now - cached[0] <= self.ttl:
            return cached[1]
        config = load(session, shop_id)
        with self._lock:
            self._cache[key] = (now, config)
        return config

    def forget(self, shop_id: str | None = None) -> None:
        with self._lock:
            if shop_id is None:
                self._cache.clear()
            else:
                for key in [k for k in self._cache if k[1] == shop_id]:
                    del self._cache[key]


def _database(session: Session) -> str:
    bind = session.get_bind()
    return str(getattr(bind, "url", id(bind)))


def load(session: Session, shop_id: str) -> ShopConfig:
    """The shop's config as stored now (no cache); the defaults for an unknown shop."""
    shop = session.get(Shop, shop_id)
    if shop is None or not shop.config:
        return DEFAULT_SHOP
    return build_shop_config(shop.config)


CONFIGS = ShopConfigs()


def config(session: Session, shop_id: str) -> ShopConfig:
    """The shop's config (cached; see the module's docstring for how fresh)."""
    return CONFIGS.get(session, shop_id)


def announce_config_changed(
    session: Session, shop_id: str, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    """Called by the action that stored a new config, inside its unit of work."""
    emit(session, CONFIG_CHANGED, {"type": "shop_config", "shop_id": shop_id})


@listen(CONFIG_CHANGED)
def _forget_changed(_session: Session, event: Event, _now: datetime) -> None:
    CONFIGS.forget(str(event.payload.get("shop_id") or "") or None)
