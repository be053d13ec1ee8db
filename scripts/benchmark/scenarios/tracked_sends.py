"""Tracked sends: one send timed and owed to its audience, trackers on sockets, and the slow seconds of a run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from scripts.benchmark.harness.stats import percentile
from scripts.benchmark.load.api_calls import Api, User
from scripts.benchmark.load.live_sockets import LiveSocket
from scripts.benchmark.load.tracker import Tracker

DELIVERY_TIMEOUT = 60.0  # after the last send, how long deliveries may still take before they count as lost


async def send_and_time(
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


def attach_tracker(sockets: Sequence[LiveSocket], tracker: Tracker | None) -> None:
    for socket in sockets:
        socket.tracker = tracker
