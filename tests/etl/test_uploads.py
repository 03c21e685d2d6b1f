"""Uploads kept for a job live in the database in chunks, per tenant, and go when the run finishes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from stockwise.etl.repository.runs import UploadRepository
from tests.etl.helpers import csv_bytes, table_rows, upload
from tests.factories import make_actor


async def _pieces(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_an_upload_is_reassembled_from_its_chunks_by_its_tenant_only(
    client: httpx.AsyncClient, state: Any, tmp_path: Path
) -> None:
    owner = await make_actor(state)
    other = await make_actor(state)
    queued = await upload(client, owner, csv_bytes("code,name", "WH1,Main"), entity="locations", dry_run=True)
    run_id = queued.json()["id"]
    parts = (b"first,", b"second,", b"x" * 70_000, b"\xff\x00last")
    async with state.uow.tenant(owner.client_id) as uow:
        assert await UploadRepository(uow).store(run_id, _pieces(*parts)) == sum(map(len, parts))
    async with state.uow.tenant(owner.client_id, write=False) as uow:
        assert await UploadRepository(uow).write_to(run_id, tmp_path / "mine") == sum(map(len, parts))
    assert (tmp_path / "mine").read_bytes() == b"".join(parts)
    async with state.uow.tenant(other.client_id, write=False) as uow:
        assert await UploadRepository(uow).write_to(run_id, tmp_path / "theirs") == 0
    async with state.uow.tenant(other.client_id) as uow:
        await UploadRepository(uow).delete(run_id)
    assert len(await table_rows(state, owner.client_id, "import_upload_chunk", ("id",))) == len(parts)
    async with state.uow.tenant(owner.client_id) as uow:
        await UploadRepository(uow).delete(run_id)
    assert await table_rows(state, owner.client_id, "import_upload_chunk", ("id",)) == []
