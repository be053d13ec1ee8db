"""Live sockets: one per device, answering the server's heartbeat and reporting message arrivals to a tracker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from scripts.benchmark.load.api_calls import User
from scripts.benchmark.load.http_client import CONNECT_TIMEOUT
from scripts.benchmark.load.tracker import Tracker

PONG = '{"type":"pong"}'


class _Data(msgspec.Struct):
    client_id: str | None = None


class _Frame(msgspec.Struct):
    type: str
    data: _Data | None = None


_decode_frame = msgspec.json.Decoder(_Frame).decode

# Frames other than messages, heartbeats, "ready" and errors (a meeting's events): (socket, type, raw frame, arrival)
OtherFrame = Callable[["LiveSocket", str, "str | bytes", int], None]


class LiveSocket:
    """One device's live socket: answers the server's heartbeat and reports message arrivals to a tracker."""

    def __init__(self, index: int, user: User, ws: ClientConnection) -> None:
        self.index = index
        self.user = user
        self.ws = ws
        self.tracker: Tracker | None = None
        self.on_other: OtherFrame | None = None
        self.ready = asyncio.Event()
        self.close_code: int | None = None
        self.closing = False  # set when the bench closes it, so that is not counted as an error
        self.bad_frames = 0
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:  # ends when the socket closes
                at = time.perf_counter_ns()
                try:
                    frame = _decode_frame(raw)
                except msgspec.DecodeError:
                    self.bad_frames += 1
                    continue
                if frame.type == "message":
                    if self.tracker is not None and frame.data is not None and frame.data.client_id:
                        self.tracker.arrived(frame.data.client_id, self.index, at)
                elif frame.type == "ping":
                    await self.ws.send(PONG)
                elif frame.type == "ready":
                    self.ready.set()
                elif frame.type == "error":
                    self.bad_frames += 1
                elif self.on_other is not None:
                    self.on_other(self, frame.type, raw, at)
        except ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code if self.ws.close_code is not None else 1006

    @property
    def dropped(self) -> bool:
        """Closed by the server or the network, not by the bench."""
        return self.close_code is not None and not self.closing

    async def close(self) -> None:
        if self.close_code is None:  # a socket the server already closed stays counted as dropped
            self.closing = True
        try:
            async with asyncio.timeout(5):
                await self.ws.close()
        except (TimeoutError, OSError, WebSocketException):
            self.ws.transport.abort()
        try:
            async with asyncio.timeout(5):
                await self._task
        except TimeoutError:
            self._task.cancel()


async def open_socket(ws_base: str, user: User, index: int, after: int) -> LiveSocket:
    """Connect like a phone that has seen everything up to `after`, and wait for the server's "ready"."""
    ws = await connect(
        f"{ws_base}/api/live?after={after}",
        additional_headers={"Authorization": f"Bearer {user.token}"},
        open_timeout=CONNECT_TIMEOUT,
        ping_interval=None,  # browsers send no protocol pings; the app answers the server's heartbeat
        close_timeout=5,
    )
    socket = LiveSocket(index, user, ws)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            await socket.ready.wait()
    except BaseException:
        await socket.close()
        raise
    return socket


async def open_sockets(
    ws_base: str, users: Sequence[User], after: int, concurrency: int, first_index: int = 0
) -> tuple[list[LiveSocket], list[str]]:
    """One socket per user (index = first_index + position); the sockets opened and the errors of the others."""
    limit = asyncio.Semaphore(concurrency)
    errors: list[str] = []

    async def one(position: int, user: User) -> LiveSocket | None:
        async with limit:
            try:
                return await open_socket(ws_base, user, first_index + position, after)
            except (OSError, TimeoutError, WebSocketException) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                return None

    opened = await asyncio.gather(*(one(i, user) for i, user in enumerate(users)))
    return [s for s in opened if s is not None], errors


async def close_sockets(sockets: Sequence[LiveSocket], concurrency: int = 200) -> None:
    limit = asyncio.Semaphore(concurrency)

    async def one(socket: LiveSocket) -> None:
        async with limit:
            await socket.close()

    await asyncio.gather(*(one(s) for s in sockets))
