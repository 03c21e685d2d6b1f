"""Encryption at rest for connector secrets (Fernet: AES-CBC + HMAC), keyed from the app's secret key.

The first key encrypts; every key decrypts, so keys rotate by putting the new one first.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# A label of its own keeps these keys apart from anything else derived from the same app secret.
_HKDF_INFO = b"stockwise-connector-secrets"


class SecretDecryptionError(Exception):
    """The token was tampered with, or none of the configured keys encrypted it."""


def _fernet_for(secret_key: str) -> Fernet:
    if not secret_key:
        raise ValueError("secret keys must not be empty")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


class SecretBox:
    """Encrypts and decrypts connector secrets; never logs or returns plaintext on failure."""

    def __init__(self, secret_keys: str | Sequence[str]) -> None:
        keys = [secret_keys] if isinstance(secret_keys, str) else list(secret_keys)
        if not keys:
            raise ValueError("at least one secret key is required")
        self._fernet = MultiFernet([_fernet_for(key) for key in keys])

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("utf-8")).decode("utf-8")
        except InvalidToken as exc:
            raise SecretDecryptionError("secret could not be decrypted") from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt `token` under the first key, so old keys can be retired."""
        try:
            return self._fernet.rotate(token.encode("utf-8")).decode("ascii")
        except InvalidToken as exc:
            raise SecretDecryptionError("secret could not be decrypted") from exc
