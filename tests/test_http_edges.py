"""HTTP edges: hostile static paths, numbers in paths, HEAD, and requests that never finish arriving."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.client import Team, frames_until_ready, make_team, next_frame
from tests.routes import API_ROUTES, assert_error_shape, fill
from tests.server import ServerProcess


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


def get(target: str) -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode("latin-1")


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


async def _ids(team: Team) -> dict[str, int]:
    return {"team_id": team.id, "channel_id": (await team.owner.channels(team.id))["Everyone"]["id"]}


def _comparable(headers: httpx.Headers) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name != "date"}


@pytest.mark.parametrize(
    "route", [*GET_ROUTES, "/", "/js/app.js", "/join/token", "/missing.js", "/schema/openapi.json"]
)
async def test_head_answers_as_get_without_a_body(team: Team, route: str) -> None:
    path = fill(route, await _ids(team))
    for who in (team.owner.headers, {}):  # signed in, and not (401 for the API)
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
SLACK = 1.5  # seconds past a deadline within which the server must have closed


@pytest.fixture
async def slow_server(fresh_server: ServerProcess) -> ServerProcess:
    fresh_server.env["BACKCHANNEL_HEAD_TIMEOUT_SECONDS"] = str(HEAD_TIMEOUT)
    fresh_server.env["BACKCHANNEL_BODY_TIMEOUT_SECONDS"] = str(BODY_TIMEOUT)
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
