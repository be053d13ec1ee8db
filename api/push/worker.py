"""The push worker: drains the durable queue, encrypts (aes128gcm), signs (VAPID) and posts each push.

Jobs are rows written in the message's own transaction, so a restart loses none. Outcomes of a batch
are applied in one transaction: sent -> deleted; 404/410 -> subscription deleted; 413 -> retried
content-free; 429/5xx/network -> exponential backoff honouring Retry-After; past TTL -> dropped.
Every job has an outcome of its own: one that fails in any way (keys nothing can be encrypted to, a bug)
is recorded for itself alone, so it never costs its batch's outcomes, and a sent push is never sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import aiohttp
from webpush import WebPush
from webpush.types import WebPushKeys, WebPushSubscription

from api.clock import now_ms
from api.db import push as sql
from api.db.connection import Database
from api.numbers import ascii_integer
from api.push import payload
from api.push.endpoints import CheckedResolver, RefusedAddress
from api.push.vapid import Vapid

log = logging.getLogger("backchannel.push")

BATCH = 200
CONCURRENCY = 32
BACKOFF_BASE_MS = 1000
BACKOFF_MAX_MS = 15 * 60 * 1000
IDLE_POLL_SECONDS = 5.0
REQUEST_TIMEOUT = 10.0


@dataclass
class _Outcomes:
    sent: list[int] = field(default_factory=list)
    gone_subscriptions: set[int] = field(default_factory=set)
    retries: list[tuple[int, int, bool]] = field(default_factory=list)


def _retry_after_ms(value: str | None) -> int | None:
    """A push service's Retry-After (seconds in ASCII digits, or an HTTP date) in ms from now; None if unreadable."""
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0, ascii_integer(value.strip())) * 1000
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        return max(0, int(parsedate_to_datetime(value).timestamp() * 1000) - now_ms())
    return None


def _backoff_ms(job: sqlite3.Row) -> int:
    return int(min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** int(job["attempts"])))


class PushWorker:
    def __init__(self, db: Database, vapid: Vapid, *, allow_loopback: bool) -> None:
        self._db = db
        self._vapid = vapid
        self._allow_loopback = allow_loopback
        self._encryptor = WebPush(private_key=vapid.pem, public_key=vapid.public_pem, subscriber="unused")
        self._wake = asyncio.Event()
        self._http: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self.delivered = 0

    def wake(self) -> None:
        """Call after committing new jobs."""
        self._wake.set()

    async def start(self) -> None:
        # aiohttp rather than httpx: httpx's pool rescans all its connections on every request (quadratic in the
        # pool size); with 32 connections that took three quarters of the worker's CPU (scripts/bench: 380 -> 1,500/s).
        connector = aiohttp.TCPConnector(
            limit=CONCURRENCY, resolver=CheckedResolver(allow_loopback=self._allow_loopback)
        )
        self._http = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))
        self._task = asyncio.create_task(self._run(), name="push-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._http is not None:
            await self._http.close()

    async def _run(self) -> None:
        while True:
            try:
                busy = await self.run_once()
            except Exception:  # the worker must outlive any one bad batch
                log.exception("push batch failed")
                busy = False
            if not busy:
                await self._sleep()

    async def _sleep(self) -> None:
        # Clear before reading: a wake() while the read is in flight must not be lost (a cue would wait 5 s).
        self._wake.clear()
        async with self._db.read() as conn:
            due = await sql.next_due_at(conn)
        wait = IDLE_POLL_SECONDS if due is None else min(IDLE_POLL_SECONDS, max(0.0, (due - now_ms()) / 1000))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), wait)

    async def run_once(self) -> bool:
        """Send one batch of due jobs; True when there may be more right away."""
        now = now_ms()
        async with self._db.write() as tx:
            await sql.delete_expired_jobs(tx.conn, now)
        async with self._db.read() as conn:
            jobs = await sql.due_jobs(conn, now, BATCH)
        if not jobs:
            return False
        outcomes = _Outcomes()
        limit = asyncio.Semaphore(CONCURRENCY)

        async def deliver(job: sqlite3.Row) -> None:
            async with limit:
                try:
                    await self._deliver(job, outcomes)
                except Exception:  # a bug in one job's delivery: that job alone backs off
                    log.exception("push job %s failed; retried later", job["id"])
                    outcomes.retries.append((int(job["id"]), now_ms() + _backoff_ms(job), False))

        await asyncio.gather(*(deliver(job) for job in jobs))
        async with self._db.write() as tx:
            await sql.delete_jobs(tx.conn, outcomes.sent)
            await sql.delete_subscriptions_by_id(tx.conn, outcomes.gone_subscriptions)
            await sql.retry_jobs(tx.conn, outcomes.retries)
        self.delivered += len(outcomes.sent)
        return len(jobs) == BATCH

    async def _deliver(self, job: sqlite3.Row, outcomes: _Outcomes) -> None:
        endpoint = str(job["endpoint"])
        subscription_id = int(job["subscription_id"])
        backoff = _backoff_ms(job)
        origin = "/".join(endpoint.split("/", 3)[:3])
        message = payload.build(job, shrink=bool(job["shrink"]))
        try:
            body = self._encrypt(message, job, endpoint)
        except Exception as exc:  # keys stored before they were checked at subscription: no push can ever reach them
            if subscription_id not in outcomes.gone_subscriptions:
                log.warning("push subscription %s has unusable keys (%s); deleted", subscription_id, exc)
                outcomes.gone_subscriptions.add(subscription_id)
            return
        try:
            status, retry_after = await self._post(job, endpoint, origin, body)
        except aiohttp.ClientConnectorDNSError as exc:
            if isinstance(exc.os_error, RefusedAddress):  # the host now resolves somewhere the server must not post to
                log.warning("push endpoint of subscription %s resolves to a refused address; deleted", subscription_id)
                outcomes.gone_subscriptions.add(subscription_id)
            else:  # it does not resolve now: a DNS blip must not forget a push service's devices
                log.info("push to %s failed: its host does not resolve", origin)
                outcomes.retries.append((int(job["id"]), now_ms() + backoff, False))
            return
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("push to %s failed: %s", origin, type(exc).__name__)
            outcomes.retries.append((int(job["id"]), now_ms() + backoff, False))
            return
        if 200 <= status < 300:
            outcomes.sent.append(int(job["id"]))
        elif status in (404, 410):
            outcomes.gone_subscriptions.add(subscription_id)
        elif status == 413 and not job["shrink"]:
            outcomes.retries.append((int(job["id"]), now_ms(), True))
        elif status == 429 or status >= 500:
            wait = max(backoff, _retry_after_ms(retry_after) or 0)
            outcomes.retries.append((int(job["id"]), now_ms() + min(wait, BACKOFF_MAX_MS), False))
        else:
            log.warning("push service %s refused a push with %s; dropped", origin, status)
            outcomes.sent.append(int(job["id"]))

    def _encrypt(self, message: bytes, job: sqlite3.Row, endpoint: str) -> bytes:
        """The aes128gcm body for the subscription's keys (RFC 8291)."""
        keys = WebPushKeys(p256dh=str(job["p256dh"]), auth=str(job["auth"]))
        return bytes(self._encryptor._encrypt(message, WebPushSubscription(endpoint=endpoint, keys=keys)))

    async def _post(self, job: sqlite3.Row, endpoint: str, origin: str, body: bytes) -> tuple[int, str | None]:
        """Post one push; the status and the Retry-After header of the answer."""
        assert self._http is not None
        remaining = max(0, (int(job["expires_at"]) - now_ms()) // 1000)
        headers = {
            "authorization": self._vapid.authorization(origin),
            "content-encoding": "aes128gcm",
            "content-type": "application/octet-stream",
            "ttl": str(min(int(job["ttl_seconds"]), remaining)),
            "urgency": str(job["urgency"]),
        }
        if job["topic"]:
            headers["topic"] = str(job["topic"])
        async with self._http.post(endpoint, data=body, headers=headers, allow_redirects=False) as response:
            await response.read()
            return response.status, response.headers.get("retry-after")
