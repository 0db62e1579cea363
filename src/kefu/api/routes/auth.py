"""`/api/v1/auth`: sign in and out with the session cookie, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from kefu.api.schemas import ErrorOut, LoginIn, UserOut
from kefu.http.deps import AppSettings, CurrentUser, Db, Now
from kefu.http.identity import (
    clear_session_cookie,
    client_ip,
    raw_session_id,
    set_session_cookie,
)
from kefu.services import accounts

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


@router.post(
    "/login",
    response_model=UserOut,
    responses={400: {"model": ErrorOut}, 401: {"model": ErrorOut}},
    summary="Sign in; sets the session cookie",
)
def login(
    body: LoginIn, request: Request, response: Response, db: Db, now: Now, settings: AppSettings
) -> UserOut:
    """A wrong username and a wrong password read the same (`bad_credentials`); the
    failed attempt's audit row is kept although the request fails."""
    user, raw = accounts.do_login(
        db,
        username=body.username,
        password=body.password,
        shop_id=body.shop_id,
        now=now,
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
    )
    set_session_cookie(request, response, settings, raw)
    return UserOut.model_validate(accounts.user_public(user))


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Sign out; revokes the session"
)
def logout(request: Request, db: Db, now: Now, settings: AppSettings) -> Response:
    raw = raw_session_id(request, settings)
    if raw is not None:
        accounts.do_logout(db, raw, now)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(request, response)
    return response


@router.get("/me", response_model=UserOut, responses={401: {"model": ErrorOut}})
def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(accounts.user_public(user))
