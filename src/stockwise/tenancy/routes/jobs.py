"""Background jobs of the tenant (status and progress) and the tenant data export."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from stockwise.core.errors import Conflict, problems
from stockwise.core.jobs import Job, JobStatus
from stockwise.core.repository import TenantRepository
from stockwise.core.schemas import PageNumber, PageRead, PageSize
from stockwise.tenancy import export
from stockwise.tenancy.dependencies import AdminUoW, UoW
from stockwise.tenancy.schemas import JobRead

router = APIRouter(tags=["jobs"])


class JobRepository(TenantRepository[Job]):
    model = Job
    noun = "job"


@router.get("/jobs", response_model=PageRead[JobRead], responses=problems(401, 422))
async def list_jobs(
    uow: UoW, page: PageNumber = 1, page_size: PageSize = 50, kind: str | None = None, status: JobStatus | None = None
) -> PageRead[JobRead]:
    """The tenant's jobs, newest first."""
    repo = JobRepository(uow)
    stmt = repo._select().order_by(Job.id.desc())
    if kind:
        stmt = stmt.where(Job.kind == kind)
    if status:
        stmt = stmt.where(Job.status == status)
    return PageRead[JobRead].of(await repo.paginate(stmt, page=page, page_size=page_size), JobRead.model_validate)


@router.get("/jobs/{job_id}", response_model=JobRead, responses=problems(401, 404))
async def get_job(job_id: int, uow: UoW) -> JobRead:
    """Status, progress (0–1), message, result and error code of one job."""
    return JobRead.model_validate(await JobRepository(uow).get(job_id))


@router.post("/exports", status_code=status.HTTP_202_ACCEPTED, response_model=JobRead, responses=problems(401, 403))
async def create_export(uow: AdminUoW, response: Response) -> JobRead:
    """Start a tenant data export (a zip with one CSV per table); follow the job for the file."""
    job = await export.request_export(uow)
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return JobRead.model_validate(job)


@router.get(
    "/exports/{export_id}/download",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}, **problems(401, 403, 404, 409)},
)
async def download_export(export_id: int, uow: AdminUoW) -> Response:
    """The export archive (admins only)."""
    data = await export.get_export(uow, export_id=export_id)
    if not data.content:
        raise Conflict("The export is not ready")
    return Response(
        data.content, media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{data.filename}"'},
    )
