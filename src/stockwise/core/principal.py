"""Who is acting: derived once per request from the access token and the user row."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PLANNER = "planner"
    VIEWER = "viewer"


ROLE_RANK = {Role.VIEWER: 0, Role.PLANNER: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Principal:
    client_id: int
    user_id: int
    role: Role

    def has_role(self, minimum: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum]
