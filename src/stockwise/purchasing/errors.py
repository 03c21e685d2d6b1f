"""Purchasing problems: illegal lifecycle steps (409 naming the status) and missing If-Match (428)."""

from __future__ import annotations

from stockwise.core.errors import Conflict, DomainError


class IllegalTransition(Conflict):
    code, title = "illegal_transition", "Illegal status transition"

    def __init__(self, *, po_number: str, status: str, action: str) -> None:
        super().__init__(
            f"cannot {action}: purchase order {po_number} is {status}",
            extra={"current_status": status},
        )


class PreconditionRequired(DomainError):
    status, code, title = 428, "precondition_required", "Precondition required"
