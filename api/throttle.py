"""Rate limits: sliding-window counters per key (a username, a client address, a user), kept in memory.

Every rate limit of the server is listed here. Counters live in this process: they reset on restart
and are not shared between processes (a shared store comes with the move to several processes).

Log-in is throttled so that nobody can lock someone else out (see Throttles.count_log_in):

- per username and client: 5 failures in 15 minutes. The client is the browser when it holds a device key of
  this user (the bc_device cookie: it has signed in to this account before), otherwise the client address. A
  stranger who knows a username locks only their own address out of it;
- per username, from clients without a device key, whatever their address: 100 failures an hour. This stops
  guessing spread over many addresses; the owner's own devices are not counted and never refused by it;
- per address, for clients without a device key: 30 attempts in 15 minutes, whatever the usernames.

An attempt is counted before its password is checked, so parallel attempts cannot all get past a limit; a right
password then forgives its client's failures and takes its own attempt off the per-username count.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from typing import TypeAlias

import msgspec

from api.errors import ApiError

# (hits, window in seconds)
LOGIN_FAILURES_PER_CLIENT = (5, 15 * 60)
LOGIN_FAILURES_PER_USERNAME = (100, 60 * 60)
LOGIN_ATTEMPTS_PER_ADDRESS = (30, 15 * 60)
SIGNUPS_PER_ADDRESS = (20, 60 * 60)
# A source opening its link (POST /api/contact): each one may make a guest account, as a sign-up makes an account.
LINK_OPENINGS_PER_ADDRESS = (20, 60 * 60)
INVITE_LOOKUPS_PER_ADDRESS = (60, 15 * 60)  # the invite page's look-up before sign-up (GET /api/invites/{token})
MEETING_ACTIONS_PER_USER = (60, 60)  # joins, floor requests and withdrawals (api/actions/meetings.py)
SOURCE_ACTIONS_PER_USER = (60, 60)  # every write of api/actions/sources.py but ending a contact
MESSAGES_WINDOW_SECONDS = 60  # with Settings.messages_per_minute (default 120: generous for cues, firm for floods)

Key: TypeAlias = str | tuple[str, ...]


def in_words(seconds: int) -> str:
    """A wait as people say it: seconds under two minutes, whole minutes (rounded up) above."""
    return f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"


class Throttle:
    """Allow at most `limit` hits per key in any `window` seconds."""

    # Keys remembered at most; the least recently hit are forgotten first, so memory stays bounded.
    MAX_KEYS = 100_000

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._hits: OrderedDict[Key, deque[float]] = OrderedDict()

    def _recent(self, key: Key, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def check(self, key: Key, what: str) -> None:
        """Raise 429 with Retry-After when the key is over its limit."""
        wait = self.retry_after(key)
        if wait is not None:
            raise ApiError(
                429,
                "rate_limited",
                f"Too many {what}; try again in {in_words(wait)}.",
                headers={"Retry-After": str(wait)},
            )

    def take(self, key: Key, what: str) -> None:
        """Count one hit for the key, refused with 429 (and not counted) when the key is over its limit."""
        self.check(key, what)
        self.hit(key)

    def retry_after(self, key: Key) -> int | None:
        """Seconds until the key may try again, or None when it may try now."""
        now = time.monotonic()
        hits = self._recent(key, now)
        if len(hits) < self.limit:
            return None
        return max(1, math.ceil(hits[0] + self.window - now))

    def hit(self, key: Key) -> None:
        now = time.monotonic()
        hits = self._recent(key, now)
        hits.append(now)
        self._hits[key] = hits
        self._hits.move_to_end(key)
        while len(self._hits) > self.MAX_KEYS:
            self._hits.popitem(last=False)

    def release(self, key: Key) -> None:
        """Take one hit back (the latest): it turned out not to be what this throttle counts."""
        hits = self._hits.get(key)
        if hits:
            hits.pop()

    def clear(self, key: Key) -> None:
        self._hits.pop(key, None)


class LogInAttempt(msgspec.Struct, frozen=True):
    """What a counted log-in attempt was counted against, to forgive it if the password is right."""

    username: str
    client: tuple[str, str, str]
    known_device: bool


class Throttles:
    """The server's rate limits, one counter set each."""

    def __init__(self, messages_per_minute: int) -> None:
        self.login_client = Throttle(*LOGIN_FAILURES_PER_CLIENT)
        self.login_username = Throttle(*LOGIN_FAILURES_PER_USERNAME)
        self.login_address = Throttle(*LOGIN_ATTEMPTS_PER_ADDRESS)
        self.signup_address = Throttle(*SIGNUPS_PER_ADDRESS)
        self.link_address = Throttle(*LINK_OPENINGS_PER_ADDRESS)
        self.invite_address = Throttle(*INVITE_LOOKUPS_PER_ADDRESS)
        self.messages = Throttle(messages_per_minute, MESSAGES_WINDOW_SECONDS)
        self.meeting = Throttle(*MEETING_ACTIONS_PER_USER)
        self.source = Throttle(*SOURCE_ACTIONS_PER_USER)

    def count_log_in(self, username: str, address: str, device: str | None) -> LogInAttempt:
        """Count a log-in attempt before its password is checked, or refuse it with 429.

        `device` names the browser's device key when it is one of this user's (it has signed in here before).
        Every check comes before every count, with no await in between: parallel attempts are counted one by one,
        and a refused attempt counts nowhere.
        """
        if device is not None:
            client = (username, "device", device)
            self.login_client.check(client, "failed log-ins for this username on this device")
            self.login_client.hit(client)
            return LogInAttempt(username=username, client=client, known_device=True)
        client = (username, "address", address)
        self.login_address.check(address, "log-in attempts from this address")
        self.login_username.check(
            username,
            "failed log-ins for this username from devices it has not signed in on"
            " (a device that has signed in to this account before can still log in)",
        )
        self.login_client.check(client, "failed log-ins for this username from this address")
        self.login_address.hit(address)
        self.login_username.hit(username)
        self.login_client.hit(client)
        return LogInAttempt(username=username, client=client, known_device=False)

    def forgive(self, attempt: LogInAttempt) -> None:
        """The password was right: its client's failures are forgiven, and it was no failure of the username's.
        (Attempts per address count successes too: they bound how fast one address tries usernames.)"""
        self.login_client.clear(attempt.client)
        if not attempt.known_device:
            self.login_username.release(attempt.username)
