"""The live sockets open in this process, kept within bounds, and the close codes a live socket ends with."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator

from api.auth import Auth

# Close codes (4000-4999 are the application's own).
CLOSE_UNAUTHENTICATED = 4401  # no or revoked session: log in again
CLOSE_FORBIDDEN_ORIGIN = 4403  # cookie-authenticated socket opened from another site
CLOSE_BAD_REQUEST = 4400  # a malformed `after`
CLOSE_HEARTBEAT = 4408  # nothing heard for two heartbeats
CLOSE_TOO_MANY_SOCKETS = 4409  # the user already has MAX_SOCKETS_PER_USER sockets open: this newest one is refused
CLOSE_REPLACED = 4410  # a newer socket of the same session took this one's place (MAX_SOCKETS_PER_SESSION)
CLOSE_FLOOD = 4429  # more frames than FRAMES_PER_WINDOW (api/live.py) from the client
CLOSE_TOO_SLOW = 4503  # the client stopped reading and its backlog filled: reconnect and sync
# Open sockets, per process. A device (session) that reconnects after a network change may leave a half-dead
# socket behind until its heartbeat runs out: its newest socket replaces its oldest. Beyond the user's bound,
# over all their devices, a new socket is refused.
MAX_SOCKETS_PER_SESSION = 4
MAX_SOCKETS_PER_USER = 12


class Closed(Exception):
    """The socket is to be closed with this code and reason."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Slot:
    """One open socket's place within the bounds; `replaced` is set when a newer socket of its session takes it."""

    def __init__(self) -> None:
        self.replaced = asyncio.Event()


class Sockets:
    """The live sockets open in this process, per session and per user, kept within MAX_SOCKETS_PER_*."""

    def __init__(self) -> None:
        self._sessions: dict[int, list[Slot]] = {}
        self._users: Counter[int] = Counter()

    @contextlib.contextmanager
    def admit(self, auth: Auth) -> Iterator[Slot]:
        """Hold a place for one socket while it is open, or refuse it (Closed).

        Synchronous on purpose: nothing can run between the count and the claim, so sockets opened at the same
        moment cannot pass a bound together.
        """
        slots = self._sessions.setdefault(auth.session_id, [])
        if len(slots) >= MAX_SOCKETS_PER_SESSION:
            slots.pop(0).replaced.set()
            self._users[auth.user_id] -= 1
        elif self._users[auth.user_id] >= MAX_SOCKETS_PER_USER:
            self._forget(auth)
            raise Closed(CLOSE_TOO_MANY_SOCKETS, f"at most {MAX_SOCKETS_PER_USER} live sockets per user")
        slot = Slot()
        slots.append(slot)
        self._users[auth.user_id] += 1
        try:
            yield slot
        finally:
            if slot in slots:  # not already given to a newer socket
                slots.remove(slot)
                self._users[auth.user_id] -= 1
            self._forget(auth)

    def _forget(self, auth: Auth) -> None:
        """Drop empty entries, so the maps hold only users and sessions with open sockets."""
        if not self._sessions.get(auth.session_id):
            self._sessions.pop(auth.session_id, None)
        if self._users[auth.user_id] <= 0:
            self._users.pop(auth.user_id, None)
