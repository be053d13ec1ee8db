"""Push rate: pushes/s the worker encrypts, signs and posts to a local push service that verifies each one."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from scripts.benchmark.harness.noise import Window
from scripts.benchmark.harness.stats import percentile
from scripts.benchmark.load.api_calls import new_client_id
from scripts.benchmark.scenarios.context import Context, target
from tests.push_service import PushService

PUSH_TIMEOUT = 120.0


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


def _histogram(times: Sequence[float], width: float, most: int) -> list[int]:
    """How many of `times` (seconds from the start) fall in each slot of `width` seconds, empty slots included."""
    slots = Counter(int(t / width) for t in times)
    return [slots.get(i, 0) for i in range(min(most, max(slots, default=-1) + 1))]
