"""Entity side effects of a merge, and the merge itself in order: stock movements, demoted primaries.

A stock import explains every on-hand change with a `stock_movement` (reason `import`), including the
levels a `replace` removes. A file naming a product's primary supplier demotes the product's others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, exists, func, literal, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from stockwise.core.types import UTCDateTime
from stockwise.etl.repository.merge import (
    MergeCounts,
    MergePlan,
    apply_effect,
    count_changes,
    remove_unlisted,
    unlisted,
    upsert_statement,
)
from stockwise.etl.repository.tables import TABLES

IMPORT_REASON = "import"


@dataclass(frozen=True, slots=True)
class MovementStamp:
    """How stock movements written by an import are labelled."""

    reference: str
    user_id: int | None


async def merge_stage(
    session: AsyncSession, plan: MergePlan, *, dry_run: bool, stamp: MovementStamp
) -> MergeCounts:
    """Diff, then (unless a dry run) apply: removals, side effects and the one upsert, in that order."""
    staged, inserted, updated = await count_changes(session, plan)
    unchanged = staged - inserted - updated
    deleted = deactivated = 0
    is_stock = plan.target.entity == "stock"
    if plan.replace:
        if is_stock and not dry_run:
            await _insert_movements(session, plan, stamp, removed=True)
        deleted, deactivated = await remove_unlisted(session, plan, dry_run=dry_run)
    if "is_primary" in plan.stage.c:
        updated += await _demote_primaries(session, plan, dry_run=dry_run)
    if not dry_run:
        if is_stock:
            await _insert_movements(session, plan, stamp, removed=False)
        await session.execute(upsert_statement(plan))
    return MergeCounts(inserted, updated, unchanged, deleted, deactivated)


async def _insert_movements(
    session: AsyncSession, plan: MergePlan, stamp: MovementStamp, *, removed: bool
) -> None:
    """One INSERT … SELECT of movements: new minus old on-hand, or minus old for removed levels."""
    table = plan.table
    if removed:
        source: Any = table
        product, location = table.c.product_id, table.c.location_id
        change: ColumnElement[Any] = -table.c.on_hand
        where = and_(unlisted(plan), table.c.on_hand != 0)
    else:
        stage = plan.stage
        source = stage.outerjoin(table, plan.matches())
        product, location = stage.c.product_id, stage.c.location_id
        new = plan.new_value("on_hand")
        change = new - func.coalesce(table.c.on_hand, 0)
        where = new != func.coalesce(table.c.on_hand, 0)
    movements = TABLES["stock_movement"]
    values = (
        select(
            literal(plan.client_id, BigInteger()),
            product,
            location,
            change,
            literal(IMPORT_REASON),
            literal(stamp.reference),
            literal(stamp.user_id, BigInteger()),
            literal(plan.now, UTCDateTime()),
        )
        .select_from(source)
        .where(where)
    )
    columns = [
        "client_id",
        "product_id",
        "location_id",
        "quantity",
        "reason",
        "reference",
        "created_by",
        "created_at",
    ]
    await session.execute(movements.insert().from_select(columns, values))


async def _demote_primaries(session: AsyncSession, plan: MergePlan, *, dry_run: bool) -> int:
    """Other suppliers of a product the file marks primary stop being primary (at most one per product)."""
    table, stage = plan.table, plan.stage
    claimed = select(stage.c.product_id).where(stage.c.is_primary == true())
    same_row = exists().where(
        stage.c.product_id == table.c.product_id,
        stage.c.supplier_id == table.c.supplier_id,
        stage.c.is_primary == true(),
    )
    where = and_(
        table.c.client_id == plan.client_id,
        table.c.is_primary == true(),
        table.c.product_id.in_(claimed),
        ~same_row,
    )
    stmt = (
        None
        if dry_run
        else update(table).where(where).values(is_primary=False, **plan.timestamps_for_update())
    )
    return await apply_effect(session, table, where, stmt)
