"""Connectors: admin-only and audited, secrets encrypted and never returned, every unsafe destination
refused, and real syncs from a PostgreSQL database and an HTTP server with the file-import semantics."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from stockwise.core.principal import Role
from stockwise.core.secrets import SecretBox
from tests.conftest import PG_AVAILABLE
from tests.etl.helpers import csv_bytes, imported, seed_catalog, table_rows, wait_for_run
from tests.etl.sources import FakeResolver, HttpSource, PgSource, Route, http_source, pg_source
from tests.factories import Actor, make_actor, make_user

PUBLIC_IP = "93.184.216.34"
SECRET = "s3cr3t-Pa55word!"
needs_pg = pytest.mark.skipif(not PG_AVAILABLE, reason="the PostgreSQL source needs a PostgreSQL server")
loopback = pytest.mark.settings(connector_allow_loopback=True)


def _pg_config(host: str = PUBLIC_IP, **overrides: Any) -> dict[str, Any]:
    config = {
        "kind": "postgresql",
        "host": host,
        "database": "erp",
        "user": "reader",
        "sslmode": "disable",
        "queries": {"sales": "SELECT day AS date, item AS sku, store AS location, units AS qty FROM sold"},
    }
    return {**config, **overrides}


def _http_config(*urls: str, **overrides: Any) -> dict[str, Any]:
    return {"kind": "http", "urls": dict(zip(("sales", "stock"), urls, strict=False)), **overrides}


async def _create(
    client: httpx.AsyncClient, actor: Actor, config: dict[str, Any], **extra: Any
) -> httpx.Response:
    body = {"name": f"source-{uuid.uuid4().hex[:8]}", "config": config, **extra}
    return await client.post("/api/v1/etl/connections", json=body, headers=actor.headers)


async def _sync(client: httpx.AsyncClient, actor: Actor, connection_id: int, **body: Any) -> dict[str, Any]:
    resp = await client.post(
        f"/api/v1/etl/connections/{connection_id}/sync",
        json={"entity": "sales", **body},
        headers=actor.headers,
    )
    assert resp.status_code == 202, resp.text
    assert resp.headers["location"] == f"/api/v1/imports/{resp.json()['id']}"
    return await wait_for_run(client, actor, resp.json()["id"])


async def _sales(state: Any, client_id: int) -> list[tuple[Any, ...]]:
    return await table_rows(state, client_id, "sales", ("sale_date", "quantity"))


@pytest.fixture
async def source() -> AsyncIterator[HttpSource]:
    async for server in http_source():
        yield server


@pytest.fixture
async def erp() -> AsyncIterator[PgSource]:
    async for database in pg_source():
        await database.execute(
            "CREATE TABLE sold (day date, item text, store text, units numeric);"
            "INSERT INTO sold VALUES ('2025-03-01', 'A-1', 'WH1', 2.5), ('2025-03-02', 'C/3', 'ST1', 4)"
        )
        yield database


async def test_connections_are_for_admins_only(client: httpx.AsyncClient, state: Any) -> None:
    admin = await make_actor(state)
    created = await _create(client, admin, _pg_config())
    assert created.status_code == 201, created.text
    for role in (Role.PLANNER, Role.VIEWER):
        user = await make_user(state, client_id=admin.client_id, role=role)
        assert (await client.get("/api/v1/etl/connections", headers=user.headers)).status_code == 403
        assert (await _create(client, user, _pg_config())).status_code == 403
        sync = await client.post(
            f"/api/v1/etl/connections/{created.json()['id']}/sync",
            json={"entity": "sales"},
            headers=user.headers,
        )
        assert sync.status_code == 403


async def test_secrets_are_encrypted_at_rest_and_never_returned(
    client: httpx.AsyncClient, state: Any
) -> None:
    admin = await make_actor(state)
    created = await _create(client, admin, _pg_config(), secret=SECRET)
    assert created.status_code == 201 and created.json()["has_secret"] is True
    connection_id = created.json()["id"]
    renamed = await client.patch(
        f"/api/v1/etl/connections/{connection_id}", json={"name": "erp"}, headers=admin.headers
    )
    responses = [
        created,
        renamed,
        await client.get(f"/api/v1/etl/connections/{connection_id}", headers=admin.headers),
        await client.get("/api/v1/etl/connections", headers=admin.headers),
        await client.get(
            "/api/v1/audit-events", params={"entity_type": "etl_connection"}, headers=admin.headers
        ),
    ]
    for resp in responses:
        assert resp.status_code == 200 or resp.status_code == 201, resp.text
        assert SECRET not in resp.text
    [(stored,)] = await table_rows(state, admin.client_id, "etl_connection", ("secret_ciphertext",))
    assert SECRET not in stored
    assert SecretBox(state.settings.secret_key.get_secret_value()).decrypt(stored) == SECRET
    cleared = await client.patch(
        f"/api/v1/etl/connections/{connection_id}", json={"clear_secret": True}, headers=admin.headers
    )
    assert cleared.json()["has_secret"] is False


async def test_connection_changes_are_audited(client: httpx.AsyncClient, state: Any) -> None:
    admin = await make_actor(state)
    connection_id = (await _create(client, admin, _pg_config())).json()["id"]
    await client.patch(
        f"/api/v1/etl/connections/{connection_id}", json={"is_active": False}, headers=admin.headers
    )
    inactive = await client.post(
        f"/api/v1/etl/connections/{connection_id}/sync", json={"entity": "sales"}, headers=admin.headers
    )
    assert inactive.status_code == 409
    deleted = await client.delete(f"/api/v1/etl/connections/{connection_id}", headers=admin.headers)
    assert deleted.status_code == 204
    assert (
        await client.get(f"/api/v1/etl/connections/{connection_id}", headers=admin.headers)
    ).status_code == 404
    events = (
        await client.get(
            "/api/v1/audit-events", params={"entity_type": "etl_connection"}, headers=admin.headers
        )
    ).json()["items"]
    assert [event["action"] for event in events] == [
        "connection.deleted",
        "connection.updated",
        "connection.created",
    ]
    assert events[1]["before"]["is_active"] is True and events[1]["after"]["is_active"] is False


UNSAFE_POSTGRES = [
    pytest.param({"host": "127.0.0.1"}, "host", id="loopback"),
    pytest.param({"host": "169.254.169.254"}, "host", id="metadata"),
    pytest.param({"host": "[::ffff:127.0.0.1]"}, "host", id="ipv4-mapped-bracketed"),
    pytest.param({"host": "::ffff:169.254.169.254"}, "host", id="ipv4-mapped"),
    pytest.param({"host": "0x7f000001"}, "host", id="hex-loopback"),
    pytest.param({"host": "2130706433"}, "host", id="decimal-loopback"),
    pytest.param({"host": "64:ff9b::a9fe:a9fe"}, "host", id="nat64-metadata"),
    pytest.param({"host": "2002:7f00:1::"}, "host", id="6to4-loopback"),
    pytest.param({"host": "2001:0:4136:e378:8000:63bf:80ff:fffe"}, "host", id="teredo-loopback"),
    pytest.param({"host": "10.0.0.5"}, "host", id="private"),
    pytest.param({"host": "/var/run/postgresql"}, "host", id="unix-socket"),
    pytest.param({"host": "db1.example.com,db2.example.com"}, "host", id="multi-host"),
    pytest.param({"host": "reader@db.example.com"}, "host", id="userinfo"),
    pytest.param({"port": 22}, "port", id="port"),
    pytest.param({"database": "postgresql://evil.example/db"}, "database", id="dsn-as-database"),
    pytest.param({"database": "db host=10.0.0.1"}, "database", id="conninfo-in-database"),
    pytest.param({"queries": {"sales": "DELETE FROM sold"}}, "queries", id="not-a-select"),
    pytest.param({"queries": {"sales": "SELECT 1; DROP TABLE sold"}}, "queries", id="two-statements"),
]


@pytest.mark.parametrize(("override", "field"), UNSAFE_POSTGRES)
async def test_unsafe_postgresql_sources_are_refused(
    client: httpx.AsyncClient, state: Any, override: dict[str, Any], field: str
) -> None:
    admin = await make_actor(state)
    resp = await _create(client, admin, _pg_config(**override))
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"][0]["loc"][:3] == ["body", "config", field], resp.json()
    assert await table_rows(state, admin.client_id, "etl_connection", ("id",)) == []


UNSAFE_URLS = [
    "http://127.0.0.1/sales.csv",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::ffff:127.0.0.1]/sales.csv",
    "http://0x7f000001/sales.csv",
    "http://localhost/sales.csv",
    "http://reader:pw@example.com/sales.csv",
    "http://93.184.216.34:22/sales.csv",
    "ftp://93.184.216.34/sales.csv",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("url", UNSAFE_URLS)
async def test_unsafe_http_sources_are_refused(client: httpx.AsyncClient, state: Any, url: str) -> None:
    admin = await make_actor(state)
    state.connector_resolver = FakeResolver({"localhost": ["127.0.0.1", "::1"]})
    resp = await _create(client, admin, _http_config(url))
    assert resp.status_code == 422, resp.text
    assert resp.json()["errors"][0]["loc"] == ["body", "config", "urls", "sales"], resp.json()


@pytest.mark.parametrize(
    "answers", [["10.1.2.3"], [PUBLIC_IP, "192.168.1.10"], ["fd00::1"], ["::ffff:127.0.0.1"]]
)
async def test_a_hostname_resolving_to_a_private_address_is_refused(
    client: httpx.AsyncClient, state: Any, answers: list[str]
) -> None:
    admin = await make_actor(state)
    state.connector_resolver = FakeResolver({"erp.corp.example": answers, "feed.corp.example": answers})
    pg = await _create(client, admin, _pg_config("erp.corp.example"))
    assert pg.status_code == 422 and pg.json()["errors"][0]["msg"] == "host resolves to a non-public address"
    http = await _create(client, admin, _http_config("https://feed.corp.example/sales.csv"))
    assert http.status_code == 422 and http.json()["errors"][0]["loc"] == ["body", "config", "urls", "sales"]


async def test_the_loopback_switch_cannot_be_set_through_the_api(
    client: httpx.AsyncClient, state: Any
) -> None:
    admin = await make_actor(state)
    resp = await client.patch(
        "/api/v1/settings", json={"connector_allow_loopback": True}, headers=admin.headers
    )
    assert resp.status_code == 422
    assert (await _create(client, admin, _pg_config("127.0.0.1"))).status_code == 422


@needs_pg
@loopback
async def test_sync_from_a_postgresql_source(client: httpx.AsyncClient, state: Any, erp: PgSource) -> None:
    admin = await make_actor(state)
    await seed_catalog(client, admin)
    state.connector_resolver = FakeResolver({"erp.test": ["127.0.0.1"]})
    config = _pg_config("erp.test", port=5432, database=erp.database, user=erp.user)
    connection = await _create(client, admin, config, secret="unused-with-trust-auth")
    assert connection.status_code == 201, connection.text
    dry = await _sync(client, admin, connection.json()["id"], dry_run=True)
    assert dry["status"] == "succeeded" and dry["counts"]["inserted"] == 2, dry
    assert await _sales(state, admin.client_id) == []
    run = await _sync(client, admin, connection.json()["id"])
    assert run["source"] == "connection" and run["connection_id"] == connection.json()["id"]
    assert await _sales(state, admin.client_id) == [
        (date(2025, 3, 1), Decimal("2.5")),
        (date(2025, 3, 2), Decimal(4)),
    ]
    await erp.execute("INSERT INTO sold VALUES ('2025-03-02', 'NOPE', 'ST1', 1)")
    rejected = await _sync(client, admin, connection.json()["id"], mode="replace")
    assert rejected["status"] == "rejected" and rejected["errors"][0]["message"] == "unknown sku 'NOPE'"
    assert len(await _sales(state, admin.client_id)) == 2


@needs_pg
@loopback
async def test_a_failing_source_query_rejects_the_run(
    client: httpx.AsyncClient, state: Any, erp: PgSource
) -> None:
    admin = await make_actor(state)
    config = _pg_config(
        "127.0.0.1", database=erp.database, user=erp.user, queries={"sales": "SELECT * FROM missing"}
    )
    connection_id = (await _create(client, admin, config)).json()["id"]
    run = await _sync(client, admin, connection_id)
    assert run["status"] == "rejected"
    assert run["message"] == "source: the source database refused the connection or the query"
    no_query = await _sync(client, admin, connection_id, entity="stock")
    assert (
        no_query["status"] == "rejected"
        and no_query["message"] == "entity: the connection has no query for stock"
    )


@loopback
async def test_sync_from_an_http_source_with_csv_and_json(
    client: httpx.AsyncClient, state: Any, source: HttpSource
) -> None:
    admin = await make_actor(state)
    await seed_catalog(client, admin)
    token = "Bearer feed-token-123"
    rows = [{"date": "2025-04-01", "sku": "A-1", "location": "WH1", "qty": 1.5}]
    source.routes["/sales.csv"] = Route(
        body=csv_bytes("date,sku,location,qty", "2025-04-02,B-2,WH1,3"), authorization=token
    )
    source.routes["/sales.json"] = Route(
        body=json.dumps({"items": rows}).encode(),
        headers={"Content-Type": "application/json"},
        authorization=token,
    )
    state.connector_resolver = FakeResolver({"feed.test": [source.host]})
    csv_feed = await _create(
        client,
        admin,
        _http_config(source.url("/sales.csv", "feed.test"), auth_header="Authorization"),
        secret=token,
    )
    json_feed = await _create(
        client, admin, _http_config(source.url("/sales.json"), auth_header="Authorization"), secret=token
    )
    assert csv_feed.status_code == json_feed.status_code == 201, (csv_feed.text, json_feed.text)
    assert csv_feed.json()["config"]["urls"]["sales"]["host"] == "feed.test"
    for connection in (csv_feed, json_feed):
        run = await _sync(client, admin, connection.json()["id"])
        assert run["status"] == "succeeded" and run["counts"]["inserted"] == 1, run
    assert await _sales(state, admin.client_id) == [
        (date(2025, 4, 1), Decimal("1.5")),
        (date(2025, 4, 2), Decimal(3)),
    ]
    assert {seen["host"] for seen in source.seen} == {"feed.test:8080", f"{source.host}:8080"}
    unauthorised = await _create(client, admin, _http_config(source.url("/sales.csv")))
    failed = await _sync(client, admin, unauthorised.json()["id"])
    assert (
        failed["status"] == "rejected"
        and failed["message"] == "source: the source answered with HTTP status 401"
    )


@loopback
@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]:8080/x",
        "http://intranet.test:8080/x",
    ],
)
async def test_a_redirect_to_a_private_address_is_refused(
    client: httpx.AsyncClient, state: Any, source: HttpSource, location: str
) -> None:
    admin = await make_actor(state)
    await seed_catalog(client, admin)
    before = await _sales(state, admin.client_id)
    state.connector_resolver = FakeResolver({"intranet.test": ["10.20.30.40"]})
    source.routes["/sales.csv"] = Route(status=302, headers={"Location": location})
    connection_id = (await _create(client, admin, _http_config(source.url("/sales.csv")))).json()["id"]
    run = await _sync(client, admin, connection_id)
    assert run["status"] == "rejected" and run["message"].startswith("url: "), run
    assert [seen["target"] for seen in source.seen] == ["/sales.csv"]
    assert await _sales(state, admin.client_id) == before


async def test_the_destination_is_checked_again_at_sync_time(client: httpx.AsyncClient, state: Any) -> None:
    admin = await make_actor(state)
    await imported(client, admin, csv_bytes("code,name", "WH1,Main"), entity="locations")
    state.connector_resolver = FakeResolver({"erp.example": [PUBLIC_IP]})
    connection_id = (await _create(client, admin, _pg_config("erp.example"))).json()["id"]
    state.connector_resolver = FakeResolver({"erp.example": ["10.0.0.7"]})
    run = await _sync(client, admin, connection_id)
    assert run["status"] == "rejected" and run["message"] == "host: host resolves to a non-public address"
    listed = (await client.get("/api/v1/imports", headers=admin.headers)).json()["items"]
    assert [item["source"] for item in listed] == ["connection", "upload"]
