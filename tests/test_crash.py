"""Crash safety: SIGKILL mid-load loses no acknowledged message, and retries never duplicate."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid

import httpx

from tests.client import Person, make_team
from tests.server import ServerProcess

SENDERS = 4
PER_SENDER = 60


async def test_every_acknowledged_or_retried_send_is_stored_exactly_once(fresh_server: ServerProcess) -> None:
    fresh_server.env["BACKCHANNEL_MESSAGES_PER_MINUTE"] = "1000"
    fresh_server.start()
    async with httpx.AsyncClient(base_url=fresh_server.url, timeout=5) as http:
        team = await make_team(http, fresh_server.ws_url, leads=0, members=SENDERS - 1)
        everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
        plans = {person.id: [str(uuid.uuid4()) for _ in range(PER_SENDER)] for person in team.everyone}
        acknowledged: set[str] = set()
        enough = asyncio.Event()

        async def send_all(person: Person) -> None:
            for number, client_id in enumerate(plans[person.id]):
                try:
                    response = await person.send(everyone, text=f"{person.id}:{number}", client_id=client_id)
                except httpx.TransportError:
                    continue  # the server is gone: this one stays unacknowledged
                if response.status_code in (200, 201):
                    acknowledged.add(client_id)
                    if len(acknowledged) >= SENDERS * PER_SENDER // 3:
                        enough.set()

        senders = asyncio.gather(*(send_all(person) for person in team.everyone))
        await asyncio.wait_for(enough.wait(), 30)
        fresh_server.kill()
        await senders

    total = SENDERS * PER_SENDER
    assert SENDERS * PER_SENDER // 3 <= len(acknowledged) < total  # killed mid-load
    fresh_server.start()
    async with httpx.AsyncClient(base_url=fresh_server.url, timeout=5) as http:
        for person in team.everyone:
            person.http = http
            for number, client_id in enumerate(plans[person.id]):
                if client_id not in acknowledged:
                    retry = await person.send(everyone, text=f"{person.id}:{number}", client_id=client_id)
                    assert retry.status_code in (200, 201), retry.text

    with sqlite3.connect(fresh_server.database) as db:
        counts = dict(db.execute("SELECT client_id, count(*) FROM messages GROUP BY client_id").fetchall())
    every_id = {client_id for ids in plans.values() for client_id in ids}
    assert {client_id: counts.get(client_id) for client_id in every_id} == dict.fromkeys(every_id, 1)
    for person in team.everyone:  # and each sender's messages are in the order they were sent
        texts = [row[0] for row in db_texts(fresh_server, person.id)]
        assert texts == [f"{person.id}:{n}" for n in range(PER_SENDER)]


def db_texts(server: ServerProcess, sender_id: int) -> list[tuple[str]]:
    with sqlite3.connect(server.database) as db:
        return db.execute("SELECT text FROM messages WHERE sender_id = ? ORDER BY id", (sender_id,)).fetchall()
