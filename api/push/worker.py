"""The push worker: drains the durable queue, encrypts (aes128gcm), signs (VAPID) and posts each push.

Jobs are rows written in the message's own transaction, so a restart loses none. The worker keeps up to
CONCURRENCY posts going, at most PER_ORIGIN_CONCURRENCY of them to any one push service, and starts the next due
job as soon as a slot frees: a push service that hangs holds its own few slots, never the others', and a job of a
service at its cap waits in the queue without holding a slot. Which jobs are claimed (posting, or their outcome
not yet written) is memory only: after a restart every job is claimable again.

Outcomes are written as they come, those of several jobs in one transaction: sent -> deleted; 404/410 ->
subscription deleted; 413 -> retried content-free; 429/5xx/network -> exponential backoff honouring Retry-After;
past TTL -> dropped. Every job has an outcome of its own: one that fails in any way (keys nothing can be encrypted
to, a bug) is recorded for itself alone, and a sent push is never sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from email.utils import parsedate_to_datetime

import aiohttp
from webpush import WebPush
from webpush.types import WebPushKeys, WebPushSubscription

from api.clock import now_ms
from api.db import push as sql
from api.db.connection import Database
from api.db.push import DueJob, QueuedJob
from api.numbers import ascii_integer
from api.push import payload
from api.push.endpoints import CheckedResolver, RefusedAddress
from api.push.outcomes import BACKOFF_MAX_MS, Outcome, Outcomes, Retry, backoff_ms, later, write_outcomes
from api.push.vapid import Vapid

log = logging.getLogger("backchannel.push")

# Posts in flight. A post waiting for its answer costs a socket and a little memory, no CPU: the bound is generous.
CONCURRENCY = 128
# A quarter of the slots: a push service that accepts connections and never answers holds these at most, while one
# that answers still gets the 32 parallel posts it was measured with (scripts/bench: 8 cost 30% of the rate).
PER_ORIGIN_CONCURRENCY = 32
IDLE_POLL_SECONDS = 5.0
REQUEST_TIMEOUT = 10.0
# DNS, TCP and TLS: a host that never completes a connection frees its slot sooner than one that never answers.
CONNECT_TIMEOUT = 3.0
EXPIRED_SWEEP_MS = 1000
FAILURE_PAUSE_SECONDS = 1.0


def _retry_after_ms(value: str | None) -> int | None:
    """A push service's Retry-After (seconds in ASCII digits, or an HTTP date) in ms from now; None if unreadable."""
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0, ascii_integer(value.strip())) * 1000
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        return max(0, int(parsedate_to_datetime(value).timestamp() * 1000) - now_ms())
    return None


def _origin(endpoint: str) -> str:
    """The push service an endpoint belongs to: ``scheme://host[:port]`` (endpoints are stored canonical)."""
    return "/".join(endpoint.split("/", 3)[:3])


class PushWorker:
    def __init__(self, db: Database, vapid: Vapid, *, allow_loopback: bool) -> None:
        self._db = db
        self._vapid = vapid
        self._allow_loopback = allow_loopback
        self._encryptor = WebPush(private_key=vapid.pem, public_key=vapid.public_pem, subscriber="unused")
        self._wake = asyncio.Event()
        self._http: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()
        self._posting: Counter[str] = Counter()  # posts in flight per push-service origin
        self._claimed: set[int] = set()  # jobs posting now or whose outcome is not written yet
        self._outcomes = Outcomes()
        self._next_sweep = 0

    def wake(self) -> None:
        """Call after committing new jobs."""
        self._wake.set()

    async def start(self) -> None:
        # aiohttp rather than httpx: httpx's pool rescans all its connections on every request (quadratic in the
        # pool size); with 32 connections that took three quarters of the worker's CPU (scripts/bench: 380 -> 1,500/s).
        connector = aiohttp.TCPConnector(
            limit=CONCURRENCY, resolver=CheckedResolver(allow_loopback=self._allow_loopback)
        )
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT)
        self._http = aiohttp.ClientSession(connector=connector, timeout=timeout)
        self._task = asyncio.create_task(self._run(), name="push-worker")

    async def stop(self) -> None:
        """Cancel the posts in flight (their jobs stay queued) and write the outcomes already known."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            for post in self._posts:
                post.cancel()
            await asyncio.gather(*self._posts, return_exceptions=True)
            try:
                await self._record()
            except Exception:  # they are retried after the restart: at worst a push is sent twice
                log.exception("push outcomes not written at stop")
        if self._http is not None:
            await self._http.close()

    async def _run(self) -> None:
        while True:
            # Clear before reading: a wake() or a freed slot while a read is in flight must not be lost.
            self._wake.clear()
            try:
                await self._record()
                while await self._claim():
                    pass
                wait = await self._idle_seconds()
            except Exception:  # the worker must outlive any failure (a database error)
                log.exception("push worker failed; retrying")
                wait = FAILURE_PAUSE_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    def _full_origins(self) -> list[str]:
        return [origin for origin, posts in self._posting.items() if posts >= PER_ORIGIN_CONCURRENCY]

    async def _claim(self) -> bool:
        """Start due jobs in the free slots; True when an origin reached its cap on the way (read again without it)."""
        free = CONCURRENCY - self._posting.total()
        if free <= 0:
            return False
        jobs = await self._db.read(sql.due_jobs, now_ms(), free, frozenset(self._claimed), self._full_origins())
        capped = False
        for job in jobs:
            if not isinstance(job, DueJob):
                self._back_off(job)
                continue
            origin = _origin(job.endpoint)
            if self._posting[origin] >= PER_ORIGIN_CONCURRENCY:
                capped = True  # it stays in the queue, holding no slot
            else:
                self._start(job, origin)
        return capped

    def _back_off(self, job: QueuedJob) -> None:
        """A job whose row cannot be read (a corrupt column): it alone backs off, noted as its post's outcome."""
        log.error("push job %s failed; retried later: its row cannot be read", job.id)
        self._claimed.add(job.id)
        self._outcomes.add(job, later(job))
        self._wake.set()

    async def _idle_seconds(self) -> float:
        """How long nothing is to be done unless woken (by a new job or a post that ends)."""
        if self._posting.total() >= CONCURRENCY:
            return IDLE_POLL_SECONDS
        due = await self._db.read(sql.next_due_at, now_ms(), frozenset(self._claimed), self._full_origins())
        return IDLE_POLL_SECONDS if due is None else min(IDLE_POLL_SECONDS, max(0.0, (due - now_ms()) / 1000))

    def _start(self, job: DueJob, origin: str) -> None:
        self._claimed.add(job.id)
        self._posting[origin] += 1
        post = asyncio.create_task(self._attempt(job, origin), name=f"push-job-{job.id}")
        self._posts.add(post)
        post.add_done_callback(self._posts.discard)

    async def _attempt(self, job: DueJob, origin: str) -> None:
        """Deliver one job and note its outcome; its slot frees for the next job as soon as its post ends."""
        try:
            try:
                outcome = await self._deliver(job, origin)
            except Exception:  # a bug in one job's delivery: that job alone backs off
                log.exception("push job %s failed; retried later", job.id)
                outcome = later(job)
            self._outcomes.add(job, outcome)
        finally:
            self._posting[origin] -= 1
            if not self._posting[origin]:
                del self._posting[origin]
            self._wake.set()

    async def _record(self) -> None:
        """Write the outcomes noted so far in one transaction; now and then drop the jobs past their TTL too."""
        now = now_ms()
        sweep = now >= self._next_sweep
        if not self._outcomes.jobs and not sweep:
            return
        written, self._outcomes = self._outcomes, Outcomes()
        try:
            await self._db.write(write_outcomes, written, now if sweep else None)
        except BaseException:  # nothing was written: keep them for the next try
            written.extend(self._outcomes)
            self._outcomes = written
            raise
        if sweep:
            self._next_sweep = now + EXPIRED_SWEEP_MS
        self._claimed -= written.jobs

    async def _deliver(self, job: DueJob, origin: str) -> Outcome:
        endpoint = job.endpoint
        message = payload.build(job, shrink=bool(job.shrink))
        try:
            body = self._encrypt(message, job, endpoint)
        except Exception as exc:  # keys stored before they were checked at subscription: no push can ever reach them
            subscription_id = job.subscription_id
            if subscription_id not in self._outcomes.gone_subscriptions:
                log.warning("push subscription %s has unusable keys (%s); deleted", subscription_id, exc)
            return "gone"
        try:
            status, retry_after = await self._post(job, endpoint, origin, body)
        except aiohttp.ClientConnectorDNSError as exc:
            if isinstance(exc.os_error, RefusedAddress):  # the host now resolves somewhere the server must not post to
                log.warning(
                    "push endpoint of subscription %s resolves to a refused address; deleted", job.subscription_id
                )
                return "gone"
            log.info("push to %s failed: its host does not resolve", origin)  # a DNS blip must not forget devices
            return later(job)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("push to %s failed: %s", origin, type(exc).__name__)
            return later(job)
        if 200 <= status < 300:
            return "done"
        if status in (404, 410):
            return "gone"
        if status == 413 and not job.shrink:
            return Retry(now_ms(), shrink=True)
        if status == 429 or status >= 500:
            wait = max(backoff_ms(job), _retry_after_ms(retry_after) or 0)
            return Retry(now_ms() + min(wait, BACKOFF_MAX_MS))
        log.warning("push service %s refused a push with %s; dropped", origin, status)
        return "done"

    def _encrypt(self, message: bytes, job: DueJob, endpoint: str) -> bytes:
        """The aes128gcm body for the subscription's keys (RFC 8291)."""
        keys = WebPushKeys(p256dh=job.p256dh, auth=job.auth)
        return bytes(self._encryptor._encrypt(message, WebPushSubscription(endpoint=endpoint, keys=keys)))

    async def _post(self, job: DueJob, endpoint: str, origin: str, body: bytes) -> tuple[int, str | None]:
        """Post one push; the status and the Retry-After header of the answer."""
        assert self._http is not None
        remaining = max(0, (job.expires_at - now_ms()) // 1000)
        headers = {
            "authorization": self._vapid.authorization(origin),
            "content-encoding": "aes128gcm",
            "content-type": "application/octet-stream",
            "ttl": str(min(job.ttl_seconds, remaining)),
            "urgency": job.urgency,
        }
        if job.topic:
            headers["topic"] = job.topic
        async with self._http.post(endpoint, data=body, headers=headers, allow_redirects=False) as response:
            await response.read()
            return response.status, response.headers.get("retry-after")
