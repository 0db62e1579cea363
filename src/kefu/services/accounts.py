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

from kefu.core import audiences, vocabulary
from kefu.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from kefu.core.permissions import Permission, has_permission
from kefu.core.vocabulary import Role
from kefu.db.models.accounts import AGENT_STATUSES, ApiToken, User, WebSession
from kefu.db.models.audit import AuditEntry
from kefu.db.models.shops import Shop
from kefu.db.uow import emit
from kefu.services import passwords

# policies.md §5 (the vocabulary and the permission table are defined in kefu.core).
ROLE_LADDER: Final = tuple(r.value for r in vocabulary.ROLE_LADDER)
ADMIN: Final = Role.ADMIN.value
ALL_ROLES: Final = vocabulary.codes(Role)
QUEUES: Final = vocabulary.codes(vocabulary.Queue)
SETTABLE_STATUSES: Final = tuple(s.value for s in vocabulary.SETTABLE_AGENT_STATUSES)
AGENT_STATUS_CHANGED = "accounts.agent_status_changed"

SESSION_LIFETIME = timedelta(hours=12)  # one working day, then sign in again
SEEN_RESOLUTION = timedelta(minutes=1)
TOKEN_PREFIX = "kefu_"

log = logging.getLogger(__name__)


class AuthError(DomainError):
    """Sign-in refused; `code` is stable (`bad_credentials`, `disabled`, `ambiguous_shop`).
    The attempt's audit row is kept although the request fails."""

    status = 401
    keep_writes = True

    def __init__(self, code: str) -> None:
        message = {
            "bad_credentials": "账号或密码错误，请重新输入",
            "disabled": "该账号已停用，请联系管理员",
            "ambiguous_shop": "该账号存在于多个店铺，请指定店铺",
        }.get(code, "登录失败")
        super().__init__(code, message)
        if code == "ambiguous_shop":
            self.status = 400


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
    actor_name: str | None = None,
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
            actor=actor.username if actor else (actor_name or "anonymous"),
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
    """Whether `role` passes a check naming `allowed` roles (a ladder role is a minimum;
    admin passes only when named). Prefer `check(user, Permission.X)`."""
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


def check(user: User, permission: Permission) -> None:
    """Refuse unless the user's role holds `permission` (core.permissions)."""
    if not has_permission(user.role, permission):
        raise PermissionDenied()


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
        # A shop named in the attempt that does not exist has no audit table to write in.
        known_shop = shop_id if shop_id and session.get(Shop, shop_id) is not None else None
        audit(
            session,
            shop_id=user.shop_id if user else known_shop,
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
    """Switch the agent's reception status 在线/忙碌/离开. Routing reads it; an agent coming
    online is given waiting buyers by the inbox's listener of `AGENT_STATUS_CHANGED`."""
    if status not in SETTABLE_STATUSES:
        raise InvalidInput("BAD_STATUS", "状态须为 online / busy / away")
    before = user.status
    user.status = status
    emit(
        session,
        AGENT_STATUS_CHANGED,
        {"type": "agent_status", "agent_id": user.username, "status": status},
        audiences.shop(user.shop_id),
        subject=user,
    )
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
    check(actor, Permission.API_TOKENS_MANAGE)
    owner = actor
    if username and username != actor.username:
        found = session.scalar(
            select(User).where(User.shop_id == actor.shop_id, User.username == username)
        )
        if found is None:
            raise NotFound("unknown_user", "店铺中没有该账号")
        owner = found
    if expires_at is not None and expires_at <= now:
        raise InvalidInput("bad_expiry", "过期时间必须晚于现在")
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
    check(actor, Permission.API_TOKENS_MANAGE)
    rows = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.shop_id == actor.shop_id)
        .order_by(ApiToken.id.desc())
    )
    return [(token, user) for token, user in rows]


def do_revoke_api_token(session: Session, actor: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token of the actor's shop (idempotent). Admin only."""
    check(actor, Permission.API_TOKENS_MANAGE)
    token = session.get(ApiToken, token_id)
    if token is None or token.shop_id != actor.shop_id:
        raise NotFound("not_found", "找不到该令牌")
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


# --- accounts: added, changed, disabled (the CLI and the admin pages alike) ---------------


def do_add_user(
    session: Session,
    *,
    shop_id: str,
    username: str,
    role: str,
    now: datetime,
    actor: User | None = None,
    actor_name: str = "cli",
    display_name: str = "",
    agent_no: str | None = None,
    password: str | None = None,
) -> User:
    """A new account; its queue is its role's (a ladder role that receives buyers)."""
    if actor is not None:
        check(actor, Permission.USERS_MANAGE)
    if role not in ALL_ROLES:
        raise InvalidInput("bad_role", f"角色须为 {'、'.join(ALL_ROLES)} 之一")
    if session.get(Shop, shop_id) is None:
        raise NotFound("not_found", f"店铺不存在：{shop_id}")
    exists = session.scalar(
        select(User.id).where(User.shop_id == shop_id, User.username == username)
    )
    if exists is not None:
        raise Conflict("user_exists", f"账号 {username} 已存在")
    user = User(
        shop_id=shop_id,
        username=username,
        display_name=display_name,
        agent_no=agent_no,
        role=role,
        queues=[role] if role in QUEUES else [],
        password_hash=passwords.hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    audit(
        session,
        shop_id=shop_id,
        actor_id=actor.id if actor else None,
        actor_name=actor_name,
        action="user.add",
        target=username,
        detail={"role": role, "agent_no": agent_no},
        now=now,
    )
    return user


def access_user(session: Session, shop_id: str, username: str) -> User:
    user = session.scalar(select(User).where(User.shop_id == shop_id, User.username == username))
    if user is None:
        raise NotFound("unknown_user", "店铺中没有该账号")
    return user


def do_set_password(
    session: Session,
    user: User,
    password: str,
    *,
    now: datetime,
    actor: User | None = None,
    actor_name: str = "cli",
) -> User:
    """A new password; the user's other sessions end (they sign in again)."""
    if actor is not None and actor.id != user.id:
        check(actor, Permission.USERS_MANAGE)
    user.password_hash = passwords.hash_password(password)
    _end_sessions(session, user, now)
    audit(
        session,
        shop_id=user.shop_id,
        actor_id=actor.id if actor else None,
        actor_name=actor_name,
        action="user.set_password",
        target=user.username,
        detail={},
        now=now,
    )
    return user


def do_disable_user(
    session: Session,
    user: User,
    *,
    now: datetime,
    actor: User | None = None,
    actor_name: str = "cli",
) -> User:
    """Sign-in refused from now on, open sessions and sockets ended; history stays."""
    if actor is not None:
        check(actor, Permission.USERS_MANAGE)
    before = {"is_active": user.is_active}
    user.is_active = False
    user.status = "offline"
    _end_sessions(session, user, now)
    audit(
        session,
        shop_id=user.shop_id,
        actor_id=actor.id if actor else None,
        actor_name=actor_name,
        action="user.disable",
        target=user.username,
        before=before,
        detail={"is_active": False},
        now=now,
    )
    return user


SESSION_ENDED = "accounts.session_ended"


def _end_sessions(session: Session, user: User, now: datetime) -> None:
    """Revoke the user's browser sessions and tell their open sockets to close."""
    for row in session.scalars(
        select(WebSession).where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
    ):
        row.revoked_at = now
    emit(
        session,
        SESSION_ENDED,
        {"type": "session_ended"},
        audiences.agent(user.shop_id, user.id),
    )
