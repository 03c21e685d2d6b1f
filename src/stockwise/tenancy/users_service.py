"""Tenant user administration: users are disabled, not deleted; a tenant always keeps an active admin."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from stockwise.core.errors import Conflict
from stockwise.core.passwords import PasswordHasher
from stockwise.core.principal import Role
from stockwise.core.repository import Page
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.tenancy.audit import record_audit, snapshot
from stockwise.tenancy.auth_service import (
    EMAIL_TAKEN,
    UserRepository,
    email_taken,
    normalise_email,
    revoke_all_sessions,
)
from stockwise.tenancy.models import Client, User
from stockwise.tenancy.schemas import UserCreate, UserUpdate

AUDITED = ("email", "full_name", "role", "is_active")


async def get_client(uow: UnitOfWork) -> Client:
    client = await uow.session.get(Client, uow.client_id)
    assert client is not None, "a unit of work always belongs to an existing tenant"
    return client


async def get_user(uow: UnitOfWork, *, user_id: int) -> User:
    return await UserRepository(uow).get(user_id)


async def list_users(uow: UnitOfWork, *, page: int, page_size: int, active: bool | None = None) -> Page[User]:
    repo = UserRepository(uow)
    stmt = repo._select().order_by(User.id)
    if active is not None:
        stmt = stmt.where(User.is_active.is_(active))
    return await repo.paginate(stmt, page=page, page_size=page_size)


async def create_user(uow: UnitOfWork, hasher: PasswordHasher, data: UserCreate) -> User:
    """Add a user; emails are unique across tenants, and only the unique index sees other tenants."""
    if await email_taken(uow, data.email):
        raise Conflict(EMAIL_TAKEN, extra={"field": "email"})
    user = UserRepository(uow).add(
        User(
            email=normalise_email(data.email),
            full_name=data.full_name,
            role=data.role,
            password_hash=await hasher.hash(data.password),
            is_active=True,
            token_version=0,
        )
    )
    try:
        await uow.flush()
    except IntegrityError as exc:
        raise Conflict(EMAIL_TAKEN, extra={"field": "email"}) from exc
    await record_audit(
        uow, action="user.created", entity_type="user", entity_id=user.id, after=snapshot(user, AUDITED)
    )
    return user


async def _lock_active_admins(uow: UnitOfWork) -> int:
    """Lock the tenant's active admin rows (in id order, so lockers queue rather than deadlock).

    Two admins demoting each other at once would otherwise both count two admins and leave none;
    on PostgreSQL the second waits here and then counts the rows as the first left them.
    """
    ids = await uow.session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN, User.is_active.is_(True))
        .order_by(User.id)
        .with_for_update()
    )
    return len(ids.all())


async def update_user(uow: UnitOfWork, *, user_id: int, data: UserUpdate) -> User:
    changes = {key: value for key, value in data.model_dump(exclude_unset=True).items() if value is not None}
    touches_admins = "role" in changes or "is_active" in changes
    active_admins = await _lock_active_admins(uow) if touches_admins else 0
    user = await UserRepository(uow).get(user_id, for_update=True)
    # The caller's own row may sit in the session from before the lock: read it as it is now.
    await uow.session.refresh(user)
    before = snapshot(user, AUDITED)
    loses_admin = (
        user.role == Role.ADMIN
        and user.is_active
        and (changes.get("role", Role.ADMIN) != Role.ADMIN or changes.get("is_active") is False)
    )
    if loses_admin and active_admins <= 1:
        raise Conflict("The last active admin cannot be demoted or disabled", extra={"field": "role"})
    for field in ("full_name", "role"):
        if field in changes:
            setattr(user, field, changes[field])
    if changes.get("is_active") is False and user.is_active:
        user.is_active = False
        await revoke_all_sessions(uow, user)
    elif changes.get("is_active") is True:
        user.is_active = True
    await uow.flush()
    await record_audit(
        uow,
        action="user.updated",
        entity_type="user",
        entity_id=user.id,
        before=before,
        after=snapshot(user, AUDITED),
    )
    return user
