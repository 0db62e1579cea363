"""`/api/v1/tokens`: API tokens for integrations (admin only; the secret is shown once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from kefu.api.deps import ApiError, Db, Now, require_role
from kefu.api.schemas import ErrorOut, NewTokenOut, TokenIn, TokenOut
from kefu.db.models.accounts import ApiToken, User
from kefu.services import accounts

router = APIRouter(
    prefix="/api/v1/tokens",
    tags=["tokens"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}},
)
Admin = Annotated[User, require_role("admin")]


def token_out(token: ApiToken, owner: User) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        prefix=token.prefix,
        username=owner.username,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
    )


@router.get("", response_model=list[TokenOut])
def list_tokens(admin: Admin, db: Db) -> list[TokenOut]:
    return [token_out(t, u) for t, u in accounts.access_api_tokens(db, admin)]


@router.post("", response_model=NewTokenOut, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenIn, admin: Admin, db: Db, now: Now) -> NewTokenOut:
    try:
        new = accounts.do_create_api_token(
            db, admin, name=body.name, username=body.username, expires_at=body.expires_at, now=now
        )
    except accounts.NotFound:
        raise ApiError(status.HTTP_404_NOT_FOUND, "unknown_user", "店铺中没有该账号") from None
    except ValueError:
        raise ApiError(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "bad_expiry", "过期时间必须晚于现在"
        ) from None
    owner = db.get(User, new.token.user_id)
    assert owner is not None  # just created for an existing user, in this transaction
    return NewTokenOut(**token_out(new.token, owner).model_dump(), token=new.raw)


@router.delete("/{token_id}", response_model=TokenOut)
def revoke_token(token_id: int, admin: Admin, db: Db, now: Now) -> TokenOut:
    try:
        token = accounts.do_revoke_api_token(db, admin, token_id, now)
    except accounts.NotFound:
        raise ApiError(status.HTTP_404_NOT_FOUND, "not_found", "找不到该令牌") from None
    owner = db.get(User, token.user_id)
    assert owner is not None
    return token_out(token, owner)
