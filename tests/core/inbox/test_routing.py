from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from kefu.core.inbox.routing import (
    AgentState,
    LastService,
    queue_for,
    route,
    waiting_position,
)
from kefu.core.shopconfig import DEFAULT_SHOP, build_shop_config

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def agent(agent_id: str, queue: str = "presale", status: str = "online", load: int = 0):
    return AgentState(agent_id, (queue,), status, load)


def test_stage_queue_from_intent() -> None:
    assert queue_for("size_advice") == "presale"
    assert queue_for("urge_shipping") == "insale"
    assert queue_for("return_exchange") == "aftersale"
    assert queue_for("complaint", "再不处理我就给差评") == "review"
    assert queue_for("complaint", "我要投诉你们") == "aftersale"
    assert queue_for("greeting") == "presale"
    # A review threatened over an after-sales matter is a review dispute (policies §6) ...
    assert queue_for("return_exchange", "颜色差太多了，我准备给个中评") == "review"
    assert queue_for("not_received", "还没收到，追评说你们慢") == "review"
    # ... but a pre-sale question about reviews is not, nor an after-sales one without.
    assert queue_for("promotion", "好评返现吗") == "presale"
    assert queue_for("return_exchange", "尺码小了能换吗") == "aftersale"


def test_least_loaded_online_agent_of_the_queue() -> None:
    agents = [
        agent("kf01", load=3),
        agent("kf02", load=1),
        agent("kf03", load=0, status="away"),
        agent("kf04", queue="aftersale", load=0),
    ]
    decision = route("presale", agents, NOW, DEFAULT_SHOP)
    assert decision.agent_id == "kf02" and not decision.sticky and not decision.waiting


def test_ties_are_broken_by_agent_id() -> None:
    decision = route("presale", [agent("kf09", load=2), agent("kf03", load=2)], NOW, DEFAULT_SHOP)
    assert decision.agent_id == "kf03"


def test_returning_buyer_within_24h_goes_to_the_same_online_agent() -> None:
    agents = [agent("kf01", load=0), agent("kf07", queue="aftersale", load=9)]
    last = LastService("kf07", NOW - timedelta(hours=23))
    decision = route("presale", agents, NOW, DEFAULT_SHOP, last)
    assert decision.agent_id == "kf07" and decision.sticky


def test_sticky_expires_and_needs_the_agent_online() -> None:
    agents = [agent("kf01", load=0), agent("kf07", load=0, status="busy")]
    assert (
        route(
            "presale", agents, NOW, DEFAULT_SHOP, LastService("kf07", NOW - timedelta(hours=1))
        ).agent_id
        == "kf01"
    )
    agents = [agent("kf01", load=5), agent("kf07", load=0)]
    stale = LastService("kf07", NOW - timedelta(hours=25))
    assert route("presale", agents, NOW, DEFAULT_SHOP, stale).agent_id == "kf07"
    assert not route("presale", agents, NOW, DEFAULT_SHOP, stale).sticky


def test_full_agents_leave_the_buyer_waiting() -> None:
    shop = build_shop_config({"routing": {"max_open_per_agent": 2}})
    decision = route("presale", [agent("kf01", load=2), agent("kf02", load=2)], NOW, shop)
    assert decision.agent_id is None and decision.waiting
    assert route("presale", [agent("kf01", load=1)], NOW, shop).agent_id == "kf01"


def test_waiting_position_counts_earlier_buyers() -> None:
    line = [NOW - timedelta(minutes=5), NOW - timedelta(minutes=1), NOW + timedelta(minutes=1)]
    assert waiting_position(line, NOW) == 3
    assert waiting_position([], NOW) == 1


def test_stage_queue_from_the_models_reading() -> None:
    from kefu.core.inbox.routing import stage_queue

    # A sure intent decides.
    assert stage_queue("urge_shipping", 0.97, {"urge_shipping": 0.97}, "怎么还没发货") == "insale"
    # Unsure between two after-sales intents: after-sales all the same.
    spread = {"refund_status": 0.51, "return_exchange": 0.3, "greeting": 0.19}
    assert stage_queue("refund_status", 0.51, spread, "我要退款") == "aftersale"
    # Unsure across stages: the entry queue.
    torn = {"not_received": 0.29, "thanks_bye": 0.28, "logistics_query": 0.2, "other": 0.23}
    assert stage_queue("not_received", 0.29, torn, "没有了，谢谢") == "presale"
    # The review rule holds on the unsure path too.
    dispute = {"wrong_or_missing_item": 0.46, "return_exchange": 0.3, "complaint": 0.24}
    assert stage_queue("wrong_or_missing_item", 0.46, dispute, "颜色差太多，给中评") == "review"
