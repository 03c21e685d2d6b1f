"""FastAPI dependencies: the app state, the authenticated unit of work and role checks.

The unit of work is opened with `scope="function"` so that it commits *before* the response is
sent: a failing commit becomes an error response, never a 200 for lost work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from stockwise.core.errors import Forbidden, Unauthorized
from stockwise.core.principal import Principal, Role
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.state import AppState
from stockwise.tenancy.auth_service import TokenPolicy, load_principal
from stockwise.tenancy.tokens import AccessClaims, decode_access_token

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.stockwise
    return state


State = Annotated[AppState, Depends(app_state)]


def token_policy(state: State) -> TokenPolicy:
    settings = state.settings
    return TokenPolicy(
        secret=settings.secret_key.get_secret_value(),
        access_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
        refresh_ttl=timedelta(days=settings.refresh_token_ttl_days),
    )


async def access_claims(state: State, token: Annotated[str | None, Depends(_bearer)]) -> AccessClaims:
    if not token:
        raise Unauthorized("Missing bearer token")
    return decode_access_token(token, secret=state.settings.secret_key.get_secret_value())


async def unit_of_work(
    request: Request, state: State, claims: Annotated[AccessClaims, Depends(access_claims)]
) -> AsyncIterator[UnitOfWork]:
    """One transaction per request, bound to the caller's tenant and principal."""
    write = request.method not in _READ_METHODS
    async with state.uow.tenant(claims.client_id, write=write) as uow:
        uow.principal = await load_principal(uow, claims)
        yield uow


UoW = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]


def require_role(minimum: Role) -> Callable[[UnitOfWork], Awaitable[UnitOfWork]]:
    """Role check as a dependency, so a forbidden call is a 403 before any object is looked up."""

    async def check(uow: UoW) -> UnitOfWork:
        if uow.principal is None or not uow.principal.has_role(minimum):
            raise Forbidden(f"This action needs the {minimum.value} role")
        return uow

    return check


AdminUoW = Annotated[UnitOfWork, Depends(require_role(Role.ADMIN))]
PlannerUoW = Annotated[UnitOfWork, Depends(require_role(Role.PLANNER))]


def principal_of(uow: UnitOfWork) -> Principal:
    if uow.principal is None:
        raise Unauthorized()
    return uow.principal
