"""Map a file's header cells to an entity's canonical columns.

A declared mapping wins over aliases; unknown, duplicate and missing required columns reject the file,
so that a typo never silently drops data. Header cells left blank are allowed only for empty columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from stockwise.etl.parsing.entities import EntitySpec, normalise_header
from stockwise.etl.parsing.errors import FileRejected

IGNORE = "ignore"


@dataclass(frozen=True, slots=True)
class HeaderPlan:
    """`targets[i]` is the canonical column of file column i, or None when it is ignored or blank."""

    targets: tuple[str | None, ...]
    blank: tuple[int, ...]

    @property
    def present(self) -> tuple[str, ...]:
        return tuple(target for target in self.targets if target is not None)


def plan_columns(spec: EntitySpec, headers: Sequence[str], mapping: Mapping[str, str]) -> HeaderPlan:
    """Resolve every header cell, collecting all problems into one rejection."""
    declared = _declared_mapping(spec, mapping)
    aliases = _alias_table(spec)
    targets: list[str | None] = []
    blank: list[int] = []
    unknown: list[str] = []
    for position, header in enumerate(headers):
        key = normalise_header(header)
        target = declared.get(key) or aliases.get(key)
        if not key and target is None:
            blank.append(position)
        elif target is None:
            unknown.append(header)
        targets.append(None if target in (None, IGNORE) else target)
    problems = _problems(spec, headers, targets, unknown)
    if problems:
        raise FileRejected("columns", "; ".join(problems))
    return HeaderPlan(tuple(targets), tuple(blank))


def _declared_mapping(spec: EntitySpec, mapping: Mapping[str, str]) -> dict[str, str]:
    canonical = {normalise_header(name): name for name in (*spec.names, IGNORE)}
    declared: dict[str, str] = {}
    for header, target in mapping.items():
        resolved = canonical.get(normalise_header(target))
        if resolved is None:
            allowed = ", ".join((*spec.names, IGNORE))
            raise FileRejected(
                "column_mapping", f"{header!r} is mapped to {target!r}, which is not one of: {allowed}"
            )
        declared[normalise_header(header)] = resolved
    return declared


def _alias_table(spec: EntitySpec) -> dict[str, str]:
    table: dict[str, str] = {}
    for column in spec.columns:
        for alias in (column.name, *column.aliases):
            table[normalise_header(alias)] = column.name
    return table


def _problems(
    spec: EntitySpec, headers: Sequence[str], targets: Sequence[str | None], unknown: Sequence[str]
) -> list[str]:
    problems: list[str] = []
    if unknown:
        names = ", ".join(repr(header) for header in unknown)
        problems.append(f"unknown columns {names}: map them in column_mapping (or to 'ignore')")
    seen: dict[str, str] = {}
    for header, target in zip(headers, targets, strict=True):
        if target is None:
            continue
        if target in seen:
            problems.append(f"columns {seen[target]!r} and {header!r} both map to {target}")
        else:
            seen[target] = header
    missing = [name for name in spec.required if name not in seen]
    if missing:
        problems.append(f"missing required columns: {', '.join(missing)}")
    return problems
