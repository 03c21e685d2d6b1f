"""Every domain's API router, in the order they appear in the OpenAPI document."""

from fastapi import APIRouter

from stockwise.tenancy.routes import admin, auth, jobs

API_ROUTERS: list[APIRouter] = [auth.router, admin.router, jobs.router]
