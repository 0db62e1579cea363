"""Latency of buyer-message understanding (classify + extract) per message, on one core.

Pins the process to one CPU (and numpy's BLAS to one thread), loads the cached model
(training it first if needed — that time is reported separately, and `--cold` forces a
fresh training in a throwaway cache), then times `understand()` on every dev message plus
generated messages, one at a time, and reports p50 / p99 / max latency and messages/s.

    .venv/bin/python benchmarks/bench_nlu.py [--messages 5000] [--cold]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--cold", action="store_true", help="train in a fresh cache first")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    if args.cold:
        os.environ["KEFU_CACHE_DIR"] = tempfile.mkdtemp(prefix="kefu-bench-")

    from kefu.core.assistant import model_store
    from kefu.core.assistant.nlu import understand
    from kefu.core.assistant.nlu.data.generator import generate
    from kefu.core.assistant.nlu.training import dev_records

    started = time.perf_counter()
    model = model_store.load_model()
    load_seconds = time.perf_counter() - started

    texts = [str(r["text"]) for r in dev_records()]
    texts += [t for t, _ in generate(seed=99, per_intent=args.messages // 28 + 1)]
    texts = texts[: args.messages]
    understand(model, texts[0])  # jieba loads its dictionary on first use
    timings = []
    for text in texts:
        t0 = time.perf_counter()
        understand(model, text)
        timings.append(time.perf_counter() - t0)
    timings.sort()
    result = {
        "messages": len(timings),
        "model_load_or_train_s": round(load_seconds, 2),
        "p50_ms": round(timings[len(timings) // 2] * 1000, 3),
        "p99_ms": round(timings[int(len(timings) * 0.99)] * 1000, 3),
        "max_ms": round(timings[-1] * 1000, 3),
        "mean_ms": round(statistics.fmean(timings) * 1000, 3),
        "messages_per_s": round(len(timings) / sum(timings)),
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
