"""`/api/v1/agents`: the signed-in agent's reception status 在线/忙碌/离开."""

from __future__ import annotations

from fastapi import APIRouter

from kefu.api.schemas import StatusIn, StatusOut
from kefu.http.deps import CurrentUser, Db, Now
from kefu.services import accounts

router = APIRouter(prefix="/api/v1/agents", tags=["agents"])


@router.get("/me/status", response_model=StatusOut)
def get_my_status(user: CurrentUser) -> StatusOut:
    return StatusOut(status=accounts.user_public(user)["status"])


@router.put("/me/status", response_model=StatusOut, name="set_my_status")
def set_my_status(body: StatusIn, user: CurrentUser, db: Db, now: Now) -> StatusOut:
    accounts.do_set_status(db, user, body.status, now)
    return StatusOut(status=accounts.user_public(user)["status"])
