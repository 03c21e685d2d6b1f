"""HTTP routes of the purchasing domain."""

from fastapi import APIRouter

router = APIRouter(tags=["purchasing"])
