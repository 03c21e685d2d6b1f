"""Tenant administration: users, planning settings and the audit trail (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, status

from stockwise.core.errors import problems
from stockwise.core.schemas import ObjectId, PageNumber, PageRead, PageSize
from stockwise.tenancy import users_service
from stockwise.tenancy.audit import list_audit_events
from stockwise.tenancy.dependencies import AdminUoW, State, UoW
from stockwise.tenancy.schemas import (
    AuditEventRead,
    SettingsRead,
    SettingsUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)
from stockwise.tenancy.settings_service import get_client_settings, update_client_settings

router = APIRouter(tags=["admin"])


@router.get("/users", response_model=PageRead[UserRead], responses=problems(401, 403, 422))
async def list_users(
    uow: AdminUoW, page: PageNumber = 1, page_size: PageSize = 50, active: bool | None = None
) -> PageRead[UserRead]:
    """Users of the tenant."""
    result = await users_service.list_users(uow, page=page, page_size=page_size, active=active)
    return PageRead[UserRead].of(result, UserRead.model_validate)


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses=problems(401, 403, 409, 422),
)
async def create_user(body: UserCreate, uow: AdminUoW, state: State) -> UserRead:
    """Add a user to the tenant with a role."""
    return UserRead.model_validate(await users_service.create_user(uow, state.hasher, body))


@router.get("/users/{user_id}", response_model=UserRead, responses=problems(401, 403, 404))
async def get_user(user_id: ObjectId, uow: AdminUoW) -> UserRead:
    """One user of the tenant."""
    return UserRead.model_validate(await users_service.get_user(uow, user_id=user_id))


@router.patch("/users/{user_id}", response_model=UserRead, responses=problems(401, 403, 404, 409, 422))
async def update_user(user_id: ObjectId, body: UserUpdate, uow: AdminUoW) -> UserRead:
    """Change a user's name or role, or disable them (users are never deleted)."""
    return UserRead.model_validate(await users_service.update_user(uow, user_id=user_id, data=body))


@router.get("/settings", response_model=SettingsRead, responses=problems(401))
async def read_settings(uow: UoW) -> SettingsRead:
    """The tenant's planning settings."""
    return SettingsRead.model_validate(await get_client_settings(uow))


@router.patch("/settings", response_model=SettingsRead, responses=problems(401, 403, 422))
async def patch_settings(body: SettingsUpdate, uow: AdminUoW) -> SettingsRead:
    """Change planning settings (validated ranges); audited."""
    return SettingsRead.model_validate(await update_client_settings(uow, body))


@router.get("/audit-events", response_model=PageRead[AuditEventRead], responses=problems(401, 403, 422))
async def audit_events(
    uow: AdminUoW,
    page: PageNumber = 1,
    page_size: PageSize = 50,
    entity_type: str | None = None,
    action: str | None = None,
) -> PageRead[AuditEventRead]:
    """Who changed what and when, newest first."""
    result = await list_audit_events(
        uow, page=page, page_size=page_size, entity_type=entity_type, action=action
    )
    return PageRead[AuditEventRead].of(result, AuditEventRead.model_validate)
