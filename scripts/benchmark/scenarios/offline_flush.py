"""Offline flush: a client that queued messages while offline flushes its outbox as the app does."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from scripts.benchmark.harness.noise import Window
from scripts.benchmark.load.api_calls import new_client_id
from scripts.benchmark.load.live_sockets import close_sockets, open_sockets
from scripts.benchmark.load.tracker import Tracker
from scripts.benchmark.scenarios.context import Context, target
from scripts.benchmark.scenarios.tracked_sends import DELIVERY_TIMEOUT, attach_tracker


async def offline_flush(ctx: Context) -> dict[str, Any]:
    """One client queued messages while offline; it flushes its outbox as the app does (in order, one at a time)."""
    sizes = ctx.sizes
    team = await ctx.api.make_team(2)
    sender, receiver = team.members
    sockets, connect_errors = await open_sockets(ctx.server.ws_url, [receiver], ctx.server.head_cursor(), 1)
    tracker = Tracker()
    attach_tracker(sockets, tracker)
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
