"""The bench's users and teams, and the API calls it makes, each checked."""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from scripts.benchmark.harness.progress import log
from scripts.benchmark.load.http_client import Http

PASSWORD = "correct horse battery"
CUE = "let_me_talk"
FIRST_ADDRESS = int(ipaddress.IPv4Address("198.18.0.1"))  # 198.18.0.0/15 is set aside for benchmarks (RFC 2544)


class ApiFailure(Exception):
    def __init__(self, what: str, status: int, body: bytes) -> None:
        super().__init__(f"{what}: HTTP {status} {body[:200]!r}")
        self.status = status


@dataclass
class User:
    id: int
    username: str
    token: str
    address: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Forwarded-For": self.address}


@dataclass
class Team:
    id: int
    channel_id: int  # the team's "Everyone" channel
    members: list[User]  # the owner first


class Api:
    """The calls the bench makes, each checked; every user gets a client address of its own (rate limits)."""

    def __init__(self, http: Http) -> None:
        self.http = http
        self._serial = itertools.count(1)

    async def call(
        self, what: str, method: str, path: str, user: User | None, body: object | None = None, ok: int = 201
    ) -> Any:
        reply = await self.http.request(method, path, body, user.headers if user else None)
        if reply.status != ok:
            raise ApiFailure(what, reply.status, reply.body)
        return reply.json() if reply.body else None

    async def sign_up(self) -> User:
        n = next(self._serial)
        username = f"bench{n:06d}"
        address = str(ipaddress.IPv4Address(FIRST_ADDRESS + n))
        reply = await self.http.request(
            "POST",
            "/api/accounts",
            {"username": username, "password": PASSWORD, "display_name": f"Bench {n}"},
            {"X-Forwarded-For": address},
        )
        if reply.status != 201:
            raise ApiFailure("sign up", reply.status, reply.body)
        body = reply.json()
        return User(id=int(body["user"]["id"]), username=username, token=str(body["token"]), address=address)

    async def make_team(self, size: int) -> Team:
        """An owner and size - 1 members who joined through one invite; its Everyone channel."""
        owner = await self.sign_up()
        team_id = int((await self.call("create team", "POST", "/api/teams", owner, {"name": "Bench deal"}))["id"])
        members = [owner]
        if size > 1:
            invite = await self.call(
                "invite", "POST", f"/api/teams/{team_id}/invites", owner, {"role": "member", "max_uses": size - 1}
            )
            joined = await asyncio.gather(*(self._join(str(invite["token"])) for _ in range(size - 1)))
            members.extend(joined)
        channels = await self.call("channels", "GET", f"/api/teams/{team_id}/channels", owner, ok=200)
        everyone = next(int(c["id"]) for c in channels if c["name"] == "Everyone")
        return Team(id=team_id, channel_id=everyone, members=members)

    async def _join(self, token: str) -> User:
        user = await self.sign_up()
        await self.call("accept invite", "POST", f"/api/invites/{token}/accept", user)
        return user

    async def make_teams(self, count: int, size: int, concurrency: int) -> list[Team]:
        limit = asyncio.Semaphore(concurrency)
        done = 0

        async def one() -> Team:
            nonlocal done
            async with limit:
                team = await self.make_team(size)
            done += 1
            if done % 100 == 0:
                log(f"  {done}/{count} teams")
            return team

        return list(await asyncio.gather(*(one() for _ in range(count))))

    async def send_cue(self, user: User, channel_id: int, client_id: str) -> int:
        """POST one cue; the HTTP status (201 when stored)."""
        reply = await self.http.request(
            "POST",
            f"/api/channels/{channel_id}/messages",
            {"client_id": client_id, "kind": "cue", "cue": CUE},
            user.headers,
        )
        return reply.status


def new_client_id() -> str:
    return str(uuid.uuid4())
