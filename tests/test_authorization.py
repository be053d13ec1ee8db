"""Who may call what: every API route against every kind of caller, read from the app's own route table.

Callers: anonymous (no token), revoked (a token whose session was deleted), outsider (signed in, not in the team),
member, lead and owner of a fresh team. Rules: anonymous and revoked get 401 wherever a session is needed; an
outsider gets 404 for anything inside the team, exactly as if it did not exist; members get 403 on lead-only
actions and 404 on the Leads channel (and on other people's one-to-one channels); leads and the owner succeed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

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
    sign_up,
    sync_all,
)
from tests.push_service import browser_keys
from tests.routes import API_ROUTES, assert_error_shape, fill
from tests.server import ServerProcess
from tests.test_meetings import plan, seat

CALLERS = ("anonymous", "revoked", "outsider", "member", "lead", "owner")
UNKNOWN_ID = 10**12
ERROR_CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}


@dataclass
class World:
    """A fresh team and the six callers; builds, on demand and once, what a request needs."""

    http: httpx.AsyncClient
    ws_base: str
    team: Team
    outsider: Person
    revoked: Person
    anonymous: Person
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
        """A new custom group of the owner, the lead and the member callers."""
        people = [self.team.members[0].id, self.team.leads[0].id]
        made = await self.team.owner.post(
            f"/api/teams/{self.team.id}/channels", {"name": f"Group {uuid.uuid4().hex[:8]}", "members": people}
        )
        assert made.status_code == 201, made.text
        return int(made.json()["id"])

    async def channel(self, which: str) -> int:
        """Everyone, Leads, Direct: the one-to-one channel of the two members (the member caller is one), or Group:
        a custom group of the owner, the lead and the member callers."""
        if which not in self._cache:
            if which == "Group":
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
            author = await self.newcomer("lead") if which == "Leads" else self.team.members[1]
            sent = await author.send(await self.channel(which), text=f"for {which}")
            assert sent.status_code == 201, sent.text
            self._cache[key] = sent.json()["id"]
        return int(self._cache[key])

    def in_team(self, me: Person) -> bool:
        return me.id in {person.id for person in self.team.everyone}

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
    return World(http, ws_base, team, outsider, revoked, anonymous)


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
    expect: tuple[int, int, int, int, int, int]  # in the order of CALLERS
    build: Build
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.variant}]" if self.variant else "")


# fmt: off
#   method    path template, as the app declares it                    (anon, revoked, outsider, member, lead, owner)
ROWS = [
    Row("POST",   "/api/accounts",                                    (201, 201, 201, 201, 201, 201), new_account),
    Row("POST",   "/api/sessions",                                    (201, 201, 201, 201, 201, 201), outsider_login),
    Row("GET",    "/api/sessions",                                    (401, 401, 200, 200, 200, 200), plain()),
    Row("DELETE", "/api/sessions/{session_id:int}",                   (401, 401, 204, 204, 204, 204), own_session),
    Row("GET",    "/api/me",                                          (401, 401, 200, 200, 200, 200), plain()),
    # Changes to one's own account (the password set to itself: the world's people keep theirs).
    Row("PATCH",  "/api/me",                                          (401, 401, 200, 200, 200, 200), own_name),
    Row("PUT",    "/api/me/password",                                 (401, 401, 204, 204, 204, 204),
        plain({"current_password": PASSWORD, "new_password": PASSWORD})),
    Row("PATCH",  "/api/sessions/{session_id:int}",                   (401, 401, 204, 204, 204, 204),
        own_session_named),
    Row("GET",    "/api/sync",                                        (401, 401, 200, 200, 200, 200), plain()),
    Row("GET",    "/api/teams",                                       (401, 401, 200, 200, 200, 200), plain()),
    Row("POST",   "/api/teams",                                       (401, 401, 201, 201, 201, 201),
        plain({"name": "Side deal"})),
    Row("GET",    "/api/teams/{team_id:int}",                         (401, 401, 404, 200, 200, 200), in_team()),
    Row("POST",   "/api/teams/{team_id:int}/invites",                 (401, 401, 404, 403, 201, 201),
        in_team({"role": "member"})),
    Row("GET",    "/api/teams/{team_id:int}/invites",                 (401, 401, 404, 403, 200, 200), in_team()),
    Row("DELETE", "/api/teams/{team_id:int}/invites/{invite_id:int}", (401, 401, 404, 403, 204, 204), fresh_invite),
    # The token is the capability: whoever holds it may see whose team it is, before signing up ...
    Row("GET",    "/api/invites/{token:str}",                         (200, 200, 200, 200, 200, 200),
        accept_fresh_invite),
    # ... and join (members already in get 200, no change).
    Row("POST",   "/api/invites/{token:str}/accept",                  (401, 401, 201, 200, 200, 200),
        accept_fresh_invite),
    Row("PATCH",  "/api/teams/{team_id:int}/members/{user_id:int}",   (401, 401, 404, 403, 200, 200),
        on_newcomer({"role": "lead"})),
    Row("DELETE", "/api/teams/{team_id:int}/members/{user_id:int}",   (401, 401, 404, 403, 204, 204), on_newcomer()),
    Row("GET",    "/api/teams/{team_id:int}/channels",                (401, 401, 404, 200, 200, 200), in_team()),
    Row("POST",   "/api/teams/{team_id:int}/channels",                (401, 401, 404, 403, 201, 201), new_channel),
    Row("POST",   "/api/teams/{team_id:int}/direct",                  (401, 401, 404, 201, 201, 201),
        direct_with_second_member),
    Row("GET",    "/api/teams/{team_id:int}/cues",                    (401, 401, 404, 200, 200, 200), in_team()),
    Row("PUT",    "/api/teams/{team_id:int}/cues",                    (401, 401, 404, 403, 200, 200), in_team(ONE_CUE)),
    # Search without q: members get the 400 naming q, outsiders the 404 first (tests/test_search.py searches).
    Row("GET",    "/api/teams/{team_id:int}/search",                  (401, 401, 404, 400, 400, 400), in_team()),
    # Channel routes, once per kind of channel: Everyone, Leads, and the two members' one-to-one channel.
    Row("GET",    "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 200, 200, 200),
        in_channel("Everyone"), "Everyone"),
    Row("GET",    "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 404, 200, 200),
        in_channel("Leads"), "Leads"),
    Row("GET",    "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 200, 404, 404),
        in_channel("Direct"), "Direct"),
    Row("POST",   "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 201, 201, 201),
        in_channel("Everyone", a_text), "Everyone"),
    Row("POST",   "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 404, 201, 201),
        in_channel("Leads", a_text), "Leads"),
    Row("POST",   "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 201, 404, 404),
        in_channel("Direct", a_text), "Direct"),
    # Deleting a channel's history is for the team's owner, and only in channels the owner is in.
    Row("DELETE", "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 403, 403, 200),
        in_channel("Everyone"), "Everyone"),
    Row("DELETE", "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 404, 403, 200),
        in_channel("Leads"), "Leads"),
    Row("DELETE", "/api/channels/{channel_id:int}/messages",          (401, 401, 404, 403, 404, 404),
        in_channel("Direct"), "Direct"),
    Row("POST",   "/api/channels/{channel_id:int}/read",              (401, 401, 404, 200, 200, 200),
        in_channel("Everyone", lambda: {"cursor": 0}), "Everyone"),
    Row("POST",   "/api/channels/{channel_id:int}/read",              (401, 401, 404, 404, 200, 200),
        in_channel("Leads", lambda: {"cursor": 0}), "Leads"),
    Row("POST",   "/api/channels/{channel_id:int}/read",              (401, 401, 404, 200, 404, 404),
        in_channel("Direct", lambda: {"cursor": 0}), "Direct"),
    # Managing a custom group: leads in it (rename, add, remove, delete), anyone in it (leave); the built-in and
    # one-to-one channels answer 409 to those in them (tests/test_channel_management.py: leads outside a group: 404).
    Row("PATCH",  "/api/channels/{channel_id:int}",                   (401, 401, 404, 403, 200, 200),
        in_channel("Group", lambda: {"name": f"Renamed {uuid.uuid4().hex[:8]}"}), "Group"),
    Row("PATCH",  "/api/channels/{channel_id:int}",                   (401, 401, 404, 409, 409, 409),
        in_channel("Everyone", lambda: {"name": f"Renamed {uuid.uuid4().hex[:8]}"}), "Everyone"),
    Row("POST",   "/api/channels/{channel_id:int}/members",           (401, 401, 404, 403, 200, 200),
        seat_second_member, "Group"),
    Row("DELETE", "/api/channels/{channel_id:int}/members/{user_id:int}", (401, 401, 404, 403, 204, 204),
        group_newcomer, "someone else"),
    Row("DELETE", "/api/channels/{channel_id:int}/members/{user_id:int}", (401, 401, 404, 204, 204, 204),
        leave_fresh_group, "leaving"),
    Row("DELETE", "/api/channels/{channel_id:int}",                   (401, 401, 404, 403, 204, 204),
        fresh_group, "Group"),
    Row("DELETE", "/api/channels/{channel_id:int}",                   (401, 401, 404, 404, 409, 409),
        in_channel("Leads"), "Leads"),
    Row("POST",   "/api/messages/{message_id:int}/ack",               (401, 401, 404, 200, 200, 200),
        on_message("Everyone"), "Everyone"),
    Row("POST",   "/api/messages/{message_id:int}/ack",               (401, 401, 404, 404, 200, 200),
        on_message("Leads"), "Leads"),
    Row("POST",   "/api/messages/{message_id:int}/ack",               (401, 401, 404, 200, 404, 404),
        on_message("Direct"), "Direct"),
    # Recall: only the sender (someone who is none of the callers here), in the channel; others 403, outsiders 404.
    Row("POST",   "/api/messages/{message_id:int}/recall",            (401, 401, 404, 403, 403, 403),
        on_message("Everyone"), "Everyone"),
    # Push: the key is public; subscriptions and the privacy level are the caller's own.
    Row("GET",    "/api/push/key",                                    (200, 200, 200, 200, 200, 200), plain()),
    Row("GET",    "/api/events",                                      (200, 200, 200, 200, 200, 200), plain()),
    Row("GET",    "/api/push/level",                                  (401, 401, 200, 200, 200, 200), plain()),
    Row("PUT",    "/api/push/level",                                  (401, 401, 200, 200, 200, 200),
        plain({"level": "sender"})),
    Row("GET",    "/api/push/subscriptions",                          (401, 401, 200, 200, 200, 200), plain()),
    Row("POST",   "/api/push/subscriptions",                          (401, 401, 201, 201, 201, 201),
        new_push_subscription),
    Row("DELETE", "/api/push/subscriptions",                          (401, 401, 204, 204, 204, 204),
        own_push_subscription),
    # Meetings (docs/meetings.md): the team's, all of it; leads plan, start and end, and run the floor.
    Row("POST",   "/api/teams/{team_id:int}/meetings",                (401, 401, 404, 403, 201, 201),
        in_team(A_MEETING)),
    Row("GET",    "/api/teams/{team_id:int}/meetings",                (401, 401, 404, 200, 200, 200), in_team()),
    Row("GET",    "/api/meetings/{meeting_id:int}",                   (401, 401, 404, 200, 200, 200),
        on_meeting(), "Everyone"),
    # A meeting whose cues go to Leads is still the whole team's to see (only its cues are the leads').
    Row("GET",    "/api/meetings/{meeting_id:int}",                   (401, 401, 404, 200, 200, 200),
        on_meeting("planned", "Leads"), "Leads"),
    Row("POST",   "/api/meetings/{meeting_id:int}/start",             (401, 401, 404, 403, 200, 200),
        fresh_meeting("planned")),
    # The role is checked before the state: a member learns nothing of it.
    Row("POST",   "/api/meetings/{meeting_id:int}/start",             (401, 401, 404, 403, 409, 409),
        on_meeting("live"), "live"),
    Row("POST",   "/api/meetings/{meeting_id:int}/end",               (401, 401, 404, 403, 200, 200),
        fresh_meeting("live")),
    Row("POST",   "/api/meetings/{meeting_id:int}/end",               (401, 401, 404, 403, 409, 409),
        on_meeting("planned"), "planned"),
    Row("DELETE", "/api/meetings/{meeting_id:int}",                   (401, 401, 404, 403, 403, 200),
        fresh_meeting("ended"), "ended"),
    Row("DELETE", "/api/meetings/{meeting_id:int}",                   (401, 401, 404, 403, 403, 200),
        fresh_meeting("planned"), "planned"),
    Row("DELETE", "/api/meetings/{meeting_id:int}",                   (401, 401, 404, 403, 403, 409),
        on_meeting("live"), "live"),
    Row("POST",   "/api/meetings/{meeting_id:int}/join",              (401, 401, 404, 200, 200, 200),
        on_meeting("live", body=A_SEAT), "Everyone"),
    Row("POST",   "/api/meetings/{meeting_id:int}/join",              (401, 401, 404, 403, 200, 200),
        on_meeting("live", "Leads", A_SEAT), "Leads"),
    Row("POST",   "/api/meetings/{meeting_id:int}/join",              (401, 401, 404, 409, 409, 409),
        on_meeting("planned", body=A_SEAT), "planned"),
    Row("GET",    "/api/meetings/{meeting_id:int}/roster",            (401, 401, 404, 403, 200, 200),
        on_meeting("live")),
    # The floor: asked for and given back by those at the table; granted, declined and taken back by leads.
    Row("POST",   "/api/meetings/{meeting_id:int}/floor",             (401, 401, 404, 200, 200, 200),
        my_floor(), "at the table"),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor",             (401, 401, 404, 409, 409, 409),
        on_meeting("live"), "not at the table"),
    Row("DELETE", "/api/meetings/{meeting_id:int}/floor",             (401, 401, 404, 200, 200, 200),
        my_floor(asked=True)),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/grant",       (401, 401, 404, 403, 200, 200),
        their_floor()),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/decline",     (401, 401, 404, 403, 200, 200),
        their_floor(asked=True)),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/release",     (401, 401, 404, 200, 200, 200),
        my_floor(holding=True), "holding it"),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/release",     (401, 401, 404, 409, 409, 409),
        their_floor(holding=True), "someone else holds it"),
    Row("POST",   "/api/meetings/{meeting_id:int}/floor/take",        (401, 401, 404, 403, 200, 200),
        their_floor(holding=True)),
    # The debrief, for every member, in every state (a planned one has an empty timeline).
    *(Row("GET",  f"/api/meetings/{{meeting_id:int}}/{name}",         (401, 401, 404, 200, 200, 200),
          on_meeting(state), state)
      for name in ("debrief", "debrief.md", "debrief.csv") for state in ("planned", "live", "ended")),
    Row("PUT",    "/api/teams/{team_id:int}/escalation",              (401, 401, 404, 403, 200, 200),
        in_team(ESCALATION)),
    # Only the cue's sender stops it insisting (here someone who is none of the callers, or each caller's own).
    Row("DELETE", "/api/messages/{message_id:int}/escalation",        (401, 401, 404, 403, 403, 403),
        urgent_cue(), "someone else's"),
    Row("DELETE", "/api/messages/{message_id:int}/escalation",        (401, 401, 404, 200, 200, 200),
        urgent_cue(own=True), "own"),
    Row("DELETE", "/api/messages/{message_id:int}/escalation",        (401, 401, 404, 404, 403, 403),
        urgent_cue(channel="Leads"), "Leads"),
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
    for caller in CALLERS:
        me = world.caller(caller)
        params, body = await row.build(world, me)
        world.http.cookies.clear()  # every caller authenticates by bearer token only (or not at all)
        response = await me.request(row.method, fill(row.path, params), json=body)
        got[caller] = response.status_code
        if response.status_code >= 400:
            assert_error_shape(response.json())
            code = ERROR_CODES.get(response.status_code)
            assert code is None or response.json()["error"] == code, (caller, response.text)
        if response.status_code == 404:
            # Nothing to learn from a 404: the answer is the same as for ids that do not exist at all.
            missing = await me.request(row.method, fill(row.path, unknown_ids(params)), json=body)
            assert (missing.status_code, missing.json()) == (404, response.json()), caller
    assert got == dict(zip(CALLERS, row.expect, strict=True))


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
    for caller in ("outsider", "member", "lead"):
        response = await world.caller(caller).request("DELETE", f"/api/sessions/{victim.session_id}")
        assert response.status_code == 404, (caller, response.text)
        assert_error_shape(response.json())
    assert (await victim.get("/api/me")).status_code == 200


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
