"""Source connections: create/change/delete (admins, audited), and sync requests that become import jobs.

A config is checked before it is stored: hosts are resolved and must be public (or loopback under the
test-only switch), ports allow-listed, URLs split into parts; the secret is encrypted with a key derived
from the app secret and never returned. The sync job checks the destination again (DNS may change).
"""

from __future__ import annotations

import dataclasses
import re
from ipaddress import IPv4Address
from typing import Any

from stockwise.config import Settings
from stockwise.core.errors import Conflict, ValidationFailed
from stockwise.core.jobs import enqueue_job
from stockwise.core.netguard import (
    HTTP_PORTS,
    POSTGRES_PORTS,
    UnsafeDestination,
    parse_http_url,
    pinned_psycopg_params,
    resolve_public,
)
from stockwise.core.repository import Page
from stockwise.core.secrets import SecretBox
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.etl.connectors import Network
from stockwise.etl.imports_service import IMPORT_JOB, create_run
from stockwise.etl.models import EtlConnection, ImportRun
from stockwise.etl.repository.runs import EtlConnectionRepository
from stockwise.etl.schemas import (
    EtlConnectionCreate,
    EtlConnectionUpdate,
    HttpSourceConfig,
    PostgresSourceConfig,
    SourceConfig,
    SyncRequest,
)
from stockwise.tenancy.audit import record_audit, snapshot

_AUDITED = ("name", "kind", "config", "is_active")
_QUERY_START = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
# Only to validate names and sslmode with the same rules as the real connection (never dialled).
_PLACEHOLDER_IP = IPv4Address("192.0.2.1")
_PG_FIELDS = {"dbname": "database", "password": "secret"}


def secret_box(settings: Settings) -> SecretBox:
    return SecretBox(settings.secret_key.get_secret_value())


async def list_connections(uow: UnitOfWork, *, page: int, page_size: int) -> Page[EtlConnection]:
    return await EtlConnectionRepository(uow).list_connections(page=page, page_size=page_size)


async def get_connection(uow: UnitOfWork, *, connection_id: int) -> EtlConnection:
    return await EtlConnectionRepository(uow).get(connection_id)


async def create_connection(
    uow: UnitOfWork, *, data: EtlConnectionCreate, box: SecretBox, network: Network
) -> EtlConnection:
    repo = EtlConnectionRepository(uow)
    await _require_free_name(repo, data.name)
    connection = EtlConnection(
        name=data.name,
        kind=data.config.kind,
        config=await checked_config(data.config, network),
        secret_ciphertext=box.encrypt(data.secret.get_secret_value()) if data.secret else None,
        is_active=True,
        created_by=uow.acting_user_id,
    )
    repo.add(connection)
    await uow.flush()
    await record_audit(
        uow, action="connection.created", entity_type="etl_connection", entity_id=connection.id,
        after=_audit_view(connection),
    )  # fmt: skip
    return connection


async def update_connection(
    uow: UnitOfWork, *, connection_id: int, data: EtlConnectionUpdate, box: SecretBox, network: Network
) -> EtlConnection:
    repo = EtlConnectionRepository(uow)
    connection = await repo.get(connection_id, for_update=True)
    before = _audit_view(connection)
    if data.name is not None and data.name != connection.name:
        await _require_free_name(repo, data.name)
        connection.name = data.name
    if data.config is not None:
        connection.kind = data.config.kind
        connection.config = await checked_config(data.config, network)
    if data.secret is not None:
        connection.secret_ciphertext = box.encrypt(data.secret.get_secret_value())
    elif data.clear_secret:
        connection.secret_ciphertext = None
    if data.is_active is not None:
        connection.is_active = data.is_active
    await uow.flush()
    await record_audit(
        uow, action="connection.updated", entity_type="etl_connection", entity_id=connection.id,
        before=before, after=_audit_view(connection),
    )  # fmt: skip
    return connection


async def delete_connection(uow: UnitOfWork, *, connection_id: int) -> None:
    """Delete a connection; its import runs stay as history."""
    repo = EtlConnectionRepository(uow)
    connection = await repo.get(connection_id, for_update=True)
    before = _audit_view(connection)
    await uow.session.delete(connection)
    await uow.flush()
    await record_audit(
        uow, action="connection.deleted", entity_type="etl_connection", entity_id=connection_id, before=before
    )


async def request_sync(uow: UnitOfWork, *, connection_id: int, params: SyncRequest) -> ImportRun:
    """Record an import run for the connection and queue the job that fetches and imports."""
    connection = await EtlConnectionRepository(uow).get(connection_id)
    if not connection.is_active:
        raise Conflict("The connection is disabled")
    run = await create_run(uow, params=params, source="connection", filename=connection.name, size=None)
    run.connection_id = connection.id
    job = await enqueue_job(uow, kind=IMPORT_JOB, payload={"import_run_id": run.id}, max_attempts=3)
    run.job_id = job.id
    await uow.flush()
    request = {
        "import_run_id": run.id,
        "entity": params.entity,
        "mode": params.mode,
        "dry_run": params.dry_run,
    }
    await record_audit(
        uow,
        action="connection.sync_requested",
        entity_type="etl_connection",
        entity_id=connection.id,
        after=request,
    )
    return run


async def checked_config(config: SourceConfig, network: Network) -> dict[str, Any]:
    """The config as stored, after every destination check; a refusal is a 422 naming the field."""
    if isinstance(config, PostgresSourceConfig):
        return await _checked_postgres(config, network)
    return await _checked_http(config, network)


async def _checked_postgres(config: PostgresSourceConfig, network: Network) -> dict[str, Any]:
    for entity, query in config.queries.items():
        _check_query(entity, query)
    try:
        await resolve_public(
            config.host, config.port, policy=network.policy(POSTGRES_PORTS), resolver=network.resolver
        )
        pinned_psycopg_params(
            config.host, config.port, config.database, config.user, "", config.sslmode, _PLACEHOLDER_IP
        )
    except UnsafeDestination as exc:
        raise _refusal(("config", _PG_FIELDS.get(exc.field, exc.field)), exc) from exc
    return config.model_dump()


async def _checked_http(config: HttpSourceConfig, network: Network) -> dict[str, Any]:
    policy = network.policy(HTTP_PORTS)
    urls: dict[str, dict[str, Any]] = {}
    for entity, url in config.urls.items():
        try:
            parts = parse_http_url(url, policy)
            await resolve_public(parts.host, parts.port, policy=policy, resolver=network.resolver)
        except UnsafeDestination as exc:
            raise _refusal(("config", "urls", entity), exc) from exc
        urls[entity] = dataclasses.asdict(parts)
    return {**config.model_dump(), "urls": urls}


def _check_query(entity: str, query: str) -> None:
    """One SELECT (or WITH … SELECT) statement; the session is read-only anyway, this keeps intent clear."""
    body = query.strip().rstrip(";").strip()
    if not _QUERY_START.match(body) or ";" in body:
        loc = ("body", "config", "queries", entity)
        raise ValidationFailed.field(loc, "must be a single SELECT statement")


def _refusal(loc: tuple[str, ...], exc: UnsafeDestination) -> ValidationFailed:
    return ValidationFailed.field(("body", *loc), exc.reason, "unsafe_destination")


async def _require_free_name(repo: EtlConnectionRepository, name: str) -> None:
    if await repo.find_by_name(name) is not None:
        raise Conflict(f"A connection named {name!r} already exists")


def _audit_view(connection: EtlConnection) -> dict[str, Any]:
    return {**snapshot(connection, _AUDITED), "has_secret": connection.secret_ciphertext is not None}
