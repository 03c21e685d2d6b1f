"""SecretBox: round trip, tamper and wrong-key detection, key rotation."""

from __future__ import annotations

import pytest

from stockwise.core.secrets import SecretBox, SecretDecryptionError

OLD_KEY = "old-app-secret-key-0123456789"
NEW_KEY = "new-app-secret-key-9876543210"


@pytest.mark.parametrize("plain", ["s3cret", "", "pässwörd ✓ with spaces", "x" * 10_000])
def test_round_trip(plain: str) -> None:
    box = SecretBox(NEW_KEY)
    token = box.encrypt(plain)
    assert box.decrypt(token) == plain
    assert plain not in token or plain == ""


def test_same_key_string_gives_interoperable_boxes_and_fresh_tokens() -> None:
    first, second = SecretBox(NEW_KEY), SecretBox([NEW_KEY])
    token = first.encrypt("s3cret")
    assert second.decrypt(token) == "s3cret"
    assert first.encrypt("s3cret") != token


def test_wrong_key_is_refused() -> None:
    token = SecretBox(OLD_KEY).encrypt("s3cret")
    with pytest.raises(SecretDecryptionError):
        SecretBox(NEW_KEY).decrypt(token)


@pytest.mark.parametrize("position", [10, 40, -10])
def test_tampered_token_is_refused(position: int) -> None:
    box = SecretBox(NEW_KEY)
    token = box.encrypt("s3cret")
    index = position % len(token)
    flipped = "A" if token[index] != "A" else "B"
    tampered = token[:index] + flipped + token[index + 1 :]
    with pytest.raises(SecretDecryptionError):
        box.decrypt(tampered)


@pytest.mark.parametrize("token", ["", "not-a-token", "gAAAAA", "ünïcode"])
def test_garbage_is_refused(token: str) -> None:
    with pytest.raises(SecretDecryptionError):
        SecretBox(NEW_KEY).decrypt(token)


def test_rotation_decrypts_with_old_keys_and_re_encrypts_with_the_first() -> None:
    old_token = SecretBox(OLD_KEY).encrypt("s3cret")
    rotating = SecretBox([NEW_KEY, OLD_KEY])
    assert rotating.decrypt(old_token) == "s3cret"
    rotated = rotating.rotate(old_token)
    assert SecretBox(NEW_KEY).decrypt(rotated) == "s3cret"
    with pytest.raises(SecretDecryptionError):
        SecretBox(NEW_KEY).decrypt(old_token)
    with pytest.raises(SecretDecryptionError):
        SecretBox(OLD_KEY).decrypt(rotating.encrypt("fresh"))


def test_rotate_refuses_tokens_no_key_knows() -> None:
    with pytest.raises(SecretDecryptionError):
        SecretBox(NEW_KEY).rotate(SecretBox(OLD_KEY).encrypt("s3cret"))


@pytest.mark.parametrize("keys", [[], "", ["", NEW_KEY]])
def test_empty_keys_are_refused(keys: str | list[str]) -> None:
    with pytest.raises(ValueError, match="key"):
        SecretBox(keys)
