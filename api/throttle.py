"""Rate limits: sliding-window counters per key (a username, a client address, a user), kept in memory.

Every rate limit of the server is listed here. Counters live in this process: they reset on restart
and are not shared between processes (a shared store comes with the move to several processes).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque

from api.errors import ApiError

# (hits, window in seconds)
LOGIN_FAILURES_PER_USERNAME = (5, 15 * 60)
LOGIN_ATTEMPTS_PER_ADDRESS = (30, 15 * 60)
SIGNUPS_PER_ADDRESS = (20, 60 * 60)
MESSAGES_WINDOW_SECONDS = 60  # with Settings.messages_per_minute (default 120: generous for cues, firm for floods)


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

    def check(self, key: str, what: str) -> None:
        """Raise 429 with Retry-After when the key is over its limit."""
        wait = self.retry_after(key)
        if wait is not None:
            raise ApiError(
                429, "rate_limited", f"Too many {what}; try again in {wait} s.", headers={"Retry-After": str(wait)}
            )

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


class Throttles:
    """The server's rate limits, one counter set each."""

    def __init__(self, messages_per_minute: int) -> None:
        self.login_username = Throttle(*LOGIN_FAILURES_PER_USERNAME)
        self.login_address = Throttle(*LOGIN_ATTEMPTS_PER_ADDRESS)
        self.signup_address = Throttle(*SIGNUPS_PER_ADDRESS)
        self.messages = Throttle(messages_per_minute, MESSAGES_WINDOW_SECONDS)
