"""Imports every module that registers a job handler, so API and worker know the same kinds."""

from stockwise.etl import jobs as etl_jobs  # noqa: F401 - registers the etl_import job
from stockwise.inventory import demo_seed
from stockwise.tenancy import export as tenant_export

__all__ = ["demo_seed", "tenant_export"]
