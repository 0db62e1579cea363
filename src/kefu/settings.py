"""Process settings: environment variables prefixed `KEFU_` and an optional `.env` file.

Validated once at start; a bad value is reported as one line naming the variable
(`SettingsError`), never as a traceback. Only the database URL decides the database:
`sqlite:///...` (the default, an embedded file under the data directory) or
`postgresql+psycopg://...` switch with no other change.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# Secrets that ship in examples and templates: refused outside dev/demo, as in the FastAPI
# template, because a production server signing sessions with them is open to anyone.
KNOWN_DEFAULT_SECRETS = frozenset(
    {"", "changethis", "change-me", "changeme", "secret", "dev", "kefu", "kefu-dev", "kefu-demo"}
)
DEV_SECRET_KEY = "kefu-dev"  # used only when no key is configured in dev/test/demo mode
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg", "postgresql", "postgres")


class SettingsError(Exception):
    """A setting has a bad value; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KEFU_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["dev", "test", "production"] = "dev"
    demo: bool = False
    data_dir: Path = Path("./data")
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str | None = None
    bind: str = "127.0.0.1:8000"

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"malformed database URL {value!r}") from None
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ValueError(
                f"unsupported database {url.drivername!r} (use sqlite:///FILE or "
                "postgresql+psycopg://USER@HOST/DB)"
            )
        if url.drivername.startswith("postgres") and not url.database:
            raise ValueError(f"database URL {value!r} names no database")
        if url.drivername in ("postgresql", "postgres"):
            # The only PostgreSQL driver installed is psycopg 3; SQLAlchemy's default for a
            # bare postgresql:// would be psycopg2.
            value = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"malformed Redis URL {value!r} (expected redis://HOST:PORT/DB)")
        return value.strip()

    @field_validator("bind")
    @classmethod
    def _check_bind(cls, value: str) -> str:
        host, sep, port = value.strip().rpartition(":")
        if not sep or not host:
            raise ValueError(f"bind {value!r} must be HOST:PORT, e.g. 127.0.0.1:8000")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"bind {value!r} has no valid port (1-65535)")
        return value.strip()

    @model_validator(mode="after")
    def _check_secret(self) -> Settings:
        if self.env == "production" and not self.demo:
            if self.secret_key is None:
                raise ValueError("KEFU_SECRET_KEY is required when KEFU_ENV=production")
            if self.secret_key.strip().lower() in KNOWN_DEFAULT_SECRETS:
                raise ValueError(
                    "KEFU_SECRET_KEY is a known default secret; set a random one "
                    "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
                )
            if len(self.secret_key) < 16:
                raise ValueError("KEFU_SECRET_KEY is too short (at least 16 characters)")
        return self

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'kefu.sqlite3').as_posix()}"

    @property
    def effective_secret_key(self) -> str:
        return self.secret_key or DEV_SECRET_KEY

    @property
    def host(self) -> str:
        return self.bind.rpartition(":")[0]

    @property
    def port(self) -> int:
        return int(self.bind.rpartition(":")[2])


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if not field:
        return message
    return f"KEFU_{field.upper()}: {message}"


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings; raises `SettingsError` with one line on a bad value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(f"bad setting: {_one_line(exc)}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once); tests call `get_settings.cache_clear()`."""
    return load_settings()
