"""GET /jobs and /jobs/{id}: the tenant's jobs with status, progress, result and error code."""

from __future__ import annotations

import asyncio

import httpx

from stockwise.core.principal import Role
from stockwise.state import AppState
from tests.factories import make_actor
from tests.jobs.support import GATES, PROBE, insert_job, wait_started


async def test_list_and_detail_are_scoped_to_the_tenant(client: httpx.AsyncClient, state: AppState) -> None:
    alice = await make_actor(state)
    viewer = await make_actor(state, role=Role.VIEWER, client_id=alice.client_id)
    bob = await make_actor(state)
    first = await insert_job(state, alice.client_id, payload={"n": 1})
    second = await insert_job(state, alice.client_id, payload={"n": 2})
    await state.jobs.execute(alice.client_id, second)
    bobs = await insert_job(state, bob.client_id)

    listing = await client.get("/api/v1/jobs", headers=viewer.headers)
    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert [item["id"] for item in body["items"]] == [second, first]
    assert body["total"] == 2
    assert "payload" not in body["items"][0] and "claim_token" not in body["items"][0]
    done = await client.get(
        "/api/v1/jobs", params={"status": "succeeded", "kind": PROBE}, headers=alice.headers
    )
    assert [item["id"] for item in done.json()["items"]] == [second]
    paged = await client.get("/api/v1/jobs", params={"page": 2, "page_size": 1}, headers=alice.headers)
    assert ([item["id"] for item in paged.json()["items"]], paged.json()["total"]) == ([first], 2)

    assert (await client.get(f"/api/v1/jobs/{first}", headers=viewer.headers)).status_code == 200
    other = await client.get(f"/api/v1/jobs/{first}", headers=bob.headers)
    assert other.status_code == 404
    assert other.headers["content-type"].startswith("application/problem+json")
    bob_listing = (await client.get("/api/v1/jobs", headers=bob.headers)).json()
    assert [item["id"] for item in bob_listing["items"]] == [bobs]


async def test_progress_is_visible_while_the_job_runs(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    job_id = await insert_job(state, actor.client_id, payload={"progress": 0.5, "gate": "mid"})
    running = asyncio.create_task(state.jobs.execute(actor.client_id, job_id))
    await wait_started("mid")
    mid = (await client.get(f"/api/v1/jobs/{job_id}", headers=actor.headers)).json()
    assert (mid["status"], mid["progress"], mid["message"], mid["attempts"]) == (
        "running",
        0.5,
        "halfway there",
        1,
    )
    assert mid["started_at"] is not None and mid["finished_at"] is None
    GATES["mid"].set()
    await running
    end = (await client.get(f"/api/v1/jobs/{job_id}", headers=actor.headers)).json()
    assert (end["status"], end["progress"], end["message"], end["result"]) == (
        "succeeded",
        1.0,
        None,
        {"attempt": 1},
    )
    assert end["error_code"] is None and end["finished_at"] is not None


async def test_bad_requests_are_problems(client: httpx.AsyncClient, state: AppState) -> None:
    actor = await make_actor(state)
    assert (await client.get("/api/v1/jobs")).status_code == 401
    bad_status = await client.get("/api/v1/jobs", params={"status": "exploded"}, headers=actor.headers)
    assert bad_status.status_code == 422
    huge = await client.get(f"/api/v1/jobs/{2**70}", headers=actor.headers)
    assert huge.status_code == 422, huge.text
    assert huge.headers["content-type"].startswith("application/problem+json")
