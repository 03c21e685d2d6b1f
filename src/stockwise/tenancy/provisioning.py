"""Creating tenants and users outside the API (CLI, demo seeding): explicit system units of work."""

from __future__ import annotations

from sqlalchemy import select

from stockwise.core.passwords import PasswordHasher
from stockwise.core.principal import Role
from stockwise.core.unit_of_work import SystemReason, UnitOfWorkFactory
from stockwise.tenancy import auth_service, users_service
from stockwise.tenancy.models import Client, ClientSettings, User
from stockwise.tenancy.schemas import SignupRequest, UserCreate


async def create_tenant(
    uows: UnitOfWorkFactory, hasher: PasswordHasher, *, name: str, admin_email: str, admin_password: str
) -> tuple[int, int]:
    """Create a tenant with its first admin; returns (client_id, user_id)."""
    data = SignupRequest(client_name=name, email=admin_email, password=admin_password)
    password_hash = await hasher.hash(admin_password)
    async with uows.system(SystemReason.TENANT_ADMIN_CLI) as uow:
        client, user = await auth_service.signup(uow, data, password_hash=password_hash)
        return client.id, user.id


async def create_user(
    uows: UnitOfWorkFactory, hasher: PasswordHasher, *, client_id: int, email: str, password: str, role: Role
) -> int:
    """Same rules as the admin API (email, password length, unique email) and the same audit event."""
    data = UserCreate(email=email, password=password, role=role)
    async with uows.tenant(client_id) as uow:
        if await uow.session.get(Client, client_id) is None:
            raise LookupError(f"tenant {client_id} does not exist")
        user = await users_service.create_user(uow, hasher, data)
        return user.id


async def ensure_demo_tenant(
    uows: UnitOfWorkFactory, hasher: PasswordHasher, *, name: str, email: str, password: str
) -> tuple[int, bool]:
    """Idempotent: returns (client_id, created) for the demo tenant owned by `email`."""
    async with uows.system(SystemReason.DEMO_SEED) as uow:
        existing = await uow.session.scalar(
            select(User).where(User.email == auth_service.normalise_email(email))
        )
        if existing is not None:
            return existing.client_id, False
        client = Client(name=name, is_active=True)
        uow.session.add(client)
        await uow.flush()
        uow.session.add(ClientSettings(client_id=client.id))
        uow.session.add(
            User(
                client_id=client.id,
                email=auth_service.normalise_email(email),
                full_name="Demo Admin",
                password_hash=await hasher.hash(password),
                role=Role.ADMIN,
                is_active=True,
                token_version=0,
            )
        )
        return client.id, True
