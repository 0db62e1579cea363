"""Latency of the assistant per buyer message, on one core: classify + extract + retrieve,
and the whole bot turn (classify + extract + retrieve + grounded answer or hand-off).

Pins the process to one CPU (numpy's BLAS to one thread), builds the demo shop's knowledge
base, loads the cached intent model (training it first if needed; that time is reported
apart), then, one message at a time:
- `understand_retrieve`: `understand()` (intent + entities) and a BM25 search of the
  knowledge base — the issue's benchmark;
- `respond`: the full `respond()` turn with that understanding (skills, QA check of the
  reply, hand-off), on top of the above.
Messages: the NLU dev set, generated messages and a fixed list of shop questions, each with
a demo buyer (orders + tracking) and a product page. Target: p99 ≤ 20 ms.

    .venv/bin/python benchmarks/bench_assistant.py [--messages 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

SHOP_QUESTIONS = [
    "这件是纯棉的吗", "有几个颜色", "170 65kg穿什么码", "黑色M还有吗", "新疆运费多少",
    "包邮吗", "今天能发货吗", "几天能到北京", "能开发票吗", "可以货到付款吗", "有优惠券吗",
    "快递到哪了", "付款三天了怎么还不发", "不合适想退", "退款怎么还没到账", "这个能用在船上吗",
    "你们有实体店吗", "能寄到火星吗", "我要投诉你们", "转人工", "在吗", "好的谢谢",
]  # fmt: skip


def percentiles(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "p50_ms": round(ordered[len(ordered) // 2] * 1000, 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
        "messages_per_s": round(len(ordered) / sum(ordered), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    from kefu.core.assistant import model_store
    from kefu.core.assistant.answer import respond
    from kefu.core.assistant.knowledge import KnowledgeBase
    from kefu.core.assistant.nlu import understand
    from kefu.core.assistant.nlu.data.generator import generate
    from kefu.core.assistant.nlu.training import dev_records
    from kefu.core.assistant.skills import BuyerContext
    from kefu.core.records import Order, TrackingEvent
    from kefu.core.shopconfig import build_shop_config
    from kefu.demo import generate_demo_shop

    data = generate_demo_shop().as_dict()
    shop = build_shop_config(data["config"])
    started = time.perf_counter()
    kb = KnowledgeBase.build(
        shop=shop,
        products=data["products"],
        faqs=data["faqs"],
        quick_replies=data["quick_replies"],
        promotions=data["promotions"],
    )
    kb_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model = model_store.load_model()
    load_seconds = time.perf_counter() - started

    # One context per demo buyer: their orders and parcels, and a product page.
    tz = {"tz": shop.tz}
    orders = [Order.model_validate(o, context=tz) for o in data["orders"]]
    events = [TrackingEvent.model_validate(e, context=tz) for e in data["tracking_events"]]
    rng = random.Random(7)
    product_ids = [p["product_id"] for p in data["products"]]
    contexts = []
    for buyer in data["buyers"]:
        mine = [o for o in orders if o.buyer_id == buyer["buyer_id"]]
        ids = {o.order_id for o in mine}
        contexts.append(
            BuyerContext(
                buyer_id=buyer["buyer_id"],
                product_id=rng.choice(product_ids),
                orders=mine,
                tracking=[e for e in events if e.order_id in ids],
                agent_no="客服8号",
            )
        )

    texts = SHOP_QUESTIONS * 5 + [str(r["text"]) for r in dev_records()]
    texts += [t for t, _ in generate(seed=99, per_intent=args.messages // 28 + 1)]
    texts = texts[: args.messages]
    now = data["orders"][-1]["created_at"]
    from kefu.core.timeutil import parse_time

    now_dt = parse_time(now, shop.tz)
    # Warm-up: jieba's dictionaries load on first use.
    respond(texts[0], contexts[0], kb, shop, now_dt, understand=lambda t: understand(model, t))

    first: list[float] = []
    whole: list[float] = []
    handoffs = 0
    for i, text in enumerate(texts):
        context = contexts[i % len(contexts)]
        t0 = time.perf_counter()
        u = understand(model, text)
        kb.search(text, k=5)
        t1 = time.perf_counter()
        result = respond(text, context, kb, shop, now_dt, understanding=u)
        t2 = time.perf_counter()
        first.append(t1 - t0)
        whole.append(t2 - t0)
        handoffs += result.handoff is not None
    report = {
        "messages": len(texts),
        "knowledge_base_build_s": round(kb_seconds, 2),
        "model_load_or_train_s": round(load_seconds, 2),
        "understand_retrieve": percentiles(first),
        "respond_total": percentiles(whole),
        "handoff_share": round(handoffs / len(texts), 3),
        "target_p99_ms": 20,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
