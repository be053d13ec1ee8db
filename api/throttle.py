"""Sliding-window counters for attempts per key (a username, a client address), kept in memory."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque


class Throttle:
    """Allow at most `limit` hits per key in any `window` seconds."""

    # Keys remembered at most; the least recently hit are forgotten first, so memory stays bounded.
    MAX_KEYS = 100_000

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def retry_after(self, key: str) -> int | None:
        """Seconds until the key may try again, or None when it may try now."""
        now = time.monotonic()
        hits = self._recent(key, now)
        if len(hits) < self.limit:
            return None
        return max(1, math.ceil(hits[0] + self.window - now))

    def hit(self, key: str) -> None:
        now = time.monotonic()
        hits = self._recent(key, now)
        hits.append(now)
        self._hits[key] = hits
        self._hits.move_to_end(key)
        while len(self._hits) > self.MAX_KEYS:
            self._hits.popitem(last=False)

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)
