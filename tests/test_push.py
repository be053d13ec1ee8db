"""Web Push: verified VAPID + aes128gcm delivery, privacy levels, headers, the durable queue, safety."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.client import Person, Team, make_team
from tests.push_service import PUSH_ENV, Device, PushService
from tests.server import ServerProcess


@pytest.fixture(scope="module")
def push_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("push"), **PUSH_ENV).start()
    yield process
    process.stop()


@pytest.fixture
async def push_team(push_server: ServerProcess, push_service: PushService) -> AsyncIterator[Team]:
    async with httpx.AsyncClient(base_url=push_server.url, timeout=10) as http:
        push_service.vapid_key = (await http.get("/api/push/key")).json()["key"]
        yield await make_team(http, push_server.ws_url, leads=0, members=2)


async def subscribe(person: Person, service: PushService) -> Device:
    device, subscription = service.new_device()
    response = await person.post("/api/push/subscriptions", subscription)
    assert response.status_code == 201, response.text
    return device


async def everyone_of(team: Team) -> int:
    return int((await team.owner.channels(team.id))["Everyone"]["id"])


async def test_a_cue_reaches_every_other_device_verified_and_content_free(
    push_team: Team, push_service: PushService
) -> None:
    sender, receiver = push_team.owner, push_team.members[0]
    mine, theirs = await subscribe(sender, push_service), await subscribe(receiver, push_service)
    channel = await everyone_of(push_team)
    sent = (await sender.send(channel, cue="stop_call_me")).json()
    (push,) = await asyncio.to_thread(push_service.wait_for, theirs)
    assert push.payload["title"] == "New cue" and push.payload["body"] == ""
    assert "cue" not in push.payload  # hidden level: nothing names what was sent
    assert push.payload["message_id"] == sent["id"] and push.payload["channel_id"] == channel
    assert push.payload["rhythm"] == [600, 200, 600, 200, 600]
    assert push.payload["tag"] == f"channel-{channel}" and push.payload["renotify"] is True
    assert push.headers["urgency"] == "high"
    assert 0 < int(push.headers["ttl"]) <= 120
    assert push.headers["topic"] == f"cue-{channel}"
    assert len(push.payload) and int(push.headers["content-length"]) < 3000
    assert push_service.received(mine) == []  # never the sender's own device
    assert push_service.errors == []


async def test_a_text_push_lives_longer_and_replaces_nothing(push_team: Team, push_service: PushService) -> None:
    device = await subscribe(push_team.members[0], push_service)
    await push_team.owner.send(await everyone_of(push_team), text="Their CFO just walked out")
    (push,) = await asyncio.to_thread(push_service.wait_for, device)
    assert push.payload["title"] == "New message" and "CFO" not in str(push.payload)
    assert int(push.headers["ttl"]) > 3600 and push.headers["urgency"] == "normal"
    assert "topic" not in push.headers


@pytest.mark.parametrize(
    ("level", "title", "body"),
    [("sender", "{name}", "sent a message"), ("full", "{name}", "Counter at 4.1")],
)
async def test_each_user_chooses_what_a_push_says(
    push_team: Team, push_service: PushService, level: str, title: str, body: str
) -> None:
    receiver = push_team.members[1]
    assert (await receiver.request("PUT", "/api/push/level", json={"level": level})).json() == {"level": level}
    device = await subscribe(receiver, push_service)
    await push_team.owner.send(await everyone_of(push_team), text="Counter at 4.1")
    (push,) = await asyncio.to_thread(push_service.wait_for, device)
    assert push.payload["title"] == title.format(name=push_team.owner.username.title())
    assert push.payload["body"] == body
    await push_team.owner.send(await everyone_of(push_team), cue="take_break")
    cue_push = (await asyncio.to_thread(push_service.wait_for, device, 2))[1]
    assert cue_push.payload["body"] == "Take a break" and cue_push.payload["cue"] == "take_break"


@pytest.mark.parametrize("gone", [404, 410])
async def test_a_subscription_the_push_service_forgot_is_deleted(
    push_team: Team, push_service: PushService, push_server: ServerProcess, gone: int
) -> None:
    receiver = push_team.members[0]
    device = await subscribe(receiver, push_service)
    push_service.answer(device, gone)
    await push_team.owner.send(await everyone_of(push_team), cue="wrap_up")
    for _ in range(100):
        if (await receiver.get("/api/push/subscriptions")).json() == []:
            break
        await asyncio.sleep(0.05)
    assert (await receiver.get("/api/push/subscriptions")).json() == []
    assert push_service.received(device) == []


async def test_429_is_retried_after_retry_after(push_team: Team, push_service: PushService) -> None:
    device = await subscribe(push_team.members[0], push_service)
    push_service.answer(device, (429, {"Retry-After": "1"}))
    await push_team.owner.send(await everyone_of(push_team), cue="slow_down")
    (push,) = await asyncio.to_thread(push_service.wait_for, device)
    attempts = [at for device_id, at in push_service.attempts if device_id == device.id]
    assert len(attempts) == 2 and attempts[1] - attempts[0] >= 0.95
    assert push.payload["rhythm"] == [500, 300, 500]


async def test_413_is_retried_with_a_smaller_payload(push_team: Team, push_service: PushService) -> None:
    receiver = push_team.members[0]
    await receiver.request("PUT", "/api/push/level", json={"level": "full"})
    device = await subscribe(receiver, push_service)
    push_service.answer(device, 413)
    await push_team.owner.send(await everyone_of(push_team), text="x" * 4000)
    (push,) = await asyncio.to_thread(push_service.wait_for, device)
    assert push.payload["body"] == "" and push.payload["title"] == "New message"


async def test_a_device_showing_the_app_gets_the_cue_on_its_socket_not_as_a_push(
    push_team: Team, push_service: PushService
) -> None:
    receiver = push_team.members[0]
    device = await subscribe(receiver, push_service)
    channel = await everyone_of(push_team)
    async with receiver.live() as ws:
        await ws.send('{"type":"visibility","visible":true}')
        await ws.send('{"type":"ping"}')  # the pong proves the visibility frame was handled
        while '"pong"' not in await ws.recv():
            pass
        await push_team.owner.send(channel, cue="let_me_talk")
        await ws.send('{"type":"visibility","visible":false}')
        await ws.send('{"type":"ping"}')
        while '"pong"' not in await ws.recv():
            pass
        hidden = (await push_team.owner.send(channel, cue="drive_home")).json()
        (push,) = await asyncio.to_thread(push_service.wait_for, device)
    assert push.payload["message_id"] == hidden["id"]


async def test_revoking_a_session_deletes_its_subscriptions(
    push_team: Team, push_service: PushService, push_server: ServerProcess
) -> None:
    person = push_team.members[1]
    await subscribe(person, push_service)
    assert (await person.request("DELETE", f"/api/sessions/{person.session_id}")).status_code == 204
    with sqlite3.connect(push_server.database) as db:
        (count,) = db.execute("SELECT count(*) FROM push_subscriptions WHERE user_id = ?", (person.id,)).fetchone()
    assert count == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://push.example.com/x",  # not https
        "https://10.1.2.3/x",  # private
        "https://192.168.1.20/x",
        "https://172.16.0.9/x",
        "https://169.254.169.254/latest/meta-data",  # link-local, cloud metadata
        "https://[fd00::1]/x",  # unique local IPv6
        "https://[::ffff:10.0.0.1]/x",  # IPv4-mapped private
        "https://0.0.0.0/x",
        "https://no-such-host.invalid/x",  # does not resolve
        "ftp://push.example.com/x",
        "https://user:pass@[2001:db8::1]/x",
    ],
)
async def test_endpoints_on_private_or_odd_addresses_are_refused(team: Team, endpoint: str) -> None:
    subscription = {"endpoint": endpoint, "keys": {"p256dh": "B" + "A" * 86, "auth": "A" * 22}}
    response = await team.owner.post("/api/push/subscriptions", subscription)
    assert response.status_code == 400, response.text
    assert "endpoint" in response.json()["fields"] or "keys.p256dh" in response.json()["fields"]


async def test_loopback_endpoints_need_the_development_setting(team: Team, push_service: PushService) -> None:
    _, subscription = push_service.new_device()
    response = await team.owner.post("/api/push/subscriptions", subscription)
    assert response.status_code == 400 and "endpoint" in response.json()["fields"]


async def test_pending_pushes_survive_a_crash_and_expired_ones_are_dropped(tmp_path: Path) -> None:
    service = PushService().start()
    server = ServerProcess(tmp_path / "data", **PUSH_ENV).start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            service.vapid_key = (await http.get("/api/push/key")).json()["key"]
            team = await make_team(http, server.ws_url, leads=0, members=1)
            device = await subscribe(team.members[0], service)
            service.answer(device, *[503] * 50)  # the push service is down
            channel = await everyone_of(team)
            kept = (await team.owner.send(channel, text="deliver me later")).json()
            stale = (await team.owner.send(channel, cue="they_nervous")).json()
        server.kill()
        with sqlite3.connect(server.database) as db:
            jobs = dict(db.execute("SELECT message_id, count(*) FROM push_jobs GROUP BY message_id").fetchall())
            assert jobs == {kept["id"]: 1, stale["id"]: 1}
            # The cue's time-to-live passes while the server is down.
            db.execute("UPDATE push_jobs SET expires_at = 0 WHERE message_id = ?", (stale["id"],))
            db.execute("UPDATE push_jobs SET next_attempt_at = 0")
        service.scripted.clear()  # the push service is back
        server.start()
        (push,) = await asyncio.to_thread(service.wait_for, device)
        assert push.payload["message_id"] == kept["id"]
        await asyncio.sleep(0.3)
        assert len(service.received(device)) == 1
        with sqlite3.connect(server.database) as db:
            assert db.execute("SELECT count(*) FROM push_jobs").fetchone() == (0,)
    finally:
        server.stop()
        service.stop()


async def test_the_vapid_key_is_generated_once_and_kept_private(push_server: ServerProcess) -> None:
    key_file = push_server.data_dir / "vapid_private.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    async with httpx.AsyncClient(base_url=push_server.url) as http:
        key = (await http.get("/api/push/key")).json()["key"]
    assert len(key) == 87  # base64url of a 65-byte uncompressed P-256 point
