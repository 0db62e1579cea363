"""Every job kind the code schedules has a handler registered by its domain."""

from __future__ import annotations

import ast
import importlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from kefu.db.models import Shop
from kefu.services import domains, jobs

SERVICES = Path(__file__).resolve().parents[2] / "src" / "kefu" / "services"


def scheduled_kinds() -> set[str]:
    """The kinds named where jobs are scheduled: `jobs.schedule(kind=...)`, and the order
    watch's local `job("kind", ...)` helper; constants are resolved in their module."""
    found: set[str] = set()
    for path in SERVICES.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = importlib.import_module(f"kefu.services.{path.stem}")
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            argument: ast.expr | None = None
            if isinstance(func, ast.Attribute) and func.attr == "schedule":
                argument = next((k.value for k in node.keywords if k.arg == "kind"), None)
            elif isinstance(func, ast.Name) and func.id == "job" and node.args:
                argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
            elif isinstance(argument, ast.Name) and isinstance(
                getattr(module, argument.id, None), str
            ):
                found.add(getattr(module, argument.id))
    return found


def test_every_scheduled_kind_has_a_handler() -> None:
    domains.load()
    kinds = scheduled_kinds()
    assert {"after_payment", "ship_late", "checkin", "inbox_welcome"} <= kinds
    assert kinds <= jobs.kinds(), kinds - jobs.kinds()


def test_each_recurring_job_of_every_domain_is_kept_per_shop(session: Session) -> None:
    domains.load()
    assert {k.kind for k in jobs.recurring()} == {
        "digest",
        "logistics_sweep",
        "order_sync",
        "qa_sweep",
    }
    session.add(Shop(id="s1", name="店"))
    session.flush()
    now = datetime(2026, 12, 8, tzinfo=UTC)
    from kefu.core.shopconfig import DEFAULT_SHOP

    jobs.ensure_recurring(session, "s1", DEFAULT_SHOP, now)
    jobs.ensure_recurring(session, "s1", DEFAULT_SHOP, now)  # kept, not doubled
    from sqlalchemy import select

    from kefu.db.models import ScheduledJob

    rows = session.scalars(select(ScheduledJob.key)).all()
    assert sorted(rows) == ["digest:s1", "logistics_sweep:s1", "order_sync:s1", "qa_sweep:s1"]


def test_scheduling_a_kind_nobody_handles_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="no handler"):
        jobs.schedule(
            session, shop_id="s1", key="x", kind="nobody_runs_this", due_at=datetime.now(UTC)
        )
