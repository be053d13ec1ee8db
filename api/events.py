"""Events: every change a client must learn about gets a cursor, is stored, and is fanned out after commit.

The catalogue below names every event type the server stores (each has a cursor and reaches clients through
sync and the live socket) and every live-only frame (no cursor, never stored). The app must handle each one;
``GET /api/events`` serves the catalogue so that a test can hold the app to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Literal, TypeVar, get_args

import msgspec
from litestar import get

from api.clock import now_ms
from api.db import events as sql
from api.db.connection import Transaction
from api.hub import Hub

EventType = Literal[
    "message",
    "ack",
    "history_cleared",
    "channel",
    "channel_removed",
    "member",
    "member_removed",
    "team_removed",
    "cues",
]
# Frames the socket sends that are not stored events: they carry no cursor.
LiveFrameType = Literal["ready", "ping", "pong", "error", "delivered"]


class Event(msgspec.Struct, kw_only=True):
    """One entry of the log as clients receive it, from sync and from the live socket alike."""

    cursor: int
    type: str
    team_id: int
    channel_id: int | None
    data: msgspec.Raw


class Catalogue(msgspec.Struct):
    events: list[str]
    frames: list[str]


_encode = msgspec.json.Encoder().encode
Payload = TypeVar("Payload", bound=msgspec.Struct)


async def record(
    tx: Transaction,
    hub: Hub,
    type_: EventType,
    data: Payload | Callable[[int], Payload],
    *,
    team_id: int,
    channel_id: int | None = None,
    user_id: int | None = None,
) -> Payload:
    """Store an event addressed to one user, one channel or a whole team; return its payload.

    The cursor is taken first and the payload encoded once, after: a payload that names its own cursor (a
    message) is built by a function of it, so the stored data, the live frame and the envelope always agree.
    The audience is read inside the transaction, so it matches the membership the event commits with.
    """
    cursor = await sql.append_event(tx.conn, type_, team_id, channel_id, user_id, now_ms())
    payload = data(cursor) if callable(data) else data
    raw = _encode(payload)
    await sql.set_event_data(tx.conn, cursor, raw)
    audience = await sql.audience(tx.conn, team_id, channel_id, user_id)
    frame = _encode(Event(cursor=cursor, type=type_, team_id=team_id, channel_id=channel_id, data=msgspec.Raw(raw)))
    tx.on_commit(lambda: hub.publish(frame, audience))
    return payload


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


@get("/events", summary="The catalogue: every stored event type and live-only frame the server sends")
async def catalogue() -> Catalogue:
    return Catalogue(events=list(get_args(EventType)), frames=list(get_args(LiveFrameType)))


route_handlers = [catalogue]
