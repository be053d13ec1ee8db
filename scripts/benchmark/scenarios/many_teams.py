"""Many teams: every member of every team on a socket; cues at a steady rate from random members."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from scripts.benchmark.harness.noise import Window
from scripts.benchmark.harness.progress import log
from scripts.benchmark.harness.stats import latency_ms, mib, percentile
from scripts.benchmark.load.api_calls import Team, new_client_id
from scripts.benchmark.load.live_sockets import close_sockets, open_sockets
from scripts.benchmark.load.pacing import open_loop
from scripts.benchmark.load.tracker import Tracker
from scripts.benchmark.scenarios.context import CONNECT_CONCURRENCY, Context, restart_server, target
from scripts.benchmark.scenarios.tracked_sends import DELIVERY_TIMEOUT, attach_tracker, send_and_time, slow_seconds


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
    attach_tracker(sockets, tracker)
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
        status, elapsed = await send_and_time(
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
