"""Privacy at rest: deleted history is gone from the database files; message text never reaches the logs."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid

import httpx

from tests.client import Team, frames_until_ready, make_team, next_frame
from tests.server import ServerProcess


def files_of(server: ServerProcess) -> bytes:
    return b"".join(path.read_bytes() for path in server.data_dir.glob("backchannel.sqlite3*"))


async def test_the_owner_deletes_a_channels_history_from_the_database_files(fresh_server: ServerProcess) -> None:
    fresh_server.start()
    secret = f"walk-away price {uuid.uuid4().hex}"
    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        team = await make_team(http, fresh_server.ws_url, leads=1, members=1)
        everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
        message = (await team.members[0].send(everyone, text=secret)).json()
        assert (await team.owner.post(f"/api/messages/{message['id']}/ack")).status_code == 200
        assert secret.encode() in files_of(fresh_server)

        for not_owner in (team.leads[0], team.members[0]):
            refused = await not_owner.request("DELETE", f"/api/channels/{everyone}/messages")
            assert refused.status_code == 403
        async with team.members[0].live() as ws:
            _, cursor = await frames_until_ready(ws)
            deleted = await team.owner.request("DELETE", f"/api/channels/{everyone}/messages")
            assert deleted.status_code == 200 and deleted.json() == {"channel_id": everyone, "deleted": 1}
            cleared = await next_frame(ws)
        assert cleared["type"] == "history_cleared" and cleared["channel_id"] == everyone

        assert secret.encode() not in files_of(fresh_server)
        assert (await team.owner.get(f"/api/channels/{everyone}/messages")).json()["messages"] == []
        events = (await team.members[0].get("/api/sync", params={"after": 0, "limit": 1000})).json()["events"]
        assert not [e for e in events if e["type"] in ("message", "ack")]
        after = (await team.owner.send(everyone, text="fresh start")).json()
        assert after["cursor"] > cursor  # cursors are never reused


async def test_message_text_never_reaches_the_server_log(fresh_server: ServerProcess) -> None:
    fresh_server.start()
    secret = f"settle at {uuid.uuid4().hex}"
    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        team = await make_team(http, fresh_server.ws_url, leads=0, members=1)
        everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
        await team.owner.send(everyone, text=secret)
        await team.owner.send(everyone, text=secret + "x" * 5000)  # refused: too long
        await http.post("/api/sessions", json={"username": team.owner.username, "password": secret})
    fresh_server.stop()
    log = fresh_server.log_path.read_text()
    assert "message_stored" in log  # the send was logged...
    assert secret not in log  # ...without its text


async def test_a_deleted_message_stays_deleted_when_its_outbox_retries(team: Team, server: ServerProcess) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    secret = f"our floor is {uuid.uuid4().hex}"
    client_id = str(uuid.uuid4())
    sent = (await team.members[0].send(everyone, text=secret, client_id=client_id)).json()
    assert (await team.owner.delete(f"/api/channels/{everyone}/messages")).status_code == 200

    retry = await team.members[0].send(everyone, text=secret, client_id=client_id)
    assert retry.status_code == 410 and retry.json()["error"] == "message_deleted"
    assert (await team.owner.get(f"/api/channels/{everyone}/messages")).json()["messages"] == []
    with sqlite3.connect(server.database) as db:
        kept = db.execute("SELECT * FROM deleted_messages WHERE client_id = ?", (client_id,)).fetchall()
    assert kept == [(team.members[0].id, client_id)]  # who and which client id: nothing of the content

    fresh = (await team.members[0].send(everyone, text="a new message")).json()
    assert fresh["id"] > sent["id"] and fresh["cursor"] > sent["cursor"]  # ids are never reused


async def test_an_outside_reader_neither_stalls_writers_nor_keeps_deleted_text(fresh_server: ServerProcess) -> None:
    """A backup tool holding a read transaction blocks the WAL's truncation; the server retries until it lets go."""
    fresh_server.start()
    secret = f"walk-away price {uuid.uuid4().hex}"
    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        team = await make_team(http, fresh_server.ws_url, leads=0, members=1)
        everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
        await team.members[0].send(everyone, text=secret)
        reader = sqlite3.connect(fresh_server.database, isolation_level=None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM messages").fetchone()[0] == 1
        try:
            started = time.monotonic()
            assert (await team.owner.delete(f"/api/channels/{everyone}/messages")).status_code == 200
            assert (await team.owner.send(everyone, text="meanwhile")).status_code == 201
            # The busy timeout (5 s) would have held both; an attempt gives up after SCRUB_BUSY_MS instead.
            assert time.monotonic() - started < 2.5
            assert secret.encode() in files_of(fresh_server)  # the reader's snapshot still needs it
        finally:
            reader.close()
        for _ in range(100):  # the retry comes within SCRUB_RETRY_SECONDS' longest wait (5 s)
            if secret.encode() not in files_of(fresh_server):
                break
            await asyncio.sleep(0.1)
        assert secret.encode() not in files_of(fresh_server)
    assert "wal_scrubbed" in fresh_server.log_path.read_text()
