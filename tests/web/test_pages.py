"""The server-rendered pages: sign-in (Chinese), the workspace, the htmx partials."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from kefu.app import create_app
from kefu.db.models import Shop, User
from kefu.demo import DEMO_PASSWORD
from kefu.http.identity import SESSION_COOKIE
from kefu.services import shops
from kefu.services.passwords import hash_password
from kefu.settings import load_settings

PASSWORD = "correct-horse-42"  # the world fixture's (tests/api/conftest.py)
SAME_ORIGIN = {"Origin": "http://127.0.0.1"}


def sign_in_form(client: TestClient, username: str, password: str = PASSWORD, **extra):
    return client.post(
        "/login",
        data={"username": username, "password": password, **extra},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )


def test_login_page_is_chinese(client, world) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html
    for text in ("客服工作台", "账号", "密码", "登录"):
        assert text in html
    assert "演示账号" not in html  # not in demo mode
    assert "/static/vendor/htmx.min.js" in html and "//unpkg" not in html and "cdn" not in html


def test_login_page_in_english_on_request(client, world) -> None:
    response = client.get("/login?lang=en")
    assert '<html lang="en">' in response.text and "Sign in" in response.text
    assert "kefu_lang=en" in response.headers["set-cookie"]
    # The choice is remembered by the cookie.
    assert '<html lang="en">' in client.get("/login").text
    # Accept-Language decides when nothing was chosen.
    client.cookies.clear()
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "en"}).text
    assert '<html lang="zh-CN">' in client.get("/login", headers={"Accept-Language": "fr"}).text


def test_demo_logins_only_in_demo_mode(world, session) -> None:
    session.add(Shop(id="demo", name="小鹿生活旗舰店"))
    session.flush()
    session.add(
        User(
            shop_id="demo",
            username="kf08",
            agent_no="客服8号",
            role="presale",
            queues=["presale"],
            password_hash=hash_password(DEMO_PASSWORD),
        )
    )
    session.commit()
    for demo, shown in ((True, True), (False, False)):
        settings = load_settings(secret_key="test-secret-key-123456", demo=demo)
        app = create_app(settings, engine=world.engine)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            html = client.get("/login").text
        assert ("演示账号" in html) is shown
        assert (DEMO_PASSWORD in html) is shown
        assert ("客服8号" in html) is shown


def test_wrong_password_shows_a_chinese_error(client, world) -> None:
    response = sign_in_form(client, "kf01", "wrong")
    assert response.status_code == 401
    assert "账号或密码错误，请重新输入" in response.text
    assert 'value="kf01"' in response.text  # the username is kept, the password is not
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    missing = sign_in_form(client, "", "")
    assert missing.status_code == 400 and "请输入账号和密码" in missing.text


def test_sign_in_then_workspace_then_sign_out(client, world) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    response = sign_in_form(client, "kf01")
    assert response.status_code == 303 and response.headers["location"] == "/"
    html = client.get("/").text
    assert '<span class="number" id="agent-number">客服1号</span>' in html
    assert "售前" in html and 'data-queue="presale"' in html
    assert 'data-conversation-id="c-pre-1"' in html
    assert 'data-conversation-id="c-after-1"' not in html  # another queue
    assert 'data-conversation-id="c-other-shop"' not in html  # another shop
    assert 'aria-pressed="true"' in html and "在线" in html
    # Signed in, /login goes home.
    assert client.get("/login", follow_redirects=False).headers["location"] == "/"

    out = client.post("/logout", headers=SAME_ORIGIN, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_next_is_kept_but_never_leaves_the_site(client, world) -> None:
    assert sign_in_form(client, "kf01", next="/ui/conversations").headers["location"] == (
        "/ui/conversations"
    )
    client.cookies.clear()
    for evil in ("//evil.example.com/x", "https://evil.example.com", "/\\evil.example.com"):
        assert sign_in_form(client, "kf01", next=evil).headers["location"] == "/"
        client.cookies.clear()


def test_cross_site_form_posts_are_refused(client, world) -> None:
    response = client.post(
        "/login",
        data={"username": "kf01", "password": PASSWORD},
        headers={"Origin": "https://evil.example.com"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_conversation_partial_masks_for_a_non_holder(login_as, world) -> None:
    client = login_as("kf02")
    html = client.get("/ui/conversations/c-pre-1", headers={"HX-Request": "true"}).text
    assert "138****5678" in html and "13812345678" not in html
    assert "西湖区****" in html and "文三路" not in html
    assert "张*" in html
    assert "按权限规则，手机号和地址已脱敏显示" in html
    assert "在吗？这件T恤有L码吗" in html


def test_conversation_partial_unmasked_for_the_holder(login_as, world) -> None:
    html = login_as("kf01").get("/ui/conversations/c-pre-1").text
    assert "13812345678" in html and "浙江省杭州市西湖区文三路123号" in html
    assert "完整信息的查看已记入审计日志" in html


def test_partials_out_of_scope_or_signed_out(client, login_as, world) -> None:
    anonymous = client.get("/ui/conversations", headers={"HX-Request": "true"})
    assert anonymous.status_code == 401 and anonymous.headers["HX-Redirect"] == "/login"
    signed_in = login_as("kf01")
    assert signed_in.get("/ui/conversations/c-after-1").status_code == 404
    listing = signed_in.get("/ui/conversations").text
    assert 'data-conversation-id="c-pre-2"' in listing
    assert "待接入" in listing  # the unassigned chat
    assert "5分钟" in listing and "2分钟" in listing  # waiting times


def test_admin_home_explains_instead_of_listing(login_as, world) -> None:
    html = login_as("admin1").get("/").text
    assert "管理员账号负责账号与系统设置" in html
    assert "conv-item" not in html


def test_security_headers_and_static(client, world) -> None:
    response = client.get("/login")
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    css = client.get("/static/css/kefu.css")
    assert css.status_code == 200 and "--brand" in css.text
    assert client.get("/static/js/kefu.js").status_code == 200


def test_healthz(client, world) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"


def test_healthz_reports_a_dead_database(tmp_path) -> None:
    # A database file in a folder that does not exist cannot be opened: the server is up,
    # the database is not.
    engine = create_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'kefu.sqlite3'}")
    app = create_app(load_settings(secret_key="k" * 20), engine=engine)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded" and response.json()["database"] == "error"


def test_openapi_schema(client) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/agents/me/status",
        "/api/v1/conversations",
        "/api/v1/conversations/{conversation_id}",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
        "/healthz",
    ):
        assert path in paths, path
    assert "/login" not in paths and "/ui/conversations" not in paths  # pages are not API
    assert "ConversationOut" in schema["components"]["schemas"]
    # No Swagger UI: it would load its assets from a CDN.
    assert client.get("/api/docs").status_code == 404


def test_waits_turn_red_past_the_shops_own_limits(login_as, world) -> None:
    with Session(world.engine) as session:  # a patient shop: 10 min once answered
        shop = session.get(Shop, "s1")
        assert shop is not None
        shop.config = {**(shop.config or {}), "qa": {"response_seconds": 600}}
        session.commit()
    shops.CONFIGS.forget("s1")  # what the config-changing action's event does
    listing = login_as("kf01").get("/ui/conversations").text

    def wait_class(cid: str) -> str:
        item = listing.split(f'data-conversation-id="{cid}"', 1)[1].split("</a>", 1)[0]
        found = re.search(r'class="(waiting[^"]*)"', item)
        assert found is not None, cid
        return found.group(1)

    assert wait_class("c-pre-1") == "waiting"  # answered before, 5 min < 10 min
    assert wait_class("c-pre-2") == "waiting late"  # never answered by a person, 2 min > 10 s
