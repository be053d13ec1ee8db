"""An invite link before signing up (GET /api/invites/{token}): whose team, who invited, whether it still works;
nothing else, and only to whoever holds the token."""

from __future__ import annotations

import httpx

from api.throttle import INVITE_LOOKUPS_PER_ADDRESS
from tests.client import Team, fake_address, sign_up
from tests.server import ServerProcess


async def _look(http: httpx.AsyncClient, token: str, address: str | None = None) -> httpx.Response:
    return await http.get(f"/api/invites/{token}", headers={"X-Forwarded-For": address or fake_address()})


async def _invite(team: Team, **body: object) -> dict[str, object]:
    made = await team.leads[0].post(f"/api/teams/{team.id}/invites", {"role": "member", **body})
    assert made.status_code == 201, made.text
    return dict(made.json())


async def test_the_link_names_the_team_and_who_invited_and_nothing_else(http: httpx.AsyncClient, team: Team) -> None:
    invite = await _invite(team)
    seen = await _look(http, str(invite["token"]))
    assert seen.status_code == 200
    lead = (await team.leads[0].get("/api/me")).json()["user"]
    name = (await team.owner.get(f"/api/teams/{team.id}")).json()["name"]
    assert seen.json() == {"team_name": name, "invited_by": lead["display_name"], "role": "member", "usable": True}


async def test_a_dead_link_says_why(http: httpx.AsyncClient, team: Team, server: ServerProcess) -> None:
    revoked = await _invite(team)
    await team.leads[0].delete(f"/api/teams/{team.id}/invites/{revoked['id']}")
    assert (await _look(http, str(revoked["token"]))).json()["reason"] == "This invite was withdrawn."
    spent = await _invite(team, max_uses=1)
    newcomer = await sign_up(http, server.ws_url)
    assert (await newcomer.post(f"/api/invites/{spent['token']}/accept")).status_code == 201
    body = (await _look(http, str(spent["token"]))).json()
    assert body["usable"] is False and body["reason"] == "This invite has been used up."
    # The lead who made it is now a member: their links stop working, and the page says so.
    lead = (await team.leads[0].get("/api/me")).json()["user"]
    made = await _invite(team)
    demoted = await team.owner.patch(f"/api/teams/{team.id}/members/{lead['id']}", {"role": "member"})
    assert demoted.status_code == 200
    body = (await _look(http, str(made["token"]))).json()
    assert body["usable"] is False and "can no longer invite" in body["reason"]


async def test_an_unknown_link_is_404_and_lookups_are_rate_limited(http: httpx.AsyncClient) -> None:
    address = fake_address()
    limit = INVITE_LOOKUPS_PER_ADDRESS[0]
    for _ in range(limit):
        assert (await _look(http, "x" * 24, address)).status_code == 404
    refused = await _look(http, "x" * 24, address)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.json()["error"] == "rate_limited"
