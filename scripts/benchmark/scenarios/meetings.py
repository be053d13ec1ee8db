"""Meetings: a live meeting in each of many teams; the floor asked for, granted and released; urgent cues that insist.

Floor: in every team at once (staggered), a member asks for the floor, the lead grants it, the holder releases it,
a bounded number of times. Latency runs from the send of the HTTP request to the `meeting` event it causes on the
socket that acts on it: "requested" on the lead's, "granted" on the granted member's ("released" on the lead's is
counted too). Each step waits for its event (at most EVENT_TIMEOUT) before the next, as a lead would.

Escalations: each team's cues insist every 10 s (the least allowed), once. The lead sends an urgent cue that one
member never acknowledges: its one re-buzz must reach that member's socket; how late it is past its due time (the
cue's created_at + 10 s, both wall clock on this one machine) is the figure. In every other team a second urgent
cue is acknowledged by everyone at once: it must stop ("acknowledged") and never buzz again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from scripts.benchmark.harness.noise import Window
from scripts.benchmark.harness.progress import log
from scripts.benchmark.harness.stats import latency_ms
from scripts.benchmark.load.api_calls import ApiFailure, Team, User, new_client_id
from scripts.benchmark.load.live_sockets import LiveSocket, close_sockets, open_sockets
from scripts.benchmark.scenarios.context import CONNECT_CONCURRENCY, Context

SETUP_CONCURRENCY = 25  # teams set up at once
EVENT_TIMEOUT = 5.0  # s a step waits for its event before it counts as missing and the cycle goes on
FLOOR_SLACK = 20.0  # s past the planned end of the floor loop before its remaining cycles are cut (and counted)
GRACE = 0.3  # s after the last step for late or duplicated events
EVERY_SECONDS = 10  # the settings' least
URGENT = "stop_call_me"  # a default cue of urgency high
REBUZZ_WAIT = 5.0  # s past the last due time a re-buzz may still arrive before it counts as lost
WATCHED = ("requested", "granted", "released")
REQUEST_ERRORS = (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError)


class _Change(msgspec.Struct):
    what: str
    user_id: int | None = None


class _Meeting(msgspec.Struct):
    id: int
    change: _Change


class _Escalation(msgspec.Struct):
    message_id: int
    buzzes: int
    pending: list[int]
    state: str
    reason: str | None = None
    next_at: int | None = None


class _MeetingFrame(msgspec.Struct):
    data: _Meeting


class _EscalationFrame(msgspec.Struct):
    data: _Escalation


_decode_meeting = msgspec.json.Decoder(_MeetingFrame).decode
_decode_escalation = msgspec.json.Decoder(_EscalationFrame).decode

Key = tuple[int, int, str, int]  # the socket index, the meeting, change.what, change.user_id


@dataclass
class _Table:
    """One team's live meeting; sockets are indexed by user, the lead (the team's owner) first."""

    team: Team
    meeting_id: int
    first: int  # socket index of team.members[0], the lead

    @property
    def lead(self) -> User:
        return self.team.members[0]

    def index(self, position: int) -> int:
        return self.first + position


class _FloorEvents:
    """The floor's watched events: when each was caused (the request's send) and when it arrived, in order per key."""

    def __init__(self) -> None:
        self.sent: dict[Key, list[int]] = defaultdict(list)
        self.arrived: dict[Key, list[int]] = defaultdict(list)
        self._waiting: dict[tuple[Key, int], asyncio.Future[None]] = {}

    def expect(self, key: Key) -> asyncio.Future[None]:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[(key, len(self.sent[key]))] = waiter
        self.sent[key].append(time.perf_counter_ns())
        return waiter

    def forget(self, key: Key) -> None:
        """The request failed: it caused nothing (it counts as a failed request)."""
        self.sent[key].pop()
        self._waiting.pop((key, len(self.sent[key])), None)

    def arrive(self, key: Key, at: int) -> None:
        arrivals = self.arrived[key]
        waiter = self._waiting.pop((key, len(arrivals)), None)
        arrivals.append(at)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def figures(self, what: str) -> dict[str, Any]:
        latencies: list[int] = []
        expected = received = duplicates = strays = 0
        for key in self.sent.keys() | self.arrived.keys():
            if key[2] != what:
                continue
            sent, arrived = self.sent.get(key, []), self.arrived.get(key, [])
            expected += len(sent)
            received += min(len(sent), len(arrived))
            if sent:
                duplicates += max(0, len(arrived) - len(sent))
            else:
                strays += len(arrived)
            latencies.extend(at - start for start, at in zip(sent, arrived, strict=False))
        counts = {
            "expected": expected,
            "received": received,
            "missing": expected - received,
            "duplicates": duplicates,
            "strays": strays,
            "ok": received == expected and duplicates == 0 and strays == 0,
        }
        return {"latency": latency_ms(latencies), "deliveries": counts}


@dataclass
class _Insisting:
    """An urgent cue one member never acknowledges: its one re-buzz is owed to that member's socket."""

    socket: int
    user_id: int
    due_ms: int
    rebuzzes: list[tuple[int, _Escalation]]  # (arrival, wall clock ns; the event)


@dataclass
class _Acknowledged:
    """An urgent cue everyone acknowledged at once: it must stop, "acknowledged", and never buzz again."""

    lead_socket: int
    due_ms: int
    stopped: list[_Escalation]
    rebuzzed: int = 0  # active escalation events for it, on any socket


async def meetings(ctx: Context) -> dict[str, Any]:
    """A live meeting in each of many teams: the floor loop, then urgent cues that insist."""
    sizes = ctx.sizes
    api = ctx.api
    if sizes.meeting_team_size < 3:
        raise ValueError("a meeting team needs a lead, a member who acknowledges and one who does not")
    log(f"  setting up {sizes.meeting_teams} teams of {sizes.meeting_team_size}, a live meeting in each")
    began = time.monotonic()
    teams = await api.make_teams(sizes.meeting_teams, sizes.meeting_team_size, SETUP_CONCURRENCY)
    limit = asyncio.Semaphore(SETUP_CONCURRENCY)
    meeting_ids: dict[int, int] = {}

    async def set_up(team: Team) -> None:
        lead = team.members[0]
        async with limit:
            settings = {"every_seconds": EVERY_SECONDS, "times": 1}
            await api.call("escalation", "PUT", f"/api/teams/{team.id}/escalation", lead, settings, ok=200)
            body = {"title": "Bench round", "counterpart": "Acme"}
            planned = await api.call("plan meeting", "POST", f"/api/teams/{team.id}/meetings", lead, body)
            mid = int(planned["id"])
            await api.call("start meeting", "POST", f"/api/meetings/{mid}/start", lead, ok=200)
            seat = {"place": "room", "role": "speaking"}
            for member in team.members[1:]:
                await api.call("join meeting", "POST", f"/api/meetings/{mid}/join", member, seat, ok=200)
            meeting_ids[team.id] = mid

    await asyncio.gather(*(set_up(team) for team in teams))
    tables: list[_Table] = []
    users: list[User] = []
    for team in teams:
        tables.append(_Table(team=team, meeting_id=meeting_ids[team.id], first=len(users)))
        users.extend(team.members)
    setup_s = time.monotonic() - began
    log(f"  opening {len(users)} sockets")
    sockets, connect_errors = await open_sockets(
        ctx.server.ws_url, users, ctx.server.head_cursor(), CONNECT_CONCURRENCY
    )
    by_meeting = {table.meeting_id: table for table in tables}
    floor = _FloorEvents()
    insisting: dict[int, _Insisting] = {}
    acknowledged: dict[int, _Acknowledged] = {}
    unwatched: Counter[str] = Counter()  # frame types the scenario does not time ("ack")
    undecodable: Counter[str] = Counter()
    all_rebuzzed = asyncio.Event()

    def on_other(socket: LiveSocket, kind: str, raw: str | bytes, at: int) -> None:
        try:
            if kind == "meeting":
                on_meeting(socket, _decode_meeting(raw).data, at)
            elif kind == "escalation":
                on_escalation(socket, _decode_escalation(raw).data, time.time_ns())
            else:
                unwatched[kind] += 1
        except msgspec.DecodeError:  # ValidationError is one too: a frame not in the contract's shape
            undecodable[kind] += 1

    def on_meeting(socket: LiveSocket, state: _Meeting, at: int) -> None:
        table = by_meeting.get(state.id)
        what, whom = state.change.what, state.change.user_id
        if table is None or what not in WATCHED or whom is None:
            return
        lead_socket = socket.index == table.first
        if (what == "granted" and socket.user.id == whom) or (what != "granted" and lead_socket):
            floor.arrive((socket.index, state.id, what, whom), at)

    def on_escalation(socket: LiveSocket, escalation: _Escalation, wall: int) -> None:
        owed = insisting.get(escalation.message_id)
        if owed is not None and socket.index == owed.socket:
            owed.rebuzzes.append((wall, escalation))
            if all(o.rebuzzes for o in insisting.values()):
                all_rebuzzed.set()
        done = acknowledged.get(escalation.message_id)
        if done is not None:
            if escalation.state == "active":
                done.rebuzzed += 1
            elif socket.index == done.lead_socket:
                done.stopped.append(escalation)

    for socket in sockets:
        socket.on_other = on_other
    try:
        window = Window(ctx.server, ctx.cores, profile="meetings")
        floor_figures = await _floor(ctx, tables, floor)
        result = window.finish()
        log(f"  urgent cues in {len(tables)} meetings, re-buzzed after {EVERY_SECONDS} s")
        escalation_figures = await _escalations(ctx, tables, insisting, acknowledged, all_rebuzzed)
        await asyncio.sleep(GRACE)
        ended = await _end(ctx, tables)
    finally:
        dropped = sum(s.dropped for s in sockets)
        bad_frames = sum(s.bad_frames for s in sockets)
        await close_sockets(sockets)
    floor_ok = all(floor_figures[what]["deliveries"]["ok"] for what in WATCHED)
    floor_ok = floor_ok and not floor_figures["failed_requests"] and not floor_figures["cut_cycles"]
    return {
        "scenario": "meetings",
        "teams": len(tables),
        "team_size": sizes.meeting_team_size,
        "setup_s": round(setup_s, 1),
        "sockets": len(sockets),
        "floor": floor_figures,
        "escalations": escalation_figures,
        "errors": {
            "connect": len(connect_errors),
            "connect_samples": connect_errors[:5],
            "dropped_sockets": dropped,
            "error_frames": bad_frames,
            "end_failures": ended,
            "unwatched_frames": dict(unwatched),
            "undecodable_frames": dict(undecodable),
        },
        "ok": floor_ok
        and escalation_figures["ok"]
        and not connect_errors
        and dropped == 0
        and bad_frames == 0
        and not undecodable
        and ended == 0,
        **result,
    }


async def _floor(ctx: Context, tables: Sequence[_Table], floor: _FloorEvents) -> dict[str, Any]:
    """Every team's bounded floor loop, staggered across one period; each step waits for the event it causes."""
    sizes = ctx.sizes
    http = ctx.api.http
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    cycles = cut = 0
    period, rounds = sizes.meeting_period, sizes.meeting_rounds
    began = time.perf_counter()
    deadline = began + rounds * period + FLOOR_SLACK

    async def step(user: User, path: str, body: object | None, key: Key) -> bool:
        waiter = floor.expect(key)
        try:
            reply = await http.request("POST", path, body, user.headers)
        except REQUEST_ERRORS as exc:
            floor.forget(key)
            statuses[0] += 1
            failures.append(f"{path}: {type(exc).__name__}: {exc}")
            return False
        statuses[reply.status] += 1
        if reply.status != 200:
            floor.forget(key)
            failures.append(f"{path}: HTTP {reply.status} {reply.body[:200]!r}")
            return False
        try:
            async with asyncio.timeout(EVENT_TIMEOUT):
                await waiter
        except TimeoutError:
            pass  # missing: counted by the figures; the meeting's state moved on all the same
        return True

    async def team_loop(t: int, table: _Table) -> None:
        nonlocal cycles, cut
        start = began + period * t / len(tables)
        mid, seated = table.meeting_id, len(table.team.members) - 1
        for r in range(rounds):
            if time.perf_counter() > deadline:
                cut += rounds - r
                return
            delay = start + r * period - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            position = 1 + r % seated
            member = table.team.members[position]
            path = f"/api/meetings/{mid}"
            if not await step(member, f"{path}/floor", None, (table.first, mid, "requested", member.id)):
                continue
            granted = (table.index(position), mid, "granted", member.id)
            if not await step(table.lead, f"{path}/floor/grant", {"user_id": member.id}, granted):
                continue
            await step(member, f"{path}/floor/release", None, (table.first, mid, "released", member.id))
            cycles += 1

    log(f"  floor: {rounds} cycles in each of {len(tables)} meetings, one every {period:g} s per meeting")
    await asyncio.gather(*(team_loop(t, table) for t, table in enumerate(tables)))
    seconds = time.perf_counter() - began
    await asyncio.sleep(GRACE)
    requests = sum(statuses.values())
    return {
        "planned_cycles": rounds * len(tables),
        "cycles": cycles,
        "cut_cycles": cut,
        "seconds": round(seconds, 1),
        "requests": requests,
        "requests_per_s": round(requests / seconds, 1) if seconds else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "failed_requests": requests - statuses[200],
        "failure_samples": failures[:5],
        **{what: floor.figures(what) for what in WATCHED},
    }


async def _escalations(
    ctx: Context,
    tables: Sequence[_Table],
    insisting: dict[int, _Insisting],
    acknowledged: dict[int, _Acknowledged],
    all_rebuzzed: asyncio.Event,
) -> dict[str, Any]:
    """In each meeting an urgent cue one member never acknowledges; in every other, a second acknowledged at once."""
    api = ctx.api
    limit = asyncio.Semaphore(SETUP_CONCURRENCY)
    failures: list[str] = []

    async def send(table: _Table) -> dict[str, Any]:
        body = {"client_id": new_client_id(), "kind": "cue", "cue": URGENT}
        return dict(
            await api.call("urgent cue", "POST", f"/api/channels/{table.team.channel_id}/messages", table.lead, body)
        )

    async def ack(user: User, message_id: int) -> None:
        await api.call("ack", "POST", f"/api/messages/{message_id}/ack", user, ok=200)

    async def one(t: int, table: _Table) -> None:
        members = table.team.members
        pending = len(members) - 1  # the one who never acknowledges
        async with limit:
            try:
                cue = await send(table)
                due = int(cue["created_at"]) + EVERY_SECONDS * 1000
                insisting[int(cue["id"])] = _Insisting(table.index(pending), members[pending].id, due, [])
                await asyncio.gather(*(ack(member, int(cue["id"])) for member in members[1:pending]))
                if t % 2 == 0:
                    second = await send(table)
                    due = int(second["created_at"]) + EVERY_SECONDS * 1000
                    acknowledged[int(second["id"])] = _Acknowledged(table.first, due, [])
                    await asyncio.gather(*(ack(member, int(second["id"])) for member in members[1:]))
            except (ApiFailure, *REQUEST_ERRORS) as exc:
                failures.append(f"{type(exc).__name__}: {exc}")

    await asyncio.gather(*(one(t, table) for t, table in enumerate(tables)))
    dues = [owed.due_ms for owed in insisting.values()] + [done.due_ms for done in acknowledged.values()]
    last_due = max(dues, default=0)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(max(0.0, last_due / 1000 + REBUZZ_WAIT - time.time())):
            await all_rebuzzed.wait()
    # Past the acknowledged cues' due times too, with a margin: a re-buzz of one of them would have come by now.
    await asyncio.sleep(max(0.0, last_due / 1000 + 1.0 - time.time()) + GRACE)

    lateness: list[int] = []
    received = duplicates = wrong = 0
    for owed in insisting.values():
        right = [
            (wall, e)
            for wall, e in owed.rebuzzes
            if (e.buzzes, e.pending, e.state, e.reason, e.next_at) == (2, [owed.user_id], "active", "done", None)
        ]
        wrong += len(owed.rebuzzes) - len(right)
        if right:
            received += 1
            duplicates += len(right) - 1
            lateness.append(right[0][0] - owed.due_ms * 1_000_000)
    stopped = sum(
        1
        for done in acknowledged.values()
        if [(e.state, e.reason) for e in done.stopped] == [("stopped", "acknowledged")]
    )
    rebuzzed = sum(done.rebuzzed for done in acknowledged.values())
    rebuzzes = {
        "expected": len(insisting),
        "received": received,
        "missing": len(insisting) - received,
        "duplicates": duplicates,
        "strays": wrong,  # a re-buzz event of the wrong shape (buzz number, pending, state, reason)
        "ok": received == len(insisting) == len(tables) and duplicates == 0 and wrong == 0,
    }
    stops = {"expected": len(acknowledged), "stopped_acknowledged": stopped, "rebuzzed": rebuzzed}
    return {
        "every_seconds": EVERY_SECONDS,
        "times": 1,
        "lateness": latency_ms(lateness),
        "rebuzzes": rebuzzes,
        "acknowledged_at_once": stops,
        "failures": len(failures),
        "failure_samples": failures[:5],
        "ok": rebuzzes["ok"]
        and stopped == len(acknowledged) == (len(tables) + 1) // 2
        and rebuzzed == 0
        and not failures,
    }


async def _end(ctx: Context, tables: Sequence[_Table]) -> int:
    """End every meeting (the scenario leaves nothing live); how many could not be ended."""
    limit = asyncio.Semaphore(SETUP_CONCURRENCY)
    failed = 0

    async def one(table: _Table) -> None:
        nonlocal failed
        async with limit:
            try:
                await ctx.api.call("end meeting", "POST", f"/api/meetings/{table.meeting_id}/end", table.lead, ok=200)
            except (ApiFailure, *REQUEST_ERRORS):
                failed += 1

    await asyncio.gather(*(one(table) for table in tables))
    return failed
