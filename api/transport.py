"""HTTP transport: the read deadlines uvicorn lacks. A request's head, then its body, must arrive in time.

uvicorn closes an idle kept-alive connection (timeout_keep_alive), but once a request has begun, or a connection
is open and silent, it waits forever: a head that never ends, or a body shorter than its Content-Length, holds a
socket and a task for as long as the client likes (uvicorn#157; nginx's client_header_timeout and
client_body_timeout). This is uvicorn's httptools protocol with one timer more: armed when a connection opens or a
request begins, re-armed for the body once the head is in, cancelled once the request is whole (or the connection
becomes a WebSocket). When it fires, the client gets a 408 in the one error shape, if no answer has begun, and the
connection is closed.
"""

from __future__ import annotations

import asyncio

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.errors import ErrorBody
from api.web import SECURITY_HEADERS

_TIMEOUT_BODY = msgspec.json.encode(ErrorBody("request_timeout", "The request did not arrive in time."))


class DeadlineProtocol(HttpToolsProtocol):
    """Set by with_deadlines: seconds for a request's head (from the connection's or the request's first byte)
    and for its body (from the end of the head)."""

    head_timeout: float
    body_timeout: float
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.head_timeout, answered=False)  # a connection that never sends a byte

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # the next request on a kept-alive connection
            self._arm(self.head_timeout, answered=False)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._disarm()
        if not (self.parser.should_upgrade() and self._should_upgrade()):
            self._arm(self.body_timeout, answered=True)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()
        super().handle_websocket_upgrade()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float, *, answered: bool) -> None:
        """answered: whether the app may have begun an answer by the time this fires (it has once the head is in)."""
        self._deadline = self.loop.call_later(seconds, self._expire, seconds, answered)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self, seconds: float, answered: bool) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:  # the server, not the client, stopped reading (a pipelined request waits its turn)
            self._arm(seconds, answered=answered)
            return
        if not (answered and self.cycle is not None and self.cycle.response_started):
            self.transport.write(self._timeout_response())
        self.transport.close()

    def _timeout_response(self) -> bytes:
        headers = [
            *self.server_state.default_headers,
            *((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(_TIMEOUT_BODY)).encode()),
            (b"connection", b"close"),
        ]
        head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        return b"HTTP/1.1 408 Request Timeout\r\n" + head + b"\r\n" + _TIMEOUT_BODY


def with_deadlines(head_timeout: float, body_timeout: float) -> type[DeadlineProtocol]:
    """The protocol class for uvicorn's `http=`, with these deadlines."""

    class Configured(DeadlineProtocol):
        pass

    Configured.head_timeout = head_timeout
    Configured.body_timeout = body_timeout
    return Configured
