"""Live socket limits: frame size and rate from the client, and a client that stops reading."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.client import Team, frames_until_ready, make_team, next_frame
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
