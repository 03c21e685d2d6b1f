"""Background jobs of the tenant (status and progress) and the tenant data export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from stockwise.core import jobs
from stockwise.core.errors import Conflict, problems
from stockwise.core.jobs import JobStatus
from stockwise.core.schemas import PageNumber, PageRead, PageSize
from stockwise.tenancy import export
from stockwise.tenancy.dependencies import AdminUoW, UoW
from stockwise.tenancy.schemas import JobRead

router = APIRouter(tags=["jobs"])
#: Ids are 64-bit: a larger number is a 422, not an overflow (500) in the database driver.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/jobs", response_model=PageRead[JobRead], responses=problems(401, 422))
async def list_jobs(
    uow: UoW,
    page: PageNumber = 1,
    page_size: PageSize = 50,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    status: JobStatus | None = None,
) -> PageRead[JobRead]:
    """The tenant's jobs, newest first."""
    page_of_jobs = await jobs.list_jobs(uow, page=page, page_size=page_size, kind=kind, status=status)
    return PageRead[JobRead].of(page_of_jobs, JobRead.model_validate)


@router.get("/jobs/{job_id}", response_model=JobRead, responses=problems(401, 404, 422))
async def get_job(job_id: RowId, uow: UoW) -> JobRead:
    """Status, progress (0–1), message, result and error code of one job."""
    return JobRead.model_validate(await jobs.get_job(uow, job_id=job_id))


@router.post(
    "/exports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobRead,
    responses=problems(401, 403, 409),
)
async def create_export(uow: AdminUoW, response: Response) -> JobRead:
    """Start a tenant data export (a zip with one CSV per table); follow the job for the file."""
    job = await export.request_export(uow)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobRead.model_validate(job)


@router.get(
    "/exports/{export_id}/download",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}, **problems(401, 403, 404, 409, 422)},
)
async def download_export(export_id: RowId, uow: AdminUoW) -> Response:
    """The export archive (admins only)."""
    data = await export.get_export(uow, export_id=export_id)
    if not data.content:
        raise Conflict("The export is not ready")
    return Response(
        data.content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{data.filename}"'},
    )
