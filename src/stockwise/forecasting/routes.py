"""HTTP routes of the forecasting domain."""

from fastapi import APIRouter

router = APIRouter(tags=["forecasting"])
