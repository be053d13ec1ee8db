"""Which sessions have the app open and visible on a live socket right now, in this process.

A device that shows the app gets cues on its socket; push is for the others. The app reports its
visibility over the socket; until it does, a socket counts as not visible (a spare buzz beats a
missed one).

Only the event loop touches it: a write that needs it (a send skipping the devices showing the app) takes a
`showing()` snapshot before it goes to the writer's thread.
"""

from __future__ import annotations

from collections import Counter


class Presence:
    def __init__(self) -> None:
        self._visible: Counter[int] = Counter()

    def set_visible(self, session_id: int, visible: bool, was_visible: bool) -> None:
        if visible and not was_visible:
            self._visible[session_id] += 1
        elif was_visible and not visible:
            self._visible[session_id] -= 1
            if self._visible[session_id] <= 0:
                del self._visible[session_id]

    def showing(self) -> frozenset[int]:
        """The sessions showing the app now (a copy: the caller may read it off the loop)."""
        return frozenset(self._visible)
