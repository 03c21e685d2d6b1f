"""What the caller asks of an import (`ImportOptions`) and what was found in the file (`Detected`).

Every format choice defaults to "auto"; an explicit choice always wins over detection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EntityName = Literal["locations", "suppliers", "products", "product_suppliers", "stock", "sales"]
Delimiter = Literal[",", ";", "\t"]
DecimalMark = Literal[".", ","]
Encoding = Literal["utf-8", "cp1252"]
DateFormat = Literal["iso", "dmy", "mdy"]

MIB = 1024 * 1024


class ImportOptions(BaseModel):
    """Options of one import. `column_mapping` maps a file header to a canonical column or "ignore"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entity: EntityName
    delimiter: Literal["auto"] | Delimiter = "auto"
    decimal: Literal["auto"] | DecimalMark = "auto"
    encoding: Literal["auto"] | Encoding = "auto"
    date_format: Literal["auto"] | DateFormat = "auto"
    column_mapping: dict[str, str] = Field(default_factory=dict)
    aggregate: Literal["none", "sum"] = "none"
    default_currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    max_rows: int = Field(default=1_000_000, ge=1)
    batch_size: int = Field(default=50_000, ge=1)
    max_errors: int = Field(default=10_000, ge=1)
    xlsx_max_uncompressed_bytes: int = Field(default=512 * MIB, ge=1)
    xlsx_max_ratio: float = Field(default=200.0, gt=1)

    @model_validator(mode="after")
    def _aggregate_only_for_sales(self) -> ImportOptions:
        if self.aggregate == "sum" and self.entity != "sales":
            raise ValueError("aggregate='sum' applies to sales only")
        return self


@dataclass(frozen=True, slots=True)
class Detected:
    """The format actually used; `date_format` is None when the entity has no date column."""

    file_format: Literal["csv", "xlsx"]
    encoding: Encoding
    delimiter: Delimiter
    decimal: DecimalMark
    date_format: DateFormat | None
