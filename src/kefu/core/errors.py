"""The one error family of kefu: a refused action with a stable code.

Every action that refuses raises a `DomainError` subclass. The edges translate it once:
the HTTP API answers `{"code", "detail"}` with the class's status, the WebSocket sends an
`error` frame `{"type": "error", "code", "message"}` and keeps the socket open, the CLI
prints one line. `code` is stable (clients and tests match on it); `message` is for
people, in zh-CN unless the edge translates the key `error.<code>` of the catalogue.

`keep_writes`: the refusal is itself a fact worth keeping (a failed sign-in's audit row):
the unit of work commits what was written before the error propagates.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """An action refused for a reason the caller can act on."""

    code: ClassVar[str] = "bad_request"
    status: int = 400  # the HTTP status the edge answers with (an instance may differ)
    default_message: ClassVar[str] = "请求无效"
    keep_writes: ClassVar[bool] = False

    def __init__(self, code: str | None = None, message: str | None = None, **params: Any):
        self.code = code or type(self).code  # type: ignore[misc]
        self.message = message or type(self).default_message
        self.params = params
        super().__init__(self.message)

    @property
    def message_key(self) -> str:
        return f"error.{self.code.lower()}"


class InvalidInput(DomainError):
    """The input breaks a rule of its format (too long, wrong type, unknown value)."""

    code = "bad_request"
    status = 422
    default_message = "输入不正确"


class Unauthenticated(DomainError):
    code = "not_authenticated"
    status = 401
    default_message = "请先登录"


class PermissionDenied(DomainError):
    """The actor's role does not allow the action (policies.md §5: enforced by the server)."""

    code = "forbidden"
    status = 403
    default_message = "没有权限执行此操作"


class NotFound(DomainError):
    """Nothing with that id in the actor's shop (other shops' rows are never revealed)."""

    code = "not_found"
    status = 404
    default_message = "找不到该内容"


class Conflict(DomainError):
    """The state changed under the caller (already decided, already rated, closed)."""

    code = "conflict"
    status = 409
    default_message = "状态已变化，请刷新后重试"


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = "操作太频繁，请稍后再试"


class Unavailable(DomainError):
    """A part kefu depends on (the database) does not answer; nothing was changed."""

    code = "unavailable"
    status = 503
    default_message = "服务暂时不可用，请稍后重试"
