"""Enqueueing pushes in the message's own transaction: one job per recipient device."""

from __future__ import annotations

from collections.abc import Collection

from api.clock import now_ms
from api.db import push as sql
from api.db.connection import Tx
from api.db.cues import StoredCue

# A text stays deliverable longer than a cue, which is stale after its own time-to-live.
TEXT_TTL_SECONDS = 12 * 3600


def enqueue(
    tx: Tx, showing: Collection[int], message_id: int, channel_id: int, sender_id: int, cue: StoredCue | None
) -> bool:
    """A job for every recipient device, except the sessions `showing` the app right now (their socket has it).

    True when a job was queued: the caller wakes the worker once the transaction commits.
    """
    if cue is None:
        ttl, urgency, topic = TEXT_TTL_SECONDS, "normal", None
    else:
        # A newer cue in the channel replaces an older one the phone has not fetched yet.
        ttl, urgency, topic = cue.ttl_seconds, cue.urgency, f"cue-{channel_id}"
    devices = sql.recipient_devices(tx, channel_id, sender_id)
    targets = [device.id for device in devices if device.session_id not in showing]
    if targets:
        sql.insert_jobs(tx, targets, message_id, ttl, urgency, topic, now_ms())
    return bool(targets)
