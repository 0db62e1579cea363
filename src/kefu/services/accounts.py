"""Accounts: sign-in, browser sessions, API tokens, roles and the agent's status.

Actions are named by verb (`do_*` writes and audits, `access_*` fetches with a permission
check). Callers own the transaction: every action flushes and the route commits, so the
audit row and the change it records land together.

Secrets (session ids, API tokens) are random, shown once, and stored only as SHA-256: a
leaked database does not hand out working credentials.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.db.models.accounts import AGENT_STATUSES, ApiToken, User, WebSession
from kefu.db.models.audit import AuditEntry
from kefu.db.models.shops import Shop
from kefu.services import passwords

# policies.md §5: rising authority along the service ladder; `admin` stands beside it
# (accounts and system settings), so it passes only the checks that name it.
ROLE_LADDER: Final = ("presale", "insale", "aftersale", "review", "supervisor", "manager")
ADMIN: Final = "admin"
ALL_ROLES: Final = (*ROLE_LADDER, ADMIN)
QUEUES: Final = ("presale", "insale", "aftersale", "review")
SETTABLE_STATUSES: Final = ("online", "busy", "away")  # `offline` is set by signing out

SESSION_LIFETIME = timedelta(hours=12)  # one working day, then sign in again
SEEN_RESOLUTION = timedelta(minutes=1)
TOKEN_PREFIX = "kefu_"

log = logging.getLogger(__name__)


class AuthError(Exception):
    """Sign-in refused; `code` is stable (`bad_credentials`, `disabled`, `ambiguous_shop`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class PermissionDenied(Exception):
    """The actor's role does not allow the action (policies.md §5: enforced by the server)."""


class NotFound(Exception):
    """Nothing with that id in the actor's shop (other shops' rows are never revealed)."""


def audit(
    session: Session,
    *,
    shop_id: str | None,
    actor_id: int | None,
    action: str,
    target: str,
    detail: dict[str, Any],
    now: datetime,
    target_type: str = "user",
    before: dict[str, Any] | None = None,
) -> None:
    """Append an audit row. `detail` becomes the row's `after`; its `ip`, if any, the ip.

    A sign-in attempt for an unknown username in a multi-shop database belongs to no shop:
    it goes to the application log instead (the audit table is per shop).
    """
    if shop_id is None:
        shop_ids = list(session.scalars(select(Shop.id).limit(2)))
        if len(shop_ids) != 1:
            log.warning("audit %s %s (no shop) %s", action, target, detail)
            return
        shop_id = shop_ids[0]
    actor = session.get(User, actor_id) if actor_id is not None else None
    detail = dict(detail)
    ip = str(detail.pop("ip", "") or "")
    session.add(
        AuditEntry(
            shop_id=shop_id,
            actor_id=actor_id,
            actor=actor.username if actor else "anonymous",
            action=action,
            target_type=target_type,
            target_id=target[:128],
            before=before,
            after=detail or None,
            at=now,
            ip=ip[:64],
        )
    )


def role_rank(role: str) -> int:
    """Position on the service ladder; -1 for admin and unknown roles."""
    return ROLE_LADDER.index(role) if role in ROLE_LADDER else -1


def role_allows(role: str, allowed: Iterable[str]) -> bool:
    """Whether `role` passes a check naming `allowed` roles.

    A ladder role in `allowed` is a minimum: naming `supervisor` also lets `manager` in.
    `admin` is not on the ladder and passes only when named.
    """
    for wanted in allowed:
        if wanted == ADMIN:
            if role == ADMIN:
                return True
        elif wanted in ROLE_LADDER:
            if role in ROLE_LADDER and role_rank(role) >= role_rank(wanted):
                return True
        else:
            raise ValueError(f"unknown role {wanted!r}")
    return False


def check_role(user: User, *allowed: str) -> None:
    if not role_allows(user.role, allowed):
        raise PermissionDenied(f"role {user.role} may not do this (needs {', '.join(allowed)})")


def sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def access_user_for_login(session: Session, username: str, shop_id: str | None) -> User | None:
    """The active-or-not user with that username; None if unknown.

    Usernames are unique per shop. Without `shop_id` a username held in several shops is
    ambiguous and refused rather than guessed.
    """
    stmt = select(User).where(User.username == username)
    if shop_id:
        stmt = stmt.where(User.shop_id == shop_id)
    users = list(session.scalars(stmt.limit(2)))
    if len(users) > 1:
        raise AuthError("ambiguous_shop")
    return users[0] if users else None


def do_login(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime,
    shop_id: str | None = None,
    ip: str = "",
    user_agent: str = "",
) -> tuple[User, str]:
    """Check the password and open a browser session; returns (user, raw session id).

    Every attempt, failed or not, is audited. A wrong username and a wrong password give
    the same error so that the page does not reveal which accounts exist; the password is
    still hashed for an unknown user to keep the timing alike.
    """
    username = username.strip()
    user = access_user_for_login(session, username, shop_id) if username else None
    if user is None or not user.password_hash:
        passwords.verify_password(passwords.DUMMY_HASH, password)
        audit(
            session,
            shop_id=user.shop_id if user else shop_id,
            actor_id=None,
            action="auth.login_failed",
            target=username[:64],
            detail={"reason": "bad_credentials", "ip": ip},
            now=now,
        )
        raise AuthError("bad_credentials")
    if not passwords.verify_password(user.password_hash, password):
        audit(
            session,
            shop_id=user.shop_id,
            actor_id=user.id,
            action="auth.login_failed",
            target=user.username,
            detail={"reason": "bad_credentials", "ip": ip},
            now=now,
        )
        raise AuthError("bad_credentials")
    if not user.is_active:
        audit(
            session,
            shop_id=user.shop_id,
            actor_id=user.id,
            action="auth.login_failed",
            target=user.username,
            detail={"reason": "disabled", "ip": ip},
            now=now,
        )
        raise AuthError("disabled")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    raw = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            shop_id=user.shop_id,
            user_id=user.id,
            session_hash=sha256(raw),
            expires_at=now + SESSION_LIFETIME,
            last_seen_at=now,
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    user.last_login_at = now
    if user.status == "offline":
        user.status = "online"
    audit(
        session,
        shop_id=user.shop_id,
        actor_id=user.id,
        action="auth.login",
        target=user.username,
        detail={"ip": ip},
        now=now,
    )
    session.flush()
    return user, raw


def _stale(seen: datetime | None, now: datetime) -> bool:
    """Whether a "last seen" time is worth rewriting: at most once a minute, so that reads
    do not turn every request into a write (SQLite has one writer at a time)."""
    return seen is None or now - seen >= SEEN_RESOLUTION


def access_session_user(session: Session, raw: str, now: datetime) -> User | None:
    """The signed-in user of a live (not expired, not revoked) session, else None."""
    row = session.scalar(select(WebSession).where(WebSession.session_hash == sha256(raw)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if _stale(row.last_seen_at, now):
        row.last_seen_at = now
    return user


def do_logout(session: Session, raw: str, now: datetime) -> None:
    """Revoke the session (the cookie alone is then worthless) and mark the agent offline."""
    row = session.scalar(select(WebSession).where(WebSession.session_hash == sha256(raw)))
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = now
    user = session.get(User, row.user_id)
    if user is not None:
        user.status = "offline"
        audit(
            session,
            shop_id=user.shop_id,
            actor_id=user.id,
            action="auth.logout",
            target=user.username,
            detail={},
            now=now,
        )
    session.flush()


def do_set_status(session: Session, user: User, status: str, now: datetime) -> User:
    """Switch the agent's reception status 在线/忙碌/离开 (routing reads it)."""
    if status not in SETTABLE_STATUSES:
        raise ValueError(f"status must be one of {', '.join(SETTABLE_STATUSES)}")
    before = user.status
    user.status = status
    if before != status:
        audit(
            session,
            shop_id=user.shop_id,
            actor_id=user.id,
            action="agent.status",
            target=user.username,
            detail={"before": before, "after": status},
            now=now,
        )
    session.flush()
    return user


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    raw: str  # shown once, never stored


def do_create_api_token(
    session: Session,
    actor: User,
    *,
    name: str,
    now: datetime,
    username: str | None = None,
    expires_at: datetime | None = None,
    scopes: list[str] | None = None,
) -> NewToken:
    """Create a bearer token acting as `username` (default: the actor). Admin only."""
    check_role(actor, ADMIN)
    owner = actor
    if username and username != actor.username:
        found = session.scalar(
            select(User).where(User.shop_id == actor.shop_id, User.username == username)
        )
        if found is None:
            raise NotFound(f"no user {username!r} in this shop")
        owner = found
    if expires_at is not None and expires_at <= now:
        raise ValueError("expires_at must be in the future")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        shop_id=actor.shop_id,
        user_id=owner.id,
        name=name.strip()[:100],
        token_hash=sha256(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        scopes=list(scopes or []),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    audit(
        session,
        shop_id=actor.shop_id,
        actor_id=actor.id,
        action="token.create",
        target=str(token.id),
        target_type="api_token",
        detail={"name": token.name, "user": owner.username, "prefix": token.prefix},
        now=now,
    )
    session.flush()
    return NewToken(token=token, raw=raw)


def access_api_tokens(session: Session, actor: User) -> list[tuple[ApiToken, User]]:
    """The shop's tokens with their owners, newest first. Admin only."""
    check_role(actor, ADMIN)
    rows = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.shop_id == actor.shop_id)
        .order_by(ApiToken.id.desc())
    )
    return [(token, user) for token, user in rows]


def do_revoke_api_token(session: Session, actor: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token of the actor's shop (idempotent). Admin only."""
    check_role(actor, ADMIN)
    token = session.get(ApiToken, token_id)
    if token is None or token.shop_id != actor.shop_id:
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = now
        audit(
            session,
            shop_id=actor.shop_id,
            actor_id=actor.id,
            action="token.revoke",
            target=str(token.id),
            target_type="api_token",
            detail={"name": token.name, "prefix": token.prefix},
            now=now,
        )
    session.flush()
    return token


def access_token_user(session: Session, raw: str, now: datetime) -> User | None:
    """The user a live bearer token acts as, else None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == sha256(raw)))
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    if _stale(token.last_used_at, now):
        token.last_used_at = now
    return user


def user_public(user: User) -> dict[str, Any]:
    """What the API shows about a user (never the password hash)."""
    return {
        "id": user.id,
        "shop_id": user.shop_id,
        "username": user.username,
        "display_name": user.display_name,
        "agent_no": user.agent_no,
        "role": user.role,
        "queues": list(user.queues or []),
        "status": user.status if user.status in AGENT_STATUSES else "offline",
    }
