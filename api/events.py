"""Events: every change a client must learn about gets a cursor, is stored, and is fanned out after commit."""

from __future__ import annotations

import sqlite3

import msgspec

from api.clock import now_ms
from api.db import events as sql
from api.db.connection import Transaction
from api.hub import Hub


class Event(msgspec.Struct, kw_only=True):
    """One entry of the log as clients receive it, from sync and from the live socket alike."""

    cursor: int
    type: str
    team_id: int
    channel_id: int | None
    data: msgspec.Raw


_encode = msgspec.json.Encoder().encode


async def record(
    tx: Transaction,
    hub: Hub,
    type_: str,
    data: msgspec.Struct,
    *,
    team_id: int,
    channel_id: int | None = None,
    user_id: int | None = None,
) -> int:
    """Store an event addressed to one user, one channel or a whole team; return its cursor.

    The audience is read inside the transaction, so it matches the membership the event commits with.
    """
    raw = _encode(data)
    cursor = await sql.append_event(tx.conn, type_, team_id, channel_id, user_id, raw, now_ms())
    audience = await sql.audience(tx.conn, team_id, channel_id, user_id)
    frame = _encode(Event(cursor=cursor, type=type_, team_id=team_id, channel_id=channel_id, data=msgspec.Raw(raw)))
    tx.on_commit(lambda: hub.publish(frame, audience))
    return cursor


def from_rows(rows: list[sqlite3.Row]) -> list[Event]:
    return [
        Event(
            cursor=row["id"],
            type=row["type"],
            team_id=row["team_id"],
            channel_id=row["channel_id"],
            data=msgspec.Raw(row["data"]),
        )
        for row in rows
    ]
