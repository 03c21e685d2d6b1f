"""API schema building blocks shared by every domain: pages and ORM-readable base models."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field

from stockwise.core.models import MAX_ID

T = TypeVar("T")
MAX_PAGE_SIZE = 200


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WriteModel(BaseModel):
    """Request bodies: unknown fields are a 422, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PageRead(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @classmethod
    def of(cls, page: Any, convert: Callable[[Any], T]) -> PageRead[T]:
        items: Sequence[Any] = page.items
        return cls(
            items=[convert(item) for item in items],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
        )


PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Items per page (max {MAX_PAGE_SIZE})")]
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="Object id")]
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only rows of this id")]
IdRef = Annotated[int, Field(ge=1, le=MAX_ID, description="Id of a referenced object")]
