"""SQL for teams, their members and roles, and invites."""

from __future__ import annotations

import sqlite3

import aiosqlite

from api.db.connection import fetch_one


async def insert_team(conn: aiosqlite.Connection, name: str, now: int) -> int:
    async with conn.execute("INSERT INTO teams (name, created_at) VALUES (?, ?) RETURNING id", (name, now)) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def team_by_id(conn: aiosqlite.Connection, team_id: int) -> sqlite3.Row | None:
    async with conn.execute("SELECT * FROM teams WHERE id = ?", (team_id,)) as cursor:
        return await cursor.fetchone()


async def teams_of(conn: aiosqlite.Connection, user_id: int) -> list[sqlite3.Row]:
    async with conn.execute(
        "SELECT t.*, m.role FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = ? ORDER BY t.id",
        (user_id,),
    ) as cursor:
        return list(await cursor.fetchall())


async def count_teams_of(conn: aiosqlite.Connection, user_id: int) -> int:
    async with conn.execute("SELECT count(*) FROM team_members WHERE user_id = ?", (user_id,)) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def role_of(conn: aiosqlite.Connection, team_id: int, user_id: int) -> str | None:
    async with conn.execute(
        "SELECT role FROM team_members WHERE team_id = ? AND user_id = ?", (team_id, user_id)
    ) as cursor:
        row = await cursor.fetchone()
    return str(row[0]) if row else None


async def members_of(conn: aiosqlite.Connection, team_id: int) -> list[sqlite3.Row]:
    async with conn.execute(
        "SELECT u.id AS user_id, u.username, u.display_name, m.role, m.joined_at"
        " FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ? ORDER BY m.joined_at, u.id",
        (team_id,),
    ) as cursor:
        return list(await cursor.fetchall())


async def count_members(conn: aiosqlite.Connection, team_id: int) -> int:
    async with conn.execute("SELECT count(*) FROM team_members WHERE team_id = ?", (team_id,)) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def add_member(conn: aiosqlite.Connection, team_id: int, user_id: int, role: str, now: int) -> None:
    await conn.execute(
        "INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
        (team_id, user_id, role, now),
    )


async def set_role(conn: aiosqlite.Connection, team_id: int, user_id: int, role: str) -> None:
    await conn.execute("UPDATE team_members SET role = ? WHERE team_id = ? AND user_id = ?", (role, team_id, user_id))


async def delete_member(conn: aiosqlite.Connection, team_id: int, user_id: int) -> None:
    await conn.execute("DELETE FROM team_members WHERE team_id = ? AND user_id = ?", (team_id, user_id))


async def insert_invite(
    conn: aiosqlite.Connection,
    team_id: int,
    token_hash: bytes,
    role: str,
    created_by: int,
    now: int,
    expires_at: int,
    max_uses: int,
) -> int:
    async with conn.execute(
        "INSERT INTO invites (team_id, token_hash, role, created_by, created_at, expires_at, max_uses)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (team_id, token_hash, role, created_by, now, expires_at, max_uses),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def invites_of(conn: aiosqlite.Connection, team_id: int) -> list[sqlite3.Row]:
    async with conn.execute("SELECT * FROM invites WHERE team_id = ? ORDER BY id DESC", (team_id,)) as cursor:
        return list(await cursor.fetchall())


async def count_open_invites(conn: aiosqlite.Connection, team_id: int, now: int) -> int:
    async with conn.execute(
        "SELECT count(*) FROM invites WHERE team_id = ? AND revoked = 0 AND expires_at > ? AND uses < max_uses",
        (team_id, now),
    ) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def invite_by_token_hash(conn: aiosqlite.Connection, token_hash: bytes) -> sqlite3.Row | None:
    async with conn.execute("SELECT * FROM invites WHERE token_hash = ?", (token_hash,)) as cursor:
        return await cursor.fetchone()


async def use_invite(conn: aiosqlite.Connection, invite_id: int) -> None:
    await conn.execute("UPDATE invites SET uses = uses + 1 WHERE id = ?", (invite_id,))


async def revoke_invite(conn: aiosqlite.Connection, team_id: int, invite_id: int) -> bool:
    cursor = await conn.execute("UPDATE invites SET revoked = 1 WHERE id = ? AND team_id = ?", (invite_id, team_id))
    return cursor.rowcount > 0


async def member_row(conn: aiosqlite.Connection, team_id: int, user_id: int) -> sqlite3.Row | None:
    async with conn.execute(
        "SELECT u.id AS user_id, u.username, u.display_name, m.role, m.joined_at"
        " FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ? AND m.user_id = ?",
        (team_id, user_id),
    ) as cursor:
        return await cursor.fetchone()


async def record_removal(conn: aiosqlite.Connection, team_id: int, user_id: int, now: int) -> None:
    await conn.execute(
        "INSERT INTO removals (team_id, user_id, removed_at) VALUES (?, ?, ?)"
        " ON CONFLICT (team_id, user_id) DO UPDATE SET removed_at = excluded.removed_at",
        (team_id, user_id, now),
    )


async def removed_at(conn: aiosqlite.Connection, team_id: int, user_id: int) -> int | None:
    """When someone else last removed the user from the team, or None."""
    row = await fetch_one(conn, "SELECT removed_at FROM removals WHERE team_id = ? AND user_id = ?", (team_id, user_id))
    return int(row[0]) if row else None
