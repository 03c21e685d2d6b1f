"""Signup, login, refresh-token rotation, logout, and deriving the acting principal.

Access tokens are short-lived; every request re-reads the user (active, role, token version), so
disabling a user or "log out everywhere" takes effect at once without a deny-list server.
Refresh tokens rotate on every use; presenting a used one revokes its whole family.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from stockwise.core.errors import Conflict, Unauthorized
from stockwise.core.passwords import PasswordHasher
from stockwise.core.principal import Principal, Role
from stockwise.core.repository import TenantRepository
from stockwise.core.types import utcnow
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.tenancy.models import Client, ClientSettings, RefreshToken, User
from stockwise.tenancy.schemas import SignupRequest, TokenRead
from stockwise.tenancy.tokens import (
    AccessClaims,
    hash_refresh_token,
    mint_access_token,
    new_family_id,
    new_refresh_token,
)


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    secret: str
    access_ttl: timedelta
    refresh_ttl: timedelta


class UserRepository(TenantRepository[User]):
    model = User
    noun = "user"


EMAIL_TAKEN = "An account with this email already exists"


def normalise_email(email: str) -> str:
    return email.strip().casefold()


async def email_taken(uow: UnitOfWork, email: str) -> bool:
    """Emails are unique across tenants; callers hold a system unit of work for this look-up."""
    return (await uow.session.scalar(select(User.id).where(User.email == normalise_email(email)))) is not None


async def signup(uow: UnitOfWork, data: SignupRequest, *, password_hash: str) -> tuple[Client, User]:
    """Create a tenant, its default settings and its first admin (system unit of work).

    The caller hashes the password before opening the unit of work: argon2 takes ~170 ms, and on
    SQLite a write transaction holds the database-wide write lock for as long as it is open.
    """
    if await email_taken(uow, data.email):
        raise Conflict(EMAIL_TAKEN, extra={"field": "email"})
    client = Client(name=data.client_name, is_active=True)
    uow.session.add(client)
    await uow.flush()
    uow.session.add(ClientSettings(client_id=client.id))
    user = User(
        client_id=client.id,
        email=normalise_email(data.email),
        password_hash=password_hash,
        role=Role.ADMIN,
        is_active=True,
        token_version=0,
    )
    uow.session.add(user)
    try:
        await uow.flush()
    except IntegrityError as exc:  # a concurrent signup took the email after our check
        raise Conflict(EMAIL_TAKEN, extra={"field": "email"}) from exc
    return client, user


@dataclass(frozen=True, slots=True)
class LoginCandidate:
    user_id: int
    password_hash: str


async def find_login(uow: UnitOfWork, *, email: str) -> LoginCandidate | None:
    """The active user with this email in an active tenant (system unit of work: tenant unknown yet)."""
    row = (
        await uow.session.execute(
            select(User.id, User.password_hash)
            .join(Client, Client.id == User.client_id)
            .where(User.email == normalise_email(email), User.is_active.is_(True), Client.is_active.is_(True))
        )
    ).first()
    return LoginCandidate(user_id=row.id, password_hash=row.password_hash) if row else None


async def check_password(hasher: PasswordHasher, candidate: LoginCandidate | None, password: str) -> int:
    """Verify outside any transaction (argon2 is slow); unknown users cost the same and fail alike."""
    valid = await hasher.verify(password, candidate.password_hash if candidate else None)
    if candidate is None or not valid:
        raise Unauthorized("Incorrect email or password")
    return candidate.user_id


async def start_session(uow: UnitOfWork, *, user_id: int, policy: TokenPolicy) -> TokenRead:
    """Record the login and issue tokens; the user is re-read, as it may have been disabled meanwhile."""
    user = await uow.session.scalar(select(User).where(User.id == user_id, User.is_active.is_(True)))
    if user is None:
        raise Unauthorized("Incorrect email or password")
    user.last_login_at = utcnow()
    return await issue_tokens(uow, user, policy)


async def issue_tokens(
    uow: UnitOfWork, user: User, policy: TokenPolicy, *, family_id: str | None = None
) -> TokenRead:
    token, token_hash = new_refresh_token()
    uow.session.add(
        RefreshToken(
            client_id=user.client_id,
            user_id=user.id,
            family_id=family_id or new_family_id(),
            token_hash=token_hash,
            expires_at=utcnow() + policy.refresh_ttl,
        )
    )
    await uow.flush()
    access = mint_access_token(
        secret=policy.secret,
        user_id=user.id,
        client_id=user.client_id,
        token_version=user.token_version,
        ttl=policy.access_ttl,
    )
    return TokenRead(
        access_token=access, expires_in=int(policy.access_ttl.total_seconds()), refresh_token=token
    )


async def rotate_refresh_token(uow: UnitOfWork, token: str, policy: TokenPolicy) -> TokenRead | None:
    """Swap a refresh token for a new pair; reuse of a spent token revokes the whole family.

    Reuse returns None instead of raising: the revocation must be committed, and raising inside the
    unit of work would roll it back. The caller commits, then answers 401.
    """
    stored = await uow.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(token)).with_for_update()
    )
    if stored is None or stored.revoked_at is not None or stored.expires_at <= utcnow():
        raise Unauthorized("Invalid refresh token")
    if stored.used_at is not None:
        await revoke_family(uow, stored.family_id)
        return None
    user = await uow.session.scalar(select(User).where(User.id == stored.user_id))
    if user is None or not user.is_active:
        raise Unauthorized("Invalid refresh token")
    stored.used_at = utcnow()
    return await issue_tokens(uow, user, policy, family_id=stored.family_id)


async def revoke_family(uow: UnitOfWork, family_id: str) -> None:
    await uow.session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def revoke_all_sessions(uow: UnitOfWork, user: User) -> None:
    """Invalidate every access token (version bump) and refresh token of a user."""
    user.token_version += 1
    await uow.session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def logout(uow: UnitOfWork, *, refresh_token: str | None, all_sessions: bool) -> None:
    user = await UserRepository(uow).get(uow.principal.user_id if uow.principal else 0)
    if all_sessions:
        await revoke_all_sessions(uow, user)
        return
    if refresh_token:
        stored = await uow.session.scalar(
            select(RefreshToken).where(
                RefreshToken.token_hash == hash_refresh_token(refresh_token), RefreshToken.user_id == user.id
            )
        )
        if stored is not None:
            await revoke_family(uow, stored.family_id)


async def load_principal(uow: UnitOfWork, claims: AccessClaims) -> Principal:
    """The acting principal: one derivation for every route (the cart and checkout use the same)."""
    user = await UserRepository(uow).find(claims.user_id)
    if user is None or not user.is_active or user.token_version != claims.token_version:
        raise Unauthorized("Session is no longer valid")
    return Principal(client_id=user.client_id, user_id=user.id, role=Role(user.role))
