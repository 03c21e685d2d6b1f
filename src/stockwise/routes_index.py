"""Every domain's API router, in the order they appear in the OpenAPI document."""

from fastapi import APIRouter

from stockwise.catalog import routes as catalog_routes
from stockwise.etl import routes as etl_routes
from stockwise.forecasting import routes as forecasting_routes
from stockwise.inventory import routes as inventory_routes
from stockwise.purchasing import routes as purchasing_routes
from stockwise.tenancy.routes import admin, auth, jobs

API_ROUTERS: list[APIRouter] = [
    auth.router,
    admin.router,
    jobs.router,
    catalog_routes.router,
    inventory_routes.router,
    forecasting_routes.router,
    etl_routes.router,
    purchasing_routes.router,
]
