"""Import runs, their upload chunks, saved column mappings and connections: tenant-scoped row access."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

from sqlalchemy import Table, delete, insert, select

from stockwise.core.repository import Page, TenantRepository
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.etl.models import EtlConnection, ImportColumnMapping, ImportRun, ImportUploadChunk


class ImportRunRepository(TenantRepository[ImportRun]):
    model = ImportRun
    noun = "import"

    async def list_runs(
        self, *, page: int, page_size: int, entity: str | None, status: str | None
    ) -> Page[ImportRun]:
        stmt = self._select().order_by(ImportRun.id.desc())
        if entity:
            stmt = stmt.where(ImportRun.entity == entity)
        if status:
            stmt = stmt.where(ImportRun.status == status)
        return await self.paginate(stmt, page=page, page_size=page_size)

    async def error_report(self, run_id: int) -> bytes | None:
        stmt = select(ImportRun.error_report).where(
            ImportRun.client_id == self.client_id, ImportRun.id == run_id
        )
        return (await self.session.execute(stmt)).scalar()


class UploadRepository:
    """An upload stored as ordered chunks, written and read one chunk at a time (never held whole)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.session = uow.session
        self.client_id = uow.client_id
        self._table = cast(Table, ImportUploadChunk.__table__)

    async def store(self, run_id: int, chunks: AsyncIterator[bytes]) -> int:
        """Insert every chunk (Core inserts, so no chunk stays in the identity map); returns bytes stored."""
        size = 0
        seq = 0
        async for data in chunks:
            values = {"client_id": self.client_id, "import_run_id": run_id, "seq": seq, "data": data}
            await self.session.execute(insert(self._table).values(values))
            size += len(data)
            seq += 1
        return size

    async def write_to(self, run_id: int, path: Path) -> int:
        """Reassemble the upload into `path`, streaming chunk by chunk; returns the byte count."""
        stmt = (
            select(self._table.c.data)
            .where(self._table.c.client_id == self.client_id, self._table.c.import_run_id == run_id)
            .order_by(self._table.c.seq)
        )
        size = 0
        with path.open("wb") as stream:
            result = await self.session.stream(stmt)
            async for (data,) in result:
                stream.write(data)
                size += len(data)
        return size

    async def delete(self, run_id: int) -> None:
        await self.session.execute(
            delete(self._table).where(
                self._table.c.client_id == self.client_id, self._table.c.import_run_id == run_id
            )
        )


class ColumnMappingRepository(TenantRepository[ImportColumnMapping]):
    model = ImportColumnMapping
    noun = "column mapping"

    async def find_for(self, entity: str) -> ImportColumnMapping | None:
        result = await self.session.execute(self._select().where(ImportColumnMapping.entity == entity))
        return result.scalars().first()

    async def list_all(self) -> list[ImportColumnMapping]:
        result = await self.session.execute(self._select().order_by(ImportColumnMapping.entity))
        return list(result.scalars())


class EtlConnectionRepository(TenantRepository[EtlConnection]):
    model = EtlConnection
    noun = "connection"

    async def list_connections(self, *, page: int, page_size: int) -> Page[EtlConnection]:
        return await self.paginate(
            self._select().order_by(EtlConnection.name), page=page, page_size=page_size
        )

    async def find_by_name(self, name: str) -> EtlConnection | None:
        result = await self.session.execute(self._select().where(EtlConnection.name == name))
        return result.scalars().first()
