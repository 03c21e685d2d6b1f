"""HTTP routes of the purchasing domain: the cart, purchase orders and receipts."""

from fastapi import APIRouter

from stockwise.purchasing.routes import cart, orders, receipts

router = APIRouter(tags=["purchasing"])
router.include_router(cart.router)
router.include_router(orders.router)
router.include_router(receipts.router)
