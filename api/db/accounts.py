"""SQL for users and their sessions (one session per signed-in device)."""

from __future__ import annotations

import sqlite3

import aiosqlite

from api.db.connection import fetch_one


async def insert_user(
    conn: aiosqlite.Connection, username: str, display_name: str, password_hash: str, now: int
) -> int | None:
    """Return the new user's id, or None when the username is taken."""
    async with conn.execute(
        "INSERT INTO users (username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (username) DO NOTHING RETURNING id",
        (username, display_name, password_hash, now),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else None


async def user_by_username(conn: aiosqlite.Connection, username: str) -> sqlite3.Row | None:
    async with conn.execute("SELECT * FROM users WHERE username = ?", (username,)) as cursor:
        return await cursor.fetchone()


async def user_by_id(conn: aiosqlite.Connection, user_id: int) -> sqlite3.Row | None:
    async with conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)) as cursor:
        return await cursor.fetchone()


async def set_password_hash(conn: aiosqlite.Connection, user_id: int, password_hash: str) -> None:
    await conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


async def insert_session(
    conn: aiosqlite.Connection, user_id: int, token_hash: bytes, csrf_token: str, device: str, now: int
) -> int:
    async with conn.execute(
        "INSERT INTO sessions (user_id, token_hash, csrf_token, device, created_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (user_id, token_hash, csrf_token, device, now, now),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def session_by_token_hash(conn: aiosqlite.Connection, token_hash: bytes) -> sqlite3.Row | None:
    return await fetch_one(conn, "SELECT * FROM sessions WHERE token_hash = ?", (token_hash,))


async def sessions_of(conn: aiosqlite.Connection, user_id: int) -> list[sqlite3.Row]:
    async with conn.execute(
        "SELECT * FROM sessions WHERE user_id = ? ORDER BY last_seen_at DESC, id DESC", (user_id,)
    ) as cursor:
        return list(await cursor.fetchall())


async def delete_session(conn: aiosqlite.Connection, user_id: int, session_id: int) -> bool:
    cursor = await conn.execute("DELETE FROM sessions WHERE id = ? AND user_id = ?", (session_id, user_id))
    return cursor.rowcount > 0


async def delete_session_by_token_hash(conn: aiosqlite.Connection, token_hash: bytes) -> int | None:
    async with conn.execute("DELETE FROM sessions WHERE token_hash = ? RETURNING id", (token_hash,)) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else None


async def touch_session(conn: aiosqlite.Connection, session_id: int, now: int) -> None:
    await conn.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", (now, session_id))


async def session_by_id(conn: aiosqlite.Connection, session_id: int) -> sqlite3.Row | None:
    async with conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)) as cursor:
        return await cursor.fetchone()


async def device_user(conn: aiosqlite.Connection, token_hash: bytes) -> int | None:
    """The user a device key belongs to, if any."""
    row = await fetch_one(conn, "SELECT user_id FROM login_devices WHERE token_hash = ?", (token_hash,))
    return int(row[0]) if row else None


async def remember_device(conn: aiosqlite.Connection, token_hash: bytes, user_id: int, now: int, keep: int) -> None:
    """Record a device key as the user's (or that it was used again), keeping the user's `keep` latest."""
    await conn.execute(
        "INSERT INTO login_devices (token_hash, user_id, last_used_at) VALUES (?, ?, ?)"
        " ON CONFLICT (token_hash) DO UPDATE SET last_used_at = excluded.last_used_at",
        (token_hash, user_id, now),
    )
    await conn.execute(
        "DELETE FROM login_devices WHERE user_id = ? AND token_hash NOT IN"
        " (SELECT token_hash FROM login_devices WHERE user_id = ? ORDER BY last_used_at DESC, token_hash LIMIT ?)",
        (user_id, user_id, keep),
    )
