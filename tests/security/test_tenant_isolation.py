"""Walks every route of the OpenAPI schema that takes a path parameter: tenant B gets 404 for tenant A's
objects, and a caller below the route's role gets 403 before any existence check."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import httpx
import pytest

import tests.security as security_pkg
from stockwise.core.principal import ROLE_RANK, Role
from tests.factories import make_actor, make_user
from tests.security.isolation import Factory, IsolationContext, RouteCase

PARAM = re.compile(r"{([^}]+)}")
MISSING_ID = 987_654_321
BEYOND_BIGINT = 2**70


def _registry() -> tuple[dict[str, Factory], dict[tuple[str, str], RouteCase]]:
    factories: dict[str, Factory] = {}
    routes: dict[tuple[str, str], RouteCase] = {}
    for module_info in pkgutil.iter_modules(security_pkg.__path__):
        if module_info.name.startswith("cases_"):
            module = importlib.import_module(f"tests.security.{module_info.name}")
            factories.update(module.FACTORIES)
            routes.update(module.ROUTES)
    return factories, routes


def _id_routes(schema: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        if PARAM.search(path)
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


async def _call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    case: RouteCase,
    ctx: IsolationContext,
    headers: dict[str, str],
) -> httpx.Response:
    body = await case.body(ctx) if case.body else None
    return await client.request(method, path, json=body, headers={**headers, **case.headers})


async def test_every_id_route_is_registered(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    factories, routes = _registry()
    missing = [route for route in _id_routes(schema) if route not in routes]
    assert not missing, f"register these routes in tests/security/cases_<domain>.py: {missing}"
    params = {name for _, path in _id_routes(schema) for name in PARAM.findall(path)}
    assert params <= set(factories), f"no factory for path parameters: {params - set(factories)}"


async def test_other_tenant_gets_404_and_low_roles_get_403(client: httpx.AsyncClient, state: Any) -> None:
    schema = (await client.get("/openapi.json")).json()
    factories, routes = _registry()
    owner = await make_actor(state, role=Role.ADMIN)
    intruder = await make_actor(state, role=Role.ADMIN)
    by_role = {role: await make_user(state, client_id=owner.client_id, role=role) for role in Role}
    failures: list[str] = []
    for method, template in _id_routes(schema):
        case = routes.get((method, template))
        if case is None:
            continue  # reported by test_every_id_route_is_registered
        ctx = IsolationContext(client=client, headers=owner.headers, factories=factories)
        path = template
        for name in PARAM.findall(template):
            path = path.replace("{" + name + "}", str(await ctx.id(name)))
        foreign = await _call(client, method, path, case, ctx, intruder.headers)
        if foreign.status_code != 404:
            failures.append(f"{method} {template} as another tenant: {foreign.status_code}")
        for role, actor in by_role.items():
            if ROLE_RANK[role] >= ROLE_RANK[case.min_role]:
                continue
            missing_path = PARAM.sub(str(MISSING_ID), template)
            forbidden = await _call(client, method, missing_path, case, ctx, actor.headers)
            if forbidden.status_code != 403:
                failures.append(f"{method} {template} as {role.value} (missing id): {forbidden.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/api/v1/me/preferences"])
async def test_user_owned_objects_are_private_within_a_tenant(
    client: httpx.AsyncClient, state: Any, path: str
) -> None:
    alice = await make_actor(state, role=Role.PLANNER)
    bob = await make_user(state, client_id=alice.client_id, role=Role.PLANNER)
    changed = await client.patch(path, json={"theme": "dark", "page_size": 120}, headers=alice.headers)
    assert changed.status_code == 200, changed.text
    theirs = (await client.get(path, headers=bob.headers)).json()
    assert theirs["theme"] == "system" and theirs["page_size"] == 50


async def test_ids_beyond_the_database_range_are_4xx_not_500(client: httpx.AsyncClient, state: Any) -> None:
    schema = (await client.get("/openapi.json")).json()
    factories, routes = _registry()
    admin = await make_actor(state, role=Role.ADMIN)
    ctx = IsolationContext(client=client, headers=admin.headers, factories=factories)
    failures = []
    for method, template in _id_routes(schema):
        case = routes.get((method, template))
        if case is None:
            continue
        resp = await _call(client, method, PARAM.sub(str(BEYOND_BIGINT), template), case, ctx, admin.headers)
        if resp.status_code not in (404, 422):
            failures.append(f"{method} {template}: {resp.status_code}")
    assert not failures, "\n".join(failures)
