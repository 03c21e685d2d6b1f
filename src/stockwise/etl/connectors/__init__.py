"""Sources a connection can sync from, behind one protocol: each writes the entity's rows as a CSV file.

The CSV then goes through exactly the same parsing, validation, modes and report as an uploaded file.
Every outbound connection goes through `core.netguard` (resolve once, public addresses only, pinned).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from stockwise.etl.connectors.base import Network, SourceRejected
from stockwise.etl.connectors.http import HttpConnector
from stockwise.etl.connectors.postgresql import PostgresConnector
from stockwise.etl.parsing import EntityName

__all__ = ["Connector", "Network", "SourceRejected", "build_connector"]


class Connector(Protocol):
    async def fetch(self, entity: EntityName, target: Path, *, max_rows: int) -> None:
        """Write the entity's rows (header first) as UTF-8 CSV to `target`."""


def build_connector(config: Mapping[str, Any], secret: str | None, network: Network) -> Connector:
    """The connector for a stored (already validated) connection config."""
    if config["kind"] == "postgresql":
        return PostgresConnector(config, secret or "", network)
    return HttpConnector(config, secret, network)
