"""Sign-in, sessions, roles and API tokens through the HTTP API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models import AuditEntry, User, WebSession
from kefu.http.identity import SESSION_COOKIE

PASSWORD = "correct-horse-42"  # the world fixture's password (tests/api/conftest.py)
# Request handling that does not depend on the database runs on SQLite only; whatever
# reads or writes rows runs on both.
SQLITE_ONLY = pytest.mark.parametrize("migrated_url", ["sqlite"], indirect=True)
XHR = {"X-Requested-With": "fetch"}  # what a page script sends with a body-less write


def audit_actions(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_login_me_logout_round_trip(client: TestClient, world) -> None:
    # Given no session, "me" is refused.
    assert client.get("/api/v1/auth/me").status_code == 401

    response = client.post("/api/v1/auth/login", json={"username": "kf01", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "kf01"
    assert body["agent_no"] == "客服1号"
    assert body["role"] == "presale"
    assert body["status"] == "online"  # signing in puts an offline agent online
    assert "password_hash" not in body

    cookie = response.headers["set-cookie"]
    assert SESSION_COOKIE in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain http on the loopback address: development

    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "kf01"

    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401
    assert [e.target_id for e in audit_actions(world.engine, "auth.login")] == ["kf01"]
    assert [e.target_id for e in audit_actions(world.engine, "auth.logout")] == ["kf01"]


def test_logout_revokes_the_session_server_side(client: TestClient, world) -> None:
    client.post("/api/v1/auth/login", json={"username": "kf01", "password": PASSWORD})
    stolen = client.cookies.get(SESSION_COOKIE)
    client.post("/api/v1/auth/logout")
    # A copy of the cookie kept from before is worthless once the session is revoked.
    client.cookies.set(SESSION_COOKIE, stolen)
    assert client.get("/api/v1/auth/me").status_code == 401
    with Session(world.engine) as s:
        sessions = list(s.scalars(select(WebSession)))
        assert len(sessions) == 1 and sessions[0].revoked_at is not None
        assert s.scalars(select(User).where(User.username == "kf01")).one().status == "offline"


@SQLITE_ONLY
def test_cookie_is_secure_off_the_loopback_address(app) -> None:
    with TestClient(app, base_url="https://kefu.example.com") as remote:
        response = remote.post(
            "/api/v1/auth/login", json={"username": "kf01", "password": PASSWORD}
        )
    assert response.status_code == 200
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_is_refused_in_chinese_and_audited(
    client: TestClient, world, caplog
) -> None:
    response = client.post("/api/v1/auth/login", json={"username": "kf01", "password": "nope"})
    assert response.status_code == 401
    assert response.json() == {"detail": "账号或密码错误，请重新输入", "code": "bad_credentials"}
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    # An unknown user reads exactly the same (no account enumeration).
    unknown = client.post("/api/v1/auth/login", json={"username": "ghost", "password": "x"})
    assert unknown.status_code == 401 and unknown.json() == response.json()
    failed = audit_actions(world.engine, "auth.login_failed")
    assert [(e.shop_id, e.target_id, e.ip) for e in failed] == [("s1", "kf01", "testclient")]
    # An unknown name belongs to no shop of this two-shop server: it goes to the log.
    assert "auth.login_failed ghost (no shop)" in caplog.text


@SQLITE_ONLY
def test_english_error_on_request(client: TestClient, world) -> None:
    response = client.post(
        "/api/v1/auth/login",
        json={"username": "kf01", "password": "nope"},
        headers={"Accept-Language": "en-US,en;q=0.9"},
    )
    assert response.json()["detail"] == "Wrong username or password, please try again"


@SQLITE_ONLY
def test_disabled_account_cannot_sign_in(client: TestClient, world) -> None:
    response = client.post("/api/v1/auth/login", json={"username": "gone", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json()["code"] == "disabled"
    assert response.json()["detail"] == "该账号已停用，请联系管理员"


@SQLITE_ONLY
def test_login_validates_its_body(client: TestClient, world) -> None:
    assert client.post("/api/v1/auth/login", json={"username": "kf01"}).status_code == 422
    assert client.post("/api/v1/auth/login", content=b"not json").status_code == 422


@SQLITE_ONLY
def test_tampered_cookie_is_anonymous(client: TestClient, world) -> None:
    client.post("/api/v1/auth/login", json={"username": "kf01", "password": PASSWORD})
    value = client.cookies.get(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/api/v1/auth/me").status_code == 401


def test_status_switch(login_as, world) -> None:
    client = login_as("kf01")
    assert client.get("/api/v1/agents/me/status").json() == {"status": "online"}
    response = client.put("/api/v1/agents/me/status", json={"status": "busy"})
    assert response.status_code == 200 and response.json() == {"status": "busy"}
    assert client.get("/api/v1/auth/me").json()["status"] == "busy"
    # Offline is what signing out does; it is not a status to pick, nor is nonsense.
    assert client.put("/api/v1/agents/me/status", json={"status": "offline"}).status_code == 422
    assert client.put("/api/v1/agents/me/status", json={"status": "摸鱼"}).status_code == 422
    changes = audit_actions(world.engine, "agent.status")
    assert [(e.before, e.after) for e in changes] == [(None, {"before": "online", "after": "busy"})]


@SQLITE_ONLY
def test_cookie_writes_need_a_non_form_header(login_as, world) -> None:
    client = login_as("kf01")
    # A cross-site form could send this url-encoded body with the cookie: refused.
    forged = client.put(
        "/api/v1/agents/me/status",
        content=b"status=away",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert forged.status_code == 403 and forged.json()["code"] == "csrf"
    assert client.get("/api/v1/agents/me/status").json() == {"status": "online"}


def test_presale_agent_cannot_manage_tokens(login_as, world) -> None:
    client = login_as("kf01")
    response = client.post("/api/v1/tokens", json={"name": "erp"})
    assert response.status_code == 403
    assert response.json() == {"detail": "没有权限执行此操作", "code": "forbidden"}
    assert client.get("/api/v1/tokens").status_code == 403


@SQLITE_ONLY
def test_supervisor_is_not_admin(login_as, world) -> None:
    client = login_as("sup1")
    assert client.post("/api/v1/tokens", json={"name": "erp"}).status_code == 403


def test_admin_creates_lists_and_revokes_tokens(login_as, app, world) -> None:
    admin = login_as("admin1")
    created = admin.post("/api/v1/tokens", json={"name": "ERP 同步", "username": "sup1"})
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["token"]
    assert secret.startswith("kefu_") and body["prefix"] == secret[:11]
    assert body["username"] == "sup1"

    listed = admin.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["ERP 同步"]
    assert "token" not in listed[0]  # the secret is shown once only
    with Session(world.engine) as s:  # and only its hash is stored
        from kefu.db.models import ApiToken

        stored = s.scalars(select(ApiToken)).one()
        assert stored.token_hash != secret and secret not in stored.token_hash

    # The token works without any cookie, as the user it was made for.
    with TestClient(app, base_url="http://127.0.0.1") as integration:
        headers = {"Authorization": f"Bearer {secret}"}
        me = integration.get("/api/v1/auth/me", headers=headers)
        assert me.status_code == 200 and me.json()["username"] == "sup1"
        # Token calls are not browser calls: no CSRF header needed for writes.
        assert (
            integration.put(
                "/api/v1/agents/me/status", json={"status": "away"}, headers=headers
            ).status_code
            == 200
        )

        revoked = admin.delete(f"/api/v1/tokens/{body['id']}", headers=XHR)
        assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
        refused = integration.get("/api/v1/auth/me", headers=headers)
        assert refused.status_code == 401 and refused.json()["code"] == "bad_token"
    assert [e.action for e in audit_actions(world.engine, "token.create")] == ["token.create"]
    assert len(audit_actions(world.engine, "token.revoke")) == 1


@SQLITE_ONLY
def test_token_for_unknown_user_or_other_shop(login_as, world) -> None:
    admin = login_as("admin1")
    assert admin.post("/api/v1/tokens", json={"name": "x", "username": "other"}).status_code == 404
    assert admin.delete("/api/v1/tokens/999", headers=XHR).status_code == 404


@SQLITE_ONLY
def test_garbage_bearer_token_is_401_not_anonymous(client: TestClient, world) -> None:
    response = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer kefu_nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "bad_token"


@SQLITE_ONLY
def test_session_expires_after_a_working_day(login_as, app, world) -> None:
    client = login_as("kf01")
    start = app.state.clock()
    app.state.clock = lambda: start + timedelta(hours=11, minutes=59)
    assert client.get("/api/v1/auth/me").status_code == 200
    app.state.clock = lambda: start + timedelta(hours=12)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_username_in_two_shops_needs_the_shop(client, session, world) -> None:
    # Given kf01 exists in both shops (usernames are unique per shop only).
    twin = User(shop_id="s2", username="kf01", role="presale", password_hash="x")
    session.add(twin)
    session.commit()
    body = {"username": "kf01", "password": PASSWORD}
    ambiguous = client.post("/api/v1/auth/login", json=body)
    assert ambiguous.status_code == 400 and ambiguous.json()["code"] == "ambiguous_shop"
    chosen = client.post("/api/v1/auth/login", json={**body, "shop_id": "s1"})
    assert chosen.status_code == 200 and chosen.json()["shop_id"] == "s1"
