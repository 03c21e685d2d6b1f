"""Locations: warehouses and stores where stock is kept and sold (code unique per tenant)."""

from __future__ import annotations

from stockwise.catalog.models import Location
from stockwise.catalog.repository import LocationRepository
from stockwise.catalog.schemas import LocationCreate, LocationUpdate
from stockwise.catalog.service.common import apply_changes, delete_or_deactivate, save_unique
from stockwise.core.repository import Page
from stockwise.core.unit_of_work import UnitOfWork


async def create_location(uow: UnitOfWork, *, data: LocationCreate) -> Location:
    repo = LocationRepository(uow)
    location = repo.add(Location(**data.model_dump()))
    await save_unique(uow, repo, location, column=Location.code, field="code")
    return location


async def get_location(uow: UnitOfWork, *, location_id: int) -> Location:
    return await LocationRepository(uow).get(location_id)


async def update_location(uow: UnitOfWork, *, location_id: int, data: LocationUpdate) -> Location:
    repo = LocationRepository(uow)
    location = await repo.get(location_id)
    apply_changes(location, data)
    await save_unique(uow, repo, location, column=Location.code, field="code")
    return location


async def delete_location(uow: UnitOfWork, *, location_id: int) -> Location | None:
    """Deleted (None) unless stock, sales or orders reference it; then deactivated and returned."""
    repo = LocationRepository(uow)
    return await delete_or_deactivate(uow, repo, await repo.get(location_id))


async def list_locations(
    uow: UnitOfWork, *, q: str | None, active: bool | None, page: int, page_size: int
) -> Page[Location]:
    repo = LocationRepository(uow)
    return await repo.paginate(repo.listing(q=q, active=active), page=page, page_size=page_size)
