"""The live socket: replay what the caller missed after a cursor, then stream, with no gap and no duplicate.

Subscribing to the hub happens before the catch-up read, so an event committed in between is both
replayed and queued; frames at or below the last replayed cursor are skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar import WebSocket, websocket
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect

from api.actions.receipts import record_delivered
from api.auth import Auth, session_for
from api.db.connection import Database
from api.errors import ApiError, too_deep
from api.hub import SESSION_REVOKED, BoundedSubscriber, Hub
from api.numbers import ascii_integer
from api.presence import Presence
from api.settings import Settings
from api.sockets import (
    CLOSE_BAD_REQUEST,
    CLOSE_FLOOD,
    CLOSE_FORBIDDEN_ORIGIN,
    CLOSE_HEARTBEAT,
    CLOSE_REPLACED,
    CLOSE_TOO_SLOW,
    CLOSE_UNAUTHENTICATED,
    MAX_SOCKETS_PER_SESSION,
    MAX_SOCKETS_PER_USER,
    Closed,
    Slot,
    Sockets,
)
from api.sync import events_page
from api.throttle import Throttle
from api.wire import Cursor

# Sockets and its bounds are imported from here too (the app, the tests).
__all__ = ["MAX_SOCKETS_PER_SESSION", "MAX_SOCKETS_PER_USER", "Sockets", "live", "route_handlers"]

log = logging.getLogger("backchannel.live")

REPLAY_PAGE = 500
CLOSE_TIMEOUT = 5.0
FRAME_MAX = 4096
FRAMES_PER_WINDOW = (60, 10.0)  # frames a client may send, per seconds


class Ping(msgspec.Struct, tag="ping"):
    pass


class Pong(msgspec.Struct, tag="pong"):
    pass


class Visibility(msgspec.Struct, tag="visibility"):
    visible: bool


class Received(msgspec.Struct, tag="received"):
    """The client has every event up to this cursor (it sends this after it processed a batch)."""

    cursor: int


ClientFrame = Ping | Pong | Visibility | Received
_decode_frame = msgspec.json.Decoder(ClientFrame).decode


class _CursorOnly(msgspec.Struct):
    cursor: int | None = None  # live-only frames (receipts) carry none


_decode_cursor = msgspec.json.Decoder(_CursorOnly).decode
_encode = msgspec.json.Encoder().encode
PING_FRAME = b'{"type":"ping"}'
PONG_FRAME = b'{"type":"pong"}'


def _same_origin(socket: WebSocket[Any, Any, Any]) -> bool:
    origin = socket.headers.get("origin")
    if origin is None:
        return True
    try:
        return urlsplit(origin).netloc == socket.headers.get("host")
    except ValueError:  # an Origin no browser sends ("http://["): not this site
        return False


def _after(socket: WebSocket[Any, Any, Any]) -> int:
    try:
        return msgspec.convert(ascii_integer(socket.query_params.get("after", "0")), Cursor)
    except ValueError:  # msgspec.ValidationError (out of range) is one too
        raise Closed(CLOSE_BAD_REQUEST, "after must be a cursor (a whole number)") from None


class _Connection:
    def __init__(
        self, socket: WebSocket[Any, Any, Any], auth: Auth, db: Database, presence: Presence, heartbeat: float
    ) -> None:
        self.socket = socket
        self.auth = auth
        self.db = db
        self.presence = presence
        self.heartbeat = heartbeat
        self.heard_at = time.monotonic()
        self.visible = False
        self.frames = Throttle(*FRAMES_PER_WINDOW)
        self.sent_cursor = 0  # the last event cursor sent on this socket
        self.reported_cursor = 0  # the last delivered receipt recorded for it

    async def replay(self, after: int) -> int:
        """Send every event the caller may see after the cursor; return the cursor replayed through."""
        while True:
            page = await self.db.read(events_page, self.auth.user_id, after, REPLAY_PAGE)
            for event in page.events:
                await self.socket.send_text(_encode(event))
                self.sent_cursor = event.cursor
            after = page.cursor
            if not page.more:
                return after

    def set_visible(self, visible: bool) -> None:
        self.presence.set_visible(self.auth.session_id, self.auth.user_id, visible, self.visible)
        self.visible = visible

    async def watch_backlog(self, subscriber: BoundedSubscriber) -> None:
        await subscriber.overflowed.wait()
        raise Closed(CLOSE_TOO_SLOW, "too slow: reconnect and catch up")

    async def watch_replaced(self, slot: Slot) -> None:
        await slot.replaced.wait()
        raise Closed(CLOSE_REPLACED, "replaced by a newer socket of this session")

    async def pump(self, subscriber: BoundedSubscriber, replayed: int) -> None:
        async for frame in subscriber.iter_events():
            if frame == SESSION_REVOKED:
                raise Closed(CLOSE_UNAUTHENTICATED, "session revoked")
            cursor = _decode_cursor(frame).cursor
            if cursor is not None:
                if cursor <= replayed:
                    continue
                self.sent_cursor = cursor
            await self.socket.send_text(frame)

    async def listen(self) -> None:
        while True:
            text = await self.socket.receive_text()
            self.heard_at = time.monotonic()
            self.presence.heard(self.auth.user_id)
            if self.frames.retry_after("frames") is not None:
                raise Closed(CLOSE_FLOOD, "too many frames")
            self.frames.hit("frames")
            if len(text) > FRAME_MAX:
                await self.send_error("frame_too_large", f"frames are at most {FRAME_MAX} bytes")
                continue
            try:
                frame = _decode_frame(text)
            except msgspec.ValidationError as exc:
                await self.send_error("bad_frame", str(exc))
                continue
            except msgspec.DecodeError:
                await self.send_error("bad_frame", "frames are JSON objects with a type")
                continue
            except RecursionError as exc:
                if not too_deep(exc):
                    raise
                await self.send_error("bad_frame", "the frame is nested too deeply")
                continue
            if isinstance(frame, Ping):
                await self.socket.send_text(PONG_FRAME)
            elif isinstance(frame, Visibility):
                self.set_visible(frame.visible)
            elif isinstance(frame, Received):
                # Only what this socket really sent counts as delivered.
                delivered = min(frame.cursor, self.sent_cursor)
                if delivered > self.reported_cursor:
                    self.reported_cursor = delivered
                    await self.db.write(record_delivered, self.auth.user_id, delivered)

    async def beat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            if time.monotonic() - self.heard_at > 2 * self.heartbeat:
                raise Closed(CLOSE_HEARTBEAT, "no heartbeat")
            await self.socket.send_text(PING_FRAME)

    async def send_error(self, code: str, detail: str) -> None:
        await self.socket.send_text(_encode({"type": "error", "error": code, "detail": detail}))


@websocket("/live")
async def live(
    socket: WebSocket[Any, Any, Any],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
    settings: NamedDependency[Settings],
    presence: NamedDependency[Presence],
    sockets: NamedDependency[Sockets],
) -> None:
    """Accept first, then authenticate, so a browser can tell "log in again" (4401) from "offline"."""
    await socket.accept()
    try:
        try:
            auth = await session_for(socket, db)
        except ApiError:
            auth = None
        if auth is None:
            raise Closed(CLOSE_UNAUTHENTICATED, "log in again")
        if auth.via_cookie and not _same_origin(socket):
            raise Closed(CLOSE_FORBIDDEN_ORIGIN, "cross-site socket")
        after = _after(socket)
        connection = _Connection(socket, auth, db, presence, settings.heartbeat_seconds)
        with sockets.admit(auth) as slot:
            async with hub.subscribe(auth.user_id, auth.session_id) as subscriber:
                replayed = await connection.replay(after)
                await socket.send_text(_encode({"type": "ready", "cursor": replayed}))
                presence.opened(auth.user_id)
                try:
                    await _run_until_first_exit(
                        connection.pump(subscriber, replayed),
                        connection.watch_backlog(subscriber),
                        connection.watch_replaced(slot),
                        connection.listen(),
                        connection.beat(),
                    )
                finally:
                    connection.set_visible(False)
                    presence.closed(auth.user_id)
    except Closed as closed:
        log.info("live_closed code=%d reason=%s", closed.code, closed.reason)
        # A client that stopped reading may never take the close frame either: do not wait on it forever.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(socket.close(code=closed.code, reason=closed.reason), CLOSE_TIMEOUT)
    except WebSocketDisconnect:
        return


async def _run_until_first_exit(*jobs: Any) -> None:
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    for task in done:
        task.result()


route_handlers = [live]
