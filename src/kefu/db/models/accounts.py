"""Accounts: users (agents 客服 with role, agent number 客服8号, status), API tokens, sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db.base import Base, BigId, ShopScoped, Timestamps

ROLES = ("presale", "insale", "aftersale", "review", "supervisor", "manager", "admin")
AGENT_STATUSES = ("online", "busy", "away", "offline")


class User(ShopScoped, Timestamps, Base):
    """A person who signs in: an agent, a supervisor, a manager or an admin."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("shop_id", "username"),
        UniqueConstraint("shop_id", "agent_no"),
    )

    # `username` is also the `agent_id` of formats.md records ("kf08").
    username: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    agent_no: Mapped[str | None] = mapped_column(String(32))  # "客服8号", shown to buyers
    role: Mapped[str] = mapped_column(String(16), default="presale")  # one of ROLES
    queues: Mapped[list[str]] = mapped_column(default=list)  # presale|insale|aftersale|review
    status: Mapped[str] = mapped_column(String(16), default="offline")  # AGENT_STATUSES
    password_hash: Mapped[str | None] = mapped_column(String(255))  # argon2; None: no login
    is_active: Mapped[bool] = mapped_column(default=True)
    max_open: Mapped[int | None] = mapped_column()  # per-agent override of routing.max_open
    last_login_at: Mapped[datetime | None] = mapped_column()


class ApiToken(ShopScoped, Timestamps, Base):
    """A bearer token for the HTTP API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_shop_id_user_id", "shop_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), default="")  # shown to tell tokens apart
    scopes: Mapped[list[str]] = mapped_column(default=list)
    last_used_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class WebSession(ShopScoped, Timestamps, Base):
    """A signed-in browser session (server side, so it can be revoked)."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_shop_id_user_id", "shop_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    session_hash: Mapped[str] = mapped_column(String(128), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
