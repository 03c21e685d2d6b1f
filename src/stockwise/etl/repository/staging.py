"""The per-import TEMP staging table: created in the import's transaction, bulk-loaded, then merged.

PostgreSQL loads it with COPY on the session's own asyncpg connection (same transaction; RLS refuses
COPY into the real table, and a temp table has none). SQLite loads it with one executemany per file.
Decimal columns stay scaled integers here, exactly as the parser produced them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import polars as pl
from sqlalchemy import BigInteger, Column, Index, MetaData, Table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine

from stockwise.core.types import ExactDecimal
from stockwise.etl.repository.tables import TABLES
from stockwise.etl.targets import EntityTarget

StageProgress = Callable[[int], Awaitable[None]]


def target_table(target: EntityTarget) -> Table:
    return TABLES[target.table]


def stage_table(target: EntityTarget) -> Table:
    """A TEMP table with the target's columns; ExactDecimal columns become scaled BIGINTs."""
    source = target_table(target)
    columns = [Column(name, _stage_type(source.c[name].type)) for name in target.column_names]
    return Table(
        f"etl_stage_{target.entity}",
        MetaData(),
        *columns,
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DROP",
    )


def _stage_type(column_type: TypeEngine[Any]) -> TypeEngine[Any]:
    return BigInteger() if isinstance(column_type, ExactDecimal) else column_type


async def create_stage(session: AsyncSession, stage: Table, key: Sequence[str]) -> None:
    connection = await session.connection()
    await connection.run_sync(stage.create)
    if connection.dialect.name == "sqlite":
        # SQLite has no hash joins: without this index, every "is it listed?" probe scans the stage.
        index = Index(f"ix_{stage.name}_key", *(stage.c[name] for name in key))
        await connection.run_sync(index.create)


async def drop_stage(session: AsyncSession, stage: Table) -> None:
    connection = await session.connection()
    await connection.run_sync(stage.drop)


async def load_stage(
    session: AsyncSession, stage: Table, files: Sequence[str], on_file: StageProgress | None = None
) -> None:
    """Load every staging file in order (COPY on PostgreSQL, executemany on SQLite)."""
    connection = await session.connection()
    columns = [column.name for column in stage.columns]
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        for number, path in enumerate(files, start=1):
            await driver.copy_to_table(stage.name, source=path, columns=columns, format="csv")
            if on_file is not None:
                await on_file(number)
        return
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {stage.name} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - our names
    for number, path in enumerate(files, start=1):
        rows = await asyncio.to_thread(_read_rows, path)
        if rows:
            await connection.exec_driver_sql(sql, rows)
        if on_file is not None:
            await on_file(number)


def _read_rows(path: str) -> list[tuple[Any, ...]]:
    return pl.read_ipc(path).rows()
