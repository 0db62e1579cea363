import pytest

from kefu.services import passwords


def test_hash_and_verify_round_trip() -> None:
    stored = passwords.hash_password("kefu-demo-123")
    assert stored.startswith("$argon2id$")
    assert "kefu-demo-123" not in stored
    assert passwords.verify_password(stored, "kefu-demo-123")
    assert not passwords.verify_password(stored, "kefu-demo-124")
    assert not passwords.needs_rehash(stored)


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "$argon2id$v=19$broken"])
def test_verify_never_raises_on_a_bad_hash(stored: str | None) -> None:
    assert passwords.verify_password(stored, "whatever") is False


def test_short_passwords_are_refused() -> None:
    with pytest.raises(passwords.WeakPasswordError):
        passwords.hash_password("short")


def test_dummy_hash_is_a_valid_current_hash() -> None:
    assert not passwords.needs_rehash(passwords.DUMMY_HASH)
    assert not passwords.verify_password(passwords.DUMMY_HASH, "")
