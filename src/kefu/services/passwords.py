"""Password hashing with argon2id (argon2-cffi's recommended parameters).

`verify_password(stored_hash, password)` never raises on a wrong or malformed hash: it says
False. `DUMMY_HASH` lets sign-in spend the same time on an unknown username as on a known
one, so response times do not reveal which usernames exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kefu.core.errors import InvalidInput

_hasher = PasswordHasher()

MIN_LENGTH = 8


class WeakPasswordError(InvalidInput):
    """The password is too short to be accepted."""


def hash_password(password: str) -> str:
    """An argon2id hash (salted, self-describing) of `password`."""
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError("weak_password", f"密码太短，至少 {MIN_LENGTH} 位")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches `stored_hash` (False for a missing or malformed hash)."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str | None) -> bool:
    """True when the hash uses older parameters (re-hash at the next successful sign-in)."""
    if not stored_hash:
        return False
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return False


# A hash of a random, forgotten password with the current parameters (a literal: computing
# it at import would cost every process half a second).
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$DJg8hNwctbpD9Pmi598ssQ$cx6TkYB24yOcmb8XvKZdc+U32SJXOVfWTQkjeVSbv78"
