"""What a send costs: at most two trips to a database thread (the session read, then the send action whole),
however many statements they run. Counted by Database.hops in an app served in process."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.db.connection import Database
from api.push import worker
from api.settings import Settings

PASSWORD = "correct horse battery"


class Sender:
    def __init__(self, client: AsyncTestClient, db: Database, token: str, channel_id: int) -> None:
        self.client, self.db, self.channel_id = client, db, channel_id
        self.headers = {"Authorization": f"Bearer {token}"}

    async def send(self, client_id: str) -> int:
        """Send a text; the status answered."""
        body = {"client_id": client_id, "kind": "text", "text": "Hold at 4.2"}
        response = await self.client.post(f"/api/channels/{self.channel_id}/messages", json=body, headers=self.headers)
        return response.status_code


@pytest.fixture
async def sender(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Sender]:
    # The push worker polls the queue when idle: not during the count.
    monkeypatch.setattr(worker, "IDLE_POLL_SECONDS", 3600.0)
    app = create_app(Settings(data_dir=tmp_path, password_time_cost=1, password_memory_kib=1024))
    db = app.dependencies["db"].dependency()
    assert isinstance(db, Database)
    async with AsyncTestClient(app) as client:
        account = {"username": "ana", "password": PASSWORD, "display_name": "Ana"}
        token = (await client.post("/api/accounts", json=account)).json()["token"]
        client.cookies.clear()  # the bearer token only: a fresh session, so no last-seen touch is due
        headers = {"Authorization": f"Bearer {token}"}
        team = (await client.post("/api/teams", json={"name": "Acme deal"}, headers=headers)).json()
        channels = (await client.get(f"/api/teams/{team['id']}/channels", headers=headers)).json()
        yield Sender(client, db, token, next(c["id"] for c in channels if c["name"] == "Everyone"))


async def test_a_send_costs_at_most_two_hops(sender: Sender) -> None:
    before = sender.db.hops
    assert await sender.send(str(uuid.uuid4())) == 201
    assert sender.db.hops - before <= 2


async def test_a_retry_costs_no_more(sender: Sender) -> None:
    client_id = str(uuid.uuid4())
    assert await sender.send(client_id) == 201
    before = sender.db.hops
    assert await sender.send(client_id) == 200
    assert sender.db.hops - before <= 2
