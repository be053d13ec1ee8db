"""The escalator: serves urgent cues' stored schedules when they fall due (the rules: api/actions/escalations.py).

One task. It sleeps until the soonest schedule is due (or IDLE_POLL_SECONDS, or a wake after a commit that added
one), then runs `buzz_due` as one write. Schedules are rows, so after a restart the first pass serves whatever fell
due while the process was down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from api.actions import escalations
from api.clock import now_ms
from api.db.connection import Database
from api.presence import Presence
from api.push.worker import PushWorker

log = logging.getLogger("backchannel.escalator")

IDLE_POLL_SECONDS = 30.0
FAILURE_PAUSE_SECONDS = 1.0


class Escalator:
    def __init__(self, db: Database, presence: Presence, push_worker: PushWorker) -> None:
        self._db = db
        self._presence = presence
        self._push_worker = push_worker
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Call after committing a new schedule."""
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="escalator")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            self._wake.clear()  # before reading: a wake during the read must not be lost
            try:
                wait = await self._serve()
            except Exception:  # it must outlive any failure (a database error)
                log.exception("escalator failed; retrying")
                wait = FAILURE_PAUSE_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def _serve(self) -> float:
        """Serve what is due; return the seconds until the next schedule falls due."""
        while await self._db.write(escalations.buzz_due, self._presence.showing(), self._push_worker.wake) >= (
            escalations.BUZZ_BATCH
        ):
            pass  # a full batch: more may be due
        due = await self._db.read(escalations.next_due)
        if due is None:
            return IDLE_POLL_SECONDS
        return min(IDLE_POLL_SECONDS, max(0.0, (due - now_ms()) / 1000))
