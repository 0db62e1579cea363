"""Every route guarded by a permission, called by every role: refused (403) exactly when the
role does not hold it (core.permissions). Generated from the app's routes, so a new guarded
route is covered the day it is added."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from conftest import NOW, add_user  # noqa: E402  (tests/api/conftest.py)
from kefu.core.permissions import Permission, has_permission
from kefu.core.vocabulary import Role
from kefu.services import accounts


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, included routers opened (FastAPI keeps each as one node)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(api_routes(route.original_router.routes))
    return found


def guarded_routes(app: FastAPI) -> list[tuple[str, str, Permission]]:
    """(method, path, permission) of every route with a `require(...)` dependency."""
    found = []
    for route in api_routes(app.routes):
        for dependency in route.dependant.dependencies:
            permission = getattr(dependency.call, "permission", None)
            if isinstance(permission, Permission):
                for method in sorted(route.methods - {"HEAD"}):
                    found.append((method, route.path, permission))
    return found


@pytest.fixture
def tokens(world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """An API token for a user of every role in shop s1."""
    with Session(world.engine, expire_on_commit=False) as session:
        users = {"presale": "kf01", "aftersale": "kf03", "supervisor": "sup1", "admin": "admin1"}
        for role in ("insale", "review", "manager"):
            add_user(session, "s1", f"u_{role}", role)
            users[role] = f"u_{role}"
        admin = session.merge(world.users["admin1"])
        found = {
            role: accounts.do_create_api_token(
                session, admin, name=role, username=username, now=NOW
            ).raw
            for role, username in users.items()
        }
        session.commit()
    return found


def call(client: TestClient, method: str, path: str, token: str) -> Any:
    url = re.sub(r"\{[^}]+\}", "999999", path)  # no such row: nothing is changed
    kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {token}"}}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    return client.request(method, url, **kwargs)


def test_every_guarded_route_refuses_exactly_the_roles_without_its_permission(
    app: FastAPI, client: TestClient, tokens: dict[str, str]
) -> None:
    routes = guarded_routes(app)
    assert len(routes) >= 8  # the board, the floor, QA decisions, tokens…
    for method, path, permission in routes:
        for role in Role:
            response = call(client, method, path, tokens[role.value])
            refused = response.status_code == 403
            assert refused is not has_permission(role, permission), (
                method,
                path,
                permission,
                role,
                response.status_code,
                response.text[:200],
            )
