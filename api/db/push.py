"""SQL for push subscriptions, the users' push privacy level and the durable push queue."""

from __future__ import annotations

from collections.abc import Collection, Iterable

import msgspec

from api.db.connection import Rows
from api.db.dialect import greatest


class Subscription(msgspec.Struct):
    id: int
    endpoint: str
    created_at: int


class Device(msgspec.Struct):
    """A subscription that gets a message's push, and the session (device) it belongs to."""

    id: int
    session_id: int


class QueuedJob(msgspec.Struct):
    """A job as the worker backs it off: all it gets of a row whose other columns cannot be read."""

    id: int
    subscription_id: int
    attempts: int


class DueJob(QueuedJob):
    """A push to deliver: the job, its subscription's keys, the message and what the recipient's level shows."""

    message_id: int
    ttl_seconds: int
    urgency: str
    topic: str | None
    expires_at: int
    shrink: int  # 1 after a 413: the payload is sent content-free
    endpoint: str
    p256dh: str
    auth: str
    push_level: str
    channel_id: int
    kind: str
    text: str | None
    cue: str | None
    sender_id: int
    team_id: int
    channel_name: str
    sender_name: str
    cue_label: str | None
    cue_rhythm: str | None  # JSON
    recalled_at: int | None = None  # its sender recalled it: the push closes the notification instead


def upsert_subscription(
    rows: Rows, session_id: int, user_id: int, endpoint: str, p256dh: str, auth: str, now: int
) -> Subscription | None:
    """Register the endpoint to this session, or update its keys; None if another user has it."""
    return rows.one(
        Subscription,
        "INSERT INTO push_subscriptions (session_id, user_id, endpoint, p256dh, auth, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET session_id = excluded.session_id,"
        " p256dh = excluded.p256dh, auth = excluded.auth WHERE push_subscriptions.user_id = excluded.user_id"
        " RETURNING id, endpoint, created_at",
        (session_id, user_id, endpoint, p256dh, auth, now),
    )


def replace_subscriptions_of_session(rows: Rows, session_id: int, endpoint: str) -> None:
    """Delete the session's subscriptions to other endpoints (with their pending jobs)."""
    rows.run("DELETE FROM push_subscriptions WHERE session_id = ? AND endpoint != ?", (session_id, endpoint))


def count_other_subscriptions(rows: Rows, user_id: int, endpoint: str) -> int:
    """How many subscriptions the user has besides this endpoint."""
    count = rows.one(
        int, "SELECT count(*) FROM push_subscriptions WHERE user_id = ? AND endpoint != ?", (user_id, endpoint)
    )
    return count or 0


def delete_subscription(rows: Rows, user_id: int, endpoint: str) -> bool:
    return rows.run("DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?", (user_id, endpoint)) > 0


def subscriptions_of_session(rows: Rows, session_id: int) -> list[Subscription]:
    return rows.all(
        Subscription,
        "SELECT id, endpoint, created_at FROM push_subscriptions WHERE session_id = ? ORDER BY id",
        (session_id,),
    )


def delete_subscriptions_by_id(rows: Rows, ids: Iterable[int]) -> None:
    rows.run_many("DELETE FROM push_subscriptions WHERE id = ?", [(i,) for i in ids])


def set_level(rows: Rows, user_id: int, level: str) -> None:
    rows.run("UPDATE users SET push_level = ? WHERE id = ?", (level, user_id))


def level_of(rows: Rows, user_id: int) -> str:
    return rows.one(str, "SELECT push_level FROM users WHERE id = ?", (user_id,)) or "hidden"


def recipient_devices(rows: Rows, channel_id: int, sender_id: int) -> list[Device]:
    """The subscriptions of every channel member but the sender."""
    return rows.all(
        Device,
        "SELECT s.id, s.session_id FROM push_subscriptions s"
        " JOIN channel_members cm ON cm.user_id = s.user_id AND cm.channel_id = ? WHERE s.user_id != ?",
        (channel_id, sender_id),
    )


def insert_jobs(
    rows: Rows,
    subscription_ids: Iterable[int],
    message_id: int,
    ttl_seconds: int,
    urgency: str,
    topic: str | None,
    now: int,
) -> None:
    rows.run_many(
        "INSERT INTO push_jobs (subscription_id, message_id, ttl_seconds, urgency, topic, expires_at, next_attempt_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (sub_id, message_id, ttl_seconds, urgency, topic, now + ttl_seconds * 1000, now)
            for sub_id in subscription_ids
        ],
    )


# The jobs the worker may deliver: the recipient is still a member of the message's channel. A push retried after
# its recipient left the channel (removed from the team, demoted out of Leads) is never sent; their pending jobs are
# deleted as they leave (delete_member_jobs), and this join covers any other way out of a channel.
_DELIVERABLE = """
FROM push_jobs j
JOIN push_subscriptions s ON s.id = j.subscription_id
JOIN messages m ON m.id = j.message_id
JOIN channel_members cm ON cm.channel_id = m.channel_id AND cm.user_id = s.user_id
"""

_JOB = """j.id, s.id AS subscription_id, j.attempts, j.message_id, j.ttl_seconds, j.urgency, j.topic, j.expires_at,
       j.shrink, s.endpoint, s.p256dh, s.auth, r.push_level, m.channel_id, m.kind, m.text, m.cue, m.sender_id,
       c.team_id, c.name AS channel_name, u.display_name AS sender_name, q.label AS cue_label, q.rhythm AS cue_rhythm,
       m.recalled_at"""
_QUEUED = "j.id, s.id AS subscription_id, j.attempts"

_DUE = f"""
SELECT {{columns}}
{_DELIVERABLE}
JOIN users r ON r.id = s.user_id
JOIN channels c ON c.id = m.channel_id
JOIN users u ON u.id = m.sender_id
LEFT JOIN cues q ON q.team_id = c.team_id AND q.code = m.cue
WHERE j.next_attempt_at <= ? AND j.expires_at > ? {{claimable}}
ORDER BY j.next_attempt_at, j.id
LIMIT ?
"""


def _claimable(claimed: Collection[int], full_origins: Collection[str]) -> tuple[str, list[object]]:
    """Conditions that leave out the worker's claimed jobs and the jobs to push services it posts to at its cap.

    An origin is ``scheme://host[:port]``; its endpoints are the origin itself or start with the origin and a "/".
    """
    terms: list[str] = []
    args: list[object] = [*claimed]
    if claimed:
        terms.append(f"AND j.id NOT IN ({', '.join('?' * len(claimed))})")
    for origin in full_origins:
        terms.append("AND s.endpoint != ? AND substr(s.endpoint, 1, ?) != ?")
        args += [origin, len(origin) + 1, f"{origin}/"]
    return " ".join(terms), args


def due_jobs(
    rows: Rows, now: int, limit: int, claimed: Collection[int], full_origins: Collection[str]
) -> list[DueJob | QueuedJob]:
    """The first due and unexpired jobs the worker may claim (see _claimable).

    A job whose row cannot be read whole (a corrupt column) comes as a QueuedJob, so that it backs off alone and
    the others of its batch still go.
    """
    terms, args = _claimable(claimed, full_origins)
    params = [now, now, *args, limit]
    try:
        return [*rows.all(DueJob, _DUE.format(columns=_JOB, claimable=terms), params)]
    except msgspec.ValidationError:
        queued = rows.all(QueuedJob, _DUE.format(columns=_QUEUED, claimable=terms), params)
        return [_readable(rows, job, now) for job in queued]


def _readable(rows: Rows, job: QueuedJob, now: int) -> DueJob | QueuedJob:
    try:
        return rows.one(DueJob, _DUE.format(columns=_JOB, claimable="AND j.id = ?"), [now, now, job.id, 1]) or job
    except msgspec.ValidationError:
        return job


def next_due_at(rows: Rows, now: int, claimed: Collection[int], full_origins: Collection[str]) -> int | None:
    """When the next job the worker may claim is due (undeliverable ones wait for their expiry, not the worker)."""
    terms, args = _claimable(claimed, full_origins)
    return rows.one(
        int,
        f"SELECT j.next_attempt_at {_DELIVERABLE} WHERE j.expires_at > ? {terms} ORDER BY j.next_attempt_at LIMIT 1",
        [now, *args],
    )


def delete_jobs(rows: Rows, ids: Iterable[int]) -> None:
    rows.run_many("DELETE FROM push_jobs WHERE id = ?", [(i,) for i in ids])


_MEMBER_JOBS = (
    "DELETE FROM push_jobs WHERE subscription_id IN (SELECT id FROM push_subscriptions WHERE user_id = ?)"
    " AND message_id IN (SELECT id FROM messages WHERE channel_id = ?)"
)


def delete_member_jobs(rows: Rows, channel_id: int, user_id: int) -> None:
    """Drop the pending pushes of a channel's messages to a user who is leaving it."""
    rows.run(_MEMBER_JOBS, (user_id, channel_id))


def delete_expired_jobs(rows: Rows, now: int) -> int:
    return rows.run("DELETE FROM push_jobs WHERE expires_at <= ?", (now,))


def retry_jobs(rows: Rows, retries: Iterable[tuple[int, int, bool]]) -> None:
    """Reschedule (job id, next attempt at, shrink the payload) after a failed attempt."""
    rows.run_many(
        "UPDATE push_jobs SET attempts = attempts + 1, next_attempt_at = ?,"  # noqa: S608 (a constant)
        f" shrink = {greatest('shrink', '?')} WHERE id = ?",
        [(at, int(shrink), job_id) for job_id, at, shrink in retries],
    )


def delete_message_jobs(rows: Rows, message_id: int) -> list[int]:
    """Drop a message's pending pushes (a recalled cue): the subscriptions they were for."""
    return rows.all(int, "DELETE FROM push_jobs WHERE message_id = ? RETURNING subscription_id", (message_id,))
