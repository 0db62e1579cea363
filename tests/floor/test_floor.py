"""The live floor view 现场监控: per-agent load, waiting per queue, totals, access, page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from kefu.services import floor

# The world of tests/api/conftest.py: its clock.
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)
URL = "/api/v1/floor"


def _view(world, now: datetime = NOW) -> floor.Floor:  # type: ignore[no-untyped-def]
    with Session(world.engine) as session:
        return floor.floor_view(session, "s1", now)


def test_agents_with_status_load_and_capacity(floor_world) -> None:
    view = _view(floor_world)
    rows = {a.username: a for a in view.agents}
    # admin takes no chats, `gone` is disabled, `other` works for another shop.
    assert set(rows) == {"kf01", "kf02", "kf03", "sup1", "mgr1"}
    assert (rows["kf01"].status, rows["kf01"].open_count, rows["kf01"].capacity) == (
        "online",
        2,  # the open chat and the pending one it holds; not the waiting ones
        3,  # the personal limit under the shop's 15
    )
    assert rows["kf01"].agent_no == "客服1号" and rows["kf01"].queues == ("presale",)
    assert (rows["kf02"].open_count, rows["kf02"].capacity) == (0, 15)  # closed chats don't load
    assert (rows["kf03"].status, rows["kf03"].open_count) == ("busy", 1)
    assert rows["sup1"].queues == () and rows["sup1"].status == "away"
    assert [a.status for a in view.agents][:3] == ["online", "busy", "away"]
    assert view.status_counts == {"online": 1, "busy": 1, "away": 1, "offline": 2}
    assert view.open_total == 3
    assert view.capacity_total == 3  # only the online agent takes chats now


def test_waiting_per_queue_with_longest_wait_and_sla(floor_world) -> None:
    view = _view(floor_world)
    queues = {q.queue: q for q in view.queues}
    assert [q.queue for q in view.queues] == ["presale", "insale", "aftersale", "review"]
    # c-pre-2 (2 min, open but unassigned), c-pre-3 (10 min), c-odd (no queue, 1 min)
    assert (queues["presale"].waiting, queues["presale"].longest_wait_seconds) == (3, 600)
    assert queues["presale"].over_sla
    assert (queues["insale"].waiting, queues["insale"].longest_wait_seconds) == (1, 240)
    assert not queues["insale"].over_sla  # 240 s is within the shop's 300 s
    assert (queues["aftersale"].waiting, queues["aftersale"].longest_wait_seconds) == (0, None)
    assert not queues["aftersale"].over_sla
    assert (queues["review"].waiting, queues["review"].longest_wait_seconds) == (1, 7200)
    assert view.waiting_total == 5
    assert view.longest_wait_seconds == 7200
    assert view.sla_seconds == 300


def test_waits_grow_with_the_clock_and_never_go_negative(floor_world) -> None:
    later = {q.queue: q for q in _view(floor_world, NOW + timedelta(minutes=1)).queues}
    assert later["insale"].longest_wait_seconds == 300
    assert not later["insale"].over_sla  # exactly at the target is not past it
    earlier = {q.queue: q for q in _view(floor_world, NOW - timedelta(hours=1)).queues}
    assert earlier["presale"].longest_wait_seconds == 0


def test_format_wait() -> None:
    assert floor.format_wait(None) == ""
    assert floor.format_wait(65) == "1:05"
    assert floor.format_wait(3723) == "1:02:03"


def test_api_for_supervisor_and_manager(floor_world, login_as) -> None:
    body = login_as("sup1").get(URL).json()
    assert body["totals"] == {
        "agents": {"online": 1, "busy": 1, "away": 1, "offline": 2},
        "open": 3,
        "capacity": 3,
        "waiting": 5,
        "longest_wait_seconds": 7200,
    }
    kf01 = next(a for a in body["agents"] if a["username"] == "kf01")
    assert kf01["open_count"] == 2 and kf01["capacity"] == 3 and kf01["queues"] == ["presale"]
    review = next(q for q in body["queues"] if q["queue"] == "review")
    assert review == {
        "queue": "review",
        "waiting": 1,
        "longest_wait_seconds": 7200,
        "over_sla": True,
    }
    assert body["sla_seconds"] == 300
    client = login_as("mgr1")
    assert client.get(URL).status_code == 200


def test_api_refuses_agents_below_supervisor_and_admin(floor_world, login_as, client) -> None:
    assert client.get(URL).status_code == 401
    for username in ("kf01", "kf03", "admin1"):
        response = login_as(username).get(URL)
        assert response.status_code == 403, username
        assert response.json()["code"] == "forbidden"


def test_page_renders_in_chinese_with_refreshing_board(floor_world, login_as) -> None:
    html = login_as("sup1").get("/floor").text
    assert "现场监控" in html
    assert 'hx-trigger="every 5s"' in html and 'hx-get="/ui/floor"' in html
    assert "客服1号" in html and "在线" in html and "忙碌" in html and "离开" in html
    assert "中差评" in html and "2:00:00" in html
    assert 'class="longest over-sla"' in html  # pre-sale and review are past 300 s
    assert 'data-queue="insale"><td>售中</td><td class="waiting">1</td>' in html
    assert '<td class="longest">4:00</td>' in html  # in-sale: within the target, not red
    assert "2 / 3" in html  # kf01's load against its limit


def test_partial_is_only_the_board(floor_world, login_as) -> None:
    html = login_as("sup1").get("/ui/floor", headers={"HX-Request": "true"}).text
    assert "<header" not in html and "floor-agents" in html and "客服3号" in html


def test_page_refused_below_supervisor_and_nav_link(floor_world, login_as, client) -> None:
    assert client.get("/floor", follow_redirects=False).status_code == 303
    agent = login_as("kf01")
    assert agent.get("/floor").status_code == 403
    assert agent.get("/ui/floor").status_code == 403
    assert 'id="nav-floor"' not in agent.get("/").text
    agent.post("/api/v1/auth/logout")
    home = login_as("sup1").get("/").text
    assert 'id="nav-floor"' in home and "现场监控" in home
