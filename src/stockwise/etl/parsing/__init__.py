"""Pure parsing and validation of tenant data imports (CSV/XLSX → typed batches + row errors); no database.

`open_import` rejects bad files up front (`FileRejected`); `ParsedImport.batches()` streams `ValidBatch`es
whose decimal columns are exact Int64 scaled by `SCALE` (`ValidBatch.records()` gives `Decimal`s).
"""

from stockwise.etl.parsing.batch import ValidBatch, resolve_references
from stockwise.etl.parsing.entities import ENTITIES, ColumnSpec, EntitySpec, Kind
from stockwise.etl.parsing.errors import ErrorLog, FileRejected, RowError
from stockwise.etl.parsing.options import Detected, EntityName, ImportOptions
from stockwise.etl.parsing.reader import ParsedImport, open_import
from stockwise.etl.parsing.report import write_error_report
from stockwise.etl.parsing.templates import template_csv
from stockwise.etl.parsing.values import SCALE, decimal_text

__all__ = [
    "ENTITIES",
    "SCALE",
    "ColumnSpec",
    "Detected",
    "EntityName",
    "EntitySpec",
    "ErrorLog",
    "FileRejected",
    "ImportOptions",
    "Kind",
    "ParsedImport",
    "RowError",
    "ValidBatch",
    "decimal_text",
    "open_import",
    "resolve_references",
    "template_csv",
    "write_error_report",
]
