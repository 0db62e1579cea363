"""The JSON shapes of the API (they appear in the OpenAPI schema at /api/openapi.json).

Times are ISO 8601 with an offset; conversation and message fields use the names of the
formats.md conversation record where they are the same thing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from kefu.http.guard import clean_text

Role = Literal["presale", "insale", "aftersale", "review", "supervisor", "manager", "admin"]
Queue = Literal["presale", "insale", "aftersale", "review"]
AgentStatus = Literal["online", "busy", "away", "offline"]
SettableStatus = Literal["online", "busy", "away"]


class Input(BaseModel):
    """A request body: its strings must be clean text (no NUL, no lone surrogate), which
    every part of kefu can store and show (see `kefu.http.guard`)."""

    @field_validator("*", mode="after")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        if isinstance(value, str) and not clean_text(value):
            raise ValueError("text with a NUL byte or a lone surrogate")
        return value


class ErrorOut(BaseModel):
    detail: str = Field(description="A message for people (zh-CN unless asked otherwise)")
    code: str = Field(description="A stable machine-readable code, e.g. bad_credentials")


class LoginIn(Input):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    shop_id: str | None = Field(
        default=None, description="Needed only when the username exists in several shops"
    )


class UserOut(BaseModel):
    id: int
    shop_id: str
    username: str
    display_name: str
    agent_no: str | None = Field(description="The number buyers see, e.g. 客服8号")
    role: Role
    queues: list[str]
    status: AgentStatus


class StatusIn(Input):
    status: SettableStatus


class StatusOut(BaseModel):
    status: AgentStatus


class ConversationSummaryOut(BaseModel):
    conversation_id: str
    buyer_id: str
    buyer_nickname: str
    platform: str
    queue: Queue
    status: Literal["open", "pending", "closed"]
    agent_id: str | None
    agent_no: str | None
    unread_count: int = Field(description="Buyer messages after the last agent reply")
    waiting_seconds: int | None = Field(
        description="Seconds since the first unanswered buyer message; null when answered"
    )
    last_message: str
    last_message_at: datetime | None


class ConversationListOut(BaseModel):
    items: list[ConversationSummaryOut]
    count: int


class MessageOut(BaseModel):
    seq: int
    sender: Literal["buyer", "agent", "bot", "system"]
    text: str
    ts: datetime
    quick_reply: bool


class OrderBriefOut(BaseModel):
    order_id: str
    status: str
    amount: Decimal
    created_at: datetime
    title: str


class BuyerPanelOut(BaseModel):
    buyer_id: str
    nickname: str
    name: str
    phone: str
    address: str
    masked: bool = Field(description="True when phone/address are masked for this viewer")
    orders: list[OrderBriefOut]


class ConversationOut(ConversationSummaryOut):
    order_ids: list[str]
    messages: list[MessageOut]
    buyer: BuyerPanelOut


class TokenIn(Input):
    name: str = Field(min_length=1, max_length=100)
    username: str | None = Field(
        default=None, description="The user the token acts as (default: yourself)"
    )
    expires_at: datetime | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    username: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret, shown only this once")


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "error"]
    version: str
