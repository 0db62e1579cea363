"""The unit of work through HTTP and WebSocket: a write is committed before it is answered,
and its events reach listeners (routing) whichever way it came in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from conftest import add_conversation  # noqa: E402  (tests/api/conftest.py)
from kefu.db.models import AuditEntry, Conversation, User
from kefu.http.identity import SESSION_COOKIE

PASSWORD = "correct-horse-42"


class DyingDatabase:
    """When switched on, the database connection is lost at the moment a request commits
    (on PostgreSQL the backend is really terminated): what a stopped server looks like to a
    request between its writes and its COMMIT."""

    def __init__(self, app: FastAPI) -> None:
        self.factory = app.state.sessionmaker
        self.killed: list[str] = []

    def lose_connection(self, session: Session) -> None:
        connection = session.connection()
        self.killed.append(connection.dialect.name)
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    def on(self) -> None:
        event.listen(self.factory, "before_commit", self.lose_connection)

    def off(self) -> None:
        if event.contains(self.factory, "before_commit", self.lose_connection):
            event.remove(self.factory, "before_commit", self.lose_connection)


@pytest.fixture
def dying_database(app: FastAPI) -> Iterator[DyingDatabase]:
    dying = DyingDatabase(app)
    yield dying
    dying.off()


def status_and_audit(app: FastAPI, username: str) -> tuple[str, int]:
    with app.state.sessionmaker() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        audits = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "agent.status", AuditEntry.target_id == username)
        )
        return user.status, int(audits or 0)


def test_no_success_is_answered_for_a_write_that_was_not_stored(
    app: FastAPI, login_as, dying_database: DyingDatabase
) -> None:
    # given kf01 signed in, then the database failing at every commit
    client = login_as("kf01")
    before = status_and_audit(app, "kf01")
    dying_database.on()
    # when kf01 changes status
    response = client.put("/api/v1/agents/me/status", json={"status": "busy"})
    dying_database.off()
    # then the client is told it failed (503, try again), and nothing was stored
    assert dying_database.killed, "the commit was never reached"
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
    assert response.headers["retry-after"] == "5"
    assert status_and_audit(app, "kf01") == before


def test_a_write_answered_200_is_stored_with_its_audit_row(app: FastAPI, login_as) -> None:
    client = login_as("kf01")
    before = status_and_audit(app, "kf01")
    response = client.put("/api/v1/agents/me/status", json={"status": "busy"})
    assert response.status_code == 200
    assert status_and_audit(app, "kf01") == ("busy", before[1] + 1)


def test_a_fresh_login_cookie_opens_the_agent_socket_at_once(app: FastAPI, client) -> None:
    # The session row is committed before the login's answer: the very next request,
    # here the WebSocket, finds it every time.
    for attempt in range(20):
        client.cookies.clear()
        response = client.post(
            "/api/v1/auth/login", json={"username": "kf01", "password": PASSWORD}
        )
        assert response.status_code == 200
        cookie = response.cookies[SESSION_COOKIE]
        with client.websocket_connect(
            "/ws/agent", headers={"cookie": f"{SESSION_COOKIE}={cookie}"}
        ) as ws:
            hello = ws.receive_json()
            assert hello["type"] == "hello" and hello["agent_id"] == "kf01", attempt


@pytest.fixture
def waiting(app: FastAPI) -> str:
    """A buyer waiting in the pre-sale line (pending, nobody assigned)."""
    with app.state.sessionmaker() as session:
        conv = add_conversation(
            session, "s1", "c-wait", "tb_new", "presale", [("buyer", "在吗", 1)], status="pending"
        )
        session.commit()
        return conv.conversation_id


def waiting_presale(app: FastAPI) -> Conversation:
    with app.state.sessionmaker() as session:
        return session.scalars(
            select(Conversation).where(Conversation.conversation_id == "c-wait")
        ).one()


def test_going_online_over_http_routes_the_waiting_buyers(
    app: FastAPI, login_as, waiting: str
) -> None:
    # given a buyer waiting in pre-sale with no agent, and kf02 away
    client = login_as("kf02")
    assert client.put("/api/v1/agents/me/status", json={"status": "away"}).status_code == 200
    assert waiting_presale(app).assignee_id is None
    # when kf02 comes online from a page (the JSON API)
    assert client.put("/api/v1/agents/me/status", json={"status": "online"}).status_code == 200
    # then the waiting buyer is theirs
    assert waiting_presale(app).agent_id == "kf02"


def test_going_online_over_the_socket_routes_the_waiting_buyers(
    app: FastAPI, login_as, waiting: str
) -> None:
    client = login_as("kf02")
    assert client.put("/api/v1/agents/me/status", json={"status": "away"}).status_code == 200
    cookie = client.cookies[SESSION_COOKIE]
    with client.websocket_connect(
        "/ws/agent", headers={"cookie": f"{SESSION_COOKIE}={cookie}"}
    ) as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_json({"type": "status", "status": "online"})
        frames = [ws.receive_json() for _ in range(2)]
        assigned = next(f for f in frames if f["type"] == "assigned")
    assert assigned["conversation_id"] == waiting
    assert waiting_presale(app).agent_id == "kf02"
