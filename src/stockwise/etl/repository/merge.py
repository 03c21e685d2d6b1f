"""Set-based merge of the staging table into the target: the diff, `replace`, and ONE upsert.

Every effect is a predicate used twice: counted for a dry run, executed for a real one, so the dry
run reports exactly what the real run would do. A real run performs, in one transaction: the
removals of `replace`, entity side effects (stock movements, demoted primaries), then a single
`INSERT … SELECT … ON CONFLICT DO UPDATE` that only touches rows whose values change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Numeric,
    Table,
    and_,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Delete, Update

from stockwise.core.types import ExactDecimal, UTCDateTime
from stockwise.etl.parsing import SCALE
from stockwise.etl.repository.foreign_keys import foreign_keys_to, referenced
from stockwise.etl.targets import EntityTarget

Scope = Literal["file", "all"]


@dataclass(frozen=True, slots=True)
class MergeCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    deactivated: int = 0


@dataclass(frozen=True, slots=True)
class MergePlan:
    """One merge: which rows (tenant, staging table), which columns the file supplies, which mode."""

    target: EntityTarget
    table: Table
    stage: Table
    client_id: int
    dialect: str
    present: tuple[str, ...]
    replace: bool
    scope: Scope
    now: datetime

    @property
    def key(self) -> tuple[str, ...]:
        return self.target.key

    def new_value(self, name: str) -> ColumnElement[Any]:
        """The value a staged row gives `name` (scaled decimals converted, defaults for blanks)."""
        column = self.table.c[name]
        if name not in self.stage.c:
            return true()  # only `is_active` is added beyond the file: listed rows are active
        value: ColumnElement[Any] = self.stage.c[name]
        if isinstance(column.type, ExactDecimal) and self.dialect == "postgresql":
            value = cast(value, Numeric()) * literal_column(format(Decimal(1) / SCALE, "f"))
        default = column.default
        if not column.nullable and default is not None and not callable(default.arg):  # type: ignore[attr-defined]
            value = func.coalesce(value, literal(default.arg, column.type))  # type: ignore[attr-defined]
        return value

    @property
    def insert_columns(self) -> list[str]:
        names = list(self.target.column_names)
        if "is_active" in self.table.c and "is_active" not in names:
            names.append("is_active")
        return names

    @property
    def update_columns(self) -> list[str]:
        """Columns a conflicting row gets: those the file supplies, and `is_active` under replace."""
        names = [name for name in self.present if name not in self.key]
        if self.replace and "is_active" in self.table.c and "is_active" not in names:
            names.append("is_active")
        return names

    def matches(self) -> ColumnElement[bool]:
        return and_(
            self.table.c.client_id == self.client_id, *(self.table.c[k] == self.stage.c[k] for k in self.key)
        )

    def changed(self) -> ColumnElement[bool]:
        """True for a matched target row that the staged row would change."""
        columns = self.update_columns
        if not columns:
            return false()
        return or_(*(self.table.c[name].is_distinct_from(self.new_value(name)) for name in columns))

    def timestamps(self) -> dict[str, ColumnElement[Any]]:
        names = [name for name in ("created_at", "updated_at") if name in self.table.c]
        return {name: literal(self.now, UTCDateTime()) for name in names}

    def timestamps_for_update(self) -> dict[str, ColumnElement[Any]]:
        return {name: value for name, value in self.timestamps().items() if name == "updated_at"}


async def count_changes(session: AsyncSession, plan: MergePlan) -> tuple[int, int, int]:
    """(staged, would insert, would update) from one LEFT JOIN of staging onto the target."""
    is_new = plan.table.c[plan.key[0]].is_(None)
    stmt = select(
        func.count(),
        func.coalesce(func.sum(case((is_new, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(~is_new, plan.changed()), 1), else_=0)), 0),
    ).select_from(plan.stage.outerjoin(plan.table, plan.matches()))
    staged, inserted, updated = (await session.execute(stmt)).one()
    return int(staged), int(inserted), int(updated)


async def apply_effect(
    session: AsyncSession, table: Table, where: ColumnElement[bool], stmt: Delete | Update | None
) -> int:
    """Count the rows `where` selects (dry run, `stmt` None) or execute `stmt` and return its row count."""
    if stmt is None:
        return int(await session.scalar(select(func.count()).select_from(table).where(where)) or 0)
    result: Any = await session.execute(stmt)
    return int(result.rowcount)


def unlisted(plan: MergePlan) -> ColumnElement[bool]:
    """Target rows within the replace scope that the file does not list."""
    table, stage = plan.table, plan.stage
    listed = exists().where(*(stage.c[k] == table.c[k] for k in plan.key))
    conditions: list[ColumnElement[bool]] = [table.c.client_id == plan.client_id, ~listed]
    if plan.scope == "file" and plan.target.scope in ("located", "dated"):
        conditions.append(table.c.location_id.in_(select(stage.c.location_id).distinct()))
    if plan.scope == "file" and plan.target.scope == "dated":
        first = select(func.min(stage.c.sale_date)).scalar_subquery()
        last = select(func.max(stage.c.sale_date)).scalar_subquery()
        conditions.append(table.c.sale_date.between(first, last))
    return and_(*conditions)


async def remove_unlisted(session: AsyncSession, plan: MergePlan, *, dry_run: bool) -> tuple[int, int]:
    """`replace`: delete unlisted rows nothing references, deactivate the referenced ones still active."""
    table = plan.table
    gone = unlisted(plan)
    if plan.target.scope != "master":
        return await apply_effect(session, table, gone, None if dry_run else delete(table).where(gone)), 0
    kept = referenced(table, await foreign_keys_to(session, table.name))
    removable = and_(gone, ~kept)
    deleted = await apply_effect(
        session, table, removable, None if dry_run else delete(table).where(removable)
    )
    stale = and_(gone, kept, table.c.is_active == true())
    deactivate = update(table).where(stale).values(is_active=False, **plan.timestamps_for_update())
    deactivated = await apply_effect(session, table, stale, None if dry_run else deactivate)
    return deleted, deactivated


def upsert_statement(plan: MergePlan) -> Any:
    """The one INSERT … SELECT … ON CONFLICT DO UPDATE, in key order (index-friendly on PostgreSQL)."""
    insert = postgresql.insert if plan.dialect == "postgresql" else sqlite.insert
    names = plan.insert_columns
    stamps = plan.timestamps()
    source = (
        select(
            literal(plan.client_id, BigInteger()),
            *(plan.new_value(name) for name in names),
            *stamps.values(),
        )
        .select_from(plan.stage)
        # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT (else ON parses as a join).
        .where(true())
        .order_by(*(plan.stage.c[k] for k in plan.key))
    )
    stmt = insert(plan.table).from_select(["client_id", *names, *stamps], source)
    columns = plan.update_columns
    if not columns:
        return stmt.on_conflict_do_nothing(index_elements=["client_id", *plan.key])
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=["client_id", *plan.key],
        set_={**{name: excluded[name] for name in columns}, **plan.timestamps_for_update()},
        where=or_(*(plan.table.c[name].is_distinct_from(excluded[name]) for name in columns)),
    )
