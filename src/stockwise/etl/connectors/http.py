"""HTTP source: a URL per entity (stored as checked parts) answering CSV, or JSON rows turned into CSV.

The fetch goes through `fetch_http`: pinned address, every redirect judged again, size and time capped.
A configured header (e.g. Authorization) carries the decrypted secret to the configured host only.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from stockwise.core.netguard import HTTP_PORTS, FetchFailed, HttpUrlParts, fetch_http
from stockwise.etl.connectors.base import Network, SourceRejected, write_rows
from stockwise.etl.parsing import EntityName

_ROW_KEYS = ("items", "data", "rows", "results")


class HttpConnector:
    def __init__(self, config: Mapping[str, Any], secret: str | None, network: Network) -> None:
        self._config = config
        self._secret = secret
        self._network = network

    async def fetch(self, entity: EntityName, target: Path, *, max_rows: int) -> None:
        stored = self._config["urls"].get(entity)
        if stored is None:
            raise SourceRejected("entity", f"the connection has no URL for {entity}")
        header = self._config.get("auth_header")
        headers = {header: self._secret} if header and self._secret else {}
        response = await fetch_http(
            HttpUrlParts(**stored),
            policy=self._network.policy(HTTP_PORTS),
            resolver=self._network.resolver,
            headers=headers,
        )
        if response.status_code != 200:
            raise FetchFailed(f"the source answered with HTTP status {response.status_code}")
        if _is_json(self._config.get("format", "auto"), response.content_type):
            await asyncio.to_thread(_json_to_csv, response.body, target, max_rows)
        else:
            await asyncio.to_thread(target.write_bytes, response.body)


def _is_json(declared: str, content_type: str) -> bool:
    if declared != "auto":
        return declared == "json"
    return "json" in content_type.split(";")[0].lower()


def _json_to_csv(body: bytes, target: Path, max_rows: int) -> None:
    """A JSON array of objects (or one under items/data/rows/results) as CSV; numbers stay exact."""
    try:
        document = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceRejected("format", "the source did not return valid JSON") from exc
    rows = _rows_of(document)
    if len(rows) > max_rows:
        raise SourceRejected("urls", f"the source returned more than {max_rows} rows")
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with target.open("w", encoding="utf-8", newline="") as stream:
        write_rows(stream, columns, ([_scalar(row.get(column)) for column in columns] for row in rows))


def _rows_of(document: object) -> list[dict[str, Any]]:
    if isinstance(document, dict):
        document = next((document[key] for key in _ROW_KEYS if isinstance(document.get(key), list)), None)
    if not isinstance(document, list) or not all(isinstance(row, dict) for row in document):
        raise SourceRejected("format", "the JSON must be an array of objects (or hold one under 'items')")
    return document


def _scalar(value: object) -> object:
    if isinstance(value, dict | list):
        raise SourceRejected("format", "nested JSON values cannot be imported")
    return value
