"""Schemathesis over the OpenAPI schema: whatever a client sends, no answer is a 5xx.

Bounded (a few dozen generated requests per operation, as a supervisor and as an admin
through API tokens, and unauthenticated), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session

from conftest import NOW  # noqa: E402  (tests/api/conftest.py)
from kefu.services import accounts

EXAMPLES = 25


@pytest.fixture
def api_schema(app: FastAPI):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


@pytest.fixture
def tokens(app: FastAPI, world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Bearer tokens of a supervisor (most routes) and the admin (tokens, accounts)."""
    with Session(world.engine, expire_on_commit=False) as session:
        admin = session.merge(world.users["admin1"])
        found = {
            who: accounts.do_create_api_token(
                session, admin, name=f"fuzz-{who}", username=who, now=NOW
            ).raw
            for who in ("sup1", "admin1")
        }
        session.commit()
    return found


def test_no_request_gets_a_server_error(api_schema, tokens: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    callers = (
        {"Authorization": f"Bearer {tokens['sup1']}"},
        {"Authorization": f"Bearer {tokens['admin1']}"},
        {},
    )
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def no_server_error(case) -> None:  # type: ignore[no-untyped-def]
            for headers in callers:
                response = case.call(headers={**(case.headers or {}), **headers})
                assert response.status_code < 500, (
                    case.method,
                    case.formatted_path,
                    case.path_parameters,
                    case.query,
                    case.body,
                    response.text[:300],
                )

        no_server_error()
