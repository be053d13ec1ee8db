"""Who may call what: every API route against every kind of caller, read from the app's own route table.

Callers: anonymous (no token), revoked (a token whose session was deleted), outsider (signed in, not in the team),
member, lead and owner of a fresh team, the guest (a source's own account, docs/sources.md) and the handler (the
member who added that source and talks to it). Rules: anonymous and revoked get 401 wherever a session is needed; an
outsider gets 404 for anything inside the team, exactly as if it did not exist; members get 403 on lead-only
actions and 404 on the Leads channel (and on other people's one-to-one channels); leads and the owner succeed. The
guest gets the outsider's 404 on every route not marked for guests, and reaches its own conversation only; a
teammate who is not the handler gets 403 on what is the handler's to do, and 404 on the conversation.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from api.meetings import route_handlers as meeting_routes
from tests.client import (
    PASSWORD,
    Person,
    Team,
    close_code_of,
    fake_address,
    frames_until_ready,
    join,
    make_team,
    next_frame,
    open_link,
    sign_up,
    sync_all,
)
from tests.push_service import PUSH_ENV, PushService, browser_keys
from tests.routes import API_ROUTES, assert_error_shape, fill
from tests.server import ServerProcess
from tests.test_meetings import plan, seat

CALLERS = ("anonymous", "revoked", "outsider", "member", "lead", "owner", "guest", "handler")
UNKNOWN_ID = 10**12
PSEUDONYM = "Source Nightjar"
NOTES = "Really: the CFO's chief of staff"
ERROR_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}


@dataclass
class World:
    """A fresh team and the eight callers; builds, on demand and once, what a request needs.

    The handler is a third member of the team (none of the team's usual callers): it added the world's source, whose
    guest opened its link, so the conversation (channel "Source") is the handler's and the guest's only."""

    http: httpx.AsyncClient
    ws_base: str
    team: Team
    outsider: Person
    revoked: Person
    anonymous: Person
    handler: Person
    guest: Person
    source_id: int
    _cache: dict[str, Any] = field(default_factory=dict)

    def caller(self, name: str) -> Person:
        people = {"member": self.team.members[0], "lead": self.team.leads[0], "owner": self.team.owner}
        return people.get(name) or getattr(self, name)

    async def newcomer(self, role: str = "member") -> Person:
        person = await sign_up(self.http, self.ws_base)
        await join(person, self.team.id, self.team.owner, role)
        return person

    async def invite(self) -> dict[str, Any]:
        response = await self.team.owner.post(f"/api/teams/{self.team.id}/invites", {"role": "member"})
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def group(self) -> int:
        """A new custom group of the owner, the lead, the member and the handler callers."""
        people = [self.team.members[0].id, self.team.leads[0].id, self.handler.id]
        made = await self.team.owner.post(
            f"/api/teams/{self.team.id}/channels", {"name": f"Group {uuid.uuid4().hex[:8]}", "members": people}
        )
        assert made.status_code == 201, made.text
        return int(made.json()["id"])

    async def channel(self, which: str) -> int:
        """Everyone, Leads, Direct: the one-to-one channel of the two members (the member caller is one), Group: a
        custom group of the owner, the lead, the member and the handler callers, or Source: the conversation of the
        handler and the guest."""
        if which not in self._cache:
            if which == "Source":
                contact = await self.guest.get("/api/contact")
                assert contact.status_code == 200, contact.text
                self._cache[which] = contact.json()["channel_id"]
            elif which == "Group":
                self._cache[which] = await self.group()
            elif which == "Direct":
                opened = await self.team.members[1].post(
                    f"/api/teams/{self.team.id}/direct", {"user_id": self.team.members[0].id}
                )
                assert opened.status_code == 201, opened.text
                self._cache[which] = opened.json()["id"]
            else:
                self._cache[which] = (await self.team.owner.channels(self.team.id))[which]["id"]
        return int(self._cache[which])

    async def message(self, which: str) -> int:
        """A message in the channel from someone who is none of the callers (nobody may ack their own)."""
        key = f"message:{which}"
        if key not in self._cache:
            # In the conversation, only the guest and the handler can write: the guest, here.
            author = self.guest if which == "Source" else self.team.members[1]
            author = await self.newcomer("lead") if which == "Leads" else author
            sent = await author.send(await self.channel(which), text=f"for {which}")
            assert sent.status_code == 201, sent.text
            self._cache[key] = sent.json()["id"]
        return int(self._cache[key])

    def in_team(self, me: Person) -> bool:
        return me.id in {person.id for person in (*self.team.everyone, self.handler)}

    async def new_source(self) -> dict[str, Any]:
        """A source of the handler's own that nobody has joined yet (with its link's token)."""
        made = await self.handler.post(
            f"/api/teams/{self.team.id}/sources", {"pseudonym": f"Source {uuid.uuid4().hex[:8]}", "notes": NOTES}
        )
        assert made.status_code == 201, made.text
        return dict(made.json())

    async def entry(self) -> int:
        """An intel entry the handler logged from the world's source, made once."""
        if "entry" not in self._cache:
            logged = await self.handler.post(
                f"/api/sources/{self.source_id}/intel", {"reliability": "B", "credibility": 2, "claim": "Budget 2.1M"}
            )
            assert logged.status_code == 201, logged.text
            self._cache["entry"] = logged.json()["id"]
        return int(self._cache["entry"])

    async def ended_source(self) -> int:
        """A source of the handler's that it has ended, made once."""
        if "ended" not in self._cache:
            source = await self.new_source()
            ended = await self.handler.delete(f"/api/sources/{source['id']}")
            assert ended.status_code == 200, ended.text
            self._cache["ended"] = source["id"]
        return int(self._cache["ended"])

    async def end_live(self) -> None:
        """End the team's live meeting, if any (a team has one live at a time)."""
        listed = await self.team.owner.get(f"/api/teams/{self.team.id}/meetings")
        assert listed.status_code == 200, listed.text
        for meeting in listed.json():
            if meeting["state"] == "live":
                ended = await self.team.leads[0].post(f"/api/meetings/{meeting['id']}/end")
                assert ended.status_code == 200, ended.text

    async def new_meeting(self, state: str = "planned", channel: str = "Everyone") -> int:
        """A meeting of its own, planned by the lead (its cues to the channel), then started (and ended) as asked;
        one that goes live ends the team's live one first."""
        meeting = await plan(self.team, channel_id=await self.channel(channel))
        for step, reached in (("start", ("live", "ended")), ("end", ("ended",))):
            if state in reached:
                if step == "start":
                    await self.end_live()
                moved = await self.team.leads[0].post(f"/api/meetings/{meeting['id']}/{step}")
                assert moved.status_code == 200, moved.text
        return int(meeting["id"])

    async def meeting(self, state: str = "planned", channel: str = "Everyone") -> int:
        """The world's meeting in that state, made once (the Everyone one unless said)."""
        key = f"meeting:{state}:{channel}"
        if key not in self._cache:
            self._cache[key] = await self.new_meeting(state, channel)
        return int(self._cache[key])

    async def at_the_table(self, who: Person, meeting_id: int) -> None:
        key = f"seat:{meeting_id}:{who.id}"
        if key not in self._cache:
            self._cache[key] = await seat(who, meeting_id)

    async def urgent_cue(self, sender: Person, channel: str = "Everyone") -> int:
        """A cue that insists (urgent, sent in the live meeting of the channel), from the sender."""
        await self.meeting("live", channel)
        sent = await sender.send(await self.channel(channel), cue="stop_call_me")
        assert sent.status_code == 201, sent.text
        return int(sent.json()["id"])


async def make_world(http: httpx.AsyncClient, ws_base: str) -> World:
    team = await make_team(http, ws_base)
    outsider = await sign_up(http, ws_base)
    revoked = await sign_up(http, ws_base)
    logged_out = await revoked.request("DELETE", f"/api/sessions/{revoked.session_id}")
    assert logged_out.status_code == 204, logged_out.text
    address = fake_address()
    anonymous = Person(http, ws_base, 0, "", "", 0, "", address, headers={"X-Forwarded-For": address})
    handler = await sign_up(http, ws_base)
    await join(handler, team.id, team.owner)
    made = await handler.post(f"/api/teams/{team.id}/sources", {"pseudonym": PSEUDONYM, "notes": NOTES})
    assert made.status_code == 201, made.text
    guest = await open_link(http, ws_base, made.json()["link"]["token"])
    return World(http, ws_base, team, outsider, revoked, anonymous, handler, guest, made.json()["id"])


@pytest.fixture
async def world(http: httpx.AsyncClient, server: ServerProcess) -> World:
    return await make_world(http, server.ws_url)


# A request for one route: its path parameters and its JSON body (None: no body).
Call = tuple[dict[str, Any], Any]
Build = Callable[[World, Person], Awaitable[Call]]


def plain(body: Any = None) -> Build:
    async def build(w: World, me: Person) -> Call:
        return {}, body

    return build


def in_team(body: Any = None) -> Build:
    async def build(w: World, me: Person) -> Call:
        return {"team_id": w.team.id}, body

    return build


def in_channel(which: str, body: Callable[[], Any] = lambda: None) -> Build:
    async def build(w: World, me: Person) -> Call:
        return {"channel_id": await w.channel(which)}, body()

    return build


def on_message(which: str) -> Build:
    async def build(w: World, me: Person) -> Call:
        return {"message_id": await w.message(which)}, None

    return build


async def new_account(w: World, me: Person) -> Call:
    return {}, {"username": f"new{uuid.uuid4().hex[:10]}", "password": PASSWORD, "display_name": "New"}


async def outsider_login(w: World, me: Person) -> Call:
    return {}, {"username": w.outsider.username, "password": PASSWORD, "device": "test"}


async def own_session(w: World, me: Person) -> Call:
    return {"session_id": me.session_id or w.team.owner.session_id}, None


async def own_name(w: World, me: Person) -> Call:
    return {}, {"display_name": f"Renamed {uuid.uuid4().hex[:6]}"}


async def own_session_named(w: World, me: Person) -> Call:
    return {"session_id": me.session_id or w.team.owner.session_id}, {"device": "Work phone"}


async def fresh_invite(w: World, me: Person) -> Call:
    return {"team_id": w.team.id, "invite_id": (await w.invite())["id"]}, None


async def accept_fresh_invite(w: World, me: Person) -> Call:
    return {"token": (await w.invite())["token"]}, None


def on_newcomer(body: Any = None) -> Build:
    """Act on a member who just joined (a different one for each caller)."""

    async def build(w: World, me: Person) -> Call:
        return {"team_id": w.team.id, "user_id": (await w.newcomer()).id}, body

    return build


async def fresh_group(w: World, me: Person) -> Call:
    """A group of its own for each caller (deleting it leaves none for the next one)."""
    return {"channel_id": await w.group()}, None


async def group_newcomer(w: World, me: Person) -> Call:
    """Someone new in the team and in the group, for the caller to remove (a different one for each caller)."""
    newcomer, group = await w.newcomer(), await w.channel("Group")
    added = await w.team.owner.post(f"/api/channels/{group}/members", {"user_id": newcomer.id})
    assert added.status_code == 200, added.text
    return {"channel_id": group, "user_id": newcomer.id}, None


async def seat_second_member(w: World, me: Person) -> Call:
    """The second member (in none of the callers' places), into the group: the first add seats them, others repeat."""
    return {"channel_id": await w.channel("Group")}, {"user_id": w.team.members[1].id}


async def leave_fresh_group(w: World, me: Person) -> Call:
    return {"channel_id": await w.group(), "user_id": me.id or w.team.owner.id}, None


async def new_channel(w: World, me: Person) -> Call:
    # A name of the caller's own: two channels of a team may not look alike (409 channel_name_taken).
    return {"team_id": w.team.id}, {"name": f"Pricing {me.id}", "members": [w.team.members[0].id]}


async def direct_with_second_member(w: World, me: Person) -> Call:
    return {"team_id": w.team.id}, {"user_id": w.team.members[1].id}


def push_subscription() -> dict[str, Any]:
    """A well-formed subscription on a public address (the shared test server refuses loopback endpoints)."""
    return {
        "endpoint": f"https://1.1.1.1/push/{uuid.uuid4().hex}",
        "keys": browser_keys(),
    }


async def new_push_subscription(w: World, me: Person) -> Call:
    return {}, push_subscription()


async def own_push_subscription(w: World, me: Person) -> Call:
    """Forget a subscription the caller registered just before (callers without a session have none)."""
    subscription = push_subscription()
    await me.post("/api/push/subscriptions", subscription)
    return {}, {"endpoint": subscription["endpoint"]}


def on_meeting(state: str = "planned", channel: str = "Everyone", body: Any = None) -> Build:
    """The world's meeting in that state (one for every caller: the call changes nothing, or nothing that matters)."""

    async def build(w: World, me: Person) -> Call:
        return {"meeting_id": await w.meeting(state, channel)}, body

    return build


def fresh_meeting(state: str) -> Build:
    """A meeting of the caller's own in that state (starting, ending or deleting it leaves none for the next), with
    no other meeting of the team live (the previous caller's start leaves one)."""

    async def build(w: World, me: Person) -> Call:
        await w.end_live()
        return {"meeting_id": await w.new_meeting(state)}, None

    return build


async def to_the_floor(w: World, who: Person, asked: bool, holding: bool) -> int:
    """The live meeting, with someone at its table, asking for the floor (again), or given it (again) by the lead."""
    meeting_id = await w.meeting("live")
    await w.at_the_table(who, meeting_id)
    if asked:
        asked_for = await who.post(f"/api/meetings/{meeting_id}/floor")
        assert asked_for.status_code == 200, asked_for.text
    if holding:
        granted = await w.team.leads[0].post(f"/api/meetings/{meeting_id}/floor/grant", {"user_id": who.id})
        assert granted.status_code == 200, granted.text
    return meeting_id


def my_floor(asked: bool = False, holding: bool = False) -> Build:
    """The caller (if in the team) at the live meeting's table; asking for the floor, or holding it."""

    async def build(w: World, me: Person) -> Call:
        if not w.in_team(me):
            return {"meeting_id": await w.meeting("live")}, None
        return {"meeting_id": await to_the_floor(w, me, asked, holding)}, None

    return build


def their_floor(asked: bool = False, holding: bool = False) -> Build:
    """The second member (none of the callers) at the live meeting's table; the body names them."""

    async def build(w: World, me: Person) -> Call:
        them = w.team.members[1]
        return {"meeting_id": await to_the_floor(w, them, asked, holding)}, {"user_id": them.id}

    return build


def urgent_cue(own: bool = False, channel: str = "Everyone") -> Build:
    """An urgent cue that insists: the caller's own (when in the team), or else one from the second member (or, in
    Leads, from a lead who is none of the callers)."""

    async def build(w: World, me: Person) -> Call:
        if own and w.in_team(me):
            return {"message_id": await w.urgent_cue(me, channel)}, None
        key = f"cue:{channel}"
        if key not in w._cache:
            sender = await w.newcomer("lead") if channel == "Leads" else w.team.members[1]
            w._cache[key] = await w.urgent_cue(sender, channel)
        return {"message_id": w._cache[key]}, None

    return build


def on_source(body: Any = None) -> Build:
    """The world's source (the guest's own: the handler's, in its conversation with the guest)."""

    async def build(w: World, me: Person) -> Call:
        return {"source_id": w.source_id}, body

    return build


def fresh_source(body: Callable[[World], Any] = lambda w: None) -> Build:
    """A source of the handler's, new for each caller (handing it over or ending it leaves none for the next); for
    the guest, its own."""

    async def build(w: World, me: Person) -> Call:
        source_id = w.source_id if me is w.guest else (await w.new_source())["id"]
        return {"source_id": source_id}, body(w)

    return build


def on_ended_source(body: Any = None) -> Build:
    async def build(w: World, me: Person) -> Call:
        return {"source_id": await w.ended_source()}, body

    return build


async def new_source(w: World, me: Person) -> Call:
    return {"team_id": w.team.id}, {"pseudonym": f"Source {uuid.uuid4().hex[:8]}", "notes": NOTES}


async def fresh_link(w: World, me: Person) -> Call:
    """A link nobody has opened, for each caller."""
    return {}, {"token": (await w.new_source())["link"]["token"]}


def on_entry(body: Any) -> Build:
    async def build(w: World, me: Person) -> Call:
        return {"entry_id": await w.entry()}, body

    return build


async def intel_from_message(w: World, me: Person) -> Call:
    """Intel from what the guest said in its conversation."""
    said = await w.message("Source")
    return {"source_id": w.source_id}, {"reliability": "B", "credibility": 2, "message_id": said}


async def handler_message(w: World, me: Person) -> Call:
    """A text the handler sent in its conversation, made once."""
    if "message:handler" not in w._cache:
        sent = await w.handler.send(await w.channel("Source"), text="Can we meet?")
        assert sent.status_code == 201, sent.text
        w._cache["message:handler"] = sent.json()["id"]
    return {"message_id": w._cache["message:handler"]}, None


async def conversation_with(w: World, me: Person) -> Call:
    """The conversation, with a teammate to add to it."""
    return {"channel_id": await w.channel("Source")}, {"user_id": w.team.members[1].id}


async def conversation_guest(w: World, me: Person) -> Call:
    """The conversation and its guest, to take out of it."""
    return {"channel_id": await w.channel("Source"), "user_id": w.guest.id}, None


async def leave_conversation(w: World, me: Person) -> Call:
    return {"channel_id": await w.channel("Source"), "user_id": me.id or w.handler.id}, None


def with_the_guest(body: Callable[[World], Any], params: Callable[[World], Any] | None = None) -> Build:
    """A team route that names the guest as if it were a teammate (it is not one)."""

    async def build(w: World, me: Person) -> Call:
        return (await params(w) if params else {"team_id": w.team.id}), body(w)

    return build


async def group_of(w: World) -> dict[str, Any]:
    return {"channel_id": await w.channel("Group")}


async def live_meeting_of(w: World) -> dict[str, Any]:
    return {"meeting_id": await w.meeting("live")}


A_SEAT = {"place": "call", "role": "observing"}
A_MEETING = {"title": "Pricing round 3", "counterpart": "Acme"}
ESCALATION = {"every_seconds": 20, "times": 2}
ONE_CUE = {"cues": [{"code": "hold", "label": "Hold the line", "rhythm": [300]}]}


def a_text() -> dict[str, Any]:
    return {"client_id": str(uuid.uuid4()), "kind": "text", "text": "hello"}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expect: tuple[int, int, int, int, int, int, int]  # in the order of CALLERS, but the handler
    build: Build
    variant: str = ""
    handler: int | None = None  # the handler's, where it is not the member's

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.variant}]" if self.variant else "")

    def expected(self) -> dict[str, int]:
        handler = self.expect[CALLERS.index("member")] if self.handler is None else self.handler
        return {**dict(zip(CALLERS[:-1], self.expect, strict=True)), "handler": handler}


# fmt: off
#   method    path template, as the app declares it                    (anon, revoked, outsider, member, lead, owner)
ROWS = [
    Row("POST",   "/api/accounts",                                    (201, 201, 201, 201, 201, 201, 201), new_account),
    Row("POST",   "/api/sessions",                                    (201, 201, 201, 201, 201, 201, 201),
        outsider_login),
    Row("GET",    "/api/sessions",                                    (401, 401, 200, 200, 200, 200, 404), plain()),
    Row("DELETE", "/api/sessions/{session_id:int}",                   (401, 401, 204, 204, 204, 204, 204), own_session),
    Row("GET",    "/api/me",                                          (401, 401, 200, 200, 200, 200, 404), plain()),
    # Changes to one's own account (the password set to itself: the world's people keep theirs).
    Row("PATCH",  "/api/me",                                          (401, 401, 200, 200, 200, 200, 404), own_name),
    Row("PUT",    "/api/me/password",                                 (401, 401, 204, 204, 204, 204, 404),
        plain({"current_password": PASSWORD, "new_password": PASSWORD})),
    Row("PATCH",  "/api/sessions/{session_id:int}",                   (401, 401, 204, 204, 204, 204, 404),
        own_session_named),
    Row("GET",    "/api/sync",                                        (401, 401, 200, 200, 200, 200, 200), plain()),
    Row("GET",    "/api/teams",                                       (401, 401, 200, 200, 200, 200, 404), plain()),
    Row("POST",   "/api/teams",                                       (401, 401, 201, 201, 201, 201, 404),
        plain({"name": "Side deal"})),
    Row("GET",    "/api/teams/{team_id:int}",                         (401, 401, 404, 200, 200, 200, 404), in_team()),
    Row("POST",   "/api/teams/{team_id:int}/invites",                 (401, 401, 404, 403, 201, 201, 404),
        in_team({"role": "member"})),
    Row("GET",    "/api/teams/{team_id:int}/invites",                 (401, 401, 404, 403, 200, 200, 404), in_team()),
    Row("DELETE", "/api/teams/{team_id:int}/invites/{invite_id:int}", (401, 401, 404, 403, 204, 204, 404),
        fresh_invite),
    # The token is the capability: whoever holds it may see whose team it is, before signing up ...
    Row("GET",    "/api/invites/{token:str}",                         (200, 200, 200, 200, 200, 200, 200),
        accept_fresh_invite),
    # ... and join (members already in get 200, no change).
    Row("POST",   "/api/invites/{token:str}/accept",                  (401, 401, 201, 200, 200, 200, 404),
        accept_fresh_invite),
    Row("PATCH",  "/api/teams/{team_id:int}/members/{user_id:int}",   (401, 401, 404, 403, 200, 200, 404),
        on_newcomer({"role": "lead"})),
    Row("DELETE", "/api/teams/{team_id:int}/members/{user_id:int}",   (401, 401, 404, 403, 204, 204, 404),
        on_newcomer()),
    Row("GET",    "/api/teams/{team_id:int}/channels",                (401, 401, 404, 200, 200, 200, 404), in_team()),
    Row("POST",   "/api/teams/{team_id:int}/channels",                (401, 401, 404, 403, 201, 201, 404), new_channel),
    Row("POST",   "/api/teams/{team_id:int}/direct",                  (401, 401, 404, 201, 201, 201, 404),
        direct_with_second_member),
    Row("GET",    "/api/teams/{team_id:int}/cues",                    (401, 401, 404, 200, 200, 200, 404), in_team()),
    Row("PUT",    "/api/teams/{team_id:int}/cues",                    (401, 401, 404, 403, 200, 200, 404),
        in_team(ONE_CUE)),
    # Search without q: members get the 400 naming q, outsiders the 404 first (tests/test_search.py searches).
    Row("GET",    "/api/teams/{team_id:int}/search",                  (401, 401, 404, 400, 400, 400, 404), in_team()),
    # Channel routes, once per kind of channel: Everyone, Leads, and the two members' one-to-one channel.
    Row("GET",    "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 200, 200, 200, 404),
        in_channel("Everyone"), "Everyone"),
    Row("GET",    "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 404, 200, 200, 404),
        in_channel("Leads"), "Leads"),
    Row("GET",    "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 200, 404, 404, 404),
        in_channel("Direct"), "Direct", handler=404),
    Row("POST",   "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 201, 201, 201, 404),
        in_channel("Everyone", a_text), "Everyone"),
    Row("POST",   "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 404, 201, 201, 404),
        in_channel("Leads", a_text), "Leads"),
    Row("POST",   "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 201, 404, 404, 404),
        in_channel("Direct", a_text), "Direct", handler=404),
    # Deleting a channel's history is for the team's owner, and only in channels the owner is in.
    Row("DELETE", "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 403, 403, 200, 404),
        in_channel("Everyone"), "Everyone"),
    Row("DELETE", "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 404, 403, 200, 404),
        in_channel("Leads"), "Leads"),
    Row("DELETE", "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 403, 404, 404, 404),
        in_channel("Direct"), "Direct", handler=404),
    Row("POST",   "/api/channels/{channel_id:int}/read",              (401, 401, 404, 200, 200, 200, 404),
        in_channel("Everyone", lambda: {"cursor": 0}), "Everyone"),
    Row("POST",   "/api/channels/{channel_id:int}/read",              (401, 401, 404, 404, 200, 200, 404),
        in_channel("Leads", lambda: {"cursor": 0}), "Leads"),
    Row("POST",   "/api/channels/{channel_id:int}/read",              (401, 401, 404, 200, 404, 404, 404),
        in_channel("Direct", lambda: {"cursor": 0}), "Direct", handler=404),
    # Managing a custom group: leads in it (rename, add, remove, delete), anyone in it (leave); the built-in and
    # one-to-one channels answer 409 to those in them (tests/test_channel_management.py: leads outside a group: 404).
    Row("PATCH",  "/api/channels/{channel_id:int}",                   (401, 401, 404, 403, 200, 200, 404),
        in_channel("Group", lambda: {"name": f"Renamed {uuid.uuid4().hex[:8]}"}), "Group"),
    Row("PATCH",  "/api/channels/{channel_id:int}",                   (401, 401, 404, 409, 409, 409, 404),
        in_channel("Everyone", lambda: {"name": f"Renamed {uuid.uuid4().hex[:8]}"}), "Everyone"),
    Row("POST",   "/api/channels/{channel_id:int}/members",           (401, 401, 404, 403, 200, 200, 404),
        seat_second_member, "Group"),
    Row("DELETE", "/api/channels/{channel_id:int}/members/{user_id:int}", (401, 401, 404, 403, 204, 204, 404),
        group_newcomer, "someone else"),
    Row("DELETE", "/api/channels/{channel_id:int}/members/{user_id:int}", (401, 401, 404, 204, 204, 204, 404),
        leave_fresh_group, "leaving"),
    Row("DELETE", "/api/channels/{channel_id:int}",                   (401, 401, 404, 403, 204, 204, 404),
        fresh_group, "Group"),
    Row("DELETE", "/api/channels/{channel_id:int}",                   (401, 401, 404, 404, 409, 409, 404),
        in_channel("Leads"), "Leads"),
    Row("POST",   "/api/messages/{message_id:int}/ack",               (401, 401, 404, 200, 200, 200, 404),
        on_message("Everyone"), "Everyone"),
    Row("POST",   "/api/messages/{message_id:int}/ack",               (401, 401, 404, 404, 200, 200, 404),
        on_message("Leads"), "Leads"),
    Row("POST",   "/api/messages/{message_id:int}/ack",               (401, 401, 404, 200, 404, 404, 404),
        on_message("Direct"), "Direct", handler=404),
    # Recall: only the sender (someone who is none of the callers here), in the channel; others 403, outsiders 404.
    Row("POST",   "/api/messages/{message_id:int}/recall",            (401, 401, 404, 403, 403, 403, 404),
        on_message("Everyone"), "Everyone"),
    # Push: the key is public; subscriptions and the privacy level are the caller's own.
    Row("GET",    "/api/push/key",                                    (200, 200, 200, 200, 200, 200, 200), plain()),
    Row("GET",    "/api/events",                                      (200, 200, 200, 200, 200, 200, 200), plain()),
    Row("GET",    "/api/push/level",                                  (401, 401, 200, 200, 200, 200, 404), plain()),
    Row("PUT",    "/api/push/level",                                  (401, 401, 200, 200, 200, 200, 404),
        plain({"level": "sender"})),
    Row("GET",    "/api/push/subscriptions",                          (401, 401, 200, 200, 200, 200, 200), plain()),
    Row("POST",   "/api/push/subscriptions",                          (401, 401, 201, 201, 201, 201, 201),
        new_push_subscription),
    Row("DELETE", "/api/push/subscriptions",                          (401, 401, 204, 204, 204, 204, 204),
        own_push_subscription),
    # Meetings (docs/meetings.md): the team's, all of it; leads plan, start and end, and run the floor.
    Row("POST",   "/api/teams/{team_id:int}/meetings",                (401, 401, 404, 403, 201, 201, 404),
        in_team(A_MEETING)),
    Row("GET",    "/api/teams/{team_id:int}/meetings",                (401, 401, 404, 200, 200, 200, 404), in_team()),
    Row("GET",    "/api/meetings/{meeting_id:int}",                   (401, 401, 404, 200, 200, 200, 404),
        on_meeting(), "Everyone"),
    # A meeting whose cues go to Leads is still the whole team's to see (only its cues are the leads').
    Row("GET",    "/api/meetings/{meeting_id:int}",                   (401, 401, 404, 200, 200, 200, 404),
        on_meeting("planned", "Leads"), "Leads"),
    Row("POST",   "/api/meetings/{meeting_id:int}/start",             (401, 401, 404, 403, 200, 200, 404),
        fresh_meeting("planned")),
    # The role is checked before the state: a member learns nothing of it.
    Row("POST",   "/api/meetings/{meeting_id:int}/start",             (401, 401, 404, 403, 409, 409, 404),
        on_meeting("live"), "live"),
    Row("POST",   "/api/meetings/{meeting_id:int}/end",               (401, 401, 404, 403, 200, 200, 404),
        fresh_meeting("live")),
    Row("POST",   "/api/meetings/{meeting_id:int}/end",               (401, 401, 404, 403, 409, 409, 404),
        on_meeting("planned"), "planned"),
    Row("DELETE", "/api/meetings/{meeting_id:int}",                   (401, 401, 404, 403, 403, 200, 404),
        fresh_meeting("ended"), "ended"),
    Row("DELETE", "/api/meetings/{meeting_id:int}",                   (401, 401, 404, 403, 403, 200, 404),
        fresh_meeting("planned"), "planned"),
    Row("DELETE", "/api/meetings/{meeting_id:int}",                   (401, 401, 404, 403, 403, 409, 404),
        on_meeting("live"), "live"),
    Row("POST",   "/api/meetings/{meeting_id:int}/join",              (401, 401, 404, 200, 200, 200, 404),
        on_meeting("live", body=A_SEAT), "Everyone"),
    Row("POST",   "/api/meetings/{meeting_id:int}/join",              (401, 401, 404, 403, 200, 200, 404),
        on_meeting("live", "Leads", A_SEAT), "Leads"),
    Row("POST",   "/api/meetings/{meeting_id:int}/join",              (401, 401, 404, 409, 409, 409, 404),
        on_meeting("planned", body=A_SEAT), "planned"),
    Row("GET",    "/api/meetings/{meeting_id:int}/roster",            (401, 401, 404, 403, 200, 200, 404),
        on_meeting("live")),
    # The floor: asked for and given back by those at the table; granted, declined and taken back by leads.
    Row("POST",   "/api/meetings/{meeting_id:int}/floor",             (401, 401, 404, 200, 200, 200, 404),
        my_floor(), "at the table"),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor",             (401, 401, 404, 409, 409, 409, 404),
        on_meeting("live"), "not at the table"),
    Row("DELETE", "/api/meetings/{meeting_id:int}/floor",             (401, 401, 404, 200, 200, 200, 404),
        my_floor(asked=True)),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/grant",       (401, 401, 404, 403, 200, 200, 404),
        their_floor()),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/decline",     (401, 401, 404, 403, 200, 200, 404),
        their_floor(asked=True)),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/release",     (401, 401, 404, 200, 200, 200, 404),
        my_floor(holding=True), "holding it"),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/release",     (401, 401, 404, 409, 409, 409, 404),
        their_floor(holding=True), "someone else holds it"),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/take",        (401, 401, 404, 403, 200, 200, 404),
        their_floor(holding=True)),
    # The debrief, for every member, in every state (a planned one has an empty timeline).
    *(Row("GET",  f"/api/meetings/{{meeting_id:int}}/{name}",         (401, 401, 404, 200, 200, 200, 404),
          on_meeting(state), state)
      for name in ("debrief", "debrief.md", "debrief.csv") for state in ("planned", "live", "ended")),
    Row("PUT",    "/api/teams/{team_id:int}/escalation",              (401, 401, 404, 403, 200, 200, 404),
        in_team(ESCALATION)),
    # Only the cue's sender stops it insisting (here someone who is none of the callers, or each caller's own).
    Row("DELETE", "/api/messages/{message_id:int}/escalation",        (401, 401, 404, 403, 403, 403, 404),
        urgent_cue(), "someone else's"),
    Row("DELETE", "/api/messages/{message_id:int}/escalation",        (401, 401, 404, 200, 200, 200, 404),
        urgent_cue(own=True), "own"),
    Row("DELETE", "/api/messages/{message_id:int}/escalation",        (401, 401, 404, 404, 403, 403, 404),
        urgent_cue(channel="Leads"), "Leads"),
    # Sources (docs/sources.md): any member adds one and handles it; the team reads them by pseudonym and weighs the
    # intel; what is the handler's to do is 403 for teammates, and 409 once the contact has ended (role first).
    Row("POST",   "/api/teams/{team_id:int}/sources",                 (401, 401, 404, 201, 201, 201, 404), new_source),
    Row("GET",    "/api/teams/{team_id:int}/sources",                 (401, 401, 404, 200, 200, 200, 404), in_team()),
    Row("GET",    "/api/sources/{source_id:int}",                     (401, 401, 404, 200, 200, 200, 404),
        on_source(), "joined"),
    Row("GET",    "/api/sources/{source_id:int}",                     (401, 401, 404, 200, 200, 200, 404),
        on_ended_source(), "ended"),
    Row("PATCH",  "/api/sources/{source_id:int}",                     (401, 401, 404, 403, 403, 403, 404),
        on_source({"notes": "Met at the trade fair"}), "joined", handler=200),
    Row("PATCH",  "/api/sources/{source_id:int}",                     (401, 401, 404, 403, 403, 403, 404),
        on_ended_source({"notes": "Met at the trade fair"}), "ended", handler=409),
    Row("POST",   "/api/sources/{source_id:int}/link",                (401, 401, 404, 403, 403, 403, 404),
        on_source(), "joined", handler=201),
    Row("POST",   "/api/sources/{source_id:int}/link",                (401, 401, 404, 403, 403, 403, 404),
        on_ended_source(), "ended", handler=409),
    Row("POST",   "/api/sources/{source_id:int}/handover",            (401, 401, 404, 403, 403, 403, 404),
        fresh_source(lambda w: {"user_id": w.team.members[1].id}), "to a teammate", handler=200),
    Row("POST",   "/api/sources/{source_id:int}/handover",            (401, 401, 404, 403, 403, 403, 404),
        fresh_source(lambda w: {"user_id": w.guest.id}), "to the guest", handler=400),
    Row("DELETE", "/api/sources/{source_id:int}",                     (401, 401, 404, 403, 403, 403, 404),
        fresh_source(), "open", handler=200),
    Row("DELETE", "/api/sources/{source_id:int}",                     (401, 401, 404, 403, 403, 403, 404),
        on_ended_source(), "ended", handler=409),
    # The link is the capability: no session needed, and a team account's session is refused with it.
    Row("POST",   "/api/contact",                                     (201, 201, 409, 409, 409, 409, 201), fresh_link),
    Row("GET",    "/api/contact",                                     (401, 401, 404, 404, 404, 404, 200), plain()),
    Row("GET",    "/api/teams/{team_id:int}/intel",                   (401, 401, 404, 200, 200, 200, 404), in_team()),
    Row("POST",   "/api/sources/{source_id:int}/intel",               (401, 401, 404, 403, 403, 403, 404),
        on_source({"reliability": "C", "credibility": 3, "claim": "Legal wants an exit clause"}), "written",
        handler=201),
    Row("POST",   "/api/sources/{source_id:int}/intel",               (401, 401, 404, 403, 403, 403, 404),
        intel_from_message, "from a message", handler=201),
    Row("POST",   "/api/sources/{source_id:int}/intel",               (401, 401, 404, 403, 403, 403, 404),
        on_ended_source({"reliability": "C", "credibility": 3, "claim": "x"}), "ended", handler=409),
    Row("PUT",    "/api/intel/{entry_id:int}/assessment",             (401, 401, 404, 200, 200, 200, 404),
        on_entry({"verdict": "contradicted", "note": "They dropped it at the table", "known": True})),
    Row("POST",   "/api/sources/{source_id:int}/gives",               (401, 401, 404, 403, 403, 403, 404),
        on_source({"what": "Our Q3 delivery dates"}), "joined", handler=201),
    Row("POST",   "/api/sources/{source_id:int}/gives",               (401, 401, 404, 403, 403, 403, 404),
        on_ended_source({"what": "Our Q3 delivery dates"}), "ended", handler=409),
    Row("GET",    "/api/sources/{source_id:int}/exchange",            (401, 401, 404, 403, 200, 200, 404),
        on_source(), "joined", handler=200),
    Row("GET",    "/api/sources/{source_id:int}/exchange",            (401, 401, 404, 403, 200, 200, 404),
        on_ended_source(), "ended", handler=200),
    # The conversation: the handler's and the guest's only; every teammate, the owner too, gets the 404 of a channel
    # that does not exist; it is no group (409 to the handler) and takes no meeting.
    Row("GET",    "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 404, 404, 404, 200),
        in_channel("Source"), "Source", handler=200),
    Row("POST",   "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 404, 404, 404, 201),
        in_channel("Source", a_text), "Source", handler=201),
    Row("DELETE", "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 404, 404, 404, 404),
        in_channel("Source"), "Source", handler=403),
    Row("POST",   "/api/channels/{channel_id:int}/read",              (401, 401, 404, 404, 404, 404, 200),
        in_channel("Source", lambda: {"cursor": 0}), "Source", handler=200),
    Row("PATCH",  "/api/channels/{channel_id:int}",                   (401, 401, 404, 404, 404, 404, 404),
        in_channel("Source", lambda: {"name": f"Renamed {uuid.uuid4().hex[:8]}"}), "Source", handler=409),
    Row("POST",   "/api/channels/{channel_id:int}/members",           (401, 401, 404, 404, 404, 404, 404),
        conversation_with, "Source", handler=409),
    Row("DELETE", "/api/channels/{channel_id:int}/members/{user_id:int}", (401, 401, 404, 404, 404, 404, 404),
        conversation_guest, "Source, the guest", handler=409),
    Row("DELETE", "/api/channels/{channel_id:int}/members/{user_id:int}", (401, 401, 404, 404, 404, 404, 404),
        leave_conversation, "Source, leaving", handler=409),
    Row("DELETE", "/api/channels/{channel_id:int}",                   (401, 401, 404, 404, 404, 404, 404),
        in_channel("Source"), "Source", handler=409),
    Row("POST",   "/api/messages/{message_id:int}/ack",               (401, 401, 404, 404, 404, 404, 404),
        on_message("Source"), "Source, the guest's", handler=200),
    Row("POST",   "/api/messages/{message_id:int}/ack",               (401, 401, 404, 404, 404, 404, 404),
        handler_message, "Source, the handler's", handler=409),
    Row("POST",   "/api/messages/{message_id:int}/recall",            (401, 401, 404, 404, 404, 404, 404),
        on_message("Source"), "Source", handler=403),
    # The guest is no teammate: the team's routes that name a member do not find it (and see
    # test_the_guest_is_answered_as_someone_who_does_not_exist).
    Row("POST",   "/api/teams/{team_id:int}/direct",                  (401, 401, 404, 400, 400, 400, 404),
        with_the_guest(lambda w: {"user_id": w.guest.id}), "the guest"),
    Row("POST",   "/api/teams/{team_id:int}/channels",                (401, 401, 404, 403, 400, 400, 404),
        with_the_guest(lambda w: {"name": f"With {uuid.uuid4().hex[:8]}", "members": [w.guest.id]}), "the guest"),
    Row("POST",   "/api/channels/{channel_id:int}/members",           (401, 401, 404, 403, 400, 400, 404),
        with_the_guest(lambda w: {"user_id": w.guest.id}, group_of), "Group, the guest"),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/grant",       (401, 401, 404, 403, 409, 409, 404),
        with_the_guest(lambda w: {"user_id": w.guest.id}, live_meeting_of), "the guest"),
]
# fmt: on


def test_every_api_route_has_a_row() -> None:
    """A route added to the app without a row here fails this test (and one here without a route, too)."""
    assert {(row.method, row.path) for row in ROWS} == API_ROUTES


def unknown_ids(params: dict[str, Any]) -> dict[str, Any]:
    return {key: UNKNOWN_ID if isinstance(value, int) else value for key, value in params.items()}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
async def test_route_by_caller(row: Row, world: World) -> None:
    got: dict[str, int] = {}
    answers: dict[str, Any] = {}
    for caller in CALLERS:
        me = world.caller(caller)
        params, body = await row.build(world, me)
        world.http.cookies.clear()  # every caller authenticates by bearer token only (or not at all)
        response = await me.request(row.method, fill(row.path, params), json=body)
        got[caller] = response.status_code
        if response.status_code >= 400:
            assert_error_shape(response.json())
            answers[caller] = response.json()
            code = ERROR_CODES.get(response.status_code)
            assert code is None or response.json()["error"] == code, (caller, response.text)
        if response.status_code == 404:
            # Nothing to learn from a 404: the answer is the same as for ids that do not exist at all.
            missing = await me.request(row.method, fill(row.path, unknown_ids(params)), json=body)
            assert (missing.status_code, missing.json()) == (404, response.json()), caller
    assert got == row.expected()
    if got["guest"] == got["outsider"] == 404:
        assert answers["guest"] == answers["outsider"], "a guest is answered as an outsider is"


# Every route of the meetings module, as the app declares it, with a body a teammate could send.
MEETING_ROUTES = sorted(
    (method, f"/api{path}") for handler in meeting_routes for method in handler.http_methods for path in handler.paths
)
REMOVED_BODIES: dict[str, Any] = {
    "/api/teams/{team_id:int}/meetings": A_MEETING,
    "/api/meetings/{meeting_id:int}/join": A_SEAT,
    "/api/teams/{team_id:int}/escalation": ESCALATION,
}


@pytest.mark.parametrize(("method", "path"), MEETING_ROUTES, ids=lambda part: str(part))
async def test_a_removed_member_gets_the_404_of_an_unknown_id_on_every_meeting_route(
    method: str, path: str, world: World
) -> None:
    """Someone who was at the live meeting's table, asking for the floor, with an urgent cue of theirs insisting, is
    removed from the team (as a lead: nothing of the role stays either): every meeting route then answers them as
    for ids that do not exist."""
    team, gone = world.team, await world.newcomer("lead")
    meeting_id = await world.meeting("live")
    await world.at_the_table(gone, meeting_id)
    await world.at_the_table(team.members[1], meeting_id)
    assert (await gone.post(f"/api/meetings/{meeting_id}/floor")).status_code == 200
    cue = await world.urgent_cue(gone)
    assert (await team.owner.delete(f"/api/teams/{team.id}/members/{gone.id}")).status_code == 204
    params = {"team_id": team.id, "meeting_id": meeting_id, "message_id": cue}
    body = REMOVED_BODIES.get(path, {"user_id": team.members[1].id} if path.endswith(("/grant", "/decline")) else None)
    response = await gone.request(method, fill(path, params), json=body)
    missing = await gone.request(method, fill(path, unknown_ids(params)), json=body)
    assert response.status_code == 404, response.text
    assert_error_shape(response.json())
    assert response.json() == missing.json()
    # ... and the meeting is as it was: nothing they sent changed it.
    after = (await team.owner.get(f"/api/meetings/{meeting_id}")).json()
    assert after["state"] == "live" and gone.id not in {s["user_id"] for s in after["seats"]}


async def test_a_cue_that_never_insisted_has_no_escalation_to_stop(world: World) -> None:
    """No meeting, no schedule: 404 for everyone in the channel, its sender too; for an outsider, the 404 of an
    unknown message."""
    message = await world.message("Everyone")  # a text from the second member
    for person in (world.team.members[1], *(world.caller(name) for name in ("member", "lead", "owner"))):
        response = await person.delete(f"/api/messages/{message}/escalation")
        assert response.status_code == 404, response.text
        assert_error_shape(response.json())
        assert response.json()["error"] == "not_found"
    outsider = world.outsider
    seen = await outsider.delete(f"/api/messages/{message}/escalation")
    missing = await outsider.delete(f"/api/messages/{UNKNOWN_ID}/escalation")
    assert (seen.status_code, seen.json()) == (404, missing.json())


async def test_nobody_can_log_out_someone_elses_device(world: World) -> None:
    victim = world.team.owner
    for caller in ("outsider", "member", "lead", "guest", "handler"):
        response = await world.caller(caller).request("DELETE", f"/api/sessions/{victim.session_id}")
        assert response.status_code == 404, (caller, response.text)
        assert_error_shape(response.json())
    assert (await victim.get("/api/me")).status_code == 200
    # Nor the source's phone, not even its handler (ending the contact is how a handler signs the source out).
    for caller in ("owner", "lead", "member", "handler"):
        response = await world.caller(caller).request("DELETE", f"/api/sessions/{world.guest.session_id}")
        assert response.status_code == 404, (caller, response.text)
    assert (await world.guest.get("/api/contact")).status_code == 200


async def test_a_member_cannot_promote_themselves_or_remove_a_lead(world: World) -> None:
    team, member = world.team, world.team.members[0]
    promote = await member.request("PATCH", f"/api/teams/{team.id}/members/{member.id}", json={"role": "lead"})
    remove = await member.request("DELETE", f"/api/teams/{team.id}/members/{team.leads[0].id}")
    assert (promote.status_code, remove.status_code) == (403, 403)
    lead_removes_lead = await team.leads[0].request(
        "DELETE", f"/api/teams/{team.id}/members/{(await world.newcomer('lead')).id}"
    )
    assert lead_removes_lead.status_code == 403
    lead_makes_owner = await team.leads[0].request(
        "PATCH", f"/api/teams/{team.id}/members/{member.id}", json={"role": "owner"}
    )
    assert lead_makes_owner.status_code == 403
    for response in (promote, remove, lead_removes_lead, lead_makes_owner):
        assert_error_shape(response.json())
    roles = {m["user_id"]: m["role"] for m in (await team.owner.get(f"/api/teams/{team.id}")).json()["members"]}
    assert roles[member.id] == "member" and roles[team.leads[0].id] == "lead"


async def test_a_members_sync_never_shows_the_leads_channel(team: Team) -> None:
    channels = await team.owner.channels(team.id)
    leads, everyone = channels["Leads"]["id"], channels["Everyone"]["id"]
    lead, member, demoted = team.leads[0], team.members[0], team.members[1]
    secret = (await team.owner.send(leads, text="Our floor is 3.9")).json()
    assert (await lead.post(f"/api/messages/{secret['id']}/ack")).status_code == 200
    assert (await lead.send(leads, cue="dont_concede")).status_code == 201
    # One member is a lead for a while (joins Leads, reads and writes there), then goes back to member.
    role = f"/api/teams/{team.id}/members/{demoted.id}"
    assert (await team.owner.request("PATCH", role, json={"role": "lead"})).status_code == 200
    assert (await demoted.send(leads, text="while a lead")).status_code == 201
    assert (await team.owner.request("PATCH", role, json={"role": "member"})).status_code == 200
    public = (await team.owner.send(everyone, text="for all")).json()

    seen = await sync_all(member)
    assert public["id"] in {e["data"].get("id") for e in seen if e["type"] == "message"}
    assert [e for e in seen if e["channel_id"] == leads] == []
    # The demoted member keeps only the notice that tells their app to drop the channel.
    assert {e["type"] for e in await sync_all(demoted) if e["channel_id"] == leads} == {"channel_removed"}
    # ...while a lead sees all of it (so the checks above are not vacuous).
    lead_view = [e for e in await sync_all(lead) if e["channel_id"] == leads]
    assert {"message", "ack", "channel"} <= {e["type"] for e in lead_view}
    assert secret["id"] in {e["data"].get("id") for e in lead_view if e["type"] == "message"}


async def frames_until_message(ws: Any, message_id: int) -> list[dict[str, Any]]:
    frames = []
    while True:
        frame = await next_frame(ws)
        frames.append(frame)
        if frame["type"] == "message" and frame["data"]["id"] == message_id:
            return frames


async def test_a_members_live_socket_never_gets_leads_events(world: World) -> None:
    team = world.team
    channels = await team.owner.channels(team.id)
    leads, everyone = channels["Leads"]["id"], channels["Everyone"]["id"]
    lead, member, outsider = team.leads[0], team.members[0], world.outsider
    before = (await team.owner.send(leads, text="before the sockets")).json()
    async with member.live() as member_ws, lead.live() as lead_ws, outsider.live() as outsider_ws:
        member_replay, _ = await frames_until_ready(member_ws)
        lead_replay, _ = await frames_until_ready(lead_ws)
        outsider_replay, _ = await frames_until_ready(outsider_ws)
        assert [f for f in member_replay if f["channel_id"] == leads] == []
        assert before["id"] in {f["data"].get("id") for f in lead_replay if f["channel_id"] == leads}
        assert [f for f in outsider_replay if f["team_id"] == team.id] == []

        secret = (await team.owner.send(leads, text="Walk away at 4.1")).json()
        assert (await lead.post(f"/api/messages/{secret['id']}/ack")).status_code == 200
        assert (await team.owner.send(leads, cue="take_break")).status_code == 201
        public = (await team.owner.send(everyone, text="for all")).json()
        # The outsider's own team: its message is the next thing the outsider's socket may show.
        own_team = (await outsider.post("/api/teams", {"name": "Elsewhere"})).json()
        own = (await outsider.send((await outsider.channels(own_team["id"]))["Everyone"]["id"], text="mine")).json()

        member_frames = await frames_until_message(member_ws, public["id"])
        lead_frames = await frames_until_message(lead_ws, public["id"])
        outsider_frames = await frames_until_message(outsider_ws, own["id"])
    assert [f for f in member_frames if f["channel_id"] == leads] == []
    assert [f for f in outsider_frames if f["team_id"] == team.id] == []
    lead_types = [f["type"] for f in lead_frames if f["channel_id"] == leads]
    assert lead_types == ["message", "ack", "message"]


@pytest.mark.parametrize("caller", ["anonymous", "revoked"])
async def test_the_live_socket_turns_away_callers_without_a_session(caller: str, world: World) -> None:
    me = world.caller(caller)
    headers = {"Authorization": f"Bearer {me.token}"} if me.token else {}
    assert await close_code_of(f"{world.ws_base}/api/live?after=0", headers) == 4401


async def test_a_revoked_session_cannot_come_back_by_logging_in_with_its_token(world: World) -> None:
    """Logging in again gives a new session; the old token stays dead."""
    revoked = world.revoked
    again = await world.http.post(
        "/api/sessions",
        json={"username": revoked.username, "password": PASSWORD},
        headers={"Authorization": f"Bearer {revoked.token}", "X-Forwarded-For": revoked.address},
    )
    world.http.cookies.clear()
    assert again.status_code == 201 and again.json()["token"] != revoked.token
    stale = await revoked.get("/api/me")
    assert stale.status_code == 401
    assert stale.json()["error"] == "unauthenticated"


async def test_someone_taken_out_of_a_group_is_an_outsider_to_it(world: World) -> None:
    """Removed from the group, or from the team: every route of the group answers as for a channel that does not
    exist."""
    team = world.team
    group = await world.channel("Group")
    removed_from_group, removed_from_team = await world.newcomer(), await world.newcomer()
    for person in (removed_from_group, removed_from_team):
        added = await team.owner.post(f"/api/channels/{group}/members", {"user_id": person.id})
        assert added.status_code == 200, added.text
    assert (await team.owner.delete(f"/api/channels/{group}/members/{removed_from_group.id}")).status_code == 204
    assert (await team.owner.delete(f"/api/teams/{team.id}/members/{removed_from_team.id}")).status_code == 204
    calls: list[tuple[str, str, Any]] = [
        ("GET", "/messages", None),
        ("POST", "/messages", a_text()),
        ("POST", "/read", {"cursor": 0}),
        ("PATCH", "", {"name": "Taken back"}),
        ("POST", "/members", {"user_id": team.members[1].id}),
        ("DELETE", f"/members/{team.members[0].id}", None),
        ("DELETE", "", None),
    ]
    for person in (removed_from_group, removed_from_team):
        for method, tail, body in calls:
            response = await person.request(method, f"/api/channels/{group}{tail}", json=body)
            missing = await person.request(method, f"/api/channels/{UNKNOWN_ID}{tail}", json=body)
            assert (response.status_code, response.json()) == (404, missing.json()), (method, tail, response.text)
        # Leaving again finds nothing to leave.
        again = await person.delete(f"/api/channels/{group}/members/{person.id}")
        assert again.status_code == 404
    kept = {channel["id"]: channel for channel in (await team.owner.channels(team.id)).values()}[group]
    assert team.members[0].id in kept["member_ids"] and removed_from_group.id not in kept["member_ids"]


# --- Sources: the guest and the handler's conversation (docs/sources.md) -------------------------------------------

# What a guest's socket and sync may carry, as the contract says: its conversation's messages, acks, recalls and
# cleared history, and the events addressed to the guest itself; besides, the socket's own frames (the receipts of
# its conversation only).
GUEST_EVENTS = {"message", "ack", "message_recalled", "history_cleared", "contact"}
GUEST_FRAMES = {"ready", "ping", "delivered"}


def assert_only_the_conversation(frames: list[dict[str, Any]], conversation: int, *secrets: str) -> None:
    """Every frame is one a guest may see, of its own conversation, and none names what the team calls it."""
    for frame in frames:
        assert frame["type"] in GUEST_EVENTS | GUEST_FRAMES, frame
        if frame["type"] in GUEST_EVENTS - {"contact"} or frame["type"] == "delivered":
            assert frame["channel_id"] == conversation, frame
        if frame["type"] == "contact":
            assert frame["channel_id"] is None and frame["data"]["channel_id"] == conversation, frame
        text = json.dumps(frame)
        for secret in secrets:
            assert secret not in text, (secret, frame)


async def last_cursor(person: Person) -> int:
    return max((event["cursor"] for event in await sync_all(person)), default=0)


async def frames_until(ws: Any, found: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    frames = []
    while True:
        frame = await next_frame(ws, skip=())
        frames.append(frame)
        if found(frame):
            return frames


async def test_a_guests_socket_and_sync_carry_its_conversation_only_while_the_team_is_busy(world: World) -> None:
    """The guest's socket replays and streams its conversation's messages, acks and cleared history and its own
    `contact` events, never a `channel`, `member`, `source`, `intel`, `meeting`, `cues` or other team event, while
    the team talks in Everyone, makes a group, changes its cues, takes a newcomer, adds a source, logs and weighs
    intel, plans a meeting, renames the source and hands it over; its sync afterwards, and a replay from 0, too."""
    team, handler, guest, lead = world.team, world.handler, world.guest, world.team.leads[0]
    conversation = await world.channel("Source")
    said = await world.message("Source")  # the guest's, before the socket
    start = await last_cursor(team.owner)
    renamed = "Source Kestrel"
    async with guest.live() as ws:
        replayed, _ = await frames_until_ready(ws)
        assert said in {f["data"].get("id") for f in replayed if f["type"] == "message"}
        assert_only_the_conversation(replayed, conversation, PSEUDONYM, "Acme deal", NOTES)

        assert (await team.members[1].send(await world.channel("Everyone"), text="for all")).status_code == 201
        await world.group()
        assert (await team.owner.put(f"/api/teams/{team.id}/cues", ONE_CUE)).status_code == 200
        await world.newcomer()
        await add_source_of(world, team.members[0])
        entry = (
            await handler.post(
                f"/api/sources/{world.source_id}/intel", {"reliability": "B", "credibility": 2, "message_id": said}
            )
        ).json()
        assessed = await lead.put(f"/api/intel/{entry['id']}/assessment", {"verdict": None, "known": True})
        assert assessed.status_code == 200, assessed.text
        await plan(team, channel_id=await world.channel("Everyone"))
        assert (await handler.patch(f"/api/sources/{world.source_id}", {"pseudonym": renamed})).status_code == 200
        assert (await handler.send(conversation, text="Noon works")).status_code == 201
        assert (await handler.post(f"/api/messages/{said}/ack")).status_code == 200
        handed = await handler.post(f"/api/sources/{world.source_id}/handover", {"user_id": team.owner.id})
        assert handed.status_code == 200, handed.text
        # The owner handles it now, and is in the conversation: it may clear its history.
        assert (await team.owner.delete(f"/api/channels/{conversation}/messages")).status_code == 200
        last = (await team.owner.send(conversation, text="Still there?")).json()
        streamed = await frames_until(ws, lambda f: f["type"] == "message" and f["data"]["id"] == last["id"])
    secrets = (PSEUDONYM, renamed, "Acme deal", NOTES)
    assert_only_the_conversation(streamed, conversation, *secrets)
    types = [f["type"] for f in streamed if f["type"] in GUEST_EVENTS]
    assert {"message", "ack", "contact", "history_cleared"} <= set(types), types
    contacts = [f["data"] for f in streamed if f["type"] == "contact"]
    assert contacts[-1]["handler_id"] == team.owner.id
    # ... while the team saw it all (so the checks above are not vacuous).
    seen = {event["type"] for event in await sync_all(team.owner, start)}
    assert {"message", "channel", "member", "source", "intel", "meeting", "cues"} <= seen, seen
    assert_only_the_conversation(await sync_all(guest), conversation, *secrets)
    async with guest.live() as ws:
        replayed_again, _ = await frames_until_ready(ws)
    assert_only_the_conversation(replayed_again, conversation, *secrets)
    assert {f["type"] for f in replayed_again} >= {"message", "contact"}


async def add_source_of(w: World, handler: Person) -> dict[str, Any]:
    made = await handler.post(f"/api/teams/{w.team.id}/sources", {"pseudonym": f"Source {uuid.uuid4().hex[:8]}"})
    assert made.status_code == 201, made.text
    return dict(made.json())


@pytest.mark.parametrize("how", ["ended by its handler", "its handler removed from the team"])
async def test_when_the_contact_ends_the_guests_socket_closes_with_nothing_of_the_team_before(
    how: str, world: World
) -> None:
    """Ending the contact erases the conversation: the guest's socket closes (4401) and carries nothing before that
    but what a guest may see (it got the conversation's `channel_removed` before the fix)."""
    conversation = await world.channel("Source")
    async with world.guest.live() as ws:
        await frames_until_ready(ws)
        if how == "ended by its handler":
            ended = await world.handler.delete(f"/api/sources/{world.source_id}")
        else:
            ended = await world.team.owner.delete(f"/api/teams/{world.team.id}/members/{world.handler.id}")
        assert ended.status_code in (200, 204), ended.text
        frames: list[dict[str, Any]] = []
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                frames.append(await next_frame(ws, skip=()))
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
    assert_only_the_conversation(frames, conversation, PSEUDONYM)


@pytest.fixture(scope="module")
def push_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("push"), **PUSH_ENV).start()
    yield process
    process.stop()


async def test_a_guests_pushes_say_nothing_whatever_it_asks(
    push_server: ServerProcess, push_service: PushService
) -> None:
    """A guest's pushes are content-free (level hidden): it cannot read or change its level (404, as for a route it
    may not call), and a team message never reaches it; its handler's pushes name the source by pseudonym."""
    async with httpx.AsyncClient(base_url=push_server.url, timeout=10) as http:
        push_service.vapid_key = (await http.get("/api/push/key")).json()["key"]
        w = await make_world(http, push_server.ws_url)
        guest, handler = w.guest, w.handler
        everyone, conversation = await w.channel("Everyone"), await w.channel("Source")
        for call in (
            guest.put("/api/push/level", {"level": "full"}),
            guest.put("/api/push/level", {"level": "sender"}),
            guest.get("/api/push/level"),
        ):
            response = await call
            assert response.status_code == 404, response.text
            assert_error_shape(response.json())
            assert response.json()["error"] == "not_found"
        assert (await handler.put("/api/push/level", {"level": "full"})).status_code == 200
        guest_device, subscription = push_service.new_device()
        assert (await guest.post("/api/push/subscriptions", subscription)).status_code == 201
        handler_device, subscription = push_service.new_device()
        assert (await handler.post("/api/push/subscriptions", subscription)).status_code == 201

        assert (await w.team.members[1].send(everyone, text="Team only: floor is 3.9")).status_code == 201
        sent = (await handler.send(conversation, text="The walk-away is 4.1")).json()
        (push,) = await asyncio.to_thread(push_service.wait_for, guest_device)
        assert push.payload["message_id"] == sent["id"] and push.payload["channel_id"] == conversation
        assert push.payload["title"] == "New message" and push.payload["body"] == ""
        text = json.dumps(push.payload)
        assert "4.1" not in text and "3.9" not in text and handler.username.title() not in text

        from_guest = (await guest.send(conversation, text="Noon, the usual place")).json()
        # The handler is in Everyone too: its device has the team's message and the guest's.
        pushed = await asyncio.to_thread(push_service.wait_for, handler_device, 2)
        (to_handler,) = [p for p in pushed if p.payload["message_id"] == from_guest["id"]]
        assert to_handler.payload["title"] == PSEUDONYM, to_handler.payload
        await asyncio.sleep(0.5)  # a push for Everyone, were one queued for the guest, would be here by now
        assert [p.payload["message_id"] for p in push_service.received(guest_device)] == [sent["id"]]
        assert push_service.errors == []


async def test_no_teammate_reaches_a_handlers_conversation(world: World) -> None:
    """The owner, a lead and the other members get, on every channel and message route of a handler's conversation
    with its source (a member's, and a lead's), the 404 of a channel or message that does not exist; it is never in
    their channel lists, syncs or searches, and no meeting takes it."""
    team = world.team
    lead_handled = await add_source_of(world, team.leads[0])
    lead_guest = await open_link(world.http, world.ws_base, lead_handled["link"]["token"])
    conversations = [
        (world.handler, world.guest, await world.channel("Source")),
        (team.leads[0], lead_guest, (await lead_guest.get("/api/contact")).json()["channel_id"]),
    ]
    for handler, guest, conversation in conversations:
        secret = f"secret {uuid.uuid4().hex[:10]}"
        from_guest = (await guest.send(conversation, text=secret)).json()
        from_handler = (await handler.send(conversation, text=f"{secret} reply")).json()
        teammates = [p for p in (*team.everyone, world.handler) if p.id != handler.id]
        channel_calls: list[tuple[str, str, Any]] = [
            ("GET", "/messages", None),
            ("POST", "/messages", a_text()),
            ("DELETE", "/messages", None),
            ("POST", "/read", {"cursor": 0}),
            ("PATCH", "", {"name": "Taken"}),
            ("POST", "/members", {"user_id": team.members[1].id}),
            ("DELETE", f"/members/{guest.id}", None),
            ("DELETE", f"/members/{handler.id}", None),
            ("DELETE", "", None),
        ]
        for me in teammates:
            for method, tail, body in channel_calls:
                leave = ("DELETE", f"/members/{me.id}", None)
                for call_method, call_tail, call_body in ((method, tail, body), leave):
                    seen = await me.request(call_method, f"/api/channels/{conversation}{call_tail}", json=call_body)
                    missing = await me.request(call_method, f"/api/channels/{UNKNOWN_ID}{call_tail}", json=call_body)
                    assert (seen.status_code, seen.json()) == (404, missing.json()), (call_method, call_tail)
            for message in (from_guest["id"], from_handler["id"]):
                for method, tail in (("POST", "/ack"), ("POST", "/recall"), ("DELETE", "/escalation")):
                    seen = await me.request(method, f"/api/messages/{message}{tail}")
                    missing = await me.request(method, f"/api/messages/{UNKNOWN_ID}{tail}")
                    assert (seen.status_code, seen.json()) == (404, missing.json()), (method, tail)
            meeting = {**A_MEETING, "channel_id": conversation}
            planned = await me.post(f"/api/teams/{team.id}/meetings", meeting)
            unknown = await me.post(f"/api/teams/{team.id}/meetings", {**meeting, "channel_id": UNKNOWN_ID})
            assert (planned.status_code, planned.json()) == (unknown.status_code, unknown.json())
            assert conversation not in {c["id"] for c in (await me.channels(team.id)).values()}
            assert [e for e in await sync_all(me) if e["channel_id"] == conversation] == []
            assert secret not in json.dumps(await sync_all(me))
            found = await me.get(f"/api/teams/{team.id}/search", params={"q": secret})
            assert found.status_code == 200 and secret not in found.text, found.text
        # ... while the handler reads it all (so the checks above are not vacuous).
        history = (await handler.get(f"/api/channels/{conversation}/messages")).json()
        assert [m["id"] for m in history["messages"]][-2:] == [from_guest["id"], from_handler["id"]]
        assert conversation in {c["id"] for c in (await handler.channels(team.id)).values()}
        assert secret in (await handler.get(f"/api/teams/{team.id}/search", params={"q": secret})).text


async def test_a_guest_cannot_reach_another_sources_conversation(world: World) -> None:
    """Two sources, two guests: on every guest route, the other's conversation (and its messages) answers as a
    channel that does not exist, and nothing of it reaches the guest's sync or socket."""
    team = world.team
    other_source = await add_source_of(world, team.members[0])
    other = await open_link(world.http, world.ws_base, other_source["link"]["token"])
    mine, theirs = await world.channel("Source"), (await other.get("/api/contact")).json()["channel_id"]
    secret = f"between us {uuid.uuid4().hex[:8]}"
    said = (await other.send(theirs, text=secret)).json()
    assert (await team.members[0].send(theirs, text=f"{secret} too")).status_code == 201
    for method, tail, body in (
        ("GET", "/messages", None),
        ("POST", "/messages", a_text()),
        ("POST", "/read", {"cursor": 0}),
    ):
        seen = await world.guest.request(method, f"/api/channels/{theirs}{tail}", json=body)
        missing = await world.guest.request(method, f"/api/channels/{UNKNOWN_ID}{tail}", json=body)
        assert (seen.status_code, seen.json()) == (404, missing.json()), (method, tail)
    for method, path in (
        ("POST", f"/api/messages/{said['id']}/ack"),
        ("GET", f"/api/sources/{other_source['id']}"),
        ("GET", f"/api/sources/{world.source_id}"),
    ):
        response = await world.guest.request(method, path)
        assert response.status_code == 404, response.text
    events = await sync_all(world.guest)
    assert_only_the_conversation(events, mine, secret)
    async with world.guest.live() as ws:
        replayed, _ = await frames_until_ready(ws)
        assert (await other.send(theirs, text=f"{secret} again")).status_code == 201
        last = (await world.handler.send(mine, text="mine")).json()
        streamed = await frames_until(ws, lambda f: f["type"] == "message" and f["data"]["id"] == last["id"])
    assert_only_the_conversation(replayed + streamed, mine, secret)
    # ... while the other guest has its own (so the checks above are not vacuous).
    assert secret in json.dumps(await sync_all(other))


async def test_the_guest_is_answered_as_someone_who_does_not_exist(world: World) -> None:
    """The team's routes that name a member, given the guest's id, answer exactly as for an id nobody has."""
    team, guest = world.team, world.guest
    group = await world.channel("Group")
    for me in (team.owner, team.leads[0], team.members[0], world.handler):
        calls: list[tuple[str, str, Callable[[int], Any]]] = [
            ("PATCH", f"/api/teams/{team.id}/members/{{}}", lambda _: {"role": "lead"}),
            ("DELETE", f"/api/teams/{team.id}/members/{{}}", lambda _: None),
            ("POST", f"/api/teams/{team.id}/direct", lambda who: {"user_id": who}),
            ("POST", f"/api/teams/{team.id}/channels", lambda who: {"name": "With them", "members": [who]}),
            ("POST", f"/api/channels/{group}/members", lambda who: {"user_id": who}),
            ("DELETE", f"/api/channels/{group}/members/{{}}", lambda _: None),
        ]
        for method, path, body in calls:
            named = await me.request(method, path.format(guest.id), json=body(guest.id))
            nobody = await me.request(method, path.format(UNKNOWN_ID), json=body(UNKNOWN_ID))
            assert named.status_code >= 400, (method, path, named.text)
            # A detail may name the id given; the answer is otherwise the same.
            said = [
                (r.status_code, r.text.replace(str(who), "#")) for r, who in ((named, guest.id), (nobody, UNKNOWN_ID))
            ]
            assert said[0] == said[1], (method, path)
    source = await world.new_source()
    handed = await world.handler.post(f"/api/sources/{source['id']}/handover", {"user_id": guest.id})
    nobody = await world.handler.post(f"/api/sources/{source['id']}/handover", {"user_id": UNKNOWN_ID})
    assert (handed.status_code, handed.json()) == (400, nobody.json())


async def test_no_answer_to_a_guest_names_what_the_team_calls_it(world: World) -> None:
    """Every guest route, in each of its answers, leaves out the pseudonym, the team's name and the notes (the read
    mark answered with the conversation's channel, named by the pseudonym, before the fix)."""
    guest, conversation = world.guest, await world.channel("Source")
    said = (await guest.send(conversation, text="hello")).json()
    device = push_subscription()
    answers = [
        await guest.get("/api/contact"),
        await guest.get(f"/api/channels/{conversation}/messages"),
        await guest.post(f"/api/channels/{conversation}/messages", a_text()),
        await guest.post(f"/api/channels/{conversation}/read", {"cursor": said["cursor"]}),
        await guest.get("/api/sync"),
        await guest.post("/api/push/subscriptions", device),
        await guest.get("/api/push/subscriptions"),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.text
        for secret in (PSEUDONYM, "Acme deal", NOTES):
            assert secret not in answer.text, (str(answer.url), answer.text)
    assert answers[3].json()["name"] == world.handler.username.title(), "to the guest, it is its handler's"
    # ... while the handler's own read mark names it (so the check above is not vacuous).
    read = await world.handler.post(f"/api/channels/{conversation}/read", {"cursor": 0})
    assert read.json()["name"] == PSEUDONYM


async def test_a_cue_to_the_conversation_is_refused_before_the_teams_cue_set_is_looked_at(world: World) -> None:
    """A guest could tell the team's cue codes from the refusals: a code not in the team's set answered 'not in this
    team's cue set', one in it 'text only'. Both answer the same (docs/sources.md: 400, field cue)."""
    conversation = await world.channel("Source")
    answers = []
    for cue in ("stop_call_me", "no_such_cue"):
        for who in (world.guest, world.handler):
            sent = await who.send(conversation, cue=cue)
            assert sent.status_code == 400, sent.text
            answers.append(sent.json())
    assert all(answer == answers[0] for answer in answers), answers
    assert set(answers[0]["fields"]) == {"cue"} and "this team" not in answers[0]["detail"]
