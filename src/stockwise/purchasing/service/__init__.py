"""Purchasing use cases; other domains' routes call these (e.g. `on_order_quantities`)."""

from stockwise.purchasing.service.cart import (
    add_cart_item,
    clear_cart,
    get_cart,
    remove_cart_item,
    update_cart_item,
)
from stockwise.purchasing.service.checkout import CheckoutResult, checkout_cart
from stockwise.purchasing.service.on_order import on_order_quantities
from stockwise.purchasing.service.orders import (
    cancel_purchase_order,
    close_purchase_order,
    confirm_purchase_order,
    create_purchase_order,
    etag_of,
    get_purchase_order,
    list_purchase_orders,
    submit_purchase_order,
    update_purchase_order,
)
from stockwise.purchasing.service.receiving import list_receipts, receive_purchase_order, reverse_receipt

__all__ = [
    "CheckoutResult",
    "add_cart_item",
    "cancel_purchase_order",
    "checkout_cart",
    "clear_cart",
    "close_purchase_order",
    "confirm_purchase_order",
    "create_purchase_order",
    "etag_of",
    "get_cart",
    "get_purchase_order",
    "list_purchase_orders",
    "list_receipts",
    "on_order_quantities",
    "receive_purchase_order",
    "remove_cart_item",
    "reverse_receipt",
    "submit_purchase_order",
    "update_cart_item",
    "update_purchase_order",
]
