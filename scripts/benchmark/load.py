"""The load generator's tools: a lean HTTP/1.1 client, the API calls the bench makes, live sockets, delivery tracking.

The HTTP client is hand-rolled on asyncio streams (keep-alive, one request per connection at a time) so that
the client's own overhead stays a small part of the round trips it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import time
import uuid
from collections.abc import Callable, Collection, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from scripts.benchmark.harness import log

REQUEST_TIMEOUT = 15.0
KEEP_ALIVE_SECONDS = 4.0  # uvicorn closes a kept-alive connection after 5 s idle
CONNECT_TIMEOUT = 15.0
PASSWORD = "correct horse battery"
CUE = "let_me_talk"
PONG = '{"type":"pong"}'
Send = Callable[[int], Coroutine[Any, Any, None]]  # send(i): the i-th send of a run
FIRST_ADDRESS = int(ipaddress.IPv4Address("198.18.0.1"))  # 198.18.0.0/15 is set aside for benchmarks (RFC 2544)


class ApiFailure(Exception):
    def __init__(self, what: str, status: int, body: bytes) -> None:
        super().__init__(f"{what}: HTTP {status} {body[:200]!r}")
        self.status = status


# ---------------------------------------------------------------------------------------------- HTTP


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return msgspec.json.decode(self.body)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.reusable = True
        self.used = False
        self.idle_since = time.monotonic()

    async def roundtrip(self, request: bytes) -> Reply:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if headers.get("connection", "").lower() == "close":
            self.reusable = False
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = b""
        return Reply(status, body)

    async def _chunked(self) -> bytes:
        chunks: list[bytes] = []
        for _ in range(1_000_000):  # bounded: a response of more chunks than this is not one of ours
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(chunks)
            chunks.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)
        raise ValueError("endless chunked body")

    def close(self) -> None:
        self.writer.close()


class Http:
    """A pool of keep-alive HTTP/1.1 connections to one server, at most `size` requests at a time."""

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host = host
        self.port = port
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(size)
        self._prefix = f"Host: {host}:{port}\r\n"

    async def request(
        self, method: str, path: str, body: object | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        payload = b"" if body is None else msgspec.json.encode(body)
        lines = [f"{method} {path} HTTP/1.1\r\n", self._prefix, f"Content-Length: {len(payload)}\r\n"]
        if body is not None:
            lines.append("Content-Type: application/json\r\n")
        lines.extend(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        request = ("".join(lines) + "\r\n").encode() + payload
        async with self._slots:
            conn = await self._connection()
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    reply = await conn.roundtrip(request)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                conn.close()
                if not conn.used or (isinstance(exc, asyncio.IncompleteReadError) and exc.partial):
                    raise
                # The server closed a kept-alive connection before reading this request: send it once more.
                conn = await self._open()
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    reply = await conn.roundtrip(request)
            except BaseException:
                conn.close()
                raise
            conn.used = True
            if conn.reusable:
                conn.idle_since = time.monotonic()
                self._idle.append(conn)
            else:
                conn.close()
            return reply

    async def _connection(self) -> _Connection:
        """The most recently used idle connection still within the server's keep-alive time, or a new one."""
        while self._idle:
            conn = self._idle.pop()
            if time.monotonic() - conn.idle_since < KEEP_ALIVE_SECONDS:
                return conn
            conn.close()
        return await self._open()

    async def _open(self) -> _Connection:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            reader, writer = await asyncio.open_connection(self.host, self.port)
        return _Connection(reader, writer)

    async def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()


# ---------------------------------------------------------------------------------------------- the API


@dataclass
class User:
    id: int
    username: str
    token: str
    address: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Forwarded-For": self.address}


@dataclass
class Team:
    id: int
    channel_id: int  # the team's "Everyone" channel
    members: list[User]  # the owner first


class Api:
    """The calls the bench makes, each checked; every user gets a client address of its own (rate limits)."""

    def __init__(self, http: Http) -> None:
        self.http = http
        self._serial = itertools.count(1)

    async def call(
        self, what: str, method: str, path: str, user: User | None, body: object | None = None, ok: int = 201
    ) -> Any:
        reply = await self.http.request(method, path, body, user.headers if user else None)
        if reply.status != ok:
            raise ApiFailure(what, reply.status, reply.body)
        return reply.json() if reply.body else None

    async def sign_up(self) -> User:
        n = next(self._serial)
        username = f"bench{n:06d}"
        address = str(ipaddress.IPv4Address(FIRST_ADDRESS + n))
        reply = await self.http.request(
            "POST",
            "/api/accounts",
            {"username": username, "password": PASSWORD, "display_name": f"Bench {n}"},
            {"X-Forwarded-For": address},
        )
        if reply.status != 201:
            raise ApiFailure("sign up", reply.status, reply.body)
        body = reply.json()
        return User(id=int(body["user"]["id"]), username=username, token=str(body["token"]), address=address)

    async def make_team(self, size: int) -> Team:
        """An owner and size - 1 members who joined through one invite; its Everyone channel."""
        owner = await self.sign_up()
        team_id = int((await self.call("create team", "POST", "/api/teams", owner, {"name": "Bench deal"}))["id"])
        members = [owner]
        if size > 1:
            invite = await self.call(
                "invite", "POST", f"/api/teams/{team_id}/invites", owner, {"role": "member", "max_uses": size - 1}
            )
            joined = await asyncio.gather(*(self._join(str(invite["token"])) for _ in range(size - 1)))
            members.extend(joined)
        channels = await self.call("channels", "GET", f"/api/teams/{team_id}/channels", owner, ok=200)
        everyone = next(int(c["id"]) for c in channels if c["name"] == "Everyone")
        return Team(id=team_id, channel_id=everyone, members=members)

    async def _join(self, token: str) -> User:
        user = await self.sign_up()
        await self.call("accept invite", "POST", f"/api/invites/{token}/accept", user)
        return user

    async def make_teams(self, count: int, size: int, concurrency: int) -> list[Team]:
        limit = asyncio.Semaphore(concurrency)
        done = 0

        async def one() -> Team:
            nonlocal done
            async with limit:
                team = await self.make_team(size)
            done += 1
            if done % 100 == 0:
                log(f"  {done}/{count} teams")
            return team

        return list(await asyncio.gather(*(one() for _ in range(count))))

    async def send_cue(self, user: User, channel_id: int, client_id: str) -> int:
        """POST one cue; the HTTP status (201 when stored)."""
        reply = await self.http.request(
            "POST",
            f"/api/channels/{channel_id}/messages",
            {"client_id": client_id, "kind": "cue", "cue": CUE},
            user.headers,
        )
        return reply.status


def new_client_id() -> str:
    return str(uuid.uuid4())


# ---------------------------------------------------------------------------------------------- deliveries


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


# ---------------------------------------------------------------------------------------------- live sockets


class _Data(msgspec.Struct):
    client_id: str | None = None


class _Frame(msgspec.Struct):
    type: str
    data: _Data | None = None


_decode_frame = msgspec.json.Decoder(_Frame).decode


class LiveSocket:
    """One device's live socket: answers the server's heartbeat and reports message arrivals to a tracker."""

    def __init__(self, index: int, user: User, ws: ClientConnection) -> None:
        self.index = index
        self.user = user
        self.ws = ws
        self.tracker: Tracker | None = None
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


# ---------------------------------------------------------------------------------------------- pacing


async def open_loop(count: int, rate: float, send: Send, max_in_flight: int) -> int:
    """Start send(i) every 1/rate s on a timer, whether or not earlier sends have finished.

    Returns how many sends were skipped because max_in_flight were already outstanding (the server fell behind).
    """
    start = time.perf_counter()
    tasks: set[asyncio.Task[None]] = set()
    skipped = 0
    for i in range(count):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(tasks) >= max_in_flight:
            skipped += 1
            continue
        task = asyncio.create_task(send(i))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    return skipped


async def sequential(count: int, send: Send) -> None:
    for i in range(count):
        await send(i)


async def in_flight(count: int, width: int, send: Send) -> None:
    """`width` sends outstanding at all times until `count` are done."""
    numbers = iter(range(count))

    async def lane() -> None:
        for i in numbers:
            await send(i)

    await asyncio.gather(*(lane() for _ in range(width)))
