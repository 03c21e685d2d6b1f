"""`stockwise` command line: serve, worker, migrate, tenants, users, demo."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from stockwise.config import get_settings
from stockwise.core.principal import Role
from stockwise.etl.cli import import_file

T = TypeVar("T")
app = typer.Typer(help="Stockwise inventory planning service.", no_args_is_help=True)
tenants = typer.Typer(help="Manage tenants.", no_args_is_help=True)
users = typer.Typer(help="Manage users.", no_args_is_help=True)
app.add_typer(tenants, name="tenants")
app.add_typer(users, name="users")
app.command("import")(import_file)
console = Console()

DEMO_EMAIL = "demo@stockwise.example"
DEMO_PASSWORD = "demo-password-123"  # noqa: S105 - documented demo login for the local sandbox


def _alembic_config() -> object:
    from alembic.config import Config

    root = Path(__file__).resolve().parents[2]
    return Config(str(root / "alembic.ini"))


@app.command()
def migrate() -> None:
    """Upgrade the database schema to the latest version (uses the owner URL)."""
    from alembic import command

    command.upgrade(_alembic_config(), "head")  # type: ignore[arg-type]
    console.print("[green]database is up to date[/green]")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Serve the API (embedded job runner unless Redis is configured)."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "stockwise.app:create_app",
        factory=True,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=",".join(settings.trusted_proxies),
        log_config=None,
    )


@app.command()
def worker(concurrency: Annotated[int, typer.Option(help="Jobs run at once")] = 4) -> None:
    """Run jobs from the Redis broker (start as many as you like, on any machine)."""
    from stockwise.worker import run_worker

    settings = get_settings()
    if not settings.redis_url:
        raise typer.BadParameter("STOCKWISE_REDIS_URL must be set for a separate worker")
    asyncio.run(run_worker(settings, concurrency=concurrency))


def _state():  # type: ignore[no-untyped-def]
    from stockwise.state import build_state

    return build_state(get_settings())


def _run_or_exit(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a command's coroutine; bad input ends with a clear message and exit code 2, not a traceback."""
    from pydantic import ValidationError

    from stockwise.core.errors import DomainError

    try:
        return asyncio.run(work())
    except ValidationError as exc:
        fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        console.print(f"[red]invalid input[/red] — {fields}")
    except (DomainError, LookupError) as exc:
        console.print(f"[red]{exc}[/red]")
    raise typer.Exit(code=2)


@tenants.command("create")
def tenants_create(
    name: Annotated[str, typer.Argument(help="Company name")],
    admin_email: Annotated[str, typer.Option(help="Email of the first admin")],
    admin_password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create a tenant with its first admin."""
    from stockwise.tenancy.provisioning import create_tenant

    async def run() -> tuple[int, int]:
        state = _state()
        try:
            return await create_tenant(
                state.uow, state.hasher, name=name, admin_email=admin_email, admin_password=admin_password
            )
        finally:
            await state.db.dispose()

    client_id, user_id = _run_or_exit(run)
    console.print(f"tenant [bold]{client_id}[/bold] created with admin user {user_id}")


@users.command("create")
def users_create(
    tenant: Annotated[int, typer.Option(help="Tenant id")],
    email: Annotated[str, typer.Option(help="Login email")],
    role: Annotated[Role, typer.Option(help="admin, planner or viewer")] = Role.PLANNER,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Add a user to a tenant."""
    from stockwise.tenancy.provisioning import create_user

    async def run() -> int:
        state = _state()
        try:
            return await create_user(
                state.uow, state.hasher, client_id=tenant, email=email, password=password, role=role
            )
        finally:
            await state.db.dispose()

    console.print(f"user [bold]{_run_or_exit(run)}[/bold] created")


@app.command()
def demo(
    scale: Annotated[float, typer.Option(min=0.01, max=20.0, help="1 = ~2,000 products, 1.7M sales")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data")] = 42,
    wait: Annotated[bool, typer.Option(help="Seed in this process and wait for it")] = False,
) -> None:
    """Create (once) the demo tenant, queue the seeding of its data (once) and print its login.

    The seed is a job: the server's job runner (or a worker) loads it in the background.
    """
    from datetime import UTC, datetime

    from stockwise.inventory.demo_seed import DemoSeedOptions, seed_demo_data
    from stockwise.tenancy.provisioning import ensure_demo_tenant

    options = DemoSeedOptions(end_date=datetime.now(UTC).date(), seed=seed, scale=scale)

    async def run() -> tuple[int, bool, str]:
        state = _state()
        try:
            client_id, created = await ensure_demo_tenant(
                state.uow, state.hasher, name="Demo Outdoor Co.", email=DEMO_EMAIL, password=DEMO_PASSWORD
            )
            job = await seed_demo_data(state.uow, state.jobs, client_id=client_id, options=options, wait=wait)
            return client_id, created, f"demo data: job {job.id} {job.status} {job.result or ''}"
        finally:
            await state.stop()

    client_id, created, seeding = asyncio.run(run())
    verb = "created" if created else "already present"
    console.print(
        f"demo tenant {client_id} {verb}. Log in as [bold]{DEMO_EMAIL}[/bold] / [bold]{DEMO_PASSWORD}[/bold]"
    )
    console.print(seeding)
