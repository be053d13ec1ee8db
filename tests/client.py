"""Test-side helpers that speak the public API: people, teams, and live sockets."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

_serial = itertools.count(1)
PASSWORD = "correct horse battery"


def fake_address() -> str:
    """A distinct client address per person, sent as X-Forwarded-For (trusted from loopback)."""
    n = next(_serial)
    return f"198.18.{n // 250}.{n % 250 + 1}"


@dataclass
class Person:
    http: httpx.AsyncClient
    ws_base: str
    id: int
    username: str
    token: str
    session_id: int
    csrf_token: str
    address: str
    headers: dict[str, str] = field(default_factory=dict)

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.http.request(method, path, headers=headers, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, json_body: Any = None, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, json=json_body, **kwargs)

    async def put(self, path: str, json_body: Any = None, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, json=json_body, **kwargs)

    async def patch(self, path: str, json_body: Any = None, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", path, json=json_body, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)

    async def send(
        self, channel_id: int, text: str | None = None, cue: str | None = None, client_id: str | None = None
    ) -> httpx.Response:
        body: dict[str, Any] = {"client_id": client_id or str(uuid.uuid4()), "kind": "cue" if cue else "text"}
        body["cue" if cue else "text"] = cue or text
        return await self.post(f"/api/channels/{channel_id}/messages", body)

    async def channels(self, team_id: int) -> dict[str, dict[str, Any]]:
        """My channels in a team by name (built-ins are "Everyone" and "Leads")."""
        response = await self.get(f"/api/teams/{team_id}/channels")
        assert response.status_code == 200, response.text
        return {channel["name"]: channel for channel in response.json()}

    def live(self, after: int = 0) -> Any:
        return connect(
            f"{self.ws_base}/api/live?after={after}",
            additional_headers={"Authorization": f"Bearer {self.token}"},
            open_timeout=5,
        )


async def sign_up(
    http: httpx.AsyncClient, ws_base: str, name: str | None = None, display_name: str | None = None
) -> Person:
    username = name or f"user{uuid.uuid4().hex[:10]}"
    address = fake_address()
    http.cookies.clear()
    response = await http.post(
        "/api/accounts",
        json={"username": username, "password": PASSWORD, "display_name": display_name or username.title()},
        headers={"X-Forwarded-For": address},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    http.cookies.clear()  # each Person authenticates with its bearer token only
    return Person(
        http=http,
        ws_base=ws_base,
        id=body["user"]["id"],
        username=username,
        token=body["token"],
        session_id=body["session_id"],
        csrf_token=body["csrf_token"],
        address=address,
        headers={"Authorization": f"Bearer {body['token']}", "X-Forwarded-For": address},
    )


async def open_link(http: httpx.AsyncClient, ws_base: str, token: str) -> Person:
    """A source opening its link on its own phone: a guest, signed in by bearer token (docs/sources.md)."""
    address = fake_address()
    http.cookies.clear()
    response = await http.post("/api/contact", json={"token": token}, headers={"X-Forwarded-For": address})
    assert response.status_code == 201, response.text
    body = response.json()
    http.cookies.clear()
    return Person(
        http=http,
        ws_base=ws_base,
        id=body["contact"]["user_id"],
        username="",
        token=body["token"],
        session_id=body["session_id"],
        csrf_token=body["csrf_token"],
        address=address,
        headers={"Authorization": f"Bearer {body['token']}", "X-Forwarded-For": address},
    )


@dataclass
class Team:
    id: int
    owner: Person
    leads: list[Person]
    members: list[Person]

    @property
    def everyone(self) -> list[Person]:
        return [self.owner, *self.leads, *self.members]


async def join(person: Person, team_id: int, inviter: Person, role: str = "member") -> None:
    invite = await inviter.post(f"/api/teams/{team_id}/invites", {"role": role, "max_uses": 1})
    assert invite.status_code == 201, invite.text
    accepted = await person.post(f"/api/invites/{invite.json()['token']}/accept")
    assert accepted.status_code == 201, accepted.text


async def make_team(http: httpx.AsyncClient, ws_base: str, leads: int = 1, members: int = 2) -> Team:
    owner = await sign_up(http, ws_base)
    created = await owner.post("/api/teams", {"name": "Acme deal"})
    assert created.status_code == 201, created.text
    team = Team(id=created.json()["id"], owner=owner, leads=[], members=[])
    for role, count, bucket in (("lead", leads, team.leads), ("member", members, team.members)):
        for _ in range(count):
            person = await sign_up(http, ws_base)
            await join(person, team.id, owner, role)
            bucket.append(person)
    return team


async def next_frame(ws: ClientConnection, timeout: float = 5, skip: tuple[str, ...] = ("ping",)) -> dict[str, Any]:
    """The next frame that is not a heartbeat."""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if frame.get("type") not in skip:
            return frame


async def frames_until_ready(ws: ClientConnection) -> tuple[list[dict[str, Any]], int]:
    """The replayed events and the cursor announced by the "ready" frame."""
    replayed = []
    while True:
        frame = await next_frame(ws)
        if frame["type"] == "ready":
            return replayed, frame["cursor"]
        replayed.append(frame)


async def sync_all(person: Person, after: int = 0) -> list[dict[str, Any]]:
    """Every event the person may see after the cursor, following sync's pages to the end."""
    events: list[dict[str, Any]] = []
    while True:
        page = (await person.get("/api/sync", params={"after": after, "limit": 1000})).json()
        events += page["events"]
        after = page["cursor"]
        if not page["more"]:
            return events


async def closed_code(ws: ClientConnection, timeout: float = 5) -> int:
    """Read until the server closes the socket; return its close code."""
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(timeout):
            while True:
                await ws.recv()
    assert closed.value.rcvd is not None
    return int(closed.value.rcvd.code)


async def close_code_of(url: str, headers: dict[str, str]) -> int:
    """Open a live socket and return the code the server closes it with."""
    async with connect(url, additional_headers=headers, open_timeout=5) as ws:
        return await closed_code(ws)
