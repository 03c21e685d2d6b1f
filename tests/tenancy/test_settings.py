"""Tenant planning settings: readable by every role, changed by admins with validated ranges, audited."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from stockwise.core.principal import Role
from stockwise.state import AppState
from tests.factories import make_actor, make_user
from tests.tenancy.helpers import assert_problem


def _bad_fields(resp: httpx.Response) -> set[str]:
    body = assert_problem(resp, 422, "validation_error")
    assert all(set(err) == {"loc", "msg", "type"} for err in body["errors"]), body
    return {".".join(str(part) for part in err["loc"][1:]) for err in body["errors"]}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PLANNER, Role.VIEWER])
async def test_every_role_reads_settings(client: httpx.AsyncClient, state: AppState, role: Role) -> None:
    admin = await make_actor(state)
    actor = await make_user(state, client_id=admin.client_id, role=role)
    resp = await client.get("/api/v1/settings", headers=actor.headers)
    assert resp.status_code == 200
    body = resp.json()
    assert body["currency"] == "EUR"
    assert body["timezone"] == "UTC"
    assert body["week_start"] == "monday"
    assert "{seq" in body["po_number_format"]
    assert body["abc_cutoff_a"] < body["abc_cutoff_b"]


@pytest.mark.parametrize("role", [Role.PLANNER, Role.VIEWER])
async def test_only_admins_change_settings(client: httpx.AsyncClient, state: AppState, role: Role) -> None:
    admin = await make_actor(state)
    actor = await make_user(state, client_id=admin.client_id, role=role)
    assert_problem(
        await client.patch("/api/v1/settings", json={"currency": "USD"}, headers=actor.headers), 403
    )
    assert (await client.get("/api/v1/settings", headers=admin.headers)).json()["currency"] == "EUR"


async def test_admin_patch_changes_only_given_fields(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    change: dict[str, Any] = {
        "service_level_target": 0.98,
        "currency": "USD",
        "timezone": "Europe/Berlin",
        "week_start": "sunday",
        "default_ordering_cost": "75.1234",
        "po_number_format": "ACME-{year}{month:02d}-{seq:05d}",
    }
    resp = await client.patch("/api/v1/settings", json=change, headers=admin.headers)
    assert resp.status_code == 200, resp.text
    after = (await client.get("/api/v1/settings", headers=admin.headers)).json()
    assert after == resp.json()
    assert after["service_level_target"] == 0.98
    assert after["default_ordering_cost"] == "75.1234"
    assert (after["currency"], after["timezone"], after["week_start"]) == ("USD", "Europe/Berlin", "sunday")
    assert after["review_period_days"] == 7

    other = await make_actor(state)
    assert (await client.get("/api/v1/settings", headers=other.headers)).json()["currency"] == "EUR"


async def test_out_of_range_values_name_each_field(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    bad = {
        "service_level_target": 1.5,
        "review_period_days": 0,
        "holding_cost_rate": -0.1,
        "currency": "usd",
        "forecast_horizon_days": 10_000,
        "history_window_days": 7,
        "default_ordering_cost": "-1",
        "service_level_type": "whatever",
        "week_start": "someday",
        "receipt_tolerance_pct": 2,
    }
    resp = await client.patch("/api/v1/settings", json=bad, headers=admin.headers)
    assert _bad_fields(resp) == set(bad)
    unknown = await client.patch("/api/v1/settings", json={"colour": "red"}, headers=admin.headers)
    assert _bad_fields(unknown) == {"colour"}
    null = await client.patch("/api/v1/settings", json={"currency": None}, headers=admin.headers)
    assert _bad_fields(null) == {"currency"}
    assert (await client.get("/api/v1/settings", headers=admin.headers)).json()["currency"] == "EUR"


async def test_abc_cutoffs_must_be_ordered(client: httpx.AsyncClient, state: AppState) -> None:
    admin = await make_actor(state)
    both = await client.patch(
        "/api/v1/settings", json={"abc_cutoff_a": 0.9, "abc_cutoff_b": 0.7}, headers=admin.headers
    )
    assert _bad_fields(both) == {"abc_cutoff_b"}
    # Against the stored value when only one is given (defaults: 0.8 / 0.95).
    assert _bad_fields(
        await client.patch("/api/v1/settings", json={"abc_cutoff_a": 0.97}, headers=admin.headers)
    ) == {"abc_cutoff_a"}
    assert _bad_fields(
        await client.patch("/api/v1/settings", json={"abc_cutoff_b": 0.5}, headers=admin.headers)
    ) == {"abc_cutoff_b"}
    ok = await client.patch(
        "/api/v1/settings", json={"abc_cutoff_a": 0.7, "abc_cutoff_b": 0.9}, headers=admin.headers
    )
    assert (ok.json()["abc_cutoff_a"], ok.json()["abc_cutoff_b"]) == (0.7, 0.9)


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "CEST", "../../etc/passwd", "europe/berlin"])
async def test_timezone_must_be_iana(client: httpx.AsyncClient, state: AppState, timezone: str) -> None:
    admin = await make_actor(state)
    assert _bad_fields(
        await client.patch("/api/v1/settings", json={"timezone": timezone}, headers=admin.headers)
    ) == {"timezone"}


@pytest.mark.parametrize(
    "fmt",
    [
        "PO-{year}-0001",  # no sequence
        "PO-{{seq}}-{year}",  # an escaped brace is text, not the sequence
        "PO-{seq}-{customer}",  # unknown field
        "PO-{seq.__class__}",  # attribute access
        "PO-{year.__class__.__init__.__globals__}-{seq}",
        "PO-{seq[0]}",  # indexing
        "PO-{seq:>999999999}",  # a huge width
        "PO-{seq!r}",  # conversion
        "PO-{seq",  # unbalanced
        "PO-{0}{seq}",  # positional
    ],
)
async def test_po_number_format_must_contain_seq_and_nothing_odd(
    client: httpx.AsyncClient, state: AppState, fmt: str
) -> None:
    admin = await make_actor(state)
    resp = await client.patch("/api/v1/settings", json={"po_number_format": fmt}, headers=admin.headers)
    assert _bad_fields(resp) == {"po_number_format"}


async def test_settings_changes_are_audited_and_admin_readable(
    client: httpx.AsyncClient, state: AppState
) -> None:
    admin = await make_actor(state)
    planner = await make_user(state, client_id=admin.client_id, role=Role.PLANNER)
    await client.patch("/api/v1/settings", json={"review_period_days": 14}, headers=admin.headers)
    assert_problem(
        await client.patch("/api/v1/settings", json={"review_period_days": 0}, headers=admin.headers), 422
    )
    resp = await client.get("/api/v1/audit-events?entity_type=client_settings", headers=admin.headers)
    events = resp.json()["items"]
    assert len(events) == 1
    assert events[0]["action"] == "settings.updated"
    assert events[0]["actor_user_id"] == admin.user_id
    assert (events[0]["before"]["review_period_days"], events[0]["after"]["review_period_days"]) == (7, 14)
    assert_problem(await client.get("/api/v1/audit-events", headers=planner.headers), 403)
    by_action = await client.get("/api/v1/audit-events?action=user.created", headers=admin.headers)
    assert by_action.json()["total"] == 0
