"""`/api/v1/tokens`: API tokens for integrations (admin only; the secret is shown once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, status

from kefu.api.schemas import ErrorOut, NewTokenOut, TokenIn, TokenOut
from kefu.core.permissions import Permission
from kefu.db.models.accounts import ApiToken, User
from kefu.http.deps import Db, Now, RowId, require
from kefu.services import accounts

router = APIRouter(
    prefix="/api/v1/tokens",
    tags=["tokens"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}},
)
Admin = Annotated[User, require(Permission.API_TOKENS_MANAGE)]


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
    new = accounts.do_create_api_token(
        db, admin, name=body.name, username=body.username, expires_at=body.expires_at, now=now
    )
    owner = db.get(User, new.token.user_id)
    assert owner is not None  # just created for an existing user, in this transaction
    return NewTokenOut(**token_out(new.token, owner).model_dump(), token=new.raw)


@router.delete("/{token_id}", response_model=TokenOut)
def revoke_token(token_id: RowId, admin: Admin, db: Db, now: Now) -> TokenOut:
    token = accounts.do_revoke_api_token(db, admin, token_id, now)
    owner = db.get(User, token.user_id)
    assert owner is not None
    return token_out(token, owner)
