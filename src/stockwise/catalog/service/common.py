"""Write rules shared by every catalogue entity: unique codes (409 naming the field), PATCH semantics,
and delete-or-deactivate (a row that anything references is kept, inactive, so history survives).
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute

from stockwise.catalog.repository import CatalogRepository
from stockwise.core.errors import Conflict, ValidationFailed
from stockwise.core.unit_of_work import UnitOfWork


class Deactivatable(Protocol):
    id: Any
    is_active: Any


E = TypeVar("E", bound=Deactivatable)


def duplicate(field: str, value: object) -> Conflict:
    return Conflict(
        f"{field} {value!r} is already used",
        extra={"errors": [{"loc": ["body", field], "msg": "already used", "type": "unique"}]},
    )


def apply_changes(obj: object, data: BaseModel, *, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Copy the fields the client sent; an explicit null is refused unless the column is nullable."""
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field not in nullable:
            raise ValidationFailed.field(["body", field], "may not be null")
        setattr(obj, field, value)
    return changes


async def save_unique(
    uow: UnitOfWork,
    repo: CatalogRepository[Any],
    obj: Deactivatable,
    *,
    column: InstrumentedAttribute[Any],
    field: str,
) -> None:
    """Flush `obj`, answering 409 naming `field` when its value is taken (checked, then enforced)."""
    value = getattr(obj, field)
    if await repo.is_taken(column, value, exclude_id=obj.id):
        raise duplicate(field, value)
    try:
        await uow.flush()
    except IntegrityError as exc:  # a concurrent request took the value between check and flush
        raise duplicate(field, value) from exc


async def delete_or_deactivate(uow: UnitOfWork, repo: CatalogRepository[Any], obj: E) -> E | None:
    """None when the row was deleted; the (now inactive) row when something still references it."""
    if await repo.delete_if_unreferenced(obj.id):
        return None
    obj.is_active = False
    await uow.flush()
    return obj
