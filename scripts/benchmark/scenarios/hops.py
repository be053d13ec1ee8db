"""Hops per send: the trips to a database thread one authenticated send costs (the session read, then the send
action whole), counted by Database.hops in an app served in this process. A count, not a speed: the same in a
quick run as in a full one."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import Any
from unittest import mock

from litestar import Litestar
from litestar.di import Provide
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.db.connection import Database
from api.push import worker
from api.settings import Settings
from scripts.benchmark.scenarios.context import Context, target

HOPS_PER_SEND_MOST = 2


async def _sends(client: AsyncTestClient[Litestar], db: Database, count: int) -> tuple[list[int], int]:
    """Sign up, make a team and send `count` texts to its Everyone channel: their statuses, the hops they took."""
    account = {"username": "bench", "password": "correct horse battery", "display_name": "Bench"}
    token = (await client.post("/api/accounts", json=account)).json()["token"]
    client.cookies.clear()  # the bearer token only, as the app's API clients send it
    headers = {"Authorization": f"Bearer {token}"}
    team = (await client.post("/api/teams", json={"name": "Bench"}, headers=headers)).json()
    channels = (await client.get(f"/api/teams/{team['id']}/channels", headers=headers)).json()
    path = f"/api/channels/{next(c['id'] for c in channels if c['name'] == 'Everyone')}/messages"
    before = db.hops
    statuses = []
    for i in range(count):
        body = {"client_id": str(uuid.uuid4()), "kind": "text", "text": f"hop {i}"}
        statuses.append((await client.post(path, json=body, headers=headers)).status_code)
    return statuses, db.hops - before


async def hops_per_send(ctx: Context) -> dict[str, Any]:
    count = ctx.sizes.hop_sends
    with tempfile.TemporaryDirectory(prefix="backchannel-hops-") as data_dir:
        settings = Settings(
            data_dir=Path(data_dir), password_time_cost=1, password_memory_kib=1024, messages_per_minute=count
        )
        app = create_app(settings)
        provide = app.dependencies["db"]
        assert isinstance(provide, Provide)
        db = provide.dependency()
        assert isinstance(db, Database)
        # The push worker's idle poll of the queue is no part of a send.
        with mock.patch.object(worker, "IDLE_POLL_SECONDS", 3600.0):
            async with AsyncTestClient(app) as client:
                statuses, hops = await _sends(client, db, count)
    per_send = hops / count
    return {
        "scenario": "hops_per_send",
        "ok": statuses == [201] * count and per_send <= HOPS_PER_SEND_MOST,
        "sends": count,
        "hops": hops,
        "hops_per_send": round(per_send, 2),
        "targets": [target("hops per send", per_send, HOPS_PER_SEND_MOST, "hops")],
    }
