"""Tenant planning settings and per-user preferences (typed, merged on PATCH)."""

from __future__ import annotations

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import select

from stockwise.core.errors import ValidationFailed
from stockwise.core.repository import TenantRepository
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.tenancy.audit import record_audit
from stockwise.tenancy.models import ClientSettings, UserPreference
from stockwise.tenancy.schemas import Preferences, PreferencesUpdate, SettingsRead, SettingsUpdate


class ClientSettingsRepository(TenantRepository[ClientSettings]):
    model = ClientSettings
    noun = "settings"


async def get_client_settings(uow: UnitOfWork) -> ClientSettings:
    """The tenant's settings row, created with defaults on first use."""
    repo = ClientSettingsRepository(uow)
    settings = (await uow.session.execute(repo._select())).scalars().first()
    if settings is None:
        settings = repo.add(ClientSettings())
        await uow.flush()
    return settings


async def update_client_settings(uow: UnitOfWork, data: SettingsUpdate) -> ClientSettings:
    settings = await get_client_settings(uow)
    before = SettingsRead.model_validate(settings).model_dump(mode="json")
    changes = data.model_dump(exclude_unset=True)
    nulls = [field for field, value in changes.items() if value is None]
    if nulls:
        raise ValidationFailed(
            "Invalid input",
            errors=[{"loc": ["body", f], "msg": "may not be null", "type": "none_forbidden"} for f in nulls],
        )
    for field, value in changes.items():
        setattr(settings, field, value)
    if settings.abc_cutoff_a >= settings.abc_cutoff_b:
        # Name the field the caller sent (both sent and misordered is caught by the schema).
        field = "abc_cutoff_a" if "abc_cutoff_a" in changes else "abc_cutoff_b"
        raise ValidationFailed.field(["body", field], "abc_cutoff_a must be below abc_cutoff_b")
    await uow.flush()
    after = SettingsRead.model_validate(settings).model_dump(mode="json")
    await record_audit(
        uow, action="settings.updated", entity_type="client_settings", before=before, after=after
    )
    return settings


async def _preference_row(uow: UnitOfWork) -> UserPreference | None:
    assert uow.principal is not None
    return (
        (
            await uow.session.execute(
                select(UserPreference).where(
                    UserPreference.client_id == uow.client_id,
                    UserPreference.user_id == uow.principal.user_id,
                )
            )
        )
        .scalars()
        .first()
    )


async def get_preferences(uow: UnitOfWork) -> Preferences:
    row = await _preference_row(uow)
    return Preferences.model_validate(row.data if row else {})


async def update_preferences(uow: UnitOfWork, data: PreferencesUpdate) -> Preferences:
    """Merge the given keys into the stored preferences of the acting user."""
    assert uow.principal is not None
    row = await _preference_row(uow)
    current = Preferences.model_validate(row.data if row else {})
    try:
        merged = Preferences.model_validate({**current.model_dump(), **data.model_dump(exclude_unset=True)})
    except PydanticValidationError as exc:
        raise ValidationFailed.from_pydantic(exc) from exc
    if row is None:
        row = UserPreference(client_id=uow.client_id, user_id=uow.principal.user_id)
        uow.session.add(row)
    row.data = merged.model_dump(mode="json")
    await uow.flush()
    return merged
