"""Entry point: `open_import` vets the whole file up front, `ParsedImport.batches()` streams valid rows.

Every file-level problem (encoding, header, columns, row count, ambiguous dates, malformed CSV) raises
`FileRejected` from `open_import`, before any batch exists. Row problems accumulate in `errors`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import polars as pl

from stockwise.etl.parsing.batch import ValidBatch
from stockwise.etl.parsing.columns import HeaderPlan, plan_columns
from stockwise.etl.parsing.dedupe import KeySummer, duplicate_errors, repeated_keys, split_repeated
from stockwise.etl.parsing.entities import ENTITIES, EntitySpec, Kind
from stockwise.etl.parsing.errors import ErrorLog, FileRejected
from stockwise.etl.parsing.options import DateFormat, DecimalMark, Detected, ImportOptions
from stockwise.etl.parsing.sniff import (
    COMMA_DECIMAL,
    COMMA_GROUPED_DOT_DECIMAL,
    choose_decimal,
    detect_date_format,
)
from stockwise.etl.parsing.source import CsvSource, prepare_source
from stockwise.etl.parsing.validate import BatchValidator
from stockwise.etl.parsing.values import non_blank


def open_import(path: str | Path, options: ImportOptions, *, work_dir: Path | None = None) -> ParsedImport:
    """Detect the format, check header and row count, and return a streamable import.

    Use it as a context manager: rewritten copies of the upload (cp1252, XLSX) live until `close()`.
    """
    temp = tempfile.TemporaryDirectory(prefix="stockwise-import-", dir=work_dir)
    try:
        source = prepare_source(Path(path), options, Path(temp.name))
        spec = ENTITIES[options.entity]
        plan = plan_columns(spec, source.header, options.column_mapping)
        return ParsedImport(spec, options, source, plan, _profile(source, plan, spec, options), temp)
    except BaseException:
        temp.cleanup()
        raise


@dataclass(frozen=True, slots=True)
class _Profile:
    rows: int
    decimal: DecimalMark
    date_format: DateFormat | None


class ParsedImport:
    """A vetted file. `columns`: canonical columns found; `row_count`: non-blank data rows.

    `batches()` yields `ValidBatch`es of at most `options.batch_size` rows, each key at most once in the
    whole file (duplicates become errors). With aggregate="sum" (sales), rows sharing sku, location and
    date are summed over the whole file, so batches come only once the file is read, one row per key:
    an upsert that overwrites is then correct. `errors` is complete once `batches()` is exhausted.
    """

    def __init__(
        self,
        spec: EntitySpec,
        options: ImportOptions,
        source: CsvSource,
        plan: HeaderPlan,
        profile: _Profile,
        temp: tempfile.TemporaryDirectory[str],
    ) -> None:
        self._spec = spec
        self._options = options
        self._source = source
        self._plan = plan
        self._temp = temp
        self.row_count = profile.rows
        self.detected = Detected(
            file_format="xlsx" if source.is_xlsx else "csv",
            encoding=source.encoding,
            delimiter=source.delimiter,
            decimal=profile.decimal,
            date_format=profile.date_format,
        )
        self.errors = ErrorLog(options.max_errors)

    @property
    def columns(self) -> tuple[str, ...]:
        return self._plan.present

    def batches(self) -> Iterator[ValidBatch]:
        """Validate the file batch by batch; calling it again starts over with a fresh error log."""
        self.errors = ErrorLog(self._options.max_errors)
        validator = BatchValidator(
            self._spec,
            self._plan.present,
            self.detected.decimal,
            self.detected.date_format or "iso",
            self._options.default_currency,
            from_xlsx=self._source.is_xlsx,
        )
        key = self._spec.key
        repeated = repeated_keys(validator.valid_keys(self._raw_lazy()), key)
        summer = (
            KeySummer(key, self._decimals, self._spec.names) if self._options.aggregate == "sum" else None
        )
        for raw in self._raw_frames():
            checked = validator.check(raw)
            valid, errors = checked.valid, checked.errors
            if summer is None:
                duplicates = duplicate_errors(checked.keys, repeated, key)
                errors = pl.concat([errors, duplicates]).sort("row", maintain_order=True)
                valid = valid.join(duplicates.select("row"), on="row", how="anti", maintain_order="left")
            else:
                valid, to_sum = split_repeated(valid, repeated, key)
                summer.add(to_sum)
            self.errors.extend_frame(errors)
            if valid.height:
                yield self._batch(valid)
        if summer is not None:
            yield from self._summed(summer)

    def _summed(self, summer: KeySummer) -> Iterator[ValidBatch]:
        totals, errors = summer.totals()
        self.errors.extend_frame(errors)
        size = self._options.batch_size
        for start in range(0, totals.height, size):
            yield self._batch(totals.slice(start, size))

    def _raw_lazy(self) -> pl.LazyFrame:
        """`row` plus the file's canonical columns, as text."""
        source = self._source
        cells = [pl.col(source.position(index)).alias(name) for index, name in _targets(self._plan)]
        return source.scan().select(source.row_number(), *cells)

    def _raw_frames(self) -> Iterator[pl.DataFrame]:
        size = self._options.batch_size
        stream = self._raw_lazy().collect_batches(chunk_size=size)
        while True:
            try:
                frame = next(stream)
            except StopIteration:
                return
            except pl.exceptions.ComputeError as exc:
                raise self._source.malformed() from exc
            yield from frame.iter_slices(size)

    @property
    def _decimals(self) -> tuple[str, ...]:
        return tuple(column.name for column in self._spec.columns if column.kind is Kind.DECIMAL)

    def _batch(self, frame: pl.DataFrame) -> ValidBatch:
        return ValidBatch(self._spec.name, frame, self._decimals)

    def close(self) -> None:
        self._temp.cleanup()

    def __enter__(self) -> ParsedImport:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _targets(plan: HeaderPlan) -> list[tuple[int, str]]:
    return [(index, name) for index, name in enumerate(plan.targets) if name is not None]


def _profile(source: CsvSource, plan: HeaderPlan, spec: EntitySpec, options: ImportOptions) -> _Profile:
    """One streaming pass over the file for the row count, blank-header data, decimal and date evidence."""
    cells = {name: non_blank(pl.col(source.position(index))) for index, name in _targets(plan)}
    exprs = [pl.any_horizontal([cell.is_not_null() for cell in cells.values()]).sum().alias("rows")]
    exprs += [
        non_blank(pl.col(source.position(i))).is_not_null().any().alias(f"blank{i}") for i in plan.blank
    ]
    numbers = [cell for name, cell in cells.items() if spec.column(name).kind in (Kind.DECIMAL, Kind.INTEGER)]
    if numbers and not source.is_xlsx and options.decimal == "auto" and source.delimiter != ",":
        exprs.append(_any_match(numbers, COMMA_DECIMAL).alias("comma"))
        exprs.append(_any_match(numbers, COMMA_GROUPED_DOT_DECIMAL).alias("dot"))
    date_column = next((name for name in cells if spec.column(name).kind is Kind.DATE), None)
    if date_column is not None and options.date_format == "auto":
        exprs.append(cells[date_column].drop_nulls().unique().implode().alias("dates"))
    try:
        stats = source.scan().select(exprs).collect().row(0, named=True)
    except pl.exceptions.ComputeError as exc:
        raise source.malformed() from exc
    _check_counts(stats, plan, options)
    decimal = choose_decimal(
        "." if source.is_xlsx else options.decimal,
        source.delimiter,
        comma_seen=bool(stats.get("comma")),
        dot_seen=bool(stats.get("dot")),
    )
    date_format: DateFormat | None = None
    if "dates" in stats:
        date_format = detect_date_format(pl.Series(stats["dates"], dtype=pl.String))
    elif date_column is not None and options.date_format != "auto":
        date_format = options.date_format
    return _Profile(rows=stats["rows"], decimal=decimal, date_format=date_format)


def _any_match(cells: list[pl.Expr], pattern: str) -> pl.Expr:
    return pl.any_horizontal([cell.str.contains(pattern).any() for cell in cells])


def _check_counts(stats: dict[str, object], plan: HeaderPlan, options: ImportOptions) -> None:
    for index in plan.blank:
        if stats[f"blank{index}"]:
            raise FileRejected("columns", f"column {index + 1} has data but no header")
    rows = stats["rows"]
    if rows == 0:
        raise FileRejected("file", "the file has no data rows")
    if isinstance(rows, int) and rows > options.max_rows:
        raise FileRejected("rows", f"the file has {rows} data rows, over the limit of {options.max_rows}")
