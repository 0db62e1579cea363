"""`/api/v1/auth`: sign in and out with the session cookie, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from kefu.api.deps import (
    ApiError,
    AppSettings,
    CurrentUser,
    Db,
    Lang,
    Now,
    clear_session_cookie,
    raw_session_id,
    set_session_cookie,
)
from kefu.api.schemas import ErrorOut, LoginIn, UserOut
from kefu.services import accounts
from kefu.web.i18n import translate

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def login_error(lang: str, code: str) -> ApiError:
    """The people-facing message for a refused sign-in (wrong password and unknown user
    read the same on purpose)."""
    key = "login.error.disabled" if code == "disabled" else "login.error.bad_credentials"
    if code == "ambiguous_shop":
        return ApiError(status.HTTP_400_BAD_REQUEST, code, "该账号存在于多个店铺，请指定店铺")
    return ApiError(status.HTTP_401_UNAUTHORIZED, code, translate(lang, key))


@router.post(
    "/login",
    response_model=UserOut,
    responses={401: {"model": ErrorOut}},
    summary="Sign in; sets the session cookie",
)
def login(
    body: LoginIn,
    request: Request,
    response: Response,
    db: Db,
    now: Now,
    settings: AppSettings,
    lang: Lang,
) -> UserOut:
    try:
        user, raw = accounts.do_login(
            db,
            username=body.username,
            password=body.password,
            shop_id=body.shop_id,
            now=now,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except accounts.AuthError as exc:
        # The failed attempt's audit row must survive the error response.
        db.commit()
        raise login_error(lang, exc.code) from None
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
