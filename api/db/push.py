"""SQL for push subscriptions, the users' push privacy level and the durable push queue."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable

import aiosqlite

from api.db.connection import Rows, fetch_all, fetch_one


async def upsert_subscription(
    conn: aiosqlite.Connection, session_id: int, user_id: int, endpoint: str, p256dh: str, auth: str, now: int
) -> sqlite3.Row | None:
    """Register the endpoint to this session, or update its keys: (id, created_at); None if another user has it."""
    return await fetch_one(
        conn,
        "INSERT INTO push_subscriptions (session_id, user_id, endpoint, p256dh, auth, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET session_id = excluded.session_id,"
        " p256dh = excluded.p256dh, auth = excluded.auth WHERE push_subscriptions.user_id = excluded.user_id"
        " RETURNING id, created_at",
        (session_id, user_id, endpoint, p256dh, auth, now),
    )


async def replace_subscriptions_of_session(conn: aiosqlite.Connection, session_id: int, endpoint: str) -> None:
    """Delete the session's subscriptions to other endpoints (with their pending jobs)."""
    await conn.execute("DELETE FROM push_subscriptions WHERE session_id = ? AND endpoint != ?", (session_id, endpoint))


async def count_other_subscriptions(conn: aiosqlite.Connection, user_id: int, endpoint: str) -> int:
    """How many subscriptions the user has besides this endpoint."""
    row = await fetch_one(
        conn, "SELECT count(*) FROM push_subscriptions WHERE user_id = ? AND endpoint != ?", (user_id, endpoint)
    )
    assert row is not None
    return int(row[0])


async def delete_subscription(conn: aiosqlite.Connection, user_id: int, endpoint: str) -> bool:
    cursor = await conn.execute(
        "DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?", (user_id, endpoint)
    )
    return cursor.rowcount > 0


async def subscriptions_of_session(conn: aiosqlite.Connection, session_id: int) -> list[sqlite3.Row]:
    async with conn.execute(
        "SELECT id, endpoint, created_at FROM push_subscriptions WHERE session_id = ? ORDER BY id", (session_id,)
    ) as cursor:
        return list(await cursor.fetchall())


async def delete_subscriptions_by_id(conn: aiosqlite.Connection, ids: Iterable[int]) -> None:
    await conn.executemany("DELETE FROM push_subscriptions WHERE id = ?", [(i,) for i in ids])


async def set_level(conn: aiosqlite.Connection, user_id: int, level: str) -> None:
    await conn.execute("UPDATE users SET push_level = ? WHERE id = ?", (level, user_id))


async def level_of(conn: aiosqlite.Connection, user_id: int) -> str:
    async with conn.execute("SELECT push_level FROM users WHERE id = ?", (user_id,)) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row else "hidden"


async def recipient_devices(conn: aiosqlite.Connection, channel_id: int, sender_id: int) -> list[sqlite3.Row]:
    """The subscriptions (id, session_id) of every channel member but the sender."""
    return await fetch_all(
        conn,
        "SELECT s.id, s.session_id FROM push_subscriptions s"
        " JOIN channel_members cm ON cm.user_id = s.user_id AND cm.channel_id = ? WHERE s.user_id != ?",
        (channel_id, sender_id),
    )


async def insert_jobs(
    conn: aiosqlite.Connection,
    subscription_ids: Iterable[int],
    message_id: int,
    ttl_seconds: int,
    urgency: str,
    topic: str | None,
    now: int,
) -> None:
    await conn.executemany(
        "INSERT INTO push_jobs (subscription_id, message_id, ttl_seconds, urgency, topic, expires_at, next_attempt_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (sub_id, message_id, ttl_seconds, urgency, topic, now + ttl_seconds * 1000, now)
            for sub_id in subscription_ids
        ],
    )


# The jobs the worker may deliver: the recipient is still a member of the message's channel. A push retried after
# its recipient left the channel (removed from the team, demoted out of Leads) is never sent; their pending jobs are
# deleted as they leave (delete_jobs_of_member), and this join covers any other way out of a channel.
_DELIVERABLE = """
FROM push_jobs j
JOIN push_subscriptions s ON s.id = j.subscription_id
JOIN messages m ON m.id = j.message_id
JOIN channel_members cm ON cm.channel_id = m.channel_id AND cm.user_id = s.user_id
"""

_DUE = f"""
SELECT j.id, j.message_id, j.ttl_seconds, j.urgency, j.topic, j.expires_at, j.attempts, j.shrink,
       s.id AS subscription_id, s.endpoint, s.p256dh, s.auth, r.push_level,
       m.channel_id, m.kind, m.text, m.cue, m.sender_id, c.team_id, c.name AS channel_name,
       u.display_name AS sender_name, q.label AS cue_label, q.rhythm AS cue_rhythm
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


async def due_jobs(
    conn: aiosqlite.Connection, now: int, limit: int, claimed: Collection[int], full_origins: Collection[str]
) -> list[sqlite3.Row]:
    """The first due and unexpired jobs the worker may claim (see _claimable)."""
    terms, args = _claimable(claimed, full_origins)
    return await fetch_all(conn, _DUE.format(claimable=terms), [now, now, *args, limit])


async def next_due_at(
    conn: aiosqlite.Connection, now: int, claimed: Collection[int], full_origins: Collection[str]
) -> int | None:
    """When the next job the worker may claim is due (undeliverable ones wait for their expiry, not the worker)."""
    terms, args = _claimable(claimed, full_origins)
    row = await fetch_one(
        conn,
        f"SELECT j.next_attempt_at {_DELIVERABLE} WHERE j.expires_at > ? {terms} ORDER BY j.next_attempt_at LIMIT 1",
        [now, *args],
    )
    return None if row is None else int(row[0])


async def delete_jobs(conn: aiosqlite.Connection, ids: Iterable[int]) -> None:
    await conn.executemany("DELETE FROM push_jobs WHERE id = ?", [(i,) for i in ids])


async def delete_jobs_of_member(conn: aiosqlite.Connection, channel_id: int, user_id: int) -> None:
    """Drop the pending pushes of a channel's messages to a user who is leaving it."""
    await conn.execute(
        "DELETE FROM push_jobs WHERE subscription_id IN (SELECT id FROM push_subscriptions WHERE user_id = ?)"
        " AND message_id IN (SELECT id FROM messages WHERE channel_id = ?)",
        (user_id, channel_id),
    )


def delete_member_jobs(rows: Rows, channel_id: int, user_id: int) -> None:
    """Drop the pending pushes of a channel's messages to a user who is leaving it."""
    rows.run(
        "DELETE FROM push_jobs WHERE subscription_id IN (SELECT id FROM push_subscriptions WHERE user_id = ?)"
        " AND message_id IN (SELECT id FROM messages WHERE channel_id = ?)",
        (user_id, channel_id),
    )


async def delete_expired_jobs(conn: aiosqlite.Connection, now: int) -> int:
    cursor = await conn.execute("DELETE FROM push_jobs WHERE expires_at <= ?", (now,))
    return cursor.rowcount


async def retry_jobs(conn: aiosqlite.Connection, retries: Iterable[tuple[int, int, bool]]) -> None:
    """Reschedule (job id, next attempt at, shrink the payload) after a failed attempt."""
    await conn.executemany(
        "UPDATE push_jobs SET attempts = attempts + 1, next_attempt_at = ?, shrink = max(shrink, ?) WHERE id = ?",
        [(at, int(shrink), job_id) for job_id, at, shrink in retries],
    )
