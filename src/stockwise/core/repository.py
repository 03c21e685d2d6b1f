"""TenantRepository: the only query builder for tenant rows.

`_select()` is already filtered by the unit of work's tenant (and the session guard adds the same
criteria again), `add()` stamps the tenant, and look-ups by id return None or raise NotFound, so
another tenant's row is a 404, never a 500.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.dialects import postgresql, sqlite

from stockwise.core.errors import NotFound
from stockwise.core.models import MAX_ID, Base, TenantScoped
from stockwise.core.unit_of_work import UnitOfWork

M = TypeVar("M", bound=Base)
T = TypeVar("T")
AnyRow = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    page_size: int


class TenantRepository(Generic[M]):
    model: ClassVar[type[Any]]
    #: Name used in 404 problems ("product 12 not found").
    noun: ClassVar[str] = "object"

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.session = uow.session
        self.client_id = uow.client_id

    def _select(self) -> Select[Any]:
        model: Any = self.model
        return select(model).where(model.client_id == self.client_id)

    async def find(self, obj_id: int, *, for_update: bool = False) -> M | None:
        if not 0 < obj_id <= MAX_ID:
            return None  # cannot exist; also keeps out-of-range ids away from the driver
        stmt = self._select().where(self.model.id == obj_id)
        if for_update:
            stmt = stmt.with_for_update()
        obj: M | None = (await self.session.execute(stmt)).scalars().first()
        return obj

    async def get(self, obj_id: int, *, for_update: bool = False) -> M:
        obj = await self.find(obj_id, for_update=for_update)
        if obj is None:
            raise NotFound(f"{self.noun} {obj_id} not found")
        return obj

    def _insert(self) -> postgresql.Insert | sqlite.Insert:
        """The dialect's INSERT, for `on_conflict_do_update/do_nothing` (PostgreSQL; SQLite >= 3.35)."""
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        return dialect.insert(self.model)

    def add(self, obj: M) -> M:
        if isinstance(obj, TenantScoped):
            obj.client_id = self.client_id
        self.session.add(obj)
        return obj

    async def paginate(self, stmt: Select[Any], *, page: int, page_size: int) -> Page[M]:
        """One count and one page query: constant statements whatever the page size."""
        total = await self.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = await self.session.execute(stmt.limit(page_size).offset((page - 1) * page_size))
        return Page(
            items=rows.scalars().unique().all(), total=int(total or 0), page=page, page_size=page_size
        )

    async def paginate_rows(self, stmt: Select[*AnyRow], *, page: int, page_size: int) -> Page[Row[*AnyRow]]:
        """`paginate` for statements selecting several entities or columns (joins, aggregates)."""
        total = await self.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = await self.session.execute(stmt.limit(page_size).offset((page - 1) * page_size))
        return Page(items=rows.all(), total=int(total or 0), page=page, page_size=page_size)
