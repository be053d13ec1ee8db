"""SQL for a team's cue set, kept in the order the leads chose."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import aiosqlite
import msgspec

from api.db.connection import Rows, fetch_one


class StoredCue(msgspec.Struct):
    code: str
    label: str
    urgency: str
    rhythm: str  # JSON
    ttl_seconds: int


def cue(rows: Rows, team_id: int, code: str) -> StoredCue | None:
    return rows.one(
        StoredCue,
        "SELECT code, label, urgency, rhythm, ttl_seconds FROM cues WHERE team_id = ? AND code = ?",
        (team_id, code),
    )


async def cues_of(conn: aiosqlite.Connection, team_id: int) -> list[sqlite3.Row]:
    async with conn.execute("SELECT * FROM cues WHERE team_id = ? ORDER BY position", (team_id,)) as cursor:
        return list(await cursor.fetchall())


async def cue_by_code(conn: aiosqlite.Connection, team_id: int, code: str) -> sqlite3.Row | None:
    return await fetch_one(conn, "SELECT * FROM cues WHERE team_id = ? AND code = ?", (team_id, code))


async def replace_cues(
    conn: aiosqlite.Connection, team_id: int, cues: Sequence[tuple[str, str, str, str, int]]
) -> None:
    """Replace the whole set with (code, label, urgency, rhythm JSON, ttl_seconds) rows, in order."""
    await conn.execute("DELETE FROM cues WHERE team_id = ?", (team_id,))
    await conn.executemany(
        "INSERT INTO cues (team_id, position, code, label, urgency, rhythm, ttl_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(team_id, position, *cue) for position, cue in enumerate(cues)],
    )
