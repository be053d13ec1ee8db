"""SQL for channels, their members and each member's read cursor."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import aiosqlite

from api.db.connection import fetch_one

_CHANNEL_VIEW = """
SELECT c.id, c.team_id, c.kind, c.name, c.created_at, cm.last_read,
       (SELECT group_concat(user_id || ':' || delivered || ':' || last_read)
          FROM channel_members WHERE channel_id = c.id) AS receipts,
       (SELECT count(*) FROM messages m
         WHERE m.channel_id = c.id AND m.cursor > cm.last_read AND m.sender_id != cm.user_id) AS unread
FROM channels c JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = ?
"""


async def insert_channel(
    conn: aiosqlite.Connection, team_id: int, kind: str, name: str, direct_key: str | None, now: int
) -> int:
    async with conn.execute(
        "INSERT INTO channels (team_id, kind, name, direct_key, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (team_id, kind, name, direct_key, now),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def add_members(conn: aiosqlite.Connection, channel_id: int, user_ids: Iterable[int]) -> None:
    await conn.executemany(
        "INSERT INTO channel_members (channel_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(channel_id, user_id) for user_id in user_ids],
    )


async def remove_member(conn: aiosqlite.Connection, channel_id: int, user_id: int) -> bool:
    cursor = await conn.execute(
        "DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?", (channel_id, user_id)
    )
    return cursor.rowcount > 0


async def builtin_channel_id(conn: aiosqlite.Connection, team_id: int, kind: str) -> int:
    async with conn.execute("SELECT id FROM channels WHERE team_id = ? AND kind = ?", (team_id, kind)) as cursor:
        row = await cursor.fetchone()
    assert row is not None, f"team {team_id} lacks its {kind} channel"
    return int(row[0])


async def channels_of(conn: aiosqlite.Connection, team_id: int, user_id: int) -> list[sqlite3.Row]:
    async with conn.execute(_CHANNEL_VIEW + " WHERE c.team_id = ? ORDER BY c.id", (user_id, team_id)) as cursor:
        return list(await cursor.fetchall())


async def team_of_member_channel(conn: aiosqlite.Connection, channel_id: int, user_id: int) -> int | None:
    """The channel's team when the user is in the channel, else None (the send path: no counts, one hop)."""
    row = await fetch_one(
        conn,
        "SELECT c.team_id FROM channels c JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = ?"
        " WHERE c.id = ?",
        (user_id, channel_id),
    )
    return int(row[0]) if row else None


async def channel_for_member(conn: aiosqlite.Connection, channel_id: int, user_id: int) -> sqlite3.Row | None:
    """The channel as its member sees it, or None when it does not exist or the user is not in it."""
    async with conn.execute(_CHANNEL_VIEW + " WHERE c.id = ?", (user_id, channel_id)) as cursor:
        return await cursor.fetchone()


async def channel_ids_in_team(conn: aiosqlite.Connection, team_id: int, user_id: int) -> list[int]:
    async with conn.execute(
        "SELECT c.id FROM channels c JOIN channel_members cm ON cm.channel_id = c.id"
        " WHERE c.team_id = ? AND cm.user_id = ?",
        (team_id, user_id),
    ) as cursor:
        return [int(row[0]) for row in await cursor.fetchall()]


async def direct_channel_id(conn: aiosqlite.Connection, team_id: int, direct_key: str) -> int | None:
    async with conn.execute(
        "SELECT id FROM channels WHERE team_id = ? AND direct_key = ?", (team_id, direct_key)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else None


async def member_ids(conn: aiosqlite.Connection, channel_id: int) -> list[int]:
    async with conn.execute(
        "SELECT user_id FROM channel_members WHERE channel_id = ? ORDER BY user_id", (channel_id,)
    ) as cursor:
        return [int(row[0]) for row in await cursor.fetchall()]


async def shown_names(conn: aiosqlite.Connection, team_id: int) -> list[str]:
    """The names of the team's channels that show their own (all but one-to-one channels, which show the teammate's)."""
    async with conn.execute("SELECT name FROM channels WHERE team_id = ? AND kind <> 'direct'", (team_id,)) as cursor:
        return [str(row[0]) for row in await cursor.fetchall()]


async def count_channels(conn: aiosqlite.Connection, team_id: int) -> int:
    async with conn.execute("SELECT count(*) FROM channels WHERE team_id = ?", (team_id,)) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


# The newest event the whole channel shares at or below a cursor (a channel_members row's own channel). A member's
# read and delivered marks are clamped to it: they never pass what the channel has, nor name another channel's events.
_REACHED = (
    "(SELECT max(e.id) FROM events e"
    " WHERE e.channel_id = channel_members.channel_id AND e.user_id IS NULL AND e.id <= ?)"
)


async def set_last_read(conn: aiosqlite.Connection, channel_id: int, user_id: int, cursor_id: int) -> None:
    """Move the member's read mark forward to the cursor, never past the channel's newest event."""
    await conn.execute(
        f"UPDATE channel_members SET last_read = max(last_read, coalesce({_REACHED}, 0))"  # noqa: S608 (a constant)
        " WHERE channel_id = ? AND user_id = ?",
        (cursor_id, channel_id, user_id),
    )


async def channel_row(conn: aiosqlite.Connection, channel_id: int) -> sqlite3.Row | None:
    async with conn.execute("SELECT * FROM channels WHERE id = ?", (channel_id,)) as cursor:
        return await cursor.fetchone()


async def mark_delivered(conn: aiosqlite.Connection, user_id: int, cursor_id: int) -> list[tuple[int, int]]:
    """Raise the user's delivered mark in each channel that has an event at or below the cursor past it; return
    (channel id, new mark) for the channels where it moved."""
    async with conn.execute(
        f"UPDATE channel_members SET delivered = {_REACHED}"  # noqa: S608 (a constant)
        f" WHERE user_id = ? AND delivered < coalesce({_REACHED}, 0) RETURNING channel_id, delivered",
        (cursor_id, user_id, cursor_id),
    ) as cursor:
        return [(int(row[0]), int(row[1])) for row in await cursor.fetchall()]


async def members_of_channels(conn: aiosqlite.Connection, channel_ids: list[int]) -> dict[int, list[int]]:
    """The members of each channel, by channel id."""
    members: dict[int, list[int]] = {channel_id: [] for channel_id in channel_ids}
    marks = ", ".join("?" * len(channel_ids))
    async with conn.execute(
        f"SELECT channel_id, user_id FROM channel_members WHERE channel_id IN ({marks})",  # noqa: S608 (placeholders)
        channel_ids,
    ) as cursor:
        for row in await cursor.fetchall():
            members[int(row[0])].append(int(row[1]))
    return members
