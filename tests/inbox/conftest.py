"""Live chat fixtures: a shop with online agents, signed-in agent cookies, buyer tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from chat_helpers import SECRET, agent_cookie, seed_shop
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kefu.app import create_app
from kefu.db.models import User
from kefu.http.identity import SESSION_COOKIE, sign_buyer_token
from kefu.settings import Settings, load_settings


@dataclass
class Chat:
    app: FastAPI
    client: TestClient
    settings: Settings
    engine: Engine
    users: dict[str, User]
    session: Session

    def buyer_url(self, buyer_id: str, shop_id: str = "s1") -> str:
        return f"/ws/buyer?token={sign_buyer_token(self.settings, shop_id, buyer_id)}"

    def agent_headers(self, username: str) -> dict[str, str]:
        cookie = agent_cookie(self.session, self.settings, self.users[username])
        return {"cookie": f"{SESSION_COOKIE}={cookie}"}


@pytest.fixture
def chat(session: Session, engine: Engine, tmp_path) -> Iterator[Chat]:  # type: ignore[no-untyped-def]
    users = seed_shop(session)
    settings = load_settings(secret_key=SECRET, data_dir=tmp_path)
    app = create_app(settings, engine=engine)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        app.state.welcome_delay = 60.0  # tests that want the welcome shorten it
        yield Chat(app, client, settings, engine, users, session)
