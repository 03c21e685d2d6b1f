"""Short-lived JWT access tokens and opaque refresh tokens (only their SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from stockwise.core.errors import Unauthorized
from stockwise.core.types import utcnow

ALGORITHM = "HS256"
AUDIENCE = "stockwise-api"


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: int
    client_id: int
    token_version: int


def mint_access_token(
    *,
    secret: str,
    user_id: int,
    client_id: int,
    token_version: int,
    ttl: timedelta,
    now: datetime | None = None,
) -> str:
    issued = now or utcnow()
    payload = {
        "sub": str(user_id),
        "cid": client_id,
        "ver": token_version,
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        "aud": AUDIENCE,
        "typ": "access",
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, *, secret: str) -> AccessClaims:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["sub", "cid", "ver", "exp", "iat"]},
        )
        if payload.get("typ") != "access":
            raise Unauthorized("Invalid token")
        return AccessClaims(
            user_id=int(payload["sub"]), client_id=int(payload["cid"]), token_version=int(payload["ver"])
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("Token expired") from exc
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise Unauthorized("Invalid token") from exc


def new_refresh_token() -> tuple[str, str]:
    """Return (token for the client, hash to store)."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_family_id() -> str:
    return secrets.token_hex(16)
