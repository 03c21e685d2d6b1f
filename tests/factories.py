"""Keyword-only async factories for tests: tenants and users with cheap hashing, tokens minted directly."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

from stockwise.core.principal import Role
from stockwise.core.unit_of_work import SystemReason
from stockwise.state import AppState
from stockwise.tenancy.models import Client, ClientSettings, User
from stockwise.tenancy.tokens import mint_access_token

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


@dataclass
class Actor:
    client_id: int
    user_id: int
    email: str
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def access_token_for(state: AppState, *, user_id: int, client_id: int, token_version: int = 0) -> str:
    return mint_access_token(
        secret=state.settings.secret_key.get_secret_value(),
        user_id=user_id,
        client_id=client_id,
        token_version=token_version,
        ttl=timedelta(seconds=state.settings.access_token_ttl_seconds),
    )


async def make_tenant(state: AppState, *, name: str | None = None) -> int:
    async with state.uow.system(SystemReason.TENANT_ADMIN_CLI) as uow:
        client = Client(name=name or f"Tenant {next(_counter)}", is_active=True)
        uow.session.add(client)
        await uow.flush()
        uow.session.add(ClientSettings(client_id=client.id))
        return client.id


async def make_user(
    state: AppState,
    *,
    client_id: int,
    role: Role = Role.ADMIN,
    email: str | None = None,
    password: str = PASSWORD,
) -> Actor:
    email = email or f"user{next(_counter)}@example.com"
    async with state.uow.tenant(client_id) as uow:
        user = User(
            client_id=client_id,
            email=email,
            password_hash=await state.hasher.hash(password),
            role=role,
            is_active=True,
            token_version=0,
        )
        uow.session.add(user)
        await uow.flush()
        user_id = user.id
    return Actor(
        client_id, user_id, email, role, access_token_for(state, user_id=user_id, client_id=client_id)
    )


async def make_actor(state: AppState, *, role: Role = Role.ADMIN, client_id: int | None = None) -> Actor:
    """A user (and, unless given, a new tenant) ready to call the API."""
    if client_id is None:
        client_id = await make_tenant(state)
    return await make_user(state, client_id=client_id, role=role)
