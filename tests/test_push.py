"""Web Push: verified VAPID + aes128gcm delivery, privacy levels, headers, the durable queue, safety."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
import httpx
import pytest

from api.db import migrate as migrations
from api.push.routes import SUBSCRIPTIONS_PER_USER
from api.push.worker import CONCURRENCY, PER_ORIGIN_CONCURRENCY, REQUEST_TIMEOUT
from tests.client import PASSWORD, Person, Team, fake_address, make_team
from tests.push_service import PUSH_ENV, Device, PushService, b64url, browser_keys
from tests.server import ServerProcess


@pytest.fixture(scope="module")
def push_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("push"), **PUSH_ENV).start()
    yield process
    process.stop()


@asynccontextmanager
async def team_on(server: ServerProcess, service: PushService, *, leads: int, members: int) -> AsyncIterator[Team]:
    """A team on the push server, its push service told the server's VAPID key."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        service.vapid_key = (await http.get("/api/push/key")).json()["key"]
        yield await make_team(http, server.ws_url, leads=leads, members=members)


@pytest.fixture
async def push_team(push_server: ServerProcess, push_service: PushService) -> AsyncIterator[Team]:
    async with team_on(push_server, push_service, leads=0, members=2) as team:
        yield team


async def subscribe(person: Person, service: PushService) -> Device:
    device, subscription = service.new_device()
    response = await person.post("/api/push/subscriptions", subscription)
    assert response.status_code == 201, response.text
    return device


async def everyone_of(team: Team) -> int:
    return int((await team.owner.channels(team.id))["Everyone"]["id"])


async def another_session(person: Person) -> Person:
    """The same user logged in on another device."""
    response = await person.http.post(
        "/api/sessions",
        json={"username": person.username, "password": PASSWORD},
        headers={"X-Forwarded-For": fake_address()},
    )
    assert response.status_code == 201, response.text
    person.http.cookies.clear()  # each Person authenticates with its bearer token only
    body = response.json()
    headers = {**person.headers, "Authorization": f"Bearer {body['token']}"}
    return dataclasses.replace(
        person, token=body["token"], session_id=body["session_id"], csrf_token=body["csrf_token"], headers=headers
    )


def attempts_to(service: PushService, device: Device) -> int:
    return sum(1 for device_id, _ in service.attempts if device_id == device.id)


def pending_attempts(server: ServerProcess, person: Person) -> list[int]:
    """How many times each push job still queued for the person's devices was tried."""
    with sqlite3.connect(server.database) as db:
        rows = db.execute(
            "SELECT j.attempts FROM push_jobs j JOIN push_subscriptions s ON s.id = j.subscription_id"
            " WHERE s.user_id = ?",
            (person.id,),
        ).fetchall()
    return [int(attempts) for (attempts,) in rows]


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


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
        "https://[::127.0.0.1]/x",  # IPv4-compatible loopback
        "https://[64:ff9b::a9fe:a9fe]/x",  # NAT64 of the metadata address
        "https://[2002:7f00:1::]/x",  # 6to4 of loopback (the rest: tests/test_push_rules.py)
        "https://0.0.0.0/x",
        "https://no-such-host.invalid/x",  # does not resolve
        "ftp://push.example.com/x",
        "https://user:pass@[2001:db8::1]/x",
    ],
)
async def test_endpoints_on_private_or_odd_addresses_are_refused(
    team: Team, push_service: PushService, endpoint: str
) -> None:
    _, subscription = push_service.new_device()
    response = await team.owner.post("/api/push/subscriptions", {**subscription, "endpoint": endpoint})
    assert response.status_code == 400, response.text
    assert "endpoint" in response.json()["fields"]


async def test_loopback_endpoints_need_the_development_setting(team: Team, push_service: PushService) -> None:
    _, subscription = push_service.new_device()
    response = await team.owner.post("/api/push/subscriptions", subscription)
    assert response.status_code == 400 and "endpoint" in response.json()["fields"]


async def test_pending_pushes_survive_a_crash_and_expired_ones_are_dropped(tmp_path: Path) -> None:
    service = PushService().start()
    server = ServerProcess(tmp_path / "data", **PUSH_ENV).start()
    try:
        async with team_on(server, service, leads=0, members=1) as team:
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


# One bad subscription costs no one a push.

ZERO_POINT = b64url(b"\x04" + bytes(64))  # 65 bytes of the right shape, but not a point on P-256


async def test_keys_nothing_can_be_encrypted_to_are_refused_at_subscription(
    push_team: Team, push_service: PushService
) -> None:
    _, subscription = push_service.new_device()
    bad_point = {**subscription, "keys": {**subscription["keys"], "p256dh": ZERO_POINT}}
    bad_auth = {**subscription, "keys": {**subscription["keys"], "auth": b64url(bytes(15))}}
    for body, field in ((bad_point, "keys.p256dh"), (bad_auth, "keys.auth")):
        response = await push_team.members[0].post("/api/push/subscriptions", body)
        assert response.status_code == 400 and field in response.json()["fields"], response.text
    assert (await push_team.members[0].get("/api/push/subscriptions")).json() == []


@pytest.mark.parametrize("p256dh", [ZERO_POINT, "not*base64*at*all"], ids=["zero point", "not base64"])
async def test_a_stored_subscription_with_bad_keys_costs_no_one_a_push(
    push_team: Team, push_service: PushService, push_server: ServerProcess, p256dh: str
) -> None:
    """Keys stored before subscriptions were checked: the subscription is dropped once, the others get one push."""
    good = [await subscribe(person, push_service) for person in push_team.members]
    holder = await another_session(push_team.members[0])
    bad, subscription = push_service.new_device()
    log_start = push_server.log_path.stat().st_size
    with sqlite3.connect(push_server.database) as db:
        db.execute(
            "INSERT INTO push_subscriptions (session_id, user_id, endpoint, p256dh, auth, created_at)"
            " VALUES (?, ?, ?, ?, ?, 0)",
            (holder.session_id, holder.id, subscription["endpoint"], p256dh, subscription["keys"]["auth"]),
        )
    await push_team.owner.send(await everyone_of(push_team), text="one message")
    for device in good:
        await asyncio.to_thread(push_service.wait_for, device)
    await asyncio.sleep(1.5)  # a batch retried without backoff would have sent hundreds more by now
    assert [len(push_service.received(device)) for device in good] == [1, 1]
    assert attempts_to(push_service, bad) == 0
    assert (await holder.get("/api/push/subscriptions")).json() == []  # the unusable subscription is gone
    with push_server.log_path.open() as log:
        log.seek(log_start)
        lines = log.read().splitlines()
    assert not any("Traceback" in line for line in lines)
    assert sum("unusable keys" in line for line in lines) == 1


async def test_a_job_that_fails_in_any_way_backs_off_alone(
    push_team: Team, push_service: PushService, push_server: ServerProcess
) -> None:
    """Whatever goes wrong with one job (here a corrupt row), the jobs of its batch are sent once."""
    broken, good = [await subscribe(person, push_service) for person in push_team.members]
    for device in (broken, good):
        push_service.answer(device, 503)  # both jobs are retried together, in one batch
    sent = (await push_team.owner.send(await everyone_of(push_team), text="one message")).json()
    await until(lambda: attempts_to(push_service, broken) == 1 and attempts_to(push_service, good) == 1)
    log_start = push_server.log_path.stat().st_size
    with sqlite3.connect(push_server.database) as db:
        db.execute(
            "UPDATE push_jobs SET ttl_seconds = 'corrupt' WHERE message_id = ? AND subscription_id ="
            " (SELECT id FROM push_subscriptions WHERE user_id = ?)",
            (sent["id"], push_team.members[0].id),
        )
    await asyncio.to_thread(push_service.wait_for, good)
    await asyncio.sleep(1.5)
    assert len(push_service.received(good)) == 1 and push_service.received(broken) == []
    with push_server.log_path.open() as log:
        log.seek(log_start)
        failures = [line for line in log.read().splitlines() if "failed; retried later" in line]
    assert len(failures) <= 2  # backing off: 1 s, then 2 s


async def test_an_endpoint_whose_host_stops_resolving_is_retried_not_forgotten(
    push_team: Team, push_server: ServerProcess
) -> None:
    """A DNS failure at send time is a blip until shown otherwise: the job backs off, the subscription stays."""
    holder, keys = push_team.members[0], browser_keys()
    with sqlite3.connect(push_server.database) as db:
        db.execute(
            "INSERT INTO push_subscriptions (session_id, user_id, endpoint, p256dh, auth, created_at)"
            " VALUES (?, ?, 'https://push.no-such-host.invalid/x', ?, ?, 0)",
            (holder.session_id, holder.id, keys["p256dh"], keys["auth"]),
        )
    await push_team.owner.send(await everyone_of(push_team), text="one message")

    await until(lambda: max(pending_attempts(push_server, holder), default=0) >= 1)
    assert len((await holder.get("/api/push/subscriptions")).json()) == 1


# A push service that hangs delays no other push service's pushes.


@pytest.fixture
def hanging_services(push_server: ServerProcess) -> Iterator[Callable[[], PushService]]:
    """Push services, each on an origin of its own, that read every push and never answer."""
    started: list[PushService] = []

    def start() -> PushService:
        started.append(PushService().start())
        return started[-1]

    yield start
    with sqlite3.connect(push_server.database) as db:  # a later test's service on a reused port gets none of it
        db.execute("PRAGMA foreign_keys=ON")
        for service in started:
            db.execute("DELETE FROM push_subscriptions WHERE endpoint LIKE ?", (f"{service.origin}/%",))
    for service in started:
        service.stop()


async def all_sessions(person: Person) -> list[Person]:
    """The person's session and more, up to as many as may have a push subscription."""
    return [person, *[await another_session(person) for _ in range(SUBSCRIPTIONS_PER_USER - 1)]]


async def test_a_push_service_that_never_answers_delays_no_other_push_service(
    push_team: Team, push_service: PushService, hanging_services: Callable[[], PushService]
) -> None:
    """An account's ten devices on a service that hangs, hundreds of their pushes due: that service holds
    PER_ORIGIN_CONCURRENCY posts, its other jobs wait in the queue without a slot, and another service's push goes
    out at once, not after the 10 s a post is waited for."""
    attacker, teammate = push_team.members
    hanging_service = hanging_services()
    for session in await all_sessions(attacker):
        hanging_service.stall(await subscribe(session, hanging_service))
    channel = await everyone_of(push_team)
    for _ in range(21):  # 210 jobs to the hanging service
        assert (await push_team.owner.send(channel, cue="wrap_up")).status_code == 201
    await until(lambda: len(hanging_service.attempts) >= SUBSCRIPTIONS_PER_USER)  # the worker waits on it now
    device = await subscribe(teammate, push_service)
    began = time.monotonic()
    await push_team.owner.send(channel, cue="stop_call_me")
    (push,) = await asyncio.to_thread(push_service.wait_for, device, 1, 3.0)
    assert push.at - began < 3.0 and push.payload["rhythm"] == [600, 200, 600, 200, 600]
    await until(lambda: len(hanging_service.attempts) >= PER_ORIGIN_CONCURRENCY)
    await asyncio.sleep(0.3)
    assert len(hanging_service.attempts) == PER_ORIGIN_CONCURRENCY  # no more, though 200 more jobs to it are due


async def test_all_push_services_together_have_at_most_concurrency_posts_in_flight(
    push_team: Team, hanging_services: Callable[[], PushService]
) -> None:
    """The bound on sockets: hanging services together hold CONCURRENCY posts and no more (five fill it here)."""
    services = [hanging_services() for _ in range(CONCURRENCY // PER_ORIGIN_CONCURRENCY + 1)]
    sessions = [session for person in push_team.members for session in await all_sessions(person)]
    for i, session in enumerate(sessions):
        service = services[i % len(services)]
        service.stall(await subscribe(session, service))
    channel = await everyone_of(push_team)
    for _ in range(10):  # 40 jobs to each service
        assert (await push_team.owner.send(channel, cue="wrap_up")).status_code == 201
    await until(lambda: sum(len(service.attempts) for service in services) >= CONCURRENCY)
    await asyncio.sleep(0.3)
    assert sum(len(service.attempts) for service in services) == CONCURRENCY
    assert all(len(service.attempts) <= PER_ORIGIN_CONCURRENCY for service in services)


async def test_a_server_stopping_while_its_posts_hang_stops_at_once_and_claims_them_again(tmp_path: Path) -> None:
    """Which jobs are in flight is memory only: a stop cancels their posts, and the next start sends them."""
    service = PushService().start()
    server = ServerProcess(tmp_path / "data", **PUSH_ENV).start()
    try:
        async with team_on(server, service, leads=0, members=1) as team:
            device = await subscribe(team.members[0], service)
            service.stall(device)
            sent = (await team.owner.send(await everyone_of(team), text="held up")).json()
        await until(lambda: attempts_to(service, device) == 1)
        began = time.monotonic()
        server.stop()
        assert time.monotonic() - began < REQUEST_TIMEOUT / 2  # the hanging post was cancelled, not waited for
        assert "Traceback" not in server.log_path.read_text()
        service.stalled.clear()
        server.start()
        (push,) = await asyncio.to_thread(service.wait_for, device)
        assert push.payload["message_id"] == sent["id"]
    finally:
        server.stop()
        service.stop()


# A push never reaches someone who left its channel, retries included.


@pytest.fixture
async def lead_team(push_server: ServerProcess, push_service: PushService) -> AsyncIterator[Team]:
    async with team_on(push_server, push_service, leads=2, members=0) as team:
        yield team


async def _remove(team: Team, person: Person, way: str) -> None:
    if way == "removed from the team":
        response = await team.owner.delete(f"/api/teams/{team.id}/members/{person.id}")
        assert response.status_code == 204, response.text
    else:
        response = await team.owner.patch(f"/api/teams/{team.id}/members/{person.id}", {"role": "member"})
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("way", ["removed from the team", "demoted out of Leads"])
async def test_a_push_retried_after_its_recipient_left_the_channel_is_not_delivered(
    lead_team: Team, push_service: PushService, push_server: ServerProcess, way: str
) -> None:
    leaving, staying = lead_team.leads
    for person in lead_team.leads:
        assert (await person.put("/api/push/level", {"level": "full"})).status_code == 200
    gone, kept = await subscribe(leaving, push_service), await subscribe(staying, push_service)
    for device in (gone, kept):
        push_service.answer(device, 503)  # the push service is briefly down: both pushes wait for a retry
    leads = (await lead_team.owner.channels(lead_team.id))["Leads"]["id"]
    await lead_team.owner.send(leads, text="Walk away below 3.9")
    await until(lambda: attempts_to(push_service, gone) == 1 and attempts_to(push_service, kept) == 1)
    await _remove(lead_team, leaving, way)
    await asyncio.to_thread(push_service.wait_for, kept)  # the retry happened
    await asyncio.sleep(0.3)
    assert push_service.received(gone) == [] and attempts_to(push_service, gone) == 1
    assert pending_attempts(push_server, leaving) == []  # dropped as they left, in the same transaction


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s


async def test_a_job_whose_recipient_is_no_longer_in_the_channel_is_never_claimed(
    lead_team: Team, push_service: PushService, push_server: ServerProcess
) -> None:
    """However a member leaves a channel, the worker checks membership when it claims a job, and does not spin."""
    leaving, staying = lead_team.leads
    gone, kept = await subscribe(leaving, push_service), await subscribe(staying, push_service)
    for device in (gone, kept):
        push_service.answer(device, 503)
    leads = (await lead_team.owner.channels(lead_team.id))["Leads"]["id"]
    await lead_team.owner.send(leads, text="Walk away below 3.9")
    await until(lambda: attempts_to(push_service, gone) == 1 and attempts_to(push_service, kept) == 1)
    with sqlite3.connect(push_server.database) as db:  # a way out that leaves the job behind
        db.execute("DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?", (leads, leaving.id))
    await asyncio.to_thread(push_service.wait_for, kept)
    assert push_server.proc is not None
    before = _cpu_seconds(push_server.proc.pid)
    await asyncio.sleep(1.5)
    assert _cpu_seconds(push_server.proc.pid) - before < 0.5  # the left-behind job does not keep the worker busy
    assert push_service.received(gone) == [] and attempts_to(push_service, gone) == 1


# Subscriptions: one per session, at most SUBSCRIPTIONS_PER_USER per user, an endpoint stays with its user.


async def test_a_session_keeps_one_subscription_the_newest(push_team: Team, push_service: PushService) -> None:
    person = push_team.members[0]
    old = await subscribe(person, push_service)
    new, subscription = push_service.new_device()  # the browser re-subscribed: a new endpoint
    assert (await person.post("/api/push/subscriptions", subscription)).status_code == 201
    listed = (await person.get("/api/push/subscriptions")).json()
    assert [s["endpoint"] for s in listed] == [subscription["endpoint"]]
    await push_team.owner.send(await everyone_of(push_team), cue="wrap_up")
    await asyncio.to_thread(push_service.wait_for, new)
    await asyncio.sleep(0.3)
    assert push_service.received(old) == []


async def test_parallel_subscriptions_of_one_session_leave_one(push_team: Team, push_service: PushService) -> None:
    person = push_team.members[0]
    subscriptions = [push_service.new_device()[1] for _ in range(8)]
    answers = await asyncio.gather(*(person.post("/api/push/subscriptions", s) for s in subscriptions))
    assert [a.status_code for a in answers] == [201] * 8
    assert len((await person.get("/api/push/subscriptions")).json()) == 1


async def test_an_account_gets_pushes_on_at_most_10_devices_even_under_concurrency(
    push_team: Team, push_service: PushService, push_server: ServerProcess
) -> None:
    person = push_team.members[1]
    sessions = [await another_session(person) for _ in range(SUBSCRIPTIONS_PER_USER + 2)]
    answers = await asyncio.gather(
        *(session.post("/api/push/subscriptions", push_service.new_device()[1]) for session in sessions)
    )
    assert sorted(a.status_code for a in answers) == [201] * SUBSCRIPTIONS_PER_USER + [409, 409]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["error"] == "limit_reached" and str(SUBSCRIPTIONS_PER_USER) in refused["detail"]
    with sqlite3.connect(push_server.database) as db:
        count = db.execute("SELECT count(*) FROM push_subscriptions WHERE user_id = ?", (person.id,)).fetchone()
    assert count == (SUBSCRIPTIONS_PER_USER,)
    # A device already counted may still re-register (new keys, or the browser's new endpoint).
    kept = next(s for s, a in zip(sessions, answers, strict=True) if a.status_code == 201)
    assert (await kept.post("/api/push/subscriptions", push_service.new_device()[1])).status_code == 201


async def test_another_account_cannot_take_over_an_endpoint(push_team: Team, push_service: PushService) -> None:
    owner_of_it, other = push_team.members
    device = await subscribe(owner_of_it, push_service)
    endpoint = f"{push_service.origin}/push/{device.id}"
    _, theirs = push_service.new_device()
    response = await other.post("/api/push/subscriptions", {**theirs, "endpoint": endpoint})
    assert response.status_code == 409 and response.json()["error"] == "endpoint_taken", response.text
    assert (await other.get("/api/push/subscriptions")).json() == []
    await push_team.owner.send(await everyone_of(push_team), text="still mine")
    await asyncio.to_thread(push_service.wait_for, device)  # decrypted with the owner's own keys
    assert push_service.errors == []


async def test_another_spelling_of_someone_elses_endpoint_is_the_same_endpoint(
    push_team: Team, push_service: PushService
) -> None:
    owner_of_it, other = push_team.members
    device = await subscribe(owner_of_it, push_service)
    endpoint = f"{push_service.origin}/push/{device.id}"
    _, theirs = push_service.new_device()
    scheme, rest = endpoint.split("://", 1)
    host, path = rest.split("/", 1)
    for spelling in (f"{scheme.upper()}://{host}/{path}", f"{scheme}://{host.upper()}/{path}"):
        response = await other.post("/api/push/subscriptions", {**theirs, "endpoint": spelling})
        assert response.status_code == 409 and response.json()["error"] == "endpoint_taken", spelling
    assert (await other.get("/api/push/subscriptions")).json() == []


async def test_the_same_session_re_registering_its_endpoint_updates_the_keys(
    push_team: Team, push_service: PushService
) -> None:
    person = push_team.members[0]
    device = await subscribe(person, push_service)
    first = (await person.get("/api/push/subscriptions")).json()
    renewed = Device(id=device.id)  # the browser renewed its keys for the same endpoint
    push_service.devices[device.id] = renewed
    keys = {"p256dh": b64url(renewed.public_bytes), "auth": b64url(renewed.auth_secret)}
    response = await person.post("/api/push/subscriptions", {"endpoint": first[0]["endpoint"], "keys": keys})
    assert response.status_code == 201 and response.json()["id"] == first[0]["id"]
    await push_team.owner.send(await everyone_of(push_team), cue="wrap_up")
    await asyncio.to_thread(push_service.wait_for, renewed)
    assert push_service.errors == []


async def test_the_same_user_on_another_session_takes_its_endpoint_over(
    push_team: Team, push_service: PushService
) -> None:
    """The browser kept its subscription while its old session was lost: the new session now holds it."""
    person = push_team.members[0]
    device, subscription = push_service.new_device()
    assert (await person.post("/api/push/subscriptions", subscription)).status_code == 201
    again = await another_session(person)
    assert (await again.post("/api/push/subscriptions", subscription)).status_code == 201
    assert (await person.get("/api/push/subscriptions")).json() == []
    assert [s["endpoint"] for s in (await again.get("/api/push/subscriptions")).json()] == [subscription["endpoint"]]
    await push_team.owner.send(await everyone_of(push_team), cue="wrap_up")
    await asyncio.to_thread(push_service.wait_for, device)
    await asyncio.sleep(0.3)
    assert len(push_service.received(device)) == 1


async def test_upgrading_keeps_each_sessions_newest_subscription_and_its_jobs(tmp_path: Path) -> None:
    """Version 5 makes one subscription per session a rule of the schema; older databases may have several."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path, isolation_level=None) as db:
        for script in sorted(migrations.MIGRATIONS.glob("00[1-4]_*.sql")):
            db.executescript(script.read_text())
        db.executescript("""
            PRAGMA user_version=4;
            INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (1, 'sam', 'Sam', 'x', 0);
            INSERT INTO sessions VALUES (1, 1, x'01', 'c', 'phone', 0, 0), (2, 1, x'02', 'c', 'laptop', 0, 0);
            INSERT INTO teams VALUES (1, 'Acme', 0);
            INSERT INTO channels VALUES (1, 1, 'everyone', 'Everyone', NULL, 0);
            INSERT INTO messages VALUES (1, 1, 1, 'c-1', 'text', 'hi', NULL, 1, 0);
            INSERT INTO push_subscriptions VALUES (1, 1, 1, 'https://push.example/old', 'k', 'a', 0),
                (2, 1, 1, 'https://push.example/new', 'k', 'a', 0), (3, 2, 1, 'https://push.example/lap', 'k', 'a', 0);
            INSERT INTO push_jobs (subscription_id, message_id, ttl_seconds, urgency, expires_at, next_attempt_at)
                VALUES (1, 1, 60, 'normal', 1, 1), (2, 1, 60, 'normal', 1, 1), (3, 1, 60, 'normal', 1, 1);
        """)
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        assert await migrations.migrate(conn) >= 5
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT id FROM push_subscriptions ORDER BY id").fetchall() == [(2,), (3,)]
        assert db.execute("SELECT subscription_id FROM push_jobs ORDER BY id").fetchall() == [(2,), (3,)]
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("INSERT INTO push_subscriptions VALUES (4, 1, 1, 'https://push.example/4', 'k', 'a', 0)")
