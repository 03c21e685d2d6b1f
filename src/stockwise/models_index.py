"""Imports every ORM module so metadata is complete (Alembic, the tenant export, the RLS check)."""

from stockwise.catalog import models as catalog_models
from stockwise.core import idempotency as idempotency_models  # noqa: F401 - the idempotency_key table
from stockwise.core import jobs as job_models
from stockwise.etl import models as etl_models
from stockwise.forecasting import models as forecasting_models
from stockwise.inventory import models as inventory_models
from stockwise.purchasing import models as purchasing_models
from stockwise.tenancy import models as tenancy_models

__all__ = [
    "catalog_models",
    "etl_models",
    "forecasting_models",
    "inventory_models",
    "job_models",
    "purchasing_models",
    "tenancy_models",
]
