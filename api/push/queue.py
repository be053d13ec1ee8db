"""Enqueueing pushes in the message's own transaction: one job per recipient device."""

from __future__ import annotations

import sqlite3

from api.clock import now_ms
from api.db import push as sql
from api.db.connection import LegacyTransaction
from api.presence import Presence
from api.push.worker import PushWorker

# A text stays deliverable longer than a cue, which is stale after its own time-to-live.
TEXT_TTL_SECONDS = 12 * 3600


async def enqueue(
    tx: LegacyTransaction,
    worker: PushWorker,
    presence: Presence,
    message_id: int,
    channel_id: int,
    sender_id: int,
    cue: sqlite3.Row | None,
) -> None:
    """A job for every recipient device, except those showing the app right now (their socket has it)."""
    if cue is None:
        ttl, urgency, topic = TEXT_TTL_SECONDS, "normal", None
    else:
        # A newer cue in the channel replaces an older one the phone has not fetched yet.
        ttl, urgency, topic = int(cue["ttl_seconds"]), str(cue["urgency"]), f"cue-{channel_id}"
    devices = await sql.recipient_devices(tx.conn, channel_id, sender_id)
    targets = [int(row["id"]) for row in devices if not presence.is_visible(int(row["session_id"]))]
    if targets:
        await sql.insert_jobs(tx.conn, targets, message_id, ttl, urgency, topic, now_ms())
        tx.on_commit(worker.wake)
