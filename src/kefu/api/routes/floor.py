"""`/api/v1/floor`: the live floor view 现场监控 (supervisor and above), read-only."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter

from kefu.core.permissions import Permission
from kefu.db.models import User
from kefu.http.deps import Db, Now, require
from kefu.services import floor

router = APIRouter(prefix="/api/v1/floor", tags=["floor"])

Supervisor = Annotated[User, require(Permission.FLOOR_VIEW)]


@router.get("")
def get_floor(db: Db, user: Supervisor, now: Now) -> dict[str, Any]:
    """Agents with status and load, waiting buyers per queue, and the floor's totals."""
    view = floor.floor_view(db, user.shop_id, now)
    return {
        "agents": [{**asdict(a), "queues": list(a.queues)} for a in view.agents],
        "queues": [asdict(q) for q in view.queues],
        "totals": {
            "agents": view.status_counts,
            "open": view.open_total,
            "capacity": view.capacity_total,
            "waiting": view.waiting_total,
            "longest_wait_seconds": view.longest_wait_seconds,
        },
        "sla_seconds": view.sla_seconds,
    }
