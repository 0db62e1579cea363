"""Background work: the durable scheduler (ADR 0002) that sends reminders and runs jobs."""

from kefu.workers.scheduler import (
    PassResult,
    Scheduler,
    WorkerConfig,
    run_scheduler_forever,
    start_in_thread,
)

__all__ = ["PassResult", "Scheduler", "WorkerConfig", "run_scheduler_forever", "start_in_thread"]
