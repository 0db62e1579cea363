"""`kefu worker`: run the durable scheduler (reminders, follow-ups, checks, digests).

Any number of workers may run against one PostgreSQL database; on SQLite run one (or let
`kefu run` run it in-process). SIGTERM / Ctrl-C stop it after the row in hand.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from typing import Annotated

import typer

from kefu.cli.batch import UsageError

app = typer.Typer(no_args_is_help=False, invoke_without_command=True)


@app.callback(invoke_without_command=True)
def worker(
    once: Annotated[bool, typer.Option("--once", help="Run one pass and exit.")] = False,
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Run until nothing is due, then exit.")
    ] = False,
    batch: Annotated[int, typer.Option("--batch", min=1, help="Rows claimed at a time.")] = 100,
    poll: Annotated[float, typer.Option("--poll", min=0.05, help="Idle wait, seconds.")] = 1.0,
    stale_after: Annotated[
        float,
        typer.Option("--stale-after", min=0.1, help="Take over claims older than this (s)."),
    ] = 120.0,
    throttle: Annotated[
        float, typer.Option("--throttle", min=0.0, help="Pause after each send (s).")
    ] = 0.0,
    worker_id: Annotated[
        str | None, typer.Option("--worker-id", help="Name in claim tokens (default host:pid).")
    ] = None,
) -> int:
    """Send due reminders and run due jobs, claiming them safely alongside other workers."""
    from kefu.db import migrate as db_migrate
    from kefu.db.session import make_engine
    from kefu.realtime.publisher import RedisPublisher
    from kefu.settings import SettingsError, get_settings
    from kefu.workers.scheduler import Scheduler, WorkerConfig

    try:
        url = get_settings().effective_database_url
        db_migrate.check_up_to_date(url)
    except (SettingsError, db_migrate.DatabaseError) as exc:
        raise UsageError(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config = WorkerConfig(
        batch=batch,
        stale_after=timedelta(seconds=stale_after),
        poll_seconds=poll,
        throttle=throttle,
    )
    engine = make_engine(url)
    # With several processes (Redis configured) the jobs' events reach the live clients.
    redis_url = get_settings().redis_url
    publisher = RedisPublisher(redis_url) if redis_url else None
    scheduler = Scheduler(
        engine,
        config,
        worker_id=worker_id,
        publish=publisher.publish_threadsafe if publisher else None,
    )
    try:
        if once or until_idle:
            result = scheduler.run_until_idle(max_passes=1 if once else 1_000_000)
            print(result.one_line())
            return 0
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        print(f"kefu worker {scheduler.worker_id} on {db_migrate.safe_url(url)}")
        scheduler.run_forever(stop)
        return 0
    finally:
        engine.dispose()
