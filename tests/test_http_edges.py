"""HTTP edges: hostile static paths, numbers in paths, HEAD, requests that never finish arriving and answers that
are never taken."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import socket
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.settings import Settings
from api.transport import with_deadlines
from tests.client import Person, Team, frames_until_ready, make_team, next_frame, open_link
from tests.routes import API_ROUTES, assert_error_shape, fill
from tests.server import ROOT, ServerProcess


@dataclass
class Raw:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def raw_request(port: int, head: bytes, body: bytes = b"", timeout: float = 10) -> Raw | None:
    """Send bytes exactly as given (no client-side normalisation of the path) and read until the server closes;
    None when it closed without answering."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(head + body)
        await writer.drain()
        async with asyncio.timeout(timeout):
            answer = await reader.read()
    finally:
        writer.close()
    if not answer:
        return None
    status_line, _, rest = answer.partition(b"\r\n")
    header_block, _, content = rest.partition(b"\r\n\r\n")
    headers = dict(line.decode().lower().split(": ", 1) for line in header_block.split(b"\r\n") if line)
    return Raw(int(status_line.split()[1]), headers, content)


def get(target: str, connection: str = "close") -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: {connection}\r\n\r\n".encode("latin-1")


def log_growth(server: ServerProcess, since: int) -> str:
    return server.log_path.read_bytes()[since:].decode(errors="replace")


# --- Static paths -------------------------------------------------------------------------------------------------

# Every kind of path that made Path.resolve or is_file raise (a 500 and a traceback in the log), or that names
# something outside the app's files.
HOSTILE_PATHS = {
    "NUL": "/%00",
    "NUL before an extension": "/js/app.js%00.html",
    "NUL in a folder": "/js%00/app.js",
    "segment over 255 bytes": "/" + "a" * 256,
    "segment over 255 bytes, with an extension": "/" + "a" * 300 + ".js",
    "whole path over the limit": "/" + "abcdefgh/" * 500 + "x",
    "invalid UTF-8": "/%ff",
    "overlong UTF-8 slash": "/%c0%af",
    "encoded surrogate": "/%ed%a0%80",
    "non-ASCII letters": "/%c3%a9t%c3%a9",
    "bidi override": "/%e2%80%aejs",
    "newline": "/js%0aapp.js",
    "space": "/js/app%20.js",
    "encoded backslash": "/js%5capp.js",
    "raw backslash": "/js\\app.js",
    "dot dot": "/..",
    "dot dot inside": "/js/../index.html",
    "encoded dot dot": "/%2e%2e/pyproject.toml",
    "encoded slash": "/..%2fpyproject.toml",
    "mixed dots": "/.%2e/api/app.py",
    "hidden file": "/.env",
    "hidden folder": "/.git/config",
}


@pytest.mark.parametrize("target", HOSTILE_PATHS.values(), ids=HOSTILE_PATHS.keys())
async def test_a_hostile_static_path_is_a_json_404_and_no_traceback(server: ServerProcess, target: str) -> None:
    before = server.log_path.stat().st_size
    answer = await raw_request(server.port, get(target))
    assert answer is not None
    assert answer.status == 404, (target, answer.body[:200])
    assert answer.headers["content-type"].startswith("application/json")
    assert_error_shape(answer.json())
    assert answer.json()["error"] == "not_found"
    grown = log_growth(server, before)
    assert "Traceback" not in grown and "ERROR" not in grown, grown[-2000:]
    assert len(grown.splitlines()) <= 1


@pytest.mark.parametrize("target", ["/", "/js/app.js", "/manifest.webmanifest", "/icons/icon-192.png", "/join/a-B_9"])
async def test_the_app_files_and_deep_links_are_still_served(server: ServerProcess, target: str) -> None:
    answer = await raw_request(server.port, get(target))
    assert answer is not None and answer.status == 200, target


# --- Numbers in paths ---------------------------------------------------------------------------------------------


def _digits(number: int, zero: str) -> str:
    return "".join(chr(ord(zero) + int(digit)) for digit in str(number))


SPELLINGS = {
    "Arabic-Indic digits": lambda n: _digits(n, "\u0660"),
    "fullwidth digits": lambda n: _digits(n, "\uff10"),
    "Devanagari digits": lambda n: _digits(n, "\u0966"),
    "underscore": lambda n: f"0_{n}",
    "plus sign": lambda n: f"+{n}",
    "leading space": lambda n: f" {n}",
    "trailing space": lambda n: f"{n} ",
}


@pytest.mark.parametrize("spell", SPELLINGS.values(), ids=SPELLINGS.keys())
async def test_an_id_in_a_path_is_ascii_digits_only(team: Team, spell: Callable[[int], str]) -> None:
    """Litestar parsed `{team_id:int}` with int(), so the team's id in Arabic-Indic digits was the team. Any
    spelling but ASCII digits names no route."""
    assert (await team.owner.get(f"/api/teams/{team.id}/channels")).status_code == 200
    response = await team.owner.get(f"/api/teams/{quote(spell(team.id))}/channels")
    assert response.status_code == 404, response.text
    assert_error_shape(response.json())


# --- HEAD -----------------------------------------------------------------------------------------------------------

GET_ROUTES = sorted(path for method, path in API_ROUTES if method == "GET")


async def _ids(team: Team) -> tuple[dict[str, int | str], Person]:
    """An id of each kind the GET routes take (all the owner's to read), and a source's guest."""
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    meeting = await team.owner.post(f"/api/teams/{team.id}/meetings", {"title": "Round 2", "counterpart": "Acme"})
    source = await team.owner.post(f"/api/teams/{team.id}/sources", {"pseudonym": "Source K", "notes": "Who"})
    entry = await team.owner.post(
        f"/api/sources/{source.json()['id']}/intel", {"reliability": "B", "credibility": 2, "claim": "Budget"}
    )
    guest = await open_link(team.owner.http, team.owner.ws_base, source.json()["link"]["token"])
    ids = {"team_id": team.id, "channel_id": everyone, "meeting_id": meeting.json()["id"]}
    ids |= {"source_id": source.json()["id"], "entry_id": entry.json()["id"]}
    return {**ids, "token": "no-such-invite"}, guest


def _comparable(headers: httpx.Headers) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name != "date"}


@pytest.mark.parametrize(
    "route", [*GET_ROUTES, "/", "/js/app.js", "/join/token", "/missing.js", "/schema/openapi.json"]
)
async def test_head_answers_as_get_without_a_body(team: Team, route: str) -> None:
    ids, guest = await _ids(team)
    path = fill(route, ids)
    # Signed in, a guest (404 on every API route not marked for it), and not (401 for the API).
    for who in (team.owner.headers, guest.headers, {}):
        got = await team.owner.http.get(path, headers=who)
        head = await team.owner.http.head(path, headers=who)
        assert head.status_code == got.status_code != 405, (path, head.status_code)
        assert _comparable(head.headers) == _comparable(got.headers), path
        assert head.content == b""


async def test_head_is_refused_where_get_is_not_served(team: Team) -> None:
    """HEAD is GET without the body, not a way around the methods a route allows."""
    head = await team.owner.http.head("/api/sessions/1", headers=team.owner.headers)  # DELETE only
    assert head.status_code == 405
    assert "GET" not in head.headers["allow"]


# --- Requests that never finish arriving -------------------------------------------------------------------------

HEAD_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
SEND_TIMEOUT = 1.0
SLACK = 1.5  # seconds past a deadline within which the server must have closed
# Files of known sizes beside the app's, to answer with. On loopback the kernel takes megabytes of an answer nobody
# reads (up to tcp_wmem's 4 MiB), so a large answer, 8 MiB, is more than that, and the rest waits in the server's own
# buffer; the in-process server below gives its sockets small buffers, as over a real network, so that a small answer
# (under the server's 64 KiB high-water mark: complete for the app, yet partly unsent) and a slow one can be watched.
ANSWER_SIZES = {"large.bin": 8 * 1024 * 1024, "small.bin": 40 * 1024, "steady.bin": 512 * 1024}


def pwa_with_answers(folder: Path) -> Path:
    """The app's files, and the ANSWER_SIZES files beside them."""
    shutil.copytree(ROOT / "pwa", folder)
    for name, size in ANSWER_SIZES.items():
        (folder / name).write_bytes(b"x" * size)
    return folder


@pytest.fixture
async def slow_server(fresh_server: ServerProcess) -> ServerProcess:
    """A server with one-second deadlines, serving the app's files and the ANSWER_SIZES files."""
    fresh_server.env["BACKCHANNEL_PWA_DIR"] = str(pwa_with_answers(fresh_server.data_dir.parent / "pwa"))
    fresh_server.env["BACKCHANNEL_HEAD_TIMEOUT_SECONDS"] = str(HEAD_TIMEOUT)
    fresh_server.env["BACKCHANNEL_BODY_TIMEOUT_SECONDS"] = str(BODY_TIMEOUT)
    fresh_server.env["BACKCHANNEL_SEND_TIMEOUT_SECONDS"] = str(SEND_TIMEOUT)
    return fresh_server.start()


async def timed(port: int, head: bytes, body: bytes = b"") -> tuple[Raw | None, float]:
    started = time.monotonic()
    answer = await raw_request(port, head, body)
    return answer, time.monotonic() - started


def assert_timed_out(answer: Raw | None, elapsed: float, deadline: float) -> None:
    assert deadline - 0.1 < elapsed < deadline + SLACK, elapsed
    assert answer is not None and answer.status == 408
    assert_error_shape(answer.json())
    assert answer.json()["error"] == "request_timeout"
    assert answer.headers["connection"] == "close"


POST_HEAD = (
    b"POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
)

STALLED = {
    "silent connection": b"",
    "head without its end": b"GET / HTTP/1.1\r\nHost: localhost\r\n",
    "request line only": b"GET /api/me HTTP/1.1\r\n",
    "half a request line": b"GET /api/m",
}


@pytest.mark.parametrize("head", STALLED.values(), ids=STALLED.keys())
async def test_a_head_that_never_completes_gets_a_408_within_the_deadline(
    slow_server: ServerProcess, head: bytes
) -> None:
    answer, elapsed = await timed(slow_server.port, head)
    assert_timed_out(answer, elapsed, HEAD_TIMEOUT)


async def test_a_body_shorter_than_its_content_length_gets_a_408(slow_server: ServerProcess) -> None:
    before = slow_server.log_path.stat().st_size
    answer, elapsed = await timed(slow_server.port, POST_HEAD, b'{"username": "a"')
    assert_timed_out(answer, elapsed, BODY_TIMEOUT)
    await asyncio.sleep(0.2)
    logged = log_growth(slow_server, before)
    assert "Traceback" not in logged and "ERROR" not in logged  # a client hanging up is not the server's error


async def test_a_head_trickled_a_byte_at_a_time_does_not_reset_the_deadline(slow_server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", slow_server.port)

    async def trickle() -> None:
        with contextlib.suppress(ConnectionError):
            for byte in b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"x" * 1000:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.05)

    started = time.monotonic()
    sender = asyncio.create_task(trickle())
    answer = await asyncio.wait_for(reader.read(), HEAD_TIMEOUT + SLACK)
    elapsed = time.monotonic() - started
    sender.cancel()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
    assert elapsed < HEAD_TIMEOUT + SLACK


async def test_many_stalled_connections_are_all_closed(slow_server: ServerProcess) -> None:
    stalled = [timed(slow_server.port, head) for head in [*STALLED.values(), POST_HEAD] * 40]
    for answer, elapsed in await asyncio.gather(*stalled):
        assert_timed_out(answer, elapsed, HEAD_TIMEOUT)
    async with httpx.AsyncClient(base_url=slow_server.url) as http:
        assert (await http.get("/")).status_code == 200  # and the server still serves


async def test_a_slow_but_steady_request_and_an_open_socket_are_not_cut(slow_server: ServerProcess) -> None:
    """The deadlines are for a request's arrival: a body that arrives in time is served, and a live socket,
    open far longer than the head deadline, stays open."""
    async with httpx.AsyncClient(base_url=slow_server.url) as http:
        team = await make_team(http, slow_server.ws_url, leads=0, members=0)
    body = json.dumps({"username": team.owner.username, "password": "wrong password!"}).encode()
    head = (
        b"POST /api/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    reader, writer = await asyncio.open_connection("127.0.0.1", slow_server.port)
    writer.write(head + body[:5])
    await asyncio.sleep(BODY_TIMEOUT / 2)
    writer.write(body[5:])
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 401"), answer[:100]

    async with team.owner.live() as ws:
        await frames_until_ready(ws)
        await asyncio.sleep(HEAD_TIMEOUT + BODY_TIMEOUT + SLACK)
        await ws.send('{"type":"ping"}')
        assert (await next_frame(ws))["type"] == "pong"


# --- Answers that are never taken ---------------------------------------------------------------------------------

SEND_TIMEOUT_LOGGED = "send_timeout"
KEEP_ALIVE = 1.0  # the in-process server's idle kept-alive connections close after this (uvicorn's default: 5 s)
SMALL_BUFFER = 4096  # bytes, asked of the kernel for a socket's buffer (it doubles that)


@pytest.fixture
async def small_buffer_server(tmp_path: Path) -> AsyncIterator[int]:
    """The app and its transport in this process, with one-second deadlines, on a listening socket whose
    connections have small send buffers (as over a real network, where the kernel takes kilobytes of an answer
    nobody reads, not megabytes). Its port."""
    settings = Settings(data_dir=tmp_path / "data", pwa_dir=pwa_with_answers(tmp_path / "pwa"), password_time_cost=1)
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_BUFFER)  # accepted sockets inherit it
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    transport = with_deadlines(HEAD_TIMEOUT, BODY_TIMEOUT, SEND_TIMEOUT)
    config = uvicorn.Config(create_app(settings), http=transport, log_config=None, timeout_keep_alive=KEEP_ALIVE)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    async with asyncio.timeout(10):
        while not server.started:
            assert not serving.done()
            await asyncio.sleep(0.01)
    yield int(listener.getsockname()[1])
    server.should_exit = True
    await serving


async def small_window(port: int) -> socket.socket:
    """A connected client socket whose receive buffer is small: what it does not read waits in the server."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_BUFFER)  # before connecting, so the window is small
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    return sock


async def read_to_end(sock: socket.socket, rate: float | None = None, timeout: float = 10) -> bytes:
    """Everything until the server closes; at most `rate` bytes per second on average, if given."""
    loop, got, started = asyncio.get_running_loop(), bytearray(), time.monotonic()
    async with asyncio.timeout(timeout):
        while chunk := await loop.sock_recv(sock, 8192):
            got += chunk
            if rate is not None:
                await asyncio.sleep(max(0.0, len(got) / rate - (time.monotonic() - started)))
    return bytes(got)


async def wait_for_log(logged: Callable[[], str], count: int, within: float) -> str:
    """The log once it names a send timeout `count` times, or as it is after `within` seconds."""
    deadline = time.monotonic() + within
    while (text := logged()).count(SEND_TIMEOUT_LOGGED) < count:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    return text


async def assert_dropped_at_the_deadline(
    port: int, request: bytes, name: str, logged: Callable[[], str], *, after: float = 0.0, trickle: float = 0.0
) -> None:
    """Send the request and take `trickle` bytes a second of the answer (none, by default): at the send deadline,
    `after` seconds past the request, the server gives up, one info line, and what the client reads ends early."""
    sock = await small_window(port)
    try:
        await asyncio.get_running_loop().sock_sendall(sock, request)
        started = time.monotonic()
        reading = asyncio.create_task(read_to_end(sock, rate=trickle)) if trickle else None
        text = await wait_for_log(logged, 1, after + SEND_TIMEOUT + SLACK)
        elapsed = time.monotonic() - started
        assert text.count(SEND_TIMEOUT_LOGGED) == 1, text[-2000:]
        assert after + SEND_TIMEOUT - 0.1 < elapsed < after + SEND_TIMEOUT + SLACK, elapsed
        taken = await (reading or read_to_end(sock))  # what the sockets' buffers held, then the end
    finally:
        sock.close()
    assert taken.startswith(b"HTTP/1.1 200")
    assert len(taken) < ANSWER_SIZES[name]
    await asyncio.sleep(0.2)  # for anything the app logs once it finds the client gone
    text = logged()
    assert "Traceback" not in text and "ERROR" not in text, text[-2000:]


# A client that sends a whole request and never reads held its socket, and the answer's unsent bytes in the server's
# memory, for good: uvicorn waits for a slow client to take its answer, and close() waits for the bytes to go.
LARGE = {
    "large answer": get("/large.bin", "keep-alive"),
    "large answer, a pipelined request waiting behind it": get("/large.bin", "keep-alive") + POST_HEAD + b'{"user',
}


@pytest.mark.parametrize("request_bytes", LARGE.values(), ids=LARGE.keys())
async def test_a_large_answer_the_client_does_not_take_is_dropped_at_the_send_deadline(
    slow_server: ServerProcess, request_bytes: bytes
) -> None:
    before = slow_server.log_path.stat().st_size
    await assert_dropped_at_the_deadline(
        slow_server.port, request_bytes, "large.bin", lambda: log_growth(slow_server, before)
    )


SMALL = {
    "connection closing": (get("/small.bin"), 0.0),
    "kept alive, then idle": (get("/small.bin", "keep-alive"), KEEP_ALIVE),
}


@pytest.mark.parametrize(("request_bytes", "idle"), SMALL.values(), ids=SMALL.keys())
async def test_a_small_answer_the_client_does_not_take_is_dropped_at_the_send_deadline(
    small_buffer_server: int, request_bytes: bytes, idle: float, caplog: pytest.LogCaptureFixture
) -> None:
    """Under the high-water mark the answer is complete for the app, but its last bytes wait in the server's buffer
    once the kernel's is full: the closing connection (Connection: close, or kept alive and then idle) waited for
    them forever."""
    caplog.set_level(logging.INFO, logger="backchannel.transport")
    await assert_dropped_at_the_deadline(
        small_buffer_server, request_bytes, "small.bin", lambda: caplog.text, after=idle
    )


async def test_a_client_taking_a_trickle_is_cut_at_the_send_deadline(
    small_buffer_server: int, caplog: pytest.LogCaptureFixture
) -> None:
    """Taking a few bytes now and then does not hold the socket: 8 KiB a second is less than 64 KiB a deadline."""
    caplog.set_level(logging.INFO, logger="backchannel.transport")
    await assert_dropped_at_the_deadline(
        small_buffer_server, get("/steady.bin"), "steady.bin", lambda: caplog.text, trickle=8 * 1024
    )


async def test_many_untaken_answers_are_all_dropped(slow_server: ServerProcess) -> None:
    before = slow_server.log_path.stat().st_size
    sockets = [await small_window(slow_server.port) for _ in range(20)]
    try:
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.sock_sendall(sock, get("/large.bin", "keep-alive")) for sock in sockets))
        logged = await wait_for_log(lambda: log_growth(slow_server, before), len(sockets), SEND_TIMEOUT + SLACK)
        assert logged.count(SEND_TIMEOUT_LOGGED) == len(sockets), logged[-2000:]
    finally:
        for sock in sockets:
            sock.close()
    async with httpx.AsyncClient(base_url=slow_server.url) as http:
        assert (await http.get("/")).status_code == 200  # and the server still serves


async def test_a_slow_but_steady_reader_gets_its_whole_answer(
    small_buffer_server: int, caplog: pytest.LogCaptureFixture
) -> None:
    """The send deadline is a rate, not a time for the whole answer: a client taking 160 KiB a second (more than
    64 KiB a deadline) gets every byte of an answer that takes it several deadlines."""
    caplog.set_level(logging.INFO, logger="backchannel.transport")
    sock = await small_window(small_buffer_server)
    try:
        await asyncio.get_running_loop().sock_sendall(sock, get("/steady.bin"))
        started = time.monotonic()
        taken = await read_to_end(sock, rate=160 * 1024, timeout=30)
        elapsed = time.monotonic() - started
    finally:
        sock.close()
    assert taken.startswith(b"HTTP/1.1 200")
    assert taken.endswith(b"\r\n\r\n" + b"x" * ANSWER_SIZES["steady.bin"])
    assert elapsed > 2 * SEND_TIMEOUT, elapsed  # it took long enough to be cut, were the rule "all of it in time"
    assert SEND_TIMEOUT_LOGGED not in caplog.text
