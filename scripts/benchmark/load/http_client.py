"""A pool of keep-alive HTTP/1.1 connections to the server.

The client is hand-rolled on asyncio streams (keep-alive, one request per connection at a time) so that
the client's own overhead stays a small part of the round trips it measures.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import msgspec

REQUEST_TIMEOUT = 15.0
KEEP_ALIVE_SECONDS = 4.0  # uvicorn closes a kept-alive connection after 5 s idle
CONNECT_TIMEOUT = 15.0


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
