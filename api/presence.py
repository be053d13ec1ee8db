"""Which sessions have the app open and visible on a live socket right now, in this process, and when each user's
app was last heard from.

A device that shows the app gets cues on its socket; push is for the others. The app reports its
visibility over the socket; until it does, a socket counts as not visible (a spare buzz beats a
missed one). A meeting's lead reads the rest (`readiness`): is the phone live, showing the app, last heard when.

Only the event loop touches it: a write that needs it (a send skipping the devices showing the app) takes a
`showing()` snapshot before it goes to the writer's thread.
"""

from __future__ import annotations

from collections import Counter

import msgspec

from api.clock import now_ms


class Readiness(msgspec.Struct):
    """What this process knows of a user's phones (push subscriptions are the database's: the roster adds them)."""

    live: bool  # a live socket is open
    visible: bool  # one of them shows the app
    last_heard: int | None  # the last frame from any of their sockets (ms), since this process started


class Presence:
    def __init__(self) -> None:
        self._visible: Counter[int] = Counter()  # per session
        self._visible_users: Counter[int] = Counter()
        self._live: Counter[int] = Counter()  # open sockets per user
        self._heard: dict[int, int] = {}

    def set_visible(self, session_id: int, user_id: int, visible: bool, was_visible: bool) -> None:
        if visible == was_visible:
            return
        step = 1 if visible else -1
        for counter, key in ((self._visible, session_id), (self._visible_users, user_id)):
            counter[key] += step
            if counter[key] <= 0:
                del counter[key]

    def opened(self, user_id: int) -> None:
        self._live[user_id] += 1
        self.heard(user_id)

    def closed(self, user_id: int) -> None:
        self._live[user_id] -= 1
        if self._live[user_id] <= 0:
            del self._live[user_id]

    def heard(self, user_id: int) -> None:
        self._heard[user_id] = now_ms()

    def showing(self) -> frozenset[int]:
        """The sessions showing the app now (a copy: the caller may read it off the loop)."""
        return frozenset(self._visible)

    def readiness(self, user_id: int) -> Readiness:
        return Readiness(
            live=user_id in self._live, visible=user_id in self._visible_users, last_heard=self._heard.get(user_id)
        )
