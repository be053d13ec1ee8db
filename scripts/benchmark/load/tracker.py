"""Delivery tracking: which receiver got which message when, on the one clock (``time.perf_counter_ns``)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Collection
from typing import Any


class Tracker:
    """Which receiver got which message when, for the messages of one measured run, on the one clock."""

    def __init__(self) -> None:
        self.started: dict[str, int] = {}  # client_id -> perf_counter_ns at the send call
        self.expected: dict[str, frozenset[int]] = {}  # client_id -> the receivers (socket indexes) owed it
        self.arrivals: dict[tuple[str, int], int] = {}  # (client_id, receiver) -> perf_counter_ns at arrival
        self.duplicates = 0
        self.strays = 0  # a message of this run at a socket that should not have had it
        self._pairs = 0
        self._complete = asyncio.Event()

    def expect(self, client_id: str, receivers: Collection[int]) -> None:
        audience = frozenset(receivers)
        self.expected[client_id] = audience
        self._pairs += len(audience)
        self._complete.clear()

    def started_now(self, client_id: str) -> int:
        at = self.started[client_id] = time.perf_counter_ns()
        return at

    def arrived(self, client_id: str, receiver: int, at: int) -> None:
        audience = self.expected.get(client_id)
        if audience is None:
            return  # not a message of this run (or a send that failed)
        if receiver not in audience:
            self.strays += 1
        elif (client_id, receiver) in self.arrivals:
            self.duplicates += 1
        else:
            self.arrivals[(client_id, receiver)] = at
            if len(self.arrivals) >= self._pairs:
                self._complete.set()

    def forget(self, client_id: str) -> None:
        """A send that failed: nobody is owed it (it counts as an error where it failed)."""
        audience = self.expected.pop(client_id, frozenset())
        self._pairs -= len(audience)
        for receiver in audience:
            self.arrivals.pop((client_id, receiver), None)
        if len(self.arrivals) >= self._pairs:
            self._complete.set()

    async def wait(self, within: float) -> None:
        """Until every expected delivery arrived or `within` seconds passed, then a little longer for duplicates."""
        if len(self.arrivals) < self._pairs:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(within):
                    await self._complete.wait()
        await asyncio.sleep(0.05)

    def latencies_ns(self) -> list[int]:
        return [at - self.started[client_id] for (client_id, _), at in self.arrivals.items()]

    def last_arrival_ns(self) -> int:
        return max(self.arrivals.values(), default=0)

    def counts(self) -> dict[str, Any]:
        received = len(self.arrivals)
        return {
            "expected": self._pairs,
            "received": received,
            "missing": self._pairs - received,
            "duplicates": self.duplicates,
            "strays": self.strays,
            "ok": received == self._pairs and self.duplicates == 0 and self.strays == 0,
        }
