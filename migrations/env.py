"""Alembic environment: one tree for SQLite and PostgreSQL, run with the owner URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import stockwise.models_index  # noqa: F401 - registers every table on the metadata
from stockwise.config import get_settings
from stockwise.core.db import create_database
from stockwise.core.models import Base

target_metadata = Base.metadata


def _url() -> str:
    return context.config.attributes.get("url") or get_settings().owner_url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    db = create_database(_url())
    async with db.engine.connect() as connection:
        await connection.run_sync(_configure)
        await connection.commit()
    await db.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
    else:
        asyncio.run(_run_online())
