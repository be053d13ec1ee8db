"""The scenarios, one function each. Each returns one JSON-ready dict: figures, counts, server and noise readings.

Counts (deliveries expected vs received, duplicates, failed requests, dropped sockets) decide `ok`;
speeds never do. The targets are checked and reported next to the figures.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scripts.benchmark.harness import MIB, BenchServer, Cores, Window, latency_ms, log, mib, percentile
from scripts.benchmark.load import (
    Api,
    LiveSocket,
    Send,
    Team,
    Tracker,
    User,
    close_sockets,
    in_flight,
    new_client_id,
    open_loop,
    open_sockets,
    sequential,
)
from tests.push_service import PushService

DELIVERY_TIMEOUT = 60.0  # after the last send, how long deliveries may still take before they count as lost
IDLE_RSS_LIMIT = 1024 * MIB
PUSH_TIMEOUT = 120.0
CONNECT_CONCURRENCY = 100


@dataclass(frozen=True)
class Sizes:
    fanout_users: int = 20
    fanout_warmup: int = 10
    fanout_messages: int = 200  # per phase
    fanout_rate: float = 20.0  # messages/s in the open-loop phase
    fanout_in_flight: int = 10
    teams: int = 1000
    team_size: int = 10
    many_rate: float = 100.0
    many_seconds: float = 30.0
    idle_step: int = 1000
    idle_max: int = 10_000
    idle_hold_seconds: float = 5.0
    push_messages: int = 200
    push_devices: int = 1  # per receiver
    offline_messages: int = 100
    hop_sends: int = 200  # in process (scripts/benchmark/hops.py)
    budget_seconds: float = 600.0  # per scenario, setup included


FULL = Sizes()
QUICK = Sizes(
    fanout_warmup=5,
    fanout_messages=30,
    teams=20,
    team_size=5,
    many_rate=40.0,
    many_seconds=3.0,
    idle_step=50,
    idle_max=100,
    idle_hold_seconds=1.0,
    push_messages=10,
    hop_sends=20,
    budget_seconds=60.0,
)


@dataclass
class Context:
    server: BenchServer
    cores: Cores
    api: Api
    sizes: Sizes


def target(what: str, value: float | None, limit: float, unit: str, *, at_least: bool = False) -> dict[str, Any]:
    """A target and whether it was met (a figure that could not be measured, None, misses it)."""
    met = value is not None and (value >= limit if at_least else value <= limit)
    return {"what": what, "target": f"{'>=' if at_least else '<='} {limit:g} {unit}", "value": value, "met": met}


async def restart_server(ctx: Context) -> None:
    """A fresh server process on the same database (memory figures start from a clean heap)."""
    await ctx.api.http.close()
    await asyncio.to_thread(ctx.server.restart)


async def _send_and_time(
    api: Api, tracker: Tracker, user: User, channel_id: int, client_id: str, audience: Sequence[int]
) -> tuple[int, int]:
    """One tracked send: (HTTP status or 0 when the request failed, round trip in ns)."""
    tracker.expect(client_id, audience)
    started = tracker.started_now(client_id)
    try:
        status = await api.send_cue(user, channel_id, client_id)
    except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError):
        status = 0
    if status != 201:
        tracker.forget(client_id)
    return status, time.perf_counter_ns() - started


def slow_seconds(tracker: Tracker, began_ns: int, over_ms: float = 50.0, most: int = 10) -> list[list[float]]:
    """[second of the run, deliveries, p50 ms, max ms] for the seconds whose slowest delivery took over `over_ms`.

    Shows whether slow deliveries are spread out or bunched into stalls (and when).
    """
    by_second: dict[int, list[int]] = {}
    for (client_id, _), at in tracker.arrivals.items():
        started = tracker.started[client_id]
        by_second.setdefault((started - began_ns) // 1_000_000_000, []).append(at - started)
    slow = []
    for second, samples in sorted(by_second.items()):
        samples.sort()
        if samples[-1] / 1e6 > over_ms:
            slow.append([second, len(samples), round(percentile(samples, 0.5) / 1e6, 1), round(samples[-1] / 1e6, 1)])
    return slow[:most]


def _histogram(times: Sequence[float], width: float, most: int) -> list[int]:
    """How many of `times` (seconds from the start) fall in each slot of `width` seconds, empty slots included."""
    slots = Counter(int(t / width) for t in times)
    return [slots.get(i, 0) for i in range(min(most, max(slots, default=-1) + 1))]


def _attach(sockets: Sequence[LiveSocket], tracker: Tracker | None) -> None:
    for socket in sockets:
        socket.tracker = tracker


# ---------------------------------------------------------------------------------------------- 1. team fan-out


async def team_fanout(ctx: Context) -> dict[str, Any]:
    """20 users in one team, one sender, 19 receivers on their own sockets; three sending patterns."""
    sizes = ctx.sizes
    team = await ctx.api.make_team(sizes.fanout_users)
    sender, receivers = team.members[0], team.members[1:]
    sockets, connect_errors = await open_sockets(ctx.server.ws_url, receivers, ctx.server.head_cursor(), 20)
    audience = [s.index for s in sockets]
    try:
        warm = Tracker()
        _attach(sockets, warm)
        for _ in range(sizes.fanout_warmup):
            await _send_and_time(ctx.api, warm, sender, team.channel_id, new_client_id(), audience)
        await warm.wait(DELIVERY_TIMEOUT)

        window = Window(ctx.server, ctx.cores, profile="team_fanout")
        count, rate, width = sizes.fanout_messages, sizes.fanout_rate, sizes.fanout_in_flight
        drives: list[tuple[str, Callable[[Send], Awaitable[Any]]]] = [
            (f"open_loop_{rate:g}_per_s", lambda send: open_loop(count, rate, send, max_in_flight=count)),
            ("sequential", lambda send: sequential(count, send)),
            (f"in_flight_{width}", lambda send: in_flight(count, width, send)),
        ]
        phases = {}
        for name, drive in drives:
            log(f"  fan-out phase {name}")
            phases[name] = await _fanout_phase(ctx, sender, team.channel_id, sockets, count, drive)
        result = window.finish()
    finally:
        await close_sockets(sockets)
    dropped = sum(s.dropped for s in sockets)
    deliveries_ok = all(p["deliveries"]["ok"] and p["failed_sends"] == 0 for p in phases.values())
    open_loop_phase = phases[drives[0][0]]
    return {
        "scenario": "team_fanout",
        "users": sizes.fanout_users,
        "receivers": len(sockets),
        "warmup_messages": sizes.fanout_warmup,
        "phases": phases,
        "ok": deliveries_ok and not connect_errors and dropped == 0,
        "errors": {"connect": connect_errors[:5], "dropped_sockets": dropped},
        **result,
        "targets": [
            target("accepted msg/s, sequential", phases["sequential"]["accepted_per_s"], 1000, "msg/s", at_least=True),
            target(f"p50 latency at {rate:g}/s", open_loop_phase["latency"]["p50_ms"], 3, "ms"),
            target(f"p99 latency at {rate:g}/s", open_loop_phase["latency"]["p99_ms"], 10, "ms"),
            target("server RSS after", result["server"]["rss_mib_after"], 100, "MiB"),
        ],
    }


async def _fanout_phase(
    ctx: Context,
    sender: User,
    channel_id: int,
    sockets: Sequence[LiveSocket],
    count: int,
    drive: Callable[[Send], Awaitable[Any]],
) -> dict[str, Any]:
    tracker = Tracker()
    _attach(sockets, tracker)
    audience = [s.index for s in sockets]
    ids = [new_client_id() for _ in range(count)]
    statuses: Counter[int] = Counter()
    round_trips: list[int] = []

    async def send(i: int) -> None:
        status, elapsed = await _send_and_time(ctx.api, tracker, sender, channel_id, ids[i], audience)
        statuses[status] += 1
        round_trips.append(elapsed)

    window = Window(ctx.server, ctx.cores)
    began_ns = time.perf_counter_ns()
    await drive(send)
    sending = (time.perf_counter_ns() - began_ns) / 1e9
    await tracker.wait(DELIVERY_TIMEOUT)
    round_trips.sort()
    return {
        "messages": count,
        "accepted": statuses[201],
        "failed_sends": count - statuses[201],
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "sending_s": round(sending, 3),
        "accepted_per_s": round(statuses[201] / sending, 1) if sending else 0.0,
        "send_rtt_p50_ms": round(percentile(round_trips, 0.5) / 1e6, 2),
        "send_rtt_p99_ms": round(percentile(round_trips, 0.99) / 1e6, 2),
        "latency": latency_ms(tracker.latencies_ns()),
        "slow_seconds": slow_seconds(tracker, began_ns, over_ms=10.0),
        "deliveries": tracker.counts(),
        **window.finish(),
    }


# ---------------------------------------------------------------------------------------------- 2. many teams


async def many_teams(ctx: Context, teams: Sequence[Team]) -> dict[str, Any]:
    """Every member of every team on a socket; cues at a steady rate, each from a random member of a random team."""
    sizes = ctx.sizes
    await restart_server(ctx)
    users = [member for team in teams for member in team.members]
    before = ctx.server.reading()
    log(f"  opening {len(users)} sockets")
    began = time.monotonic()
    sockets, connect_errors = await open_sockets(
        ctx.server.ws_url, users, ctx.server.head_cursor(), CONNECT_CONCURRENCY
    )
    connect_s = time.monotonic() - began
    await asyncio.sleep(1)
    connected = ctx.server.reading()
    live = {s.index for s in sockets}
    first_index = {}
    position = 0
    for team in teams:
        first_index[team.id] = position
        position += len(team.members)

    tracker = Tracker()
    _attach(sockets, tracker)
    count = int(sizes.many_rate * sizes.many_seconds)
    rng = random.Random(2026)
    plan = []
    for _ in range(count):
        team = teams[rng.randrange(len(teams))]
        plan.append((team, rng.randrange(len(team.members))))
    statuses: Counter[int] = Counter()
    round_trips: list[int] = []

    async def send(i: int) -> None:
        team, member = plan[i]
        start = first_index[team.id]
        audience = [j for j in range(start, start + len(team.members)) if j in live]
        status, elapsed = await _send_and_time(
            ctx.api, tracker, team.members[member], team.channel_id, new_client_id(), audience
        )
        statuses[status] += 1
        round_trips.append(elapsed)

    log(f"  sending {count} cues at {sizes.many_rate:g}/s")
    window = Window(ctx.server, ctx.cores, profile="many_teams")
    began_ns = time.perf_counter_ns()
    skipped = await open_loop(count, sizes.many_rate, send, max_in_flight=1000)
    sending = (time.perf_counter_ns() - began_ns) / 1e9
    await tracker.wait(DELIVERY_TIMEOUT)
    result = window.finish()
    dropped = sum(s.dropped for s in sockets)
    bad_frames = sum(s.bad_frames for s in sockets)
    await close_sockets(sockets)
    deliveries = tracker.counts()
    failed = count - statuses[201]
    latency = latency_ms(tracker.latencies_ns())
    per_connection = (connected.rss - before.rss) / len(sockets) if sockets else 0.0
    round_trips.sort()
    return {
        "scenario": "many_teams",
        "teams": len(teams),
        "team_size": sizes.team_size,
        "sockets": len(sockets),
        "connect_s": round(connect_s, 1),
        "messages": count,
        "rate_per_s": sizes.many_rate,
        "accepted": statuses[201],
        "accepted_per_s": round(statuses[201] / sending, 1) if sending else 0.0,
        "send_rtt_p50_ms": round(percentile(round_trips, 0.5) / 1e6, 2),
        "send_rtt_p99_ms": round(percentile(round_trips, 0.99) / 1e6, 2),
        "latency": latency,
        "slow_seconds": slow_seconds(tracker, began_ns),
        "rss_mib_idle_server": mib(before.rss),
        "rss_mib_connected": mib(connected.rss),
        "rss_kib_per_connection": round(per_connection / 1024, 1),
        "deliveries": deliveries,
        "errors": {
            "connect": len(connect_errors),
            "connect_samples": connect_errors[:5],
            "failed_sends": failed,
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "skipped_sends": skipped,
            "dropped_sockets": dropped,
            "error_frames": bad_frames,
        },
        "ok": deliveries["ok"] and not connect_errors and failed == 0 and skipped == 0 and dropped == 0,
        **result,
        "targets": [target("p99 latency", latency["p99_ms"], 50, "ms")],
    }


# ---------------------------------------------------------------------------------------------- 3. idle connections


async def idle_connections(ctx: Context, users: Sequence[User]) -> dict[str, Any]:
    """Open sockets step by step and read the server's RSS after each step; stop at 1 GiB or the maximum."""
    sizes = ctx.sizes
    await restart_server(ctx)
    await asyncio.sleep(1)
    before = ctx.server.reading()
    window = Window(ctx.server, ctx.cores, profile="idle_connections")
    head = ctx.server.head_cursor()
    sockets: list[LiveSocket] = []
    errors: list[str] = []
    steps: list[dict[str, Any]] = []
    held = 0
    try:
        for _ in range(math.ceil(sizes.idle_max / sizes.idle_step)):
            want = min(sizes.idle_step, sizes.idle_max - len(sockets))
            batch = [users[(len(sockets) + i) % len(users)] for i in range(want)]
            opened, failed = await open_sockets(ctx.server.ws_url, batch, head, CONNECT_CONCURRENCY, len(sockets))
            sockets.extend(opened)
            errors.extend(failed)
            await asyncio.sleep(1)
            rss = ctx.server.reading().rss
            steps.append({"connections": len(sockets), "rss_mib": mib(rss)})
            log(f"  {len(sockets)} idle sockets: server RSS {mib(rss)} MiB")
            if rss < IDLE_RSS_LIMIT:
                held = len(sockets)
            if rss >= IDLE_RSS_LIMIT or failed:
                break
        await asyncio.sleep(sizes.idle_hold_seconds)
        final = ctx.server.reading()
        dropped = sum(s.dropped for s in sockets)
        result = window.finish()
    finally:
        await close_sockets(sockets)
    per_connection = (final.rss - before.rss) / len(sockets) if sockets else 0.0
    return {
        "scenario": "idle_connections",
        "max_tried": sizes.idle_max,
        "connections": len(sockets),
        "held_under_1_gib": held,
        "steps": steps,
        "rss_mib_idle_server": mib(before.rss),
        "rss_mib_at_end": mib(final.rss),
        "rss_kib_per_connection": round(per_connection / 1024, 1),
        "errors": {"connect": len(errors), "connect_samples": errors[:5], "dropped_sockets": dropped},
        "ok": not errors and dropped == 0,
        **result,
        "targets": [target("connections held under 1 GiB", held, 10_000, "connections", at_least=True)],
    }


# ---------------------------------------------------------------------------------------------- 4. push


class KeepAlivePushService(PushService):
    """The tests' verifying push service (VAPID checked, aes128gcm decrypted), on kept-alive connections.

    Its listen backlog is raised from http.server's 5: the worker opens its 32 connections at once, and the
    SYNs that overflowed a backlog of 5 were retried a second later, which showed up as one-second gaps.
    """

    def __init__(self) -> None:
        super().__init__()
        self._server.socket.listen(128)

    def _handler(self) -> Any:
        handler = super()._handler()

        class KeepAlive(handler):  # type: ignore[misc, valid-type]
            protocol_version = "HTTP/1.1"

        return KeepAlive


async def push_rate(ctx: Context) -> dict[str, Any]:
    """Pushes/s the worker encrypts, signs and posts to a local push service that verifies each one."""
    sizes = ctx.sizes
    sink = KeepAlivePushService().start()
    try:
        sink.vapid_key = (await ctx.api.call("push key", "GET", "/api/push/key", None, ok=200))["key"]
        team = await ctx.api.make_team(sizes.fanout_users)
        sender, receivers = team.members[0], team.members[1:]
        for receiver in receivers:
            for _ in range(sizes.push_devices):
                _, subscription = sink.new_device()
                await ctx.api.call("subscribe", "POST", "/api/push/subscriptions", receiver, subscription)
        expected = sizes.push_messages * len(receivers) * sizes.push_devices
        statuses: Counter[int] = Counter()
        window = Window(ctx.server, ctx.cores, profile="push")
        began = time.monotonic()  # the push service stamps arrivals with time.monotonic()
        for _ in range(sizes.push_messages):
            statuses[await ctx.api.send_cue(sender, team.channel_id, new_client_id())] += 1
        sending = time.monotonic() - began
        for _ in range(int(PUSH_TIMEOUT / 0.02)):  # poll the push service's threads
            if len(sink.pushes) >= expected or sink.errors:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # stragglers and duplicates
        result = window.finish()
        pushes = list(sink.pushes)
        attempts = len(sink.attempts)
        verify_errors = list(sink.errors)
    finally:
        sink.stop()
    arrivals = sorted(p.at - began for p in pushes)
    pairs = Counter((p.device_id, p.payload.get("message_id")) for p in pushes)
    duplicates = sum(n - 1 for n in pairs.values())
    unique = len(pairs)
    total_s = arrivals[-1] if arrivals else 0.0
    # The steady rate, between the 10th and the 90th percentile arrivals, leaves out the start and the tail.
    low, high = percentile(arrivals, 0.1), percentile(arrivals, 0.9)
    steady = (0.8 * len(arrivals)) / (high - low) if high > low else 0.0
    per_s = round(unique / total_s, 1) if total_s else 0.0
    return {
        "scenario": "push",
        "messages": sizes.push_messages,
        "devices": len(receivers) * sizes.push_devices,
        "sending_s": round(sending, 3),
        "pushes_per_s": per_s,
        "pushes_per_s_steady": round(steady, 1),
        "first_push_ms": round(arrivals[0] * 1000, 1) if arrivals else None,
        "pushes_by_quarter_second": _histogram(arrivals, 0.25, most=80),
        # The push service verifies in this process: near 100%, the figure is the sink's limit, not the server's.
        "sink_core_busy": round(result["noise"]["bench_cpu_s"] / result["noise"]["wall_s"], 3),
        "all_pushes_s": round(total_s, 3),
        "deliveries": {
            "expected": expected,
            "received": unique,
            "missing": expected - unique,
            "duplicates": duplicates,
            "attempts": attempts,
            "ok": unique == expected and duplicates == 0,
        },
        "errors": {
            "failed_sends": sizes.push_messages - statuses[201],
            "verification": verify_errors[:5],
            "refused_attempts": attempts - len(pushes),
        },
        "ok": unique == expected and duplicates == 0 and not verify_errors and statuses[201] == sizes.push_messages,
        **result,
        "targets": [target("pushes/s", per_s, 1000, "pushes/s", at_least=True)],
    }


# ---------------------------------------------------------------------------------------------- 5. offline flush


async def offline_flush(ctx: Context) -> dict[str, Any]:
    """One client queued messages while offline; it flushes its outbox as the app does (in order, one at a time)."""
    sizes = ctx.sizes
    team = await ctx.api.make_team(2)
    sender, receiver = team.members
    sockets, connect_errors = await open_sockets(ctx.server.ws_url, [receiver], ctx.server.head_cursor(), 1)
    tracker = Tracker()
    _attach(sockets, tracker)
    audience = [s.index for s in sockets]
    outbox = [new_client_id() for _ in range(sizes.offline_messages)]
    statuses: Counter[int] = Counter()
    try:
        window = Window(ctx.server, ctx.cores, profile="offline_flush")
        for client_id in outbox:
            tracker.expect(client_id, audience)
        flush_started = time.perf_counter_ns()
        for client_id in outbox:
            tracker.started[client_id] = flush_started  # each one's latency counts from the start of the flush
            try:
                status = await ctx.api.send_cue(sender, team.channel_id, client_id)
            except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError):
                status = 0
            statuses[status] += 1
        flush_http = time.perf_counter_ns() - flush_started
        await tracker.wait(DELIVERY_TIMEOUT)
        result = window.finish()
    finally:
        await close_sockets(sockets)
    deliveries = tracker.counts()
    all_delivered_ms = round((tracker.last_arrival_ns() - flush_started) / 1e6, 1) if deliveries["ok"] else None
    return {
        "scenario": "offline_flush",
        "queued": sizes.offline_messages,
        "flush_http_ms": round(flush_http / 1e6, 1),
        "all_delivered_ms": all_delivered_ms,
        "deliveries": deliveries,
        "errors": {"connect": connect_errors, "failed_sends": sizes.offline_messages - statuses[201]},
        "ok": deliveries["ok"] and not connect_errors and statuses[201] == sizes.offline_messages,
        **result,
        "targets": [
            target(f"all {sizes.offline_messages} delivered", all_delivered_ms, 1000, "ms"),
        ],
    }
