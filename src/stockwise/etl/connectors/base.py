"""What every connector shares: the network seam (resolver, test-only loopback) and row → CSV writing."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from stockwise.core.netguard import DestinationPolicy, OutboundError, Resolver


class SourceRejected(OutboundError):
    """The source answered, but not with something importable; `field` names the setting at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


@dataclass(frozen=True, slots=True)
class Network:
    """How connectors reach out: the resolver (None = system DNS) and the test-only loopback switch."""

    resolver: Resolver | None = None
    allow_loopback: bool = False

    def policy(self, ports: frozenset[int]) -> DestinationPolicy:
        return DestinationPolicy(allowed_ports=ports, allow_loopback=self.allow_loopback)


def cell_text(value: object) -> str:
    """A source value as the text an uploaded CSV would hold (exact decimals, ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def write_rows(stream: IO[str], header: Sequence[str] | None, rows: Iterable[Sequence[object]]) -> int:
    """Append rows (and the header, when given) to a CSV stream; returns the number of rows written."""
    writer = csv.writer(stream, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([cell_text(value) for value in row])
        count += 1
    return count
