"""Idle connections: sockets opened step by step while the server's memory is read, up to 1 GiB or the maximum."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from typing import Any

from scripts.benchmark.harness.noise import Window
from scripts.benchmark.harness.progress import log
from scripts.benchmark.harness.stats import MIB, mib
from scripts.benchmark.load.api_calls import User
from scripts.benchmark.load.live_sockets import LiveSocket, close_sockets, open_sockets
from scripts.benchmark.scenarios.context import CONNECT_CONCURRENCY, Context, restart_server, target

IDLE_RSS_LIMIT = 1024 * MIB


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
