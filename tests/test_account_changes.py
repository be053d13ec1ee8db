"""Issue 11, account: a new display name (the name rules and the teammates' check), a new password (the current one
required; every other device signed out), a device's name."""

from __future__ import annotations

import dataclasses

import httpx

from tests.client import PASSWORD, Person, Team, fake_address


async def _log_in(http: httpx.AsyncClient, person: Person, password: str = PASSWORD) -> httpx.Response:
    body = {"username": person.username, "password": password, "device": "second"}
    response = await http.post("/api/sessions", json=body, headers={"X-Forwarded-For": fake_address()})
    http.cookies.clear()
    return response


async def test_a_new_display_name_reaches_the_team_unless_it_looks_like_a_teammates(team: Team) -> None:
    owner, member = team.owner, team.members[0]
    renamed = await member.patch("/api/me", {"display_name": "  Morgan Member  "})
    assert renamed.status_code == 200 and renamed.json()["display_name"] == "Morgan Member"
    seen = (await owner.get(f"/api/teams/{team.id}")).json()["members"]
    assert "Morgan Member" in [m["display_name"] for m in seen]
    owner_name = (await owner.get("/api/me")).json()["user"]["display_name"]
    taken = await member.patch("/api/me", {"display_name": owner_name.upper()})
    assert taken.status_code == 409 and taken.json()["error"] == "display_name_taken"
    assert "display_name" in taken.json()["fields"]
    # Their own name, spelt differently, is not a teammate's.
    assert (await member.patch("/api/me", {"display_name": "MORGAN member"})).status_code == 200


async def test_a_new_password_needs_the_current_one_and_signs_out_the_other_devices(
    http: httpx.AsyncClient, team: Team
) -> None:
    me = team.members[1]
    other = await _log_in(http, me)
    assert other.status_code == 201
    token = other.json()["token"]
    elsewhere = dataclasses.replace(me, token=token, headers={**me.headers, "Authorization": f"Bearer {token}"})
    wrong = await me.put("/api/me/password", {"current_password": "not it at all", "new_password": "brand new one"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "bad_credentials"
    assert wrong.json()["fields"] == {"current_password": "is not your current password"}
    assert (await elsewhere.get("/api/me")).status_code == 200
    changed = await me.put("/api/me/password", {"current_password": PASSWORD, "new_password": "brand new one"})
    assert changed.status_code == 204
    assert (await me.get("/api/me")).status_code == 200  # this device stays signed in
    assert (await elsewhere.get("/api/me")).status_code == 401
    assert (await _log_in(http, me)).status_code == 401
    assert (await _log_in(http, me, "brand new one")).status_code == 201


async def test_a_device_can_be_named(team: Team) -> None:
    me = team.leads[0]
    named = await me.patch(f"/api/sessions/{me.session_id}", {"device": "  Work phone "})
    assert named.status_code == 204
    devices = (await me.get("/api/sessions")).json()
    assert [d["device"] for d in devices if d["current"]] == ["Work phone"]
    assert all(d["created_at"] <= d["last_seen_at"] for d in devices)
    stranger = await team.members[0].patch(f"/api/sessions/{me.session_id}", {"device": "Mine now"})
    assert stranger.status_code == 404
