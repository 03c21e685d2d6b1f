"""PostgreSQL source: one SELECT per entity, run read-only with a statement timeout and a row cap.

psycopg connects to the address judged public (`hostaddr`), keeping `host` for TLS verification;
connection settings are keywords, never a DSN string the tenant could shape.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psycopg

from stockwise.core.netguard import POSTGRES_PORTS, FetchFailed, pinned_psycopg_params, resolve_public
from stockwise.etl.connectors.base import Network, SourceRejected, write_rows
from stockwise.etl.parsing import EntityName

FETCH_ROWS = 5_000
CONNECT_TIMEOUT_S = 10
STATEMENT_TIMEOUT_MS = 120_000


class PostgresConnector:
    def __init__(self, config: Mapping[str, Any], password: str, network: Network) -> None:
        self._config = config
        self._password = password
        self._network = network

    async def fetch(self, entity: EntityName, target: Path, *, max_rows: int) -> None:
        query = self._config["queries"].get(entity)
        if query is None:
            raise SourceRejected("entity", f"the connection has no query for {entity}")
        policy = self._network.policy(POSTGRES_PORTS)
        host, port = self._config["host"], self._config["port"]
        pinned = await resolve_public(host, port, policy=policy, resolver=self._network.resolver)
        params = pinned_psycopg_params(
            host,
            port,
            self._config["database"],
            self._config["user"],
            self._password,
            self._config["sslmode"],
            pinned,
            connect_timeout=CONNECT_TIMEOUT_S,
            statement_timeout_ms=STATEMENT_TIMEOUT_MS,
        )
        try:
            async with asyncio.timeout(policy.total_timeout):
                await _copy_query(params, query, target, max_rows)
        except TimeoutError as exc:
            raise FetchFailed("the source database did not answer in time") from exc
        except psycopg.Error as exc:
            # The driver's text may echo the query or the server's internals: keep it to the log.
            raise FetchFailed("the source database refused the connection or the query") from exc


async def _copy_query(params: dict[str, Any], query: str, target: Path, max_rows: int) -> None:
    # A named (server-side) cursor streams the result instead of loading it whole.
    async with (
        await psycopg.AsyncConnection.connect(**params) as connection,
        connection.cursor(name="stockwise_sync") as cursor,
    ):
        await cursor.execute(query)
        header = [column.name for column in cursor.description or ()]
        written = 0
        with target.open("w", encoding="utf-8", newline="") as stream:
            await asyncio.to_thread(write_rows, stream, header, ())
            while rows := await cursor.fetchmany(FETCH_ROWS):
                written += await asyncio.to_thread(write_rows, stream, None, rows)
                if written > max_rows:
                    raise SourceRejected("queries", f"the query returned more than {max_rows} rows")
