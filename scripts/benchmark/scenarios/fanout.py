"""Team fan-out: one team, one sender, every other member a receiver on a socket; three sending patterns."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from scripts.benchmark.harness.noise import Window
from scripts.benchmark.harness.progress import log
from scripts.benchmark.harness.stats import latency_ms, percentile
from scripts.benchmark.load.api_calls import User, new_client_id
from scripts.benchmark.load.live_sockets import LiveSocket, close_sockets, open_sockets
from scripts.benchmark.load.pacing import Send, in_flight, open_loop, sequential
from scripts.benchmark.load.tracker import Tracker
from scripts.benchmark.scenarios.context import Context, target
from scripts.benchmark.scenarios.tracked_sends import DELIVERY_TIMEOUT, attach_tracker, send_and_time, slow_seconds


async def team_fanout(ctx: Context) -> dict[str, Any]:
    """20 users in one team, one sender, 19 receivers on their own sockets; three sending patterns."""
    sizes = ctx.sizes
    team = await ctx.api.make_team(sizes.fanout_users)
    sender, receivers = team.members[0], team.members[1:]
    sockets, connect_errors = await open_sockets(ctx.server.ws_url, receivers, ctx.server.head_cursor(), 20)
    audience = [s.index for s in sockets]
    try:
        warm = Tracker()
        attach_tracker(sockets, warm)
        for _ in range(sizes.fanout_warmup):
            await send_and_time(ctx.api, warm, sender, team.channel_id, new_client_id(), audience)
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
    attach_tracker(sockets, tracker)
    audience = [s.index for s in sockets]
    ids = [new_client_id() for _ in range(count)]
    statuses: Counter[int] = Counter()
    round_trips: list[int] = []

    async def send(i: int) -> None:
        status, elapsed = await send_and_time(ctx.api, tracker, sender, channel_id, ids[i], audience)
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
