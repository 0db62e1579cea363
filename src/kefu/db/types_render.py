"""How Alembic autogenerate writes kefu's custom column types into a migration.

Migrations must not import the models (they change later); so `UTCDateTime` is written as
the plain `sa.DateTime(timezone=True)` it is stored as, and the SQLite integer variant of
`BigId` as `sa.BigInteger().with_variant(sa.Integer(), "sqlite")`.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import BigInteger

from kefu.db.base import UTCDateTime


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    if type_ != "type":
        return False
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, BigInteger) and getattr(obj, "_variant_mapping", None):
        return 'sa.BigInteger().with_variant(sa.Integer(), "sqlite")'
    return False
