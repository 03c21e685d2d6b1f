"""Real sources for connector tests: an HTTP server on a loopback address and a scratch PostgreSQL database.

The HTTP server listens on port 8080 (an allow-listed port) of a random 127.x.y.z address, so parallel
test runs do not collide. The resolver stands in for DNS, which this sandbox does not have.
"""

from __future__ import annotations

import asyncio
import random
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from ipaddress import ip_address

import asyncpg

from stockwise.core.netguard import IPAddress
from tests.conftest import PG_AVAILABLE, _pg_admin, _pg_url

HTTP_PORT = 8080


class FakeResolver:
    """Answers from a table; unknown names fail like getaddrinfo does."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ip_address(address) for address in self.table[host]]


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: When set, the request must carry this Authorization header or it gets a 401.
    authorization: str | None = None


@dataclass
class HttpSource:
    host: str
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[dict[str, str]] = field(default_factory=list)

    def url(self, path: str, host: str | None = None) -> str:
        return f"http://{host or self.host}:{HTTP_PORT}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        target = head[0].split(" ")[1]
        headers = {
            name.strip().lower(): value.strip()
            for name, value in (line.split(":", 1) for line in head[1:] if line)
        }
        self.seen.append({"target": target, **headers})
        route = self.routes.get(target, Route(status=404))
        if route.authorization is not None and headers.get("authorization") != route.authorization:
            route = Route(status=401)
        lines = [f"HTTP/1.1 {route.status} X", "Connection: close", f"Content-Length: {len(route.body)}"]
        lines += [f"{name}: {value}" for name, value in route.headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + route.body)
        await writer.drain()
        writer.close()


async def http_source() -> AsyncIterator[HttpSource]:
    """A running server; yields once (use with `async for`, as a fixture body)."""
    for _ in range(20):
        host = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(1, 254)}"
        source = HttpSource(host)
        try:
            server = await asyncio.start_server(source._serve, host, HTTP_PORT)
        except OSError:
            continue
        try:
            yield source
        finally:
            server.close()
            await server.wait_closed()
        return
    raise RuntimeError("no free loopback address for the test HTTP source")


@dataclass(frozen=True)
class PgSource:
    database: str
    user: str = "postgres"

    async def execute(self, sql: str) -> None:
        connection = await asyncpg.connect(_pg_url(self.database, driver="postgresql"))
        try:
            await connection.execute(sql)
        finally:
            await connection.close()


async def pg_source() -> AsyncIterator[PgSource]:
    """A scratch PostgreSQL database standing for a tenant's ERP; dropped afterwards."""
    assert PG_AVAILABLE
    name = f"sw_src_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield PgSource(name)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
