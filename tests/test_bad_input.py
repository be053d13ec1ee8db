"""Bad input, route by route: every API route (read from the app's route table) gets the inputs a careless or hostile
client sends, and every answer is a 4xx in the one error shape that names the field at fault; never a 5xx.

Callers are signed in and allowed (the team's owner), so what fails is the input, not the caller. The cases share one
team: none of them may change anything.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import sqlite3
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.actions.sources import (
    ASSESSMENT_NOTE_MAX,
    CLAIM_MAX,
    GIVE_MAX,
    MAX_ENTRIES_PER_SOURCE,
    MAX_GIVES_PER_SOURCE,
    MAX_SOURCES_PER_TEAM,
    NOTES_MAX,
    PSEUDONYM_MAX,
)
from tests.client import (
    PASSWORD,
    Person,
    Team,
    close_code_of,
    fake_address,
    frames_until_ready,
    make_team,
    next_frame,
    open_link,
)
from tests.push_service import browser_keys
from tests.routes import API_ROUTES, SOCKET_ROUTES, assert_error_shape, fill
from tests.server import ServerProcess

in_module_loop = pytest.mark.asyncio(loop_scope="module")  # the loop of the shared `world`

HUGE = 2**63  # past SQLite's INTEGER; ids and cursors stop at 2**53
UNKNOWN = 2**53  # the largest id allowed, and one that does not exist
OVER_64_KIB = "x" * (65 * 1024)


@dataclass
class World:
    http: httpx.AsyncClient
    ws_base: str
    team: Team
    everyone: int
    group: int
    message_id: int
    invite_id: int
    planned: int  # a meeting of the team not started
    live: int  # its live meeting, the member at the table
    direct: int  # the owner's one-to-one channel with the member
    cue_id: int  # the owner's urgent cue in the live meeting, still insisting
    sources: Sources

    @property
    def owner(self) -> Person:
        return self.team.owner


@dataclass
class Sources:
    """The owner's sources (docs/sources.md): one whose source joined and talked, with an entry and a give; one
    still invited (its link unused); one ended; plus links used, expired, and another team's entry."""

    database: Path
    source_id: int
    conversation: int
    source_message_id: int  # what the source said in it
    handler_message_id: int  # what the owner said in it: not the source's
    guest_id: int
    entry_id: int
    invited_id: int
    invited_pseudonym: str
    ended_id: int
    used_link: str
    unused_link: str
    expired_link: str
    foreign_entry_id: int  # an entry of another team's source
    foreign_user_id: int  # the owner of that team


async def _made(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return dict(response.json())


async def arrange_sources(http: httpx.AsyncClient, server: ServerProcess, team: Team) -> Sources:
    owner, grade = team.owner, {"reliability": "B", "credibility": 2}
    joined = await _made(await owner.post(f"/api/teams/{team.id}/sources", {"pseudonym": "Source K", "notes": "n"}))
    guest = await open_link(http, server.ws_url, joined["link"]["token"])
    conversation = (await guest.get("/api/contact")).json()["channel_id"]
    said = await _made(await guest.send(conversation, text="They walk at 2.4M"))
    answered = await _made(await owner.send(conversation, text="Who signs?"))
    entry = await _made(await owner.post(f"/api/sources/{joined['id']}/intel", {**grade, "message_id": said["id"]}))
    await _made(await owner.post(f"/api/sources/{joined['id']}/gives", {"what": "Our Q3 dates"}))
    invited = await _made(await owner.post(f"/api/teams/{team.id}/sources", {"pseudonym": "Source L"}))
    expired = await _made(await owner.post(f"/api/teams/{team.id}/sources", {"pseudonym": "Source M"}))
    with sqlite3.connect(server.database) as db:
        db.execute("UPDATE sources SET link_expires_at = 1 WHERE id = ?", (expired["id"],))
    ended = await _made(await owner.post(f"/api/teams/{team.id}/sources", {"pseudonym": "Source N"}))
    assert (await owner.delete(f"/api/sources/{ended['id']}")).status_code == 200
    other = await make_team(http, server.ws_url, leads=0, members=0)
    theirs = await _made(await other.owner.post(f"/api/teams/{other.id}/sources", {"pseudonym": "Source K"}))
    foreign = await _made(
        await other.owner.post(f"/api/sources/{theirs['id']}/intel", {**grade, "claim": "Their claim"})
    )
    return Sources(
        database=server.database,
        source_id=joined["id"],
        conversation=conversation,
        source_message_id=said["id"],
        handler_message_id=answered["id"],
        guest_id=guest.id,
        entry_id=entry["id"],
        invited_id=invited["id"],
        invited_pseudonym=invited["pseudonym"],
        ended_id=ended["id"],
        used_link=joined["link"]["token"],
        unused_link=invited["link"]["token"],
        expired_link=expired["link"]["token"],
        foreign_entry_id=foreign["id"],
        foreign_user_id=other.owner.id,
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(server: ServerProcess) -> AsyncIterator[World]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        team = await make_team(http, server.ws_url, leads=0, members=1)
        everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
        message = await team.members[0].send(everyone, text="hello")
        invite = await team.owner.post(f"/api/teams/{team.id}/invites", {"role": "member"})
        group = await team.owner.post(
            f"/api/teams/{team.id}/channels", {"name": "Pricing", "members": [team.members[0].id]}
        )
        assert message.status_code == 201 and invite.status_code == 201 and group.status_code == 201
        meeting = {"title": "Pricing round 2", "counterpart": "Acme"}
        planned = await team.owner.post(f"/api/teams/{team.id}/meetings", meeting)
        live = await team.owner.post(f"/api/teams/{team.id}/meetings", meeting)
        assert planned.status_code == 201 and live.status_code == 201
        started = await team.owner.post(f"/api/meetings/{live.json()['id']}/start")
        seated = await team.members[0].post(
            f"/api/meetings/{live.json()['id']}/join", {"place": "room", "role": "notes"}
        )
        direct = await team.owner.post(f"/api/teams/{team.id}/direct", {"user_id": team.members[0].id})
        cue = await team.owner.send(everyone, cue="stop_call_me")
        assert started.status_code == 200 and seated.status_code == 200
        assert direct.status_code == 201 and cue.status_code == 201
        yield World(
            http,
            server.ws_url,
            team,
            everyone,
            group.json()["id"],
            message.json()["id"],
            invite.json()["id"],
            planned=planned.json()["id"],
            live=live.json()["id"],
            direct=direct.json()["id"],
            cue_id=cue.json()["id"],
            sources=await arrange_sources(http, server, team),
        )


NO_BODY = object()


@dataclass(frozen=True)
class Req:
    """One request: path parameters, query, a JSON body or raw bytes, extra headers, and who sends it."""

    params: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] | None = None
    json: Any = NO_BODY
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    anonymous: bool = False

    async def send(self, w: World, method: str, path: str) -> httpx.Response:
        headers = dict(self.headers)
        if self.anonymous:
            headers.setdefault("X-Forwarded-For", fake_address())
        else:
            headers = {**w.owner.headers, **headers}
        kwargs: dict[str, Any] = {"params": self.query, "headers": headers}
        if self.content is not None:
            kwargs["content"] = self.content
            headers.setdefault("Content-Type", "application/json")
        elif self.json is not NO_BODY:
            kwargs["json"] = self.json
        w.http.cookies.clear()
        return await w.http.request(method, fill(path, self.params), **kwargs)


# A valid request for a route (each case then breaks one thing in it).
Target = Callable[[World], Req]
Build = Callable[[World], Awaitable[Req]]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    name: str
    build: Build
    status: int
    names: str | None = None  # what `fields` (a key) or `detail` must name
    known_bug: str | None = None  # a case the server still gets wrong: expected to fail until it is fixed

    @property
    def id(self) -> str:
        return f"{self.method} {self.path} :: {self.name}"


DROP = object()


def changed(target: Target, **changes: Any) -> Build:
    """The target's body with fields replaced (DROP removes one)."""

    async def build(w: World) -> Req:
        req = target(w)
        body = {k: v for k, v in {**req.json, **changes}.items() if v is not DROP}
        return replace(req, json=body)

    return build


def raw(target: Target, content: bytes | Callable[[Req], bytes], content_type: str = "application/json") -> Build:
    async def build(w: World) -> Req:
        req = target(w)
        data = content(req) if callable(content) else content
        return replace(req, json=NO_BODY, content=data, headers={**req.headers, "Content-Type": content_type})

    return build


def anonymously(target: Target) -> Target:
    return lambda w: replace(target(w), anonymous=True)


def with_params(target: Target, **params: Any) -> Build:
    async def build(w: World) -> Req:
        req = target(w)
        return replace(req, params={**req.params, **params})

    return build


def with_query(target: Target, **query: Any) -> Build:
    async def build(w: World) -> Req:
        return replace(target(w), query=query)

    return build


def with_headers(target: Target, **headers: str) -> Build:
    async def build(w: World) -> Req:
        req = target(w)
        return replace(req, headers={**req.headers, **headers})

    return build


def as_built(target: Target) -> Build:
    async def build(w: World) -> Req:
        return target(w)

    return build


def custom(target: Target, make: Callable[[World, Req], Awaitable[Req]]) -> Build:
    async def build(w: World) -> Req:
        return await make(w, target(w))

    return build


def body_rules(method: str, path: str, target: Target, wrong_type: tuple[str, Any], missing: str | None) -> list[Case]:
    """What every route that takes a JSON object must refuse."""
    name, value = wrong_type
    cases = [
        Case(method, path, "malformed JSON", raw(target, b'{"name": '), 400),
        Case(method, path, "JSON with trailing junk", raw(target, lambda r: json.dumps(r.json).encode() + b"}"), 400),
        Case(method, path, "a JSON array, not an object", raw(target, b"[1, 2]"), 400, "object"),
        Case(method, path, "a JSON number, not an object", raw(target, b"42"), 400, "object"),
        Case(method, path, "JSON null", raw(target, b"null"), 400, "object"),
        Case(method, path, "no body", raw(target, b""), 400),
        Case(method, path, "not UTF-8", raw(target, b"\xff\xfe{}"), 400),
        Case(method, path, "JSON nested 5,000 deep", raw(target, b"[" * 5000 + b"]" * 5000), 400),
        Case(method, path, "a field nested 5,000 deep", raw(target, b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}"), 400),
        Case(method, path, f"{name} of the wrong type", changed(target, **{name: value}), 400, name),
        Case(method, path, "an unknown field", changed(target, sneaky=1), 400, "sneaky"),
        Case(
            method,
            path,
            "JSON sent as text/plain",
            raw(target, lambda r: json.dumps(r.json).encode(), "text/plain"),
            415,
        ),
        Case(method, path, "a form post", raw(target, b"name=x", "application/x-www-form-urlencoded"), 415),
        Case(method, path, "a body over 64 KiB", changed(target, sneaky=OVER_64_KIB), 413),
    ]
    if missing:
        cases.append(Case(method, path, f"{missing} missing", changed(target, **{missing: DROP}), 400, missing))
    return cases


def user_id_rules(method: str, path: str, target: Target) -> list[Case]:
    """What a body naming a teammate (`user_id`) must refuse: the body rules, zero, past 2**53, someone unknown."""
    return [
        *body_rules(method, path, target, ("user_id", "abc"), "user_id"),
        Case(method, path, "user_id zero", changed(target, user_id=0), 400, "user_id"),
        Case(method, path, "user_id 2**63", changed(target, user_id=HUGE), 400, "user_id"),
        Case(method, path, "user_id unknown", changed(target, user_id=UNKNOWN), 400, "user_id"),
    ]


def id_rules(method: str, path: str, target: Target, param: str) -> list[Case]:
    """What every integer id in a path must refuse: zero, negative, huge, not a number, unknown."""
    return [
        Case(method, path, f"{param} zero", with_params(target, **{param: 0}), 400, param),
        Case(method, path, f"{param} negative", with_params(target, **{param: -1}), 400, param),
        Case(method, path, f"{param} 2**63", with_params(target, **{param: HUGE}), 400, param),
        Case(method, path, f"{param} not a number", with_params(target, **{param: "abc"}), 404),
        Case(method, path, f"{param} unknown", with_params(target, **{param: UNKNOWN}), 404),
    ]


def token_rules(method: str, path: str, target: Target) -> list[Case]:
    """A route whose only input is the caller's session: sent without the owner's token, with a bad one."""
    target = anonymously(target)
    return [
        Case(method, path, "a garbage bearer token", with_headers(target, Authorization="Bearer nonsense"), 401),
        Case(method, path, "basic auth instead", with_headers(target, Authorization="Basic dXNlcjpwdw=="), 401),
        Case(method, path, "a bearer scheme without a token", with_headers(target, Authorization="Bearer"), 401),
        Case(method, path, "a garbage session cookie", with_headers(target, Cookie="bc_session=nonsense"), 401),
    ]


# Targets: one valid request per route.
def _new_account(w: World) -> Req:
    return Req(
        json={"username": f"u{uuid.uuid4().hex[:12]}", "password": PASSWORD, "display_name": "N"}, anonymous=True
    )


def _log_in(w: World) -> Req:
    return Req(json={"username": w.owner.username, "password": PASSWORD}, anonymous=True)


def _me(w: World) -> Req:
    return Req()


def _session(w: World) -> Req:
    return Req(params={"session_id": w.owner.session_id})


def _rename_device(w: World) -> Req:
    return Req(params={"session_id": w.owner.session_id}, json={"device": "Work phone"})


def _rename(w: World) -> Req:
    return Req(json={"display_name": "Olivia"})


def _new_password(w: World) -> Req:
    return Req(json={"current_password": "not the password", "new_password": "a new password"})


def _team(w: World, body: Any = NO_BODY) -> Req:
    return Req(params={"team_id": w.team.id}, json=body)


def _new_team(w: World) -> Req:
    return Req(json={"name": "Side deal"})


def _new_invite(w: World) -> Req:
    return _team(w, {"role": "member", "max_uses": 5})


def _invite(w: World) -> Req:
    return Req(params={"team_id": w.team.id, "invite_id": w.invite_id})


def _accept(w: World) -> Req:
    return Req(params={"token": "x" * 24})


def _member(w: World, body: Any = NO_BODY) -> Req:
    return Req(params={"team_id": w.team.id, "user_id": w.team.members[0].id}, json=body)


def _promote(w: World) -> Req:
    return _member(w, {"role": "lead"})


def _new_channel(w: World) -> Req:
    return _team(w, {"name": "Pricing", "members": [w.team.members[0].id]})


def _direct(w: World) -> Req:
    return _team(w, {"user_id": w.team.members[0].id})


def _read(w: World) -> Req:
    return Req(params={"channel_id": w.everyone}, json={"cursor": 0})


def _group(w: World, body: Any = NO_BODY) -> Req:
    return Req(params={"channel_id": w.group}, json=body)


def _rename_group(w: World) -> Req:
    return _group(w, {"name": "Pricing"})


def _seat(w: World) -> Req:
    return _group(w, {"user_id": w.team.members[0].id})


def _seated(w: World) -> Req:
    return Req(params={"channel_id": w.group, "user_id": w.team.members[0].id})


CUE = {"code": "hold", "label": "Hold the line", "rhythm": [300], "urgency": "normal", "ttl_seconds": 60}


def _cues(w: World) -> Req:
    return _team(w, {"cues": [CUE]})


def _history(w: World) -> Req:
    return Req(params={"channel_id": w.everyone})


def _send(w: World) -> Req:
    return Req(params={"channel_id": w.everyone}, json={"client_id": str(uuid.uuid4()), "kind": "text", "text": "hi"})


def _ack(w: World) -> Req:
    return Req(params={"message_id": w.message_id})


def _junk(w: World) -> Req:
    return Req(
        query={"key": "x" * 500, "after": "-1"}, content=b"\x00{not json", headers={"Content-Type": "text/plain"}
    )


def _level(w: World) -> Req:
    return Req(json={"level": "sender"})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _subscription(w: World) -> Req:
    return Req(json={"endpoint": f"https://1.1.1.1/push/{uuid.uuid4().hex}", "keys": browser_keys()})


def _unsubscribe(w: World) -> Req:
    return Req(json={"endpoint": f"https://1.1.1.1/push/{uuid.uuid4().hex}"})


def _plan(w: World) -> Req:
    return _team(w, {"title": "Round 3", "counterpart": "Acme", "planned_at": 1_900_000_000_000})


def _planned(w: World) -> Req:
    return Req(params={"meeting_id": w.planned})


def _live(w: World, body: Any = NO_BODY) -> Req:
    return Req(params={"meeting_id": w.live}, json=body)


def _join(w: World) -> Req:
    return _live(w, {"place": "call", "role": "observing"})


def _floor_to(w: World) -> Req:
    """The member, who is at the live meeting's table."""
    return _live(w, {"user_id": w.team.members[0].id})


def _escalation(w: World) -> Req:
    return _team(w, {"every_seconds": 30, "times": 3})


def _insisting(w: World) -> Req:
    return Req(params={"message_id": w.cue_id})


def _new_source(w: World) -> Req:
    return _team(w, {"pseudonym": "Source Z", "notes": "Who they are"})


def _source(w: World, body: Any = NO_BODY) -> Req:
    return Req(params={"source_id": w.sources.source_id}, json=body)


def _edit_source(w: World) -> Req:
    return _source(w, {"pseudonym": "Source Q", "notes": "Who they really are"})


def _handover(w: World) -> Req:
    return _source(w, {"user_id": w.team.members[0].id})


def _open_link(w: World) -> Req:
    return Req(json={"token": w.sources.unused_link}, anonymous=True)


def _intel(w: World) -> Req:
    return _source(w, {"reliability": "B", "credibility": 2, "claim": "They walk at 2.5M"})


def _assessment(w: World) -> Req:
    return Req(params={"entry_id": w.sources.entry_id}, json={"verdict": "corroborated", "note": "Seen at the table"})


def _give(w: World) -> Req:
    return _source(w, {"what": "Our Q4 dates"})


def _ended(target: Target) -> Build:
    """The target on the owner's ended source: nothing more happens to a contact once it ended."""

    async def build(w: World) -> Req:
        req = target(w)
        return replace(req, params={**req.params, "source_id": w.sources.ended_id})

    return build


def _source_body(make: Callable[[World], dict[str, Any]], target: Target) -> Build:
    """The target's body with fields that need the world (another source's pseudonym, someone's id)."""

    async def build(w: World) -> Req:
        req = target(w)
        return replace(req, json={k: v for k, v in {**req.json, **make(w)}.items() if v is not DROP})

    return build


def cue(**change: Any) -> dict[str, Any]:
    """A valid cue with the change (DROP removes a field)."""
    return {k: v for k, v in {**CUE, **change}.items() if v is not DROP}


async def _taken_username(w: World, req: Req) -> Req:
    return replace(req, json={**req.json, "username": w.owner.username})


async def _myself(w: World, req: Req) -> Req:
    return replace(req, json={"user_id": w.owner.id})


async def _entry_id_as_text(w: World, req: Req) -> Req:
    return replace(req, json={**req.json, "note": None, "by_entry_id": str(w.sources.foreign_entry_id)})


async def _as_owner(req: Req) -> Req:
    return replace(req, anonymous=False)


async def _to_direct(w: World, req: Req) -> Req:
    return replace(req, json={**req.json, "channel_id": w.direct})


async def _reused_client_id(w: World, req: Req) -> Req:
    first = await w.owner.send(w.everyone, text="first")
    assert first.status_code == 201
    return replace(req, json={**req.json, "client_id": first.json()["client_id"], "text": "second"})


# Path templates, as the app declares them.
ACCOUNTS = "/api/accounts"
SESSIONS = "/api/sessions"
SESSION = "/api/sessions/{session_id:int}"
ME = "/api/me"
NEW_PASSWORD = "/api/me/password"
TEAMS = "/api/teams"
TEAM = "/api/teams/{team_id:int}"
INVITES = "/api/teams/{team_id:int}/invites"
INVITE = "/api/teams/{team_id:int}/invites/{invite_id:int}"
ACCEPT = "/api/invites/{token:str}/accept"
PREVIEW = "/api/invites/{token:str}"
MEMBER = "/api/teams/{team_id:int}/members/{user_id:int}"
CHANNELS = "/api/teams/{team_id:int}/channels"
DIRECT = "/api/teams/{team_id:int}/direct"
READ = "/api/channels/{channel_id:int}/read"
CHANNEL = "/api/channels/{channel_id:int}"
CHANNEL_MEMBERS = "/api/channels/{channel_id:int}/members"
CHANNEL_MEMBER = "/api/channels/{channel_id:int}/members/{user_id:int}"
CUES = "/api/teams/{team_id:int}/cues"
MESSAGES = "/api/channels/{channel_id:int}/messages"
SEARCH = "/api/teams/{team_id:int}/search"
ACK = "/api/messages/{message_id:int}/ack"
RECALL = "/api/messages/{message_id:int}/recall"
SYNC = "/api/sync"
PUSH_KEY = "/api/push/key"
EVENTS = "/api/events"
PUSH_LEVEL = "/api/push/level"
PUSH_SUBSCRIPTIONS = "/api/push/subscriptions"
MEETINGS = "/api/teams/{team_id:int}/meetings"
MEETING = "/api/meetings/{meeting_id:int}"
ESCALATION = "/api/teams/{team_id:int}/escalation"
CANCEL_ESCALATION = "/api/messages/{message_id:int}/escalation"
SOURCES = "/api/teams/{team_id:int}/sources"
SOURCE = "/api/sources/{source_id:int}"
LINK = "/api/sources/{source_id:int}/link"
HANDOVER = "/api/sources/{source_id:int}/handover"
CONTACT = "/api/contact"
INTEL = "/api/teams/{team_id:int}/intel"
LOG_INTEL = "/api/sources/{source_id:int}/intel"
ASSESSMENT = "/api/intel/{entry_id:int}/assessment"
GIVES = "/api/sources/{source_id:int}/gives"
EXCHANGE = "/api/sources/{source_id:int}/exchange"
SOURCE_ROUTES = {SOURCES, SOURCE, LINK, HANDOVER, CONTACT, INTEL, LOG_INTEL, ASSESSMENT, GIVES, EXCHANGE}
# The meeting routes that take nothing but the meeting's id, with the meeting each is tried on.
MEETING_ONLY: list[tuple[str, str, Target]] = [
    ("GET", MEETING, _planned),
    ("POST", MEETING + "/start", _planned),
    ("POST", MEETING + "/end", _live),
    ("DELETE", MEETING, _planned),
    ("GET", MEETING + "/roster", _live),
    ("POST", MEETING + "/floor", _live),
    ("DELETE", MEETING + "/floor", _live),
    ("POST", MEETING + "/floor/release", _live),
    ("POST", MEETING + "/floor/take", _live),
    ("GET", MEETING + "/debrief", _live),
    ("GET", MEETING + "/debrief.md", _live),
    ("GET", MEETING + "/debrief.csv", _live),
]

# fmt: off
CASES: list[Case] = [
    # --- accounts and sessions
    *body_rules("POST", ACCOUNTS, _new_account, ("display_name", 5), "password"),
    Case("POST", ACCOUNTS, "username over 32", changed(_new_account, username="a" * 33), 400, "username"),
    Case("POST", ACCOUNTS, "username under 3", changed(_new_account, username="ab"), 400, "username"),
    Case("POST", ACCOUNTS, "username with a space", changed(_new_account, username="a b c"), 400, "username"),
    # Python's `$` matches before a final newline: "alice\n" was a second "alice".
    Case("POST", ACCOUNTS, "username ending in a newline", changed(_new_account, username="newline\n"),
         400, "username"),
    Case("POST", ACCOUNTS, "display_name over 60", changed(_new_account, display_name="d" * 61), 400, "display_name"),
    Case("POST", ACCOUNTS, "display_name blank", changed(_new_account, display_name="   "), 400, "display_name"),
    Case("POST", ACCOUNTS, "display_name a lone separator control", changed(_new_account, display_name="\x1c"),
         400, "display_name"),
    Case("POST", ACCOUNTS, "password under 8", changed(_new_account, password="short"), 400, "password"),
    Case("POST", ACCOUNTS, "password over 256", changed(_new_account, password="p" * 257), 400, "password"),
    Case("POST", ACCOUNTS, "username taken", custom(_new_account, _taken_username), 409, "username"),
    *body_rules("POST", SESSIONS, _log_in, ("password", 12345678), "password"),
    Case("POST", SESSIONS, "username empty", changed(_log_in, username=""), 400, "username"),
    Case("POST", SESSIONS, "username over 64", changed(_log_in, username="u" * 65), 400, "username"),
    Case("POST", SESSIONS, "password over 256", changed(_log_in, password="p" * 257), 400, "password"),
    Case("POST", SESSIONS, "device over 120", changed(_log_in, device="d" * 121), 400, "device"),
    Case("POST", SESSIONS, "unknown username", changed(_log_in, username=f"nobody{uuid.uuid4().hex[:8]}"), 401),
    *token_rules("GET", SESSIONS, _me),
    *id_rules("DELETE", SESSION, _session, "session_id"),
    *token_rules("GET", ME, _me),
    *body_rules("PATCH", ME, _rename, ("display_name", 5), "display_name"),
    Case("PATCH", ME, "display_name over 60", changed(_rename, display_name="n" * 61), 400, "display_name"),
    Case("PATCH", ME, "display_name blank", changed(_rename, display_name="  "), 400, "display_name"),
    Case("PATCH", ME, "display_name a zero-width space", changed(_rename, display_name="\u200b"), 400, "display_name"),
    *body_rules("PUT", NEW_PASSWORD, _new_password, ("new_password", 12345678), "current_password"),
    Case("PUT", NEW_PASSWORD, "new_password under 8", changed(_new_password, new_password="short"), 400,
         "new_password"),
    Case("PUT", NEW_PASSWORD, "new_password over 256", changed(_new_password, new_password="p" * 257), 400,
         "new_password"),
    Case("PUT", NEW_PASSWORD, "current_password wrong", as_built(_new_password), 401, "current_password"),
    *body_rules("PATCH", SESSION, _rename_device, ("device", 5), "device"),
    *id_rules("PATCH", SESSION, _rename_device, "session_id"),
    Case("PATCH", SESSION, "device over 120", changed(_rename_device, device="d" * 121), 400, "device"),
    Case("PATCH", SESSION, "device blank", changed(_rename_device, device=" "), 400, "device"),
    # --- teams, invites, members
    *token_rules("GET", TEAMS, _me),
    *body_rules("POST", TEAMS, _new_team, ("name", 5), "name"),
    Case("POST", TEAMS, "name over 60", changed(_new_team, name="n" * 61), 400, "name"),
    Case("POST", TEAMS, "name blank", changed(_new_team, name="   "), 400, "name"),
    *id_rules("GET", TEAM, _team, "team_id"),
    *id_rules("GET", INVITES, _team, "team_id"),
    *body_rules("POST", INVITES, _new_invite, ("max_uses", "ten"), None),
    *id_rules("POST", INVITES, _new_invite, "team_id"),
    Case("POST", INVITES, "role owner", changed(_new_invite, role="owner"), 400, "role"),
    Case("POST", INVITES, "role with a final newline (was a 500)", changed(_new_invite, role="lead\n"), 400, "role"),
    Case("POST", INVITES, "max_uses zero", changed(_new_invite, max_uses=0), 400, "max_uses"),
    Case("POST", INVITES, "max_uses a numeric string (was taken as 5)", changed(_new_invite, max_uses="5"), 400,
         "max_uses"),
    Case("POST", INVITES, "max_uses 2**63", changed(_new_invite, max_uses=HUGE), 400, "max_uses"),
    Case("POST", INVITES, "expires_in_seconds under a minute",
         changed(_new_invite, expires_in_seconds=59), 400, "expires_in_seconds"),
    *id_rules("DELETE", INVITE, _invite, "team_id"),
    *id_rules("DELETE", INVITE, _invite, "invite_id"),
    Case("GET", PREVIEW, "unknown token", with_params(_accept), 404),
    Case("GET", PREVIEW, "unknown token, anonymously", with_params(anonymously(_accept)), 404),
    Case("GET", PREVIEW, "token over 100", with_params(_accept, token="t" * 101), 400, "token"),
    Case("POST", ACCEPT, "unknown token", with_params(_accept), 404),
    Case("POST", ACCEPT, "token over 100", with_params(_accept, token="t" * 101), 400, "token"),
    Case("POST", ACCEPT, "a body is ignored, not parsed", raw(_accept, b"{not json", "text/plain"), 404),
    *body_rules("PATCH", MEMBER, _promote, ("role", 3), "role"),
    Case("PATCH", MEMBER, "an unknown role", changed(_promote, role="boss"), 400, "role"),
    Case("PATCH", MEMBER, "role with a final newline (was a 500)", changed(_promote, role="owner\n"), 400, "role"),
    *id_rules("PATCH", MEMBER, _promote, "team_id"),
    *id_rules("PATCH", MEMBER, _promote, "user_id"),
    *id_rules("DELETE", MEMBER, _member, "team_id"),
    *id_rules("DELETE", MEMBER, _member, "user_id"),
    # --- channels
    *id_rules("GET", CHANNELS, _team, "team_id"),
    *body_rules("POST", CHANNELS, _new_channel, ("members", "1,2"), "name"),
    *id_rules("POST", CHANNELS, _new_channel, "team_id"),
    Case("POST", CHANNELS, "name over 60", changed(_new_channel, name="n" * 61), 400, "name"),
    Case("POST", CHANNELS, "member id zero", changed(_new_channel, members=[0]), 400, "members"),
    Case("POST", CHANNELS, "member id 2**63", changed(_new_channel, members=[HUGE]), 400, "members"),
    Case("POST", CHANNELS, "a member from outside the team", changed(_new_channel, members=[UNKNOWN]), 400, "members"),
    Case("POST", CHANNELS, "over 200 members", changed(_new_channel, members=list(range(1, 202))), 400, "members"),
    *user_id_rules("POST", DIRECT, _direct),
    *id_rules("POST", DIRECT, _direct, "team_id"),
    Case("POST", DIRECT, "user_id myself", custom(_direct, _myself), 400, "user_id"),
    *body_rules("POST", READ, _read, ("cursor", "x"), "cursor"),
    *id_rules("POST", READ, _read, "channel_id"),
    Case("POST", READ, "cursor negative", changed(_read, cursor=-1), 400, "cursor"),
    Case("POST", READ, "cursor 2**63", changed(_read, cursor=HUGE), 400, "cursor"),
    # --- managing a group (every case leaves it as it was)
    *body_rules("PATCH", CHANNEL, _rename_group, ("name", 5), "name"),
    *id_rules("PATCH", CHANNEL, _rename_group, "channel_id"),
    Case("PATCH", CHANNEL, "name over 60", changed(_rename_group, name="n" * 61), 400, "name"),
    Case("PATCH", CHANNEL, "name blank", changed(_rename_group, name="  "), 400, "name"),
    Case("PATCH", CHANNEL, "name a zero-width space", changed(_rename_group, name="\u200b"), 400, "name"),
    Case("PATCH", CHANNEL, "name looking like Everyone", changed(_rename_group, name="EVERYONE"), 409, "name"),
    *user_id_rules("POST", CHANNEL_MEMBERS, _seat),
    *id_rules("POST", CHANNEL_MEMBERS, _seat, "channel_id"),
    *id_rules("DELETE", CHANNEL_MEMBER, _seated, "channel_id"),
    *id_rules("DELETE", CHANNEL_MEMBER, _seated, "user_id"),
    *id_rules("DELETE", CHANNEL, _group, "channel_id"),
    # --- cues
    *id_rules("GET", CUES, _team, "team_id"),
    *body_rules("PUT", CUES, _cues, ("cues", "all"), "cues"),
    *id_rules("PUT", CUES, _cues, "team_id"),
    Case("PUT", CUES, "no cues", changed(_cues, cues=[]), 400, "cues"),
    Case("PUT", CUES, "25 cues", changed(_cues, cues=[CUE] * 25), 400, "cues"),
    Case("PUT", CUES, "label over 40", changed(_cues, cues=[cue(label="l" * 41)]), 400, "label"),
    Case("PUT", CUES, "label missing", changed(_cues, cues=[cue(label=DROP)]), 400, "label"),
    Case("PUT", CUES, "code with capitals and spaces", changed(_cues, cues=[cue(code="Hold On")]), 400, "code"),
    Case("PUT", CUES, "code with a final newline (was a 500)", changed(_cues, cues=[cue(code="hold\n")]), 400, "code"),
    Case("PUT", CUES, "label of a lone separator control", changed(_cues, cues=[cue(label="\x1c")]), 400, "label"),
    Case("PUT", CUES, "rhythm empty", changed(_cues, cues=[cue(rhythm=[])]), 400, "rhythm"),
    Case("PUT", CUES, "rhythm of even length", changed(_cues, cues=[cue(rhythm=[100, 100])]), 400, "rhythm"),
    Case("PUT", CUES, "rhythm step too short", changed(_cues, cues=[cue(rhythm=[5])]), 400, "rhythm"),
    Case("PUT", CUES, "rhythm over 5 s",
         changed(_cues, cues=[cue(rhythm=[2000, 100, 2000, 100, 2000])]), 400, "rhythm"),
    Case("PUT", CUES, "rhythm of the wrong type", changed(_cues, cues=[cue(rhythm="fast")]), 400, "rhythm"),
    Case("PUT", CUES, "urgency unknown", changed(_cues, cues=[cue(urgency="meh")]), 400, "urgency"),
    Case("PUT", CUES, "urgency with a final newline (was a 500)", changed(_cues, cues=[cue(urgency="high\n")]),
         400, "urgency"),
    Case("PUT", CUES, "ttl_seconds under 10", changed(_cues, cues=[cue(ttl_seconds=5)]), 400, "ttl_seconds"),
    Case("PUT", CUES, "an unknown field in a cue", changed(_cues, cues=[cue(colour="red")]), 400, "colour"),
    Case("PUT", CUES, "a duplicate code", changed(_cues, cues=[cue(), cue(rhythm=[500])]), 400, "code"),
    Case("PUT", CUES, "two cues with one rhythm", changed(_cues, cues=[cue(), cue(code="other")]), 400, "rhythm"),
    # --- messages, acks, sync
    *id_rules("GET", MESSAGES, _history, "channel_id"),
    Case("GET", MESSAGES, "before zero", with_query(_history, before=0), 400, "before"),
    Case("GET", MESSAGES, "before negative", with_query(_history, before=-5), 400, "before"),
    Case("GET", MESSAGES, "before 2**63", with_query(_history, before=HUGE), 400, "before"),
    Case("GET", MESSAGES, "before not a number", with_query(_history, before="x"), 400, "before"),
    Case("GET", MESSAGES, "limit zero", with_query(_history, limit=0), 400, "limit"),
    Case("GET", MESSAGES, "limit negative", with_query(_history, limit=-1), 400, "limit"),
    Case("GET", MESSAGES, "limit over 200", with_query(_history, limit=201), 400, "limit"),
    Case("GET", MESSAGES, "limit 2**63", with_query(_history, limit=HUGE), 400, "limit"),
    Case("GET", MESSAGES, "limit not a number", with_query(_history, limit="ten"), 400, "limit"),
    Case("GET", SEARCH, "no q", with_query(_team), 400, "q"),
    Case("GET", SEARCH, "q only punctuation", with_query(_team, q='"*-( )'), 400, "q"),
    Case("GET", SEARCH, "q over 200 characters", with_query(_team, q="x" * 201), 400, "q"),
    Case("GET", SEARCH, "limit zero", with_query(_team, q="hi", limit=0), 400, "limit"),
    Case("GET", SEARCH, "limit over 50", with_query(_team, q="hi", limit=51), 400, "limit"),
    Case("GET", SEARCH, "limit not a number", with_query(_team, q="hi", limit="ten"), 400, "limit"),
    *id_rules("DELETE", MESSAGES, _history, "channel_id"),
    *body_rules("POST", MESSAGES, _send, ("text", 5), "client_id"),
    *id_rules("POST", MESSAGES, _send, "channel_id"),
    Case("POST", MESSAGES, "text over 4000", changed(_send, text="t" * 4001), 400, "text"),
    Case("POST", MESSAGES, "text blank", changed(_send, text="   "), 400, "text"),
    Case("POST", MESSAGES, "client_id not a UUID", changed(_send, client_id="not-a-uuid"), 400, "client_id"),
    Case("POST", MESSAGES, "client_id a number", changed(_send, client_id=12), 400, "client_id"),
    Case("POST", MESSAGES, "kind unknown", changed(_send, kind="shout"), 400, "kind"),
    Case("POST", MESSAGES, "a cue not in the team's set", changed(_send, kind="cue", text=DROP, cue="sing"),
         400, "cue"),
    Case("POST", MESSAGES, "a cue code over 32", changed(_send, kind="cue", text=DROP, cue="c" * 33), 400, "cue"),
    Case("POST", MESSAGES, "a cue message without a cue", changed(_send, kind="cue", text=DROP), 400, "cue"),
    Case("POST", MESSAGES, "a text message carrying a cue", changed(_send, cue="wrap_up"), 400, "cue"),
    Case("POST", MESSAGES, "client_id reused for another text", custom(_send, _reused_client_id), 409, "client_id"),
    *id_rules("POST", ACK, _ack, "message_id"),
    *id_rules("POST", RECALL, _ack, "message_id"),
    *token_rules("GET", SYNC, _me),
    Case("GET", SYNC, "after negative", with_query(_me, after=-1), 400, "after"),
    Case("GET", SYNC, "after 2**63", with_query(_me, after=HUGE), 400, "after"),
    Case("GET", SYNC, "after not a number", with_query(_me, after="abc"), 400, "after"),
    Case("GET", SYNC, "after empty", with_query(_me, after=""), 400, "after"),
    Case("GET", SYNC, "limit zero", with_query(_me, limit=0), 400, "limit"),
    Case("GET", SYNC, "limit over 1000", with_query(_me, limit=1001), 400, "limit"),
    Case("GET", SYNC, "limit 2**63", with_query(_me, limit=HUGE), 400, "limit"),
    # --- meetings (docs/meetings.md; every case leaves the meetings as they were)
    *id_rules("GET", MEETINGS, _team, "team_id"),
    *body_rules("POST", MEETINGS, _plan, ("title", 5), "title"),
    *id_rules("POST", MEETINGS, _plan, "team_id"),
    Case("POST", MEETINGS, "counterpart missing", changed(_plan, counterpart=DROP), 400, "counterpart"),
    Case("POST", MEETINGS, "title over 120", changed(_plan, title="t" * 121), 400, "title"),
    Case("POST", MEETINGS, "title blank", changed(_plan, title="   "), 400, "title"),
    Case("POST", MEETINGS, "title a lone separator control", changed(_plan, title="\x1c"), 400, "title"),
    Case("POST", MEETINGS, "counterpart over 120", changed(_plan, counterpart="c" * 121), 400, "counterpart"),
    Case("POST", MEETINGS, "counterpart of the wrong type", changed(_plan, counterpart=["Acme"]), 400, "counterpart"),
    Case("POST", MEETINGS, "planned_at negative", changed(_plan, planned_at=-1), 400, "planned_at"),
    Case("POST", MEETINGS, "planned_at 2**63", changed(_plan, planned_at=HUGE), 400, "planned_at"),
    Case("POST", MEETINGS, "planned_at a date string", changed(_plan, planned_at="2030-01-01"), 400, "planned_at"),
    Case("POST", MEETINGS, "channel_id zero", changed(_plan, channel_id=0), 400, "channel_id"),
    Case("POST", MEETINGS, "channel_id 2**63", changed(_plan, channel_id=HUGE), 400, "channel_id"),
    Case("POST", MEETINGS, "channel_id not a number", changed(_plan, channel_id="Everyone"), 400, "channel_id"),
    Case("POST", MEETINGS, "channel_id unknown", changed(_plan, channel_id=UNKNOWN), 404, "channel"),
    Case("POST", MEETINGS, "channel_id a one-to-one channel", custom(_plan, _to_direct), 400, "channel_id"),
    *(case for method, path, target in MEETING_ONLY for case in id_rules(method, path, target, "meeting_id")),
    *body_rules("POST", MEETING + "/join", _join, ("place", 5), "place"),
    *id_rules("POST", MEETING + "/join", _join, "meeting_id"),
    Case("POST", MEETING + "/join", "role missing", changed(_join, role=DROP), 400, "role"),
    Case("POST", MEETING + "/join", "a place not in the list", changed(_join, place="garden"), 400, "place"),
    Case("POST", MEETING + "/join", "a role not in the list", changed(_join, role="singing"), 400, "role"),
    Case("POST", MEETING + "/join", "place in capitals", changed(_join, place="ROOM"), 400, "place"),
    Case("POST", MEETING + "/join", "place with a final newline", changed(_join, place="room\n"), 400, "place"),
    Case("POST", MEETING + "/join", "role with a final newline", changed(_join, role="notes\n"), 400, "role"),
    Case("POST", MEETING + "/join", "role of the wrong type", changed(_join, role=1), 400, "role"),
    *(
        case
        for tail in ("/floor/grant", "/floor/decline")
        for case in [
            *body_rules("POST", MEETING + tail, _floor_to, ("user_id", "abc"), "user_id"),
            *id_rules("POST", MEETING + tail, _floor_to, "meeting_id"),
            Case("POST", MEETING + tail, "user_id zero", changed(_floor_to, user_id=0), 400, "user_id"),
            Case("POST", MEETING + tail, "user_id negative", changed(_floor_to, user_id=-3), 400, "user_id"),
            Case("POST", MEETING + tail, "user_id 2**63", changed(_floor_to, user_id=HUGE), 400, "user_id"),
            Case("POST", MEETING + tail, "user_id a float", changed(_floor_to, user_id=1.5), 400, "user_id"),
        ]
    ),
    # Someone unknown is a rule of the meeting, not of the body: not at its table, not waiting for the floor.
    Case("POST", MEETING + "/floor/grant", "user_id unknown", changed(_floor_to, user_id=UNKNOWN), 409, "user_id"),
    Case("POST", MEETING + "/floor/decline", "user_id unknown", changed(_floor_to, user_id=UNKNOWN), 409),
    *body_rules("PUT", ESCALATION, _escalation, ("every_seconds", "thirty"), "times"),
    *id_rules("PUT", ESCALATION, _escalation, "team_id"),
    Case("PUT", ESCALATION, "every_seconds missing", changed(_escalation, every_seconds=DROP), 400, "every_seconds"),
    Case("PUT", ESCALATION, "every_seconds under 10", changed(_escalation, every_seconds=9), 400, "every_seconds"),
    Case("PUT", ESCALATION, "every_seconds over 300", changed(_escalation, every_seconds=301), 400, "every_seconds"),
    Case("PUT", ESCALATION, "every_seconds 2**63", changed(_escalation, every_seconds=HUGE), 400, "every_seconds"),
    Case("PUT", ESCALATION, "every_seconds a float", changed(_escalation, every_seconds=30.5), 400, "every_seconds"),
    Case("PUT", ESCALATION, "times negative", changed(_escalation, times=-1), 400, "times"),
    Case("PUT", ESCALATION, "times over 10", changed(_escalation, times=11), 400, "times"),
    Case("PUT", ESCALATION, "times a boolean", changed(_escalation, times=True), 400, "times"),
    Case("PUT", ESCALATION, "times null", changed(_escalation, times=None), 400, "times"),
    *id_rules("DELETE", CANCEL_ESCALATION, _insisting, "message_id"),
    Case("DELETE", CANCEL_ESCALATION, "a message that never insisted", with_params(_insisting, message_id=0), 400,
         "message_id"),
    # --- push
    # The public key takes no input at all: junk in the query and body changes nothing.
    Case("GET", PUSH_KEY, "junk query and body are ignored", as_built(_junk), 200),
    Case("GET", EVENTS, "junk query and body are ignored", as_built(_junk), 200),
    *token_rules("GET", PUSH_LEVEL, _me),
    *body_rules("PUT", PUSH_LEVEL, _level, ("level", 1), "level"),
    Case("PUT", PUSH_LEVEL, "an unknown level", changed(_level, level="loud"), 400, "level"),
    *token_rules("GET", PUSH_SUBSCRIPTIONS, _me),
    *body_rules("POST", PUSH_SUBSCRIPTIONS, _subscription, ("endpoint", 5), "keys"),
    Case("POST", PUSH_SUBSCRIPTIONS, "endpoint over 2048",
         changed(_subscription, endpoint="https://1.1.1.1/" + "p" * 2040), 400, "endpoint"),
    Case("POST", PUSH_SUBSCRIPTIONS, "endpoint not https", changed(_subscription, endpoint="ftp://1.1.1.1/x"),
         400, "endpoint"),
    Case("POST", PUSH_SUBSCRIPTIONS, "endpoint on loopback",
         changed(_subscription, endpoint="http://127.0.0.1:9/x"), 400, "endpoint"),
    Case("POST", PUSH_SUBSCRIPTIONS, "endpoint whose host cannot be read",
         changed(_subscription, endpoint="https://[::1/x"), 400, "endpoint"),
    Case("POST", PUSH_SUBSCRIPTIONS, "endpoint on a private address",
         changed(_subscription, endpoint="https://10.0.0.1/x"), 400, "endpoint"),
    Case("POST", PUSH_SUBSCRIPTIONS, "p256dh not base64url",
         changed(_subscription, keys={"p256dh": "!!!", "auth": b64(bytes(16))}), 400, "p256dh"),
    Case("POST", PUSH_SUBSCRIPTIONS, "auth of the wrong length",
         changed(_subscription, keys={**browser_keys(), "auth": b64(bytes(3))}), 400, "auth"),
    Case("POST", PUSH_SUBSCRIPTIONS, "p256dh not a point on P-256",
         changed(_subscription, keys={"p256dh": b64(b"\x04" + bytes(64)), "auth": b64(bytes(16))}), 400, "p256dh"),
    *body_rules("DELETE", PUSH_SUBSCRIPTIONS, _unsubscribe, ("endpoint", 5), "endpoint"),
    Case("DELETE", PUSH_SUBSCRIPTIONS, "an endpoint I never registered", changed(_unsubscribe), 404),
    # --- sources (docs/sources.md; the owner handles them; every case leaves them as they were)
    *id_rules("GET", SOURCES, _team, "team_id"),
    *body_rules("POST", SOURCES, _new_source, ("pseudonym", 5), "pseudonym"),
    *id_rules("POST", SOURCES, _new_source, "team_id"),
    Case("POST", SOURCES, f"pseudonym over {PSEUDONYM_MAX}", changed(_new_source, pseudonym="p" * (PSEUDONYM_MAX + 1)),
         400, "pseudonym"),
    Case("POST", SOURCES, "pseudonym blank", changed(_new_source, pseudonym="   "), 400, "pseudonym"),
    Case("POST", SOURCES, "pseudonym a zero-width space", changed(_new_source, pseudonym="\u200b"), 400, "pseudonym"),
    Case("POST", SOURCES, f"notes over {NOTES_MAX}", changed(_new_source, notes="n" * (NOTES_MAX + 1)), 400, "notes"),
    Case("POST", SOURCES, "notes of the wrong type", changed(_new_source, notes=["who"]), 400, "notes"),
    Case("POST", SOURCES, "notes null", changed(_new_source, notes=None), 400, "notes"),
    Case("POST", SOURCES, "a pseudonym looking like another source's",
         _source_body(lambda w: {"pseudonym": w.sources.invited_pseudonym.upper().replace(" ", "  ")}, _new_source),
         409, "pseudonym"),
    *id_rules("GET", SOURCE, _source, "source_id"),
    *body_rules("PATCH", SOURCE, _edit_source, ("notes", 5), None),
    *id_rules("PATCH", SOURCE, _edit_source, "source_id"),
    Case("PATCH", SOURCE, f"pseudonym over {PSEUDONYM_MAX}",
         changed(_edit_source, pseudonym="p" * (PSEUDONYM_MAX + 1)), 400, "pseudonym"),
    Case("PATCH", SOURCE, "pseudonym blank", changed(_edit_source, pseudonym=" "), 400, "pseudonym"),
    Case("PATCH", SOURCE, f"notes over {NOTES_MAX}", changed(_edit_source, notes="n" * (NOTES_MAX + 1)), 400, "notes"),
    # The notes come first in the handler: the refusal of the pseudonym must take them back too.
    Case("PATCH", SOURCE, "new notes with a pseudonym looking like another source's",
         _source_body(lambda w: {"pseudonym": w.sources.invited_pseudonym.lower()}, _edit_source), 409, "pseudonym"),
    Case("PATCH", SOURCE, "an ended source", _ended(_edit_source), 409),
    *id_rules("POST", LINK, _source, "source_id"),
    Case("POST", LINK, "an ended source", _ended(_source), 409),
    *user_id_rules("POST", HANDOVER, _handover),
    *id_rules("POST", HANDOVER, _handover, "source_id"),
    Case("POST", HANDOVER, "to myself", _source_body(lambda w: {"user_id": w.owner.id}, _handover), 400, "user_id"),
    Case("POST", HANDOVER, "to the source's own guest account",
         _source_body(lambda w: {"user_id": w.sources.guest_id}, _handover), 400, "user_id"),
    Case("POST", HANDOVER, "to someone of another team",
         _source_body(lambda w: {"user_id": w.sources.foreign_user_id}, _handover), 400, "user_id"),
    Case("POST", HANDOVER, "an ended source", _ended(_handover), 409),
    *id_rules("DELETE", SOURCE, _source, "source_id"),
    Case("DELETE", SOURCE, "an ended source", _ended(_source), 409),
    *body_rules("POST", CONTACT, _open_link, ("token", 5), "token"),
    Case("POST", CONTACT, "a used link", _source_body(lambda w: {"token": w.sources.used_link}, _open_link), 404,
         "used"),
    Case("POST", CONTACT, "an expired link", _source_body(lambda w: {"token": w.sources.expired_link}, _open_link),
         410, "expired"),
    Case("POST", CONTACT, "a garbage token", changed(_open_link, token="x" * 43), 404, "link"),
    Case("POST", CONTACT, "token empty", changed(_open_link, token=""), 400, "token"),
    Case("POST", CONTACT, "token over 100", changed(_open_link, token="t" * 101), 400, "token"),
    Case("POST", CONTACT, "opened by a team account", custom(_open_link, lambda w, r: _as_owner(r)), 409, "phone"),
    *token_rules("GET", CONTACT, _me),
    Case("GET", CONTACT, "a team account", as_built(_me), 404),
    *id_rules("GET", INTEL, _team, "team_id"),
    *body_rules("POST", LOG_INTEL, _intel, ("credibility", "two"), "reliability"),
    # Litestar converts a route's arguments, the body too, with msgspec's strict=False: "2" was taken for 2 and 0 for
    # false, in every body (max_uses "5" alike), against the documented schema; api/wire.py refuses them now.
    Case("POST", LOG_INTEL, "credibility a numeric string (was taken as 2)", changed(_intel, credibility="2"), 400,
         "credibility"),
    *id_rules("POST", LOG_INTEL, _intel, "source_id"),
    Case("POST", LOG_INTEL, "credibility missing", changed(_intel, credibility=DROP), 400, "credibility"),
    *(
        Case("POST", LOG_INTEL, f"reliability {value!r}", changed(_intel, reliability=value), 400, "reliability")
        for value in ("G", "a", "", "A\n", 1)
    ),
    *(
        Case("POST", LOG_INTEL, f"credibility {value!r}", changed(_intel, credibility=value), 400, "credibility")
        for value in (0, 7, -1, 2.5, True, HUGE)
    ),
    Case("POST", LOG_INTEL, f"claim over {CLAIM_MAX}", changed(_intel, claim="c" * (CLAIM_MAX + 1)), 400, "claim"),
    Case("POST", LOG_INTEL, "claim blank", changed(_intel, claim="   "), 400, "claim"),
    Case("POST", LOG_INTEL, "no claim and no message", changed(_intel, claim=DROP), 400, "claim"),
    Case("POST", LOG_INTEL, "claim null and no message", changed(_intel, claim=None), 400, "claim"),
    Case("POST", LOG_INTEL, "message_id of a message in another channel",
         _source_body(lambda w: {"claim": DROP, "message_id": w.message_id}, _intel), 400, "message_id"),
    Case("POST", LOG_INTEL, "message_id of the handler's own message",
         _source_body(lambda w: {"message_id": w.sources.handler_message_id}, _intel), 400, "message_id"),
    Case("POST", LOG_INTEL, "message_id unknown", changed(_intel, message_id=UNKNOWN), 400, "message_id"),
    Case("POST", LOG_INTEL, "message_id zero", changed(_intel, message_id=0), 400, "message_id"),
    Case("POST", LOG_INTEL, "message_id 2**63", changed(_intel, message_id=HUGE), 400, "message_id"),
    Case("POST", LOG_INTEL, "message_id a string", changed(_intel, message_id="twelve"), 400, "message_id"),
    Case("POST", LOG_INTEL, "an ended source", _ended(_intel), 409),
    *body_rules("PUT", ASSESSMENT, _assessment, ("known", "yes"), "verdict"),
    *id_rules("PUT", ASSESSMENT, _assessment, "entry_id"),
    Case("PUT", ASSESSMENT, "verdict unknown", changed(_assessment, verdict="confirmed"), 400, "verdict"),
    Case("PUT", ASSESSMENT, "verdict in capitals", changed(_assessment, verdict="CORROBORATED"), 400, "verdict"),
    Case("PUT", ASSESSMENT, "a verdict without evidence", changed(_assessment, note=DROP), 400, "by_entry_id"),
    Case("PUT", ASSESSMENT, "a verdict whose only evidence is a blank note", changed(_assessment, note="   "), 400,
         "by_entry_id"),
    Case("PUT", ASSESSMENT, f"note over {ASSESSMENT_NOTE_MAX}",
         changed(_assessment, note="n" * (ASSESSMENT_NOTE_MAX + 1)), 400, "note"),
    Case("PUT", ASSESSMENT, "by_entry_id of another team's entry",
         _source_body(lambda w: {"note": DROP, "by_entry_id": w.sources.foreign_entry_id}, _assessment), 400,
         "by_entry_id"),
    Case("PUT", ASSESSMENT, "by_entry_id the entry itself",
         _source_body(lambda w: {"by_entry_id": w.sources.entry_id}, _assessment), 400, "by_entry_id"),
    Case("PUT", ASSESSMENT, "by_entry_id unknown", changed(_assessment, by_entry_id=UNKNOWN), 400, "by_entry_id"),
    Case("PUT", ASSESSMENT, "by_entry_id zero", changed(_assessment, by_entry_id=0), 400, "by_entry_id"),
    Case("PUT", ASSESSMENT, "known null", changed(_assessment, known=None), 400, "known"),
    Case("PUT", ASSESSMENT, "known 0 (was taken as false)", changed(_assessment, known=0), 400, "known"),
    Case("PUT", ASSESSMENT, "by_entry_id a numeric string", custom(_assessment, _entry_id_as_text), 400,
         "by_entry_id"),
    *body_rules("POST", GIVES, _give, ("what", 5), "what"),
    *id_rules("POST", GIVES, _give, "source_id"),
    Case("POST", GIVES, f"what over {GIVE_MAX}", changed(_give, what="w" * (GIVE_MAX + 1)), 400, "what"),
    Case("POST", GIVES, "what empty", changed(_give, what=""), 400, "what"),
    Case("POST", GIVES, "what blank", changed(_give, what="   "), 400, "what"),
    Case("POST", GIVES, "given_at in the future", changed(_give, given_at=2**52), 400, "given_at"),
    Case("POST", GIVES, "given_at negative", changed(_give, given_at=-1), 400, "given_at"),
    Case("POST", GIVES, "given_at 2**63", changed(_give, given_at=HUGE), 400, "given_at"),
    Case("POST", GIVES, "given_at a date string", changed(_give, given_at="2030-01-01"), 400, "given_at"),
    Case("POST", GIVES, "given_at a numeric string", changed(_give, given_at="1700000000000"), 400, "given_at"),
    Case("POST", GIVES, "an ended source", _ended(_give), 409),
    *id_rules("GET", EXCHANGE, _source, "source_id"),
]
# fmt: on


# What a refused request about sources must leave as it was: the sources, their links and notes, the intel log,
# the gives, the guests and their sessions, the conversations and who is in them, and the event log.
_STATE = {
    "sources": "SELECT * FROM sources ORDER BY id",
    "intel": "SELECT * FROM intel_entries ORDER BY id",
    "gives": "SELECT * FROM source_gives ORDER BY id",
    "guests": "SELECT u.id, u.display_name, count(s.id) FROM users u LEFT JOIN sessions s ON s.user_id = u.id"
    " WHERE u.kind = 'guest' GROUP BY u.id ORDER BY u.id",
    "channels": "SELECT * FROM channels ORDER BY id",
    "members": "SELECT channel_id, user_id FROM channel_members ORDER BY channel_id, user_id",
    "messages": "SELECT id, channel_id, text, recalled_at FROM messages ORDER BY id",
    # The world's urgent cue insists in the background (an escalation event every 30 s): not the request's doing.
    "events": "SELECT max(id) FROM events WHERE type <> 'escalation'",
}


def sources_state(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return {name: db.execute(query).fetchall() for name, query in _STATE.items()}


def test_every_api_route_gets_bad_input() -> None:
    """A route added to the app without cases here fails this test (and cases for a route that is gone, too)."""
    assert {(case.method, case.path) for case in CASES} == API_ROUTES
    assert {"/api/live"} == SOCKET_ROUTES  # the socket's cases are the test_live_* tests below
    assert len({case.id for case in CASES}) == len(CASES)


PARAMS = [
    pytest.param(
        case, id=case.id, marks=[pytest.mark.xfail(strict=True, reason=case.known_bug)] if case.known_bug else []
    )
    for case in CASES
]


@in_module_loop
@pytest.mark.parametrize("case", PARAMS)
async def test_bad_input(case: Case, world: World) -> None:
    req = await case.build(world)
    before = sources_state(world.sources.database) if case.path in SOURCE_ROUTES else None
    response = await req.send(world, case.method, case.path)
    assert response.status_code == case.status, response.text
    if before is not None:
        assert sources_state(world.sources.database) == before, "a refused request changed something"
    if case.status < 400:
        return
    body = response.json()
    assert_error_shape(body)
    if case.names:
        named = any(case.names in key for key in body["fields"]) or case.names in body["detail"]
        assert named, f"{case.names!r} not named in {body}"


# --- the live socket


@in_module_loop
@pytest.mark.parametrize(
    ("query", "auth", "code"),
    [
        ("?after=abc", True, 4400),
        ("?after=-1", True, 4400),
        (f"?after={HUGE}", True, 4400),
        ("?after=1.5", True, 4400),
        ("", False, 4401),
        ("?after=0", False, 4401),
    ],
    ids=["after=abc", "after=-1", "after=2**63", "after=1.5", "no token", "no token, good after"],
)
async def test_live_refuses_a_bad_start_with_a_close_code(query: str, auth: bool, code: int, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.owner.token}"} if auth else {}
    assert await close_code_of(f"{world.ws_base}/api/live{query}", headers) == code


@in_module_loop
async def test_live_with_a_garbage_token_closes_4401(world: World) -> None:
    assert await close_code_of(f"{world.ws_base}/api/live", {"Authorization": "Bearer nonsense"}) == 4401


BAD_FRAMES = [
    "{not json",
    "[]",
    "42",
    '{"no": "type"}',
    '{"type": "shout"}',
    '{"type": "visibility", "visible": "yes"}',
    '{"type": "visibility"}',
    "x" * 5000,
    '{"type": "ping", "x": ' + "[" * 2000 + "]" * 2000 + "}",  # deeper than the decoder's recursion, under 4 KiB
]


@in_module_loop
async def test_live_answers_bad_frames_with_error_frames_and_stays_open(world: World) -> None:
    async with world.owner.live() as ws:
        await frames_until_ready(ws)
        for frame in [*BAD_FRAMES, b"\x00\xff binary"]:
            await ws.send(frame)
            answer = await next_frame(ws)
            assert answer["type"] == "error", (frame, answer)
            assert isinstance(answer["error"], str) and isinstance(answer["detail"], str)
        await ws.send('{"type": "ping"}')
        assert await next_frame(ws) == {"type": "pong"}


# --- the limits of sources (docs/sources.md): at the limit a 409 limit_reached, and two at the last slot leave
# exactly the limit. The rows up to the limit are written into the database file directly (the API would take
# minutes: source actions are limited to 60 a minute per user).


def _fill(database: Path, sql: str, rows: list[tuple[Any, ...]]) -> None:
    with contextlib.closing(sqlite3.connect(database, timeout=10)) as db, db:
        db.executemany(sql, rows)


def _count(database: Path, sql: str, key: int) -> int:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return int(db.execute(sql, (key,)).fetchone()[0])


async def _at_the_last_slot(
    send: Callable[[int], Awaitable[httpx.Response]], count: Callable[[], int], limit: int
) -> None:
    """With one slot left, two requests at once: one is taken, one refused; then any other is refused, and the
    refusals change nothing."""
    assert count() == limit - 1
    raced = await asyncio.gather(send(1), send(2))
    assert sorted(r.status_code for r in raced) == [201, 409], [r.text for r in raced]
    refused = next(r for r in raced if r.status_code == 409)
    assert_error_shape(refused.json())
    assert refused.json()["error"] == "limit_reached", refused.text
    assert count() == limit
    again = await send(3)
    assert again.status_code == 409 and again.json()["error"] == "limit_reached", again.text
    assert count() == limit


@in_module_loop
async def test_a_team_holds_at_most_its_sources_even_two_added_at_once(world: World) -> None:
    """Open and invited ones: ended sources (as many again here) keep their intel and take no place."""
    team = await make_team(world.http, world.ws_base, leads=0, members=1)
    database = world.sources.database
    _fill(
        database,
        "INSERT INTO sources (team_id, handler_id, pseudonym, notes, state, created_at) VALUES (?, ?, ?, '', ?, 0)",
        [
            (team.id, team.owner.id, f"Filler {n}", "invited" if n < MAX_SOURCES_PER_TEAM else "ended")
            for n in range(1, 2 * MAX_SOURCES_PER_TEAM)
        ],
    )
    adders = {1: team.owner, 2: team.members[0], 3: team.owner}

    async def add(n: int) -> httpx.Response:
        return await adders[n].post(f"/api/teams/{team.id}/sources", {"pseudonym": f"Last {n}", "notes": "x"})

    def count() -> int:
        return _count(database, "SELECT count(*) FROM sources WHERE team_id = ? AND state <> 'ended'", team.id)

    await _at_the_last_slot(add, count, MAX_SOURCES_PER_TEAM)


async def _fresh_source(w: World) -> tuple[Team, int]:
    team = await make_team(w.http, w.ws_base, leads=0, members=0)
    made = await team.owner.post(f"/api/teams/{team.id}/sources", {"pseudonym": "Source K"})
    assert made.status_code == 201, made.text
    return team, int(made.json()["id"])


@in_module_loop
async def test_a_source_holds_at_most_its_intel_entries_even_two_logged_at_once(world: World) -> None:
    team, source_id = await _fresh_source(world)
    database = world.sources.database
    _fill(
        database,
        "INSERT INTO intel_entries (team_id, source_id, author_id, claim, reliability, credibility, created_at)"
        " VALUES (?, ?, ?, ?, 'F', 6, 0)",
        [(team.id, source_id, team.owner.id, f"claim {n}") for n in range(1, MAX_ENTRIES_PER_SOURCE)],
    )

    async def log(n: int) -> httpx.Response:
        body = {"reliability": "B", "credibility": 2, "claim": f"last {n}"}
        return await team.owner.post(f"/api/sources/{source_id}/intel", body)

    def count() -> int:
        return _count(database, "SELECT count(*) FROM intel_entries WHERE source_id = ?", source_id)

    await _at_the_last_slot(log, count, MAX_ENTRIES_PER_SOURCE)


@in_module_loop
async def test_a_source_holds_at_most_its_gives_even_two_recorded_at_once(world: World) -> None:
    team, source_id = await _fresh_source(world)
    database = world.sources.database
    _fill(
        database,
        "INSERT INTO source_gives (source_id, author_id, what, given_at, created_at) VALUES (?, ?, ?, 0, 0)",
        [(source_id, team.owner.id, f"gave {n}") for n in range(1, MAX_GIVES_PER_SOURCE)],
    )

    async def give(n: int) -> httpx.Response:
        return await team.owner.post(f"/api/sources/{source_id}/gives", {"what": f"last {n}"})

    def count() -> int:
        return _count(database, "SELECT count(*) FROM source_gives WHERE source_id = ?", source_id)

    await _at_the_last_slot(give, count, MAX_GIVES_PER_SOURCE)
