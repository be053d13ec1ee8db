"""Durability: what a real server process committed is there after it stops, even by SIGKILL."""

from __future__ import annotations

import httpx
import pytest

from tests.client import PASSWORD, make_team
from tests.server import ServerProcess


@pytest.mark.parametrize("stop", ["terminate", "kill"])
async def test_accounts_teams_and_messages_survive_a_restart(fresh_server: ServerProcess, stop: str) -> None:
    fresh_server.start()
    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        team = await make_team(http, fresh_server.ws_url, leads=0, members=1)
        everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
        sent = [(await team.owner.send(everyone, text=f"kept {i}")).json() for i in range(3)]

    fresh_server.kill() if stop == "kill" else fresh_server.stop()
    fresh_server.start()

    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        member = team.members[0]
        member.http = http
        history = (await member.get(f"/api/channels/{everyone}/messages")).json()["messages"]
        assert [m["text"] for m in history] == ["kept 0", "kept 1", "kept 2"]
        login = await http.post(
            "/api/sessions",
            json={"username": team.owner.username, "password": PASSWORD},
            headers={"X-Forwarded-For": team.owner.address},
        )
        assert login.status_code == 201
        http.cookies.clear()
        team.owner.http = http
        retry = await team.owner.send(everyone, text="kept 2", client_id=sent[2]["client_id"])
        assert retry.status_code == 200 and retry.json()["id"] == sent[2]["id"]
        fresh = (await team.owner.send(everyone, text="after restart")).json()
        assert fresh["cursor"] > sent[-1]["cursor"]
