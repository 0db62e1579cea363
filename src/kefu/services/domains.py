"""Load every domain's actions, so that their listeners and job kinds are registered
(`kefu.db.uow.listen`, `kefu.services.jobs.job`) before a process handles anything.
Each entry point (the app, the worker, the CLI) calls `load()` once at start."""

from __future__ import annotations

import importlib

DOMAINS = (
    "kefu.services.shops",
    "kefu.services.accounts",
    "kefu.services.inbox",
    "kefu.services.assistant_bot",
    "kefu.services.qa_ops",
    "kefu.services.reminders",
    "kefu.services.orders_ops",
    "kefu.services.channels",
)


def load() -> None:
    for name in DOMAINS:
        importlib.import_module(name)
