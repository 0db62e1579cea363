"""The conversation API: shop and role scoping, unread/waiting, masking of contact data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models import AuditEntry


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(item["conversation_id"] for item in response.json()["items"])


def contact_views(engine) -> list[tuple[str, str]]:
    with Session(engine) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "buyer.contact_viewed"))
        return [(row.actor, row.target_id) for row in rows]


def test_anonymous_is_refused(client, world) -> None:
    response = client.get("/api/v1/conversations")
    assert response.status_code == 401
    assert response.json() == {"detail": "请先登录", "code": "not_authenticated"}


def test_presale_agent_sees_only_presale_of_own_shop(login_as, world) -> None:
    client = login_as("kf01")
    # Active by default: the finished chat is left out, other queues and shops never show.
    assert ids(client.get("/api/v1/conversations")) == ["c-pre-1", "c-pre-2"]
    assert ids(client.get("/api/v1/conversations?status=all")) == [
        "c-closed",
        "c-pre-1",
        "c-pre-2",
    ]
    assert ids(client.get("/api/v1/conversations?status=closed")) == ["c-closed"]
    # Filtering on a queue the agent does not work yields nothing rather than leaking.
    assert ids(client.get("/api/v1/conversations?queue=aftersale")) == []


def test_aftersale_agent_sees_aftersale(login_as, world) -> None:
    client = login_as("kf03")
    assert ids(client.get("/api/v1/conversations")) == ["c-after-1"]


def test_supervisor_sees_every_queue_of_the_shop(login_as, world) -> None:
    client = login_as("sup1")
    assert ids(client.get("/api/v1/conversations")) == [
        "c-after-1",
        "c-pre-1",
        "c-pre-2",
        "c-review-1",
    ]
    assert ids(client.get("/api/v1/conversations?queue=review")) == ["c-review-1"]
    assert client.get("/api/v1/conversations?queue=vip").status_code == 422
    assert client.get("/api/v1/conversations?status=gone").status_code == 422


def test_other_shop_sees_its_own_only(login_as, world) -> None:
    client = login_as("other")
    assert ids(client.get("/api/v1/conversations?status=all")) == ["c-other-shop"]
    assert client.get("/api/v1/conversations/c-pre-1").status_code == 404


def test_admin_does_not_read_chats(login_as, world) -> None:
    client = login_as("admin1")
    response = client.get("/api/v1/conversations")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_unread_and_waiting(login_as, world) -> None:
    client = login_as("sup1")
    items = {i["conversation_id"]: i for i in client.get("/api/v1/conversations").json()["items"]}
    # Two buyer messages after the agent's reply; waiting since the first (5 min ago).
    assert items["c-pre-1"]["unread_count"] == 2
    assert items["c-pre-1"]["waiting_seconds"] == 300
    assert items["c-pre-1"]["agent_no"] == "客服1号"
    assert items["c-pre-1"]["last_message"] == "能便宜点吗"
    assert items["c-pre-1"]["last_message_at"].endswith("+08:00")
    # The bot's answer does not count as a reply: the buyer is still waiting for a person.
    assert items["c-pre-2"]["unread_count"] == 1
    assert items["c-pre-2"]["waiting_seconds"] == 120
    assert items["c-pre-2"]["agent_id"] is None
    # Answered by the agent: nothing unread, nobody waiting.
    assert items["c-after-1"]["unread_count"] == 0
    assert items["c-after-1"]["waiting_seconds"] is None
    # Waiting chats come first.
    order = [
        i["conversation_id"] for i in client.get("/api/v1/conversations?status=all").json()["items"]
    ]
    assert order[-1] == "c-closed"


def test_holding_agent_sees_contact_unmasked_and_it_is_audited(login_as, world) -> None:
    client = login_as("kf01")
    body = client.get("/api/v1/conversations/c-pre-1").json()
    assert [m["sender"] for m in body["messages"]] == ["buyer", "agent", "buyer", "buyer"]
    assert body["messages"][0]["ts"] == "2026-11-25T11:30:00+08:00"
    buyer = body["buyer"]
    assert buyer["masked"] is False
    assert buyer["phone"] == "13812345678"
    assert buyer["name"] == "张三"
    assert buyer["address"] == "浙江省杭州市西湖区文三路123号"
    assert body["messages"][2]["text"] == "我电话13812345678，发顺丰"
    assert [o["order_id"] for o in buyer["orders"]] == ["3712345678901234567"]
    assert contact_views(world.engine) == [("kf01", "tb_lucy88")]


def test_other_agent_of_the_queue_sees_contact_masked(login_as, world) -> None:
    client = login_as("kf02")
    body = client.get("/api/v1/conversations/c-pre-1").json()
    buyer = body["buyer"]
    assert buyer["masked"] is True
    assert buyer["phone"] == "138****5678"
    assert buyer["name"] == "张*"
    assert buyer["address"] == "西湖区****"
    # A number the buyer typed into the chat is masked as well.
    assert body["messages"][2]["text"] == "我电话138****5678，发顺丰"
    assert "13812345678" not in str(body)
    assert contact_views(world.engine) == []  # a masked view is not an unmasked view


def test_agent_without_the_buyers_open_chat_sees_masked(login_as, world) -> None:
    # kf01 holds lucy's chat, not bob's: bob's waiting chat shows bob masked.
    body = login_as("kf01").get("/api/v1/conversations/c-pre-2").json()
    assert body["buyer"]["masked"] is True
    assert body["buyer"]["phone"] == "139****4321"


def test_supervisor_sees_unmasked_and_is_audited(login_as, world) -> None:
    body = login_as("sup1").get("/api/v1/conversations/c-review-1").json()
    assert body["buyer"]["masked"] is False and body["buyer"]["phone"] == "13987654321"
    assert contact_views(world.engine) == [("sup1", "tb_bob")]


def test_conversation_out_of_scope_is_404(login_as, world) -> None:
    client = login_as("kf01")
    for other in ("c-after-1", "c-other-shop", "no-such-thing"):
        response = client.get(f"/api/v1/conversations/{other}")
        assert response.status_code == 404
        assert response.json() == {"detail": "找不到该内容", "code": "not_found"}
