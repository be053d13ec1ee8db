"""Live socket limits: frame size and rate from the client, a client that stops reading, sockets per session and
per user."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
from collections import Counter
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from api.live import MAX_SOCKETS_PER_SESSION, MAX_SOCKETS_PER_USER
from tests.client import PASSWORD, Person, Team, closed_code, frames_until_ready, make_team, next_frame, sign_up
from tests.server import ServerProcess


async def test_an_oversize_frame_gets_an_error_frame_and_a_huge_one_closes(team: Team) -> None:
    async with team.members[0].live() as ws:
        await frames_until_ready(ws)
        await ws.send('{"type":"ping","pad":"' + "x" * 5000 + '"}')
        error = await next_frame(ws)
        assert error["type"] == "error" and error["error"] == "frame_too_large"
        await ws.send("x" * 70_000)  # over the server's 64 KiB frame limit
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(5):
                while True:
                    await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_a_flood_of_frames_closes_the_socket_with_4429(team: Team) -> None:
    async with team.members[0].live() as ws:
        await frames_until_ready(ws)
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(5):
                for _ in range(200):
                    await ws.send('{"type":"pong"}')
                while True:
                    await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4429


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def test_a_client_that_stops_reading_is_cut_off_without_slowing_others(fresh_server: ServerProcess) -> None:
    fresh_server.env["BACKCHANNEL_MESSAGES_PER_MINUTE"] = "100000"
    fresh_server.start()
    assert fresh_server.proc is not None
    async with httpx.AsyncClient(base_url=fresh_server.url, timeout=10) as http:
        team = await make_team(http, fresh_server.ws_url, leads=0, members=2)
        everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
        stuck, reader = team.members
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect, so the window stays small
        raw.connect(("127.0.0.1", fresh_server.port))
        async with (
            connect(
                f"{fresh_server.ws_url}/api/live",
                sock=raw,
                max_queue=1,
                additional_headers={"Authorization": f"Bearer {stuck.token}"},
            ) as never_reads,
            reader.live() as ws,
        ):
            await frames_until_ready(ws)
            rss_before = _rss_kib(fresh_server.proc.pid)
            count, received = 2200, 0
            for _ in range(count):
                # Incompressible, so permessage-deflate cannot shrink what piles up.
                await team.owner.send(everyone, text=base64.b64encode(os.urandom(2900)).decode())
                while True:  # the reader keeps up, message by message
                    frame = await next_frame(ws)
                    if frame["type"] == "message":
                        received += 1
                        break
            assert received == count
            growth_mib = (_rss_kib(fresh_server.proc.pid) - rss_before) / 1024
            assert growth_mib < 64, f"server memory grew {growth_mib:.0f} MiB for one stuck client"
            with pytest.raises(ConnectionClosed):
                async with asyncio.timeout(15):
                    while True:
                        await never_reads.recv()
    assert "live_closed code=4503" in fresh_server.log_path.read_text()


# --- Sockets per session and per user (api/live.py: MAX_SOCKETS_PER_SESSION, MAX_SOCKETS_PER_USER) ----------------


async def another_session(person: Person) -> str:
    """Log the person in again (another device); its bearer token."""
    response = await person.http.post(
        "/api/sessions",
        json={"username": person.username, "password": PASSWORD},
        headers={"X-Forwarded-For": person.address},
    )
    person.http.cookies.clear()
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


async def open_socket(person: Person, token: str) -> tuple[ClientConnection, int | None]:
    """A live socket of the session the token names, once ready; or the code it was closed with before that."""
    ws = await connect(
        f"{person.ws_base}/api/live", additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=10
    )
    try:
        await frames_until_ready(ws)
    except ConnectionClosed as closed:
        assert closed.rcvd is not None
        return ws, closed.rcvd.code
    return ws, None


async def answers(ws: ClientConnection) -> bool:
    """Whether the socket is open and answers a ping."""
    try:
        await ws.send('{"type":"ping"}')
        return (await next_frame(ws, skip=("ping", "delivered"))) == {"type": "pong"}
    except ConnectionClosed:
        return False


async def test_a_sessions_newest_socket_replaces_its_oldest_with_4410(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    """A phone that reconnects after a network change leaves a half-dead socket behind: the new one takes its place."""
    person = await sign_up(http, server.ws_url)
    sockets = [(await open_socket(person, person.token))[0] for _ in range(MAX_SOCKETS_PER_SESSION)]
    newest, refused = await open_socket(person, person.token)
    assert refused is None
    assert await closed_code(sockets[0]) == 4410
    for ws in [*sockets[1:], newest]:
        assert await answers(ws)
        await ws.close()


async def test_a_user_past_the_bound_has_the_newest_socket_refused_with_4409(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    person = await sign_up(http, server.ws_url)
    tokens = [person.token] + [await another_session(person) for _ in range(MAX_SOCKETS_PER_USER)]
    held = []
    for number in range(MAX_SOCKETS_PER_USER):  # spread over sessions, none of them full
        ws, code = await open_socket(person, tokens[number % (len(tokens) - 1)])
        assert code is None, number
        held.append(ws)
    _, code = await open_socket(person, tokens[-1])
    assert code == 4409
    assert all([await answers(ws) for ws in held])
    await held.pop().close()
    await asyncio.sleep(0.2)  # the server notices the close
    again, code = await open_socket(person, tokens[-1])
    assert code is None and await answers(again)
    for ws in [*held, again]:
        await ws.close()


async def test_sockets_opened_all_at_once_never_pass_the_bounds(http: httpx.AsyncClient, server: ServerProcess) -> None:
    person = await sign_up(http, server.ws_url)
    tokens = [person.token] + [await another_session(person) for _ in range(7)]
    attempts = tokens * 5  # 40 sockets over 8 sessions, all at once
    opened = await asyncio.gather(*(open_socket(person, token) for token in attempts))
    await asyncio.sleep(0.5)  # every socket replaced has been closed by now
    alive = [await answers(ws) for ws, _ in opened]
    assert sum(alive) == MAX_SOCKETS_PER_USER
    per_session = Counter(token for token, ok in zip(attempts, alive, strict=True) if ok)
    assert max(per_session.values()) <= MAX_SOCKETS_PER_SESSION
    for (ws, refused), ok in zip(opened, alive, strict=True):
        if not ok:
            assert (refused or ws.close_code) in {4409, 4410}
        await ws.close()
