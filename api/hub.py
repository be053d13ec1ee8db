"""Live fan-out: the one small interface between committed events and open sockets.

Backed by Litestar's channels plugin (memory backend in one process; a Redis backend later).
Every user and every session has a channel of its own; an event is published to the user
channels of its audience, computed inside the transaction that wrote it, so a member who
loses access stops receiving at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from litestar.channels import ChannelsPlugin, Subscriber
from litestar.channels.backends.memory import MemoryChannelsBackend

# A frame published to a session's channel when that session is revoked.
SESSION_REVOKED = b'{"type":"session_revoked"}'
# Frames a socket may hold unsent before it counts as a dead consumer and is closed.
MAX_BACKLOG = 1000


class BoundedSubscriber(Subscriber):
    """A subscriber that remembers when its backlog overflowed, instead of silently dropping frames."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overflowed = asyncio.Event()

    def put_nowait(self, item: bytes | None) -> bool:
        if super().put_nowait(item):
            return True
        self.overflowed.set()
        return False

    async def put(self, item: bytes | None) -> None:
        # Unsubscribing puts a None sentinel with an awaited put(), which would wait forever on a
        # full backlog; a subscriber being stopped has no use for its backlog, so drop it first.
        if item is None:
            with contextlib.suppress(asyncio.QueueEmpty):
                while True:
                    self._queue.get_nowait()
        await super().put(item)


def create_channels_plugin() -> ChannelsPlugin:
    return ChannelsPlugin(
        backend=MemoryChannelsBackend(),
        arbitrary_channels_allowed=True,
        create_ws_route_handlers=False,
        subscriber_max_backlog=MAX_BACKLOG,
        subscriber_class=BoundedSubscriber,
    )


class Hub:
    def __init__(self, plugin: ChannelsPlugin) -> None:
        self._plugin = plugin

    def publish(self, frame: bytes, user_ids: Iterable[int]) -> None:
        """Queue an encoded event for every listed user's open sockets (call after commit)."""
        channels = [f"user:{user_id}" for user_id in user_ids]
        if channels:
            self._plugin.publish(frame, channels)

    def revoke_session(self, session_id: int) -> None:
        self._plugin.publish(SESSION_REVOKED, f"session:{session_id}")

    @asynccontextmanager
    async def subscribe(self, user_id: int, session_id: int) -> AsyncIterator[BoundedSubscriber]:
        async with self._plugin.start_subscription([f"user:{user_id}", f"session:{session_id}"]) as subscriber:
            assert isinstance(subscriber, BoundedSubscriber)
            yield subscriber
