"""HTTP routes of the etl domain."""

from fastapi import APIRouter

router = APIRouter(tags=["etl"])
