"""Which tables point at a table, asked of the database catalogue itself.

`replace` hard-deletes only rows nothing references. The catalogue knows every foreign key, including
those of tables whose Python models this process never imported (a worker, the CLI), so it is asked.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import ColumnElement, Table, column, exists, false, or_, table, text
from sqlalchemy.ext.asyncio import AsyncSession

#: (referencing table, [(its column, the referenced column)]) for each foreign key.
ForeignKey = tuple[str, list[tuple[str, str]]]

_POSTGRESQL = text(
    """
    SELECT c.oid::text, c.conrelid::regclass::text, a.attname, r.attname
    FROM pg_constraint c
    CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(local, remote)
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.local
    JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = k.remote
    WHERE c.contype = 'f' AND c.confrelid = CAST(:name AS regclass) AND c.conrelid <> c.confrelid
    """
)
_SQLITE = text(
    """
    SELECT m.name || ':' || f.id, m.name, f."from", f."to"
    FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f
    WHERE m.type = 'table' AND f."table" = :name AND m.name <> :name
    """
)


async def foreign_keys_to(session: AsyncSession, name: str) -> list[ForeignKey]:
    statement = _POSTGRESQL if session.get_bind().dialect.name == "postgresql" else _SQLITE
    keys: dict[str, list[tuple[str, str]]] = defaultdict(list)
    tables: dict[str, str] = {}
    for key, referencing, local, remote in await session.execute(statement, {"name": name}):
        tables[key] = referencing
        keys[key].append((local, remote))
    return [(tables[key], pairs) for key, pairs in keys.items()]


def referenced(target: Table, foreign_keys: list[ForeignKey]) -> ColumnElement[bool]:
    """True for a row of `target` that some other row points at (the tenant key alone does not count)."""
    probes: list[ColumnElement[bool]] = []
    for name, pairs in foreign_keys:
        pairs = [(local, remote) for local, remote in pairs if remote != "client_id"]
        if not pairs:
            continue
        other = table(name, column("client_id"), *(column(local) for local, _ in pairs))
        matches = [other.c[local] == target.c[remote] for local, remote in pairs]
        probes.append(exists().where(other.c.client_id == target.c.client_id, *matches))
    return or_(*probes) if probes else false()
