"""SQL for messages and their acknowledgements."""

from __future__ import annotations

import sqlite3

import aiosqlite

from api.db.connection import fetch_one


async def insert_message(
    conn: aiosqlite.Connection,
    channel_id: int,
    sender_id: int,
    client_id: str,
    kind: str,
    text: str | None,
    cue: str | None,
    now: int,
) -> int | None:
    """Return the new message's id, or None when this sender already used this client_id."""
    row = await fetch_one(
        conn,
        "INSERT INTO messages (channel_id, sender_id, client_id, kind, text, cue, cursor, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (sender_id, client_id) DO NOTHING RETURNING id",
        (channel_id, sender_id, client_id, kind, text, cue, now),
    )
    return int(row[0]) if row else None


async def set_cursor(conn: aiosqlite.Connection, message_id: int, cursor_id: int) -> None:
    await conn.execute("UPDATE messages SET cursor = ? WHERE id = ?", (cursor_id, message_id))


async def message_by_client_id(conn: aiosqlite.Connection, sender_id: int, client_id: str) -> sqlite3.Row | None:
    return await fetch_one(
        conn,
        "SELECT m.*, c.team_id FROM messages m JOIN channels c ON c.id = m.channel_id"
        " WHERE m.sender_id = ? AND m.client_id = ?",
        (sender_id, client_id),
    )


async def message_for_member(conn: aiosqlite.Connection, message_id: int, user_id: int) -> sqlite3.Row | None:
    """The message if the user is in its channel now, else None."""
    async with conn.execute(
        "SELECT m.*, c.team_id FROM messages m JOIN channels c ON c.id = m.channel_id"
        " JOIN channel_members cm ON cm.channel_id = m.channel_id AND cm.user_id = ?"
        " WHERE m.id = ?",
        (user_id, message_id),
    ) as cursor:
        return await cursor.fetchone()


async def history(conn: aiosqlite.Connection, channel_id: int, before: int | None, limit: int) -> list[sqlite3.Row]:
    """The newest `limit` messages before the message id `before`, oldest first."""
    async with conn.execute(
        "SELECT * FROM (SELECT m.*, c.team_id FROM messages m JOIN channels c ON c.id = m.channel_id"
        " WHERE m.channel_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?) ORDER BY id",
        (channel_id, before if before is not None else 2**62, limit),
    ) as cursor:
        return list(await cursor.fetchall())


async def acks_for(conn: aiosqlite.Connection, message_ids: list[int]) -> list[sqlite3.Row]:
    if not message_ids:
        return []
    marks = ",".join("?" * len(message_ids))
    async with conn.execute(
        f"SELECT message_id, user_id, at FROM acks WHERE message_id IN ({marks}) ORDER BY at, user_id",  # noqa: S608
        message_ids,
    ) as cursor:
        return list(await cursor.fetchall())


async def insert_ack(conn: aiosqlite.Connection, message_id: int, user_id: int, now: int) -> bool:
    """Record the ack; False when this user had already acknowledged the message."""
    async with conn.execute(
        "INSERT INTO acks (message_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING at",
        (message_id, user_id, now),
    ) as cursor:
        return await cursor.fetchone() is not None


async def ack_at(conn: aiosqlite.Connection, message_id: int, user_id: int) -> int | None:
    async with conn.execute(
        "SELECT at FROM acks WHERE message_id = ? AND user_id = ?", (message_id, user_id)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else None


async def was_deleted(conn: aiosqlite.Connection, sender_id: int, client_id: str) -> bool:
    """Whether this sender's message with this client_id was stored once and then deleted."""
    row = await fetch_one(
        conn, "SELECT 1 FROM deleted_messages WHERE sender_id = ? AND client_id = ?", (sender_id, client_id)
    )
    return row is not None


async def delete_history(conn: aiosqlite.Connection, channel_id: int) -> int:
    """Delete a channel's messages (their acks and push jobs go with them) and their events, keeping only
    each message's (sender, client_id) so a retry of it is refused; return how many messages."""
    await conn.execute(
        "INSERT INTO deleted_messages (sender_id, client_id)"
        " SELECT sender_id, client_id FROM messages WHERE channel_id = ? ON CONFLICT DO NOTHING",
        (channel_id,),
    )
    cursor = await conn.execute("DELETE FROM messages WHERE channel_id = ?", (channel_id,))
    await conn.execute("DELETE FROM events WHERE channel_id = ? AND type IN ('message', 'ack')", (channel_id,))
    return cursor.rowcount
