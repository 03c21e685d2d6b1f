"""Code → id look-ups of the tenant's catalogue, loaded once per import (one query per kind)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, select

from stockwise.core.unit_of_work import UnitOfWork
from stockwise.etl.repository.tables import TABLES
from stockwise.etl.targets import ReferenceKind

_CODES: dict[ReferenceKind, tuple[Table, str]] = {
    "products": (TABLES["product"], "sku"),
    "locations": (TABLES["location"], "code"),
    "suppliers": (TABLES["supplier"], "code"),
}


async def load_reference_codes(
    uow: UnitOfWork, kinds: Iterable[ReferenceKind]
) -> dict[ReferenceKind, dict[str, int]]:
    """Every code of the tenant for each kind (inactive rows included: history may name them)."""
    codes: dict[ReferenceKind, dict[str, int]] = {}
    for kind in kinds:
        table, column = _CODES[kind]
        stmt = select(table.c[column], table.c.id).where(table.c.client_id == uow.client_id)
        codes[kind] = {code: row_id for code, row_id in await uow.session.execute(stmt)}
    return codes
