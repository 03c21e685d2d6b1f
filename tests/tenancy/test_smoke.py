from __future__ import annotations

import httpx

from tests.factories import PASSWORD, make_actor


async def test_signup_login_me(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/v1/auth/signup",
        json={"client_name": "Acme", "email": "Boss@Acme-Corp.com", "password": PASSWORD},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["user"]["role"] == "admin"
    token = await client.post(
        "/api/v1/auth/token", data={"username": "boss@acme-corp.com", "password": PASSWORD}
    )
    assert token.status_code == 200, token.text
    access = token.json()["access_token"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
    assert me.status_code == 200, me.text
    assert me.json()["client"]["name"] == "Acme"


async def test_actor_factory(client: httpx.AsyncClient, state: object) -> None:
    actor = await make_actor(state)  # type: ignore[arg-type]
    resp = await client.get("/api/v1/settings", headers=actor.headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["currency"] == "EUR"
