"""`stockwise import FILE --tenant T --entity E --mode M [--dry-run]`: the API's import, from a shell.

Same run record, validation, modes and report as an upload; a Rich progress bar while it works.
Heavy modules are imported inside the command so that other CLI commands start fast.
"""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from stockwise.etl.models import ImportRun

console = Console()
_SHOWN_ERRORS = 20


class Entity(StrEnum):
    LOCATIONS = "locations"
    SUPPLIERS = "suppliers"
    PRODUCTS = "products"
    PRODUCT_SUPPLIERS = "product_suppliers"
    STOCK = "stock"
    SALES = "sales"


class Mode(StrEnum):
    UPSERT = "upsert"
    REPLACE = "replace"


def import_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV or XLSX file")
    ],
    tenant: Annotated[int, typer.Option(help="Tenant id")],
    entity: Annotated[Entity, typer.Option(help="What the file holds")],
    mode: Annotated[Mode, typer.Option(help="upsert, or replace the entity's rows")] = Mode.UPSERT,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report the changes without making them")
    ] = False,
    scope: Annotated[
        str, typer.Option(help="replace of sales/stock: 'file' (its locations/dates) or 'all'")
    ] = "file",
    on_error: Annotated[str, typer.Option(help="'abort' (all or nothing) or 'skip' bad rows")] = "abort",
    aggregate: Annotated[
        str, typer.Option(help="'sum' adds up sales rows of the same sku/location/day")
    ] = "none",
    date_format: Annotated[str, typer.Option(help="auto, iso, dmy or mdy")] = "auto",
    errors_csv: Annotated[Path | None, typer.Option(help="Write the row-error report to this CSV")] = None,
) -> None:
    """Import a CSV or XLSX file into a tenant, with a progress bar and the import report."""
    from pydantic import ValidationError

    from stockwise.etl.schemas import ImportParams

    options = {"scope": scope, "on_error": on_error, "aggregate": aggregate, "date_format": date_format}
    try:
        params = ImportParams.model_validate(
            {"entity": entity.value, "mode": mode.value, "dry_run": dry_run, **options}
        )
    except ValidationError as exc:
        raise typer.BadParameter(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from exc
    run, report = asyncio.run(_run(file, file.stat().st_size, tenant, params))
    _print_report(run)
    if errors_csv is not None and report is not None:
        errors_csv.write_bytes(report)
        console.print(f"row errors written to [bold]{errors_csv}[/bold]")
    if run.status != "succeeded":
        raise typer.Exit(1)


async def _run(file: Path, size: int, tenant: int, params: Any) -> tuple[ImportRun, bytes | None]:
    from stockwise.config import get_settings
    from stockwise.etl.imports_service import import_local_file
    from stockwise.etl.repository.runs import ImportRunRepository
    from stockwise.state import build_state

    state = build_state(get_settings())
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console) as progress:
            rows = progress.add_task("validating rows", total=None)
            files = progress.add_task("writing batches", total=None, visible=False)

            def on_rows(done: int, total: int) -> None:
                progress.update(rows, completed=done, total=total)

            async def on_file(done: int) -> None:
                progress.update(files, completed=done, visible=True)

            run = await import_local_file(
                state.uow,
                client_id=tenant,
                path=file,
                size=size,
                params=params,
                on_rows=on_rows,
                on_file=on_file,
            )
        async with state.uow.tenant(tenant, write=False) as uow:
            report = await ImportRunRepository(uow).error_report(run.id)
        return run, report
    finally:
        await state.db.dispose()


def _print_report(run: ImportRun) -> None:
    colour = {"succeeded": "green", "rejected": "red", "failed": "red"}.get(run.status, "yellow")
    suffix = " (dry run: nothing was changed)" if run.dry_run and run.status == "succeeded" else ""
    console.print(f"import {run.id} of {run.entity} ({run.mode}): [{colour}]{run.status}[/{colour}]{suffix}")
    if run.message:
        console.print(escape(run.message))
    counts = Table("rows", "inserted", "updated", "unchanged", "deleted", "deactivated", "rejected", "errors")
    names = (
        "rows_total",
        "inserted",
        "updated",
        "unchanged",
        "deleted",
        "deactivated",
        "rejected",
        "error_count",
    )
    counts.add_row(*(str(getattr(run, name)) for name in names))
    console.print(counts)
    if run.error_sample:
        errors = Table("row", "column", "value", "message", title="row errors")
        for error in run.error_sample[:_SHOWN_ERRORS]:
            cells = (str(error["row"]), error["column"], error["value"], error["message"])
            errors.add_row(*(Text(cell) for cell in cells))  # file content is never read as markup
        console.print(errors)
