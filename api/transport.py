"""HTTP transport: the deadlines uvicorn lacks. A request must arrive in time, and its answer must be taken in time.

uvicorn closes an idle kept-alive connection (timeout_keep_alive), but once a request has begun, or a connection
is open and silent, it waits forever: a head that never ends, or a body shorter than its Content-Length, holds a
socket and a task for as long as the client likes (uvicorn#157; nginx's client_header_timeout and
client_body_timeout). This is uvicorn's httptools protocol with one timer more: armed when a connection opens or a
request begins, re-armed for the body once the head is in, cancelled once the request is whole (or the connection
becomes a WebSocket). When it fires, the client gets a 408 in the one error shape, if no answer has begun, and the
connection is closed.

The same holds the other way (a slow read; nginx's send_timeout): a client that sends a whole request and never
reads the answer leaves it in the transport's buffer, a 2 MB sync answer for each such connection, and the socket
open for good, since close() waits for the buffer to empty. So a second clock runs while the client owes progress:
while the buffer is over its high-water mark (asyncio calls pause_writing, and resume_writing once it is down to the
low-water mark), and while the connection is closing with bytes still unsent. Every send deadline the client must
have taken SEND_MIN_BYTES of what waits, or all of it; if not, the connection is aborted and its unsent bytes
dropped. The rule is a rate, not a time for the whole answer, so a slow phone taking a large answer steadily is
never cut, and one taking a byte now and then cannot hold the socket.
"""

from __future__ import annotations

import asyncio
import logging

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from api.errors import ErrorBody
from api.web import SECURITY_HEADERS

log = logging.getLogger("backchannel.transport")

# What a client that owes progress must take per send deadline (or all that is left): a buffer's worth, the
# transport's high-water mark. 64 KiB per 20 s is 3.2 KiB/s, far less than any phone link.
SEND_MIN_BYTES = 64 * 1024

_TIMEOUT_BODY = msgspec.json.encode(ErrorBody("request_timeout", "The request did not arrive in time."))


class DeadlineProtocol(HttpToolsProtocol):
    """Set by with_deadlines: seconds for a request's head (from the connection's or the request's first byte),
    for its body (from the end of the head), and for the client to take SEND_MIN_BYTES of an answer that waits."""

    head_timeout: float
    body_timeout: float
    send_timeout: float
    _deadline: asyncio.TimerHandle | None = None  # the request's arrival
    _send_deadline: asyncio.TimerHandle | None = None  # the answer's departure

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._unanswered: list[RequestResponseCycle] = []  # this connection's requests, oldest first
        self._arm(self.head_timeout, answered=False)  # a connection that never sends a byte

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:  # the next request on a kept-alive connection
            self._arm(self.head_timeout, answered=False)

    def on_headers_complete(self) -> None:
        earlier = self.cycle
        super().on_headers_complete()
        if self.cycle is not earlier:
            self._unanswered = [cycle for cycle in self._unanswered if not cycle.response_complete] + [self.cycle]
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
        self._stop_send_clock()
        # uvicorn tells only the newest request that the client is gone. With a pipelined request behind it, the
        # answer in progress went on writing to the closed transport: uvloop raises, a traceback in the log.
        for cycle in self._unanswered:
            if not cycle.response_complete:
                cycle.disconnected = True
                cycle.message_event.set()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        self._watch_sending()

    def resume_writing(self) -> None:
        super().resume_writing()
        self._stop_send_clock()
        self._watch_sending()  # closing, the rest must still go

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch_sending()  # an answer that closes the connection (Connection: close) may still be buffered

    def timeout_keep_alive_handler(self) -> None:
        super().timeout_keep_alive_handler()
        self._watch_sending()

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
        if self.flow.read_paused:
            # The server, not the client, stopped reading: a pipelined request waits its turn behind the answer in
            # progress, and that answer is bounded by the send deadline when the client does not take it.
            self._arm(seconds, answered=answered)
            return
        if not (answered and self.cycle is not None and self.cycle.response_started):
            self.transport.write(self._timeout_response())
        self.transport.close()
        self._watch_sending()

    def _watch_sending(self) -> None:
        """Start the send clock while the client owes progress: the buffer is over its high-water mark, or the
        connection is closing with bytes unsent (close() waits for them, however long that takes)."""
        unsent = self.transport.get_write_buffer_size()
        owed = self.flow.write_paused or (self.transport.is_closing() and unsent > 0)
        if owed and self._send_deadline is None:
            self._send_deadline = self.loop.call_later(self.send_timeout, self._check_sending, unsent)

    def _stop_send_clock(self) -> None:
        if self._send_deadline is not None:
            self._send_deadline.cancel()
            self._send_deadline = None

    def _check_sending(self, unsent_before: int) -> None:
        """While the client owes progress nothing is added to the buffer (uvicorn's send waits for resume_writing,
        a closing transport takes no more), so what it shrank by is what the client took."""
        self._send_deadline = None
        unsent = self.transport.get_write_buffer_size()
        if unsent_before - unsent >= min(SEND_MIN_BYTES, unsent_before):
            self._watch_sending()
            return
        log.info(
            "send_timeout: the client took %d bytes in %g s; connection aborted, %d bytes unsent",
            unsent_before - unsent,
            self.send_timeout,
            unsent,
        )
        self.transport.abort()

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


def with_deadlines(head_timeout: float, body_timeout: float, send_timeout: float) -> type[DeadlineProtocol]:
    """The protocol class for uvicorn's `http=`, with these deadlines."""

    class Configured(DeadlineProtocol):
        pass

    Configured.head_timeout = head_timeout
    Configured.body_timeout = body_timeout
    Configured.send_timeout = send_timeout
    return Configured
