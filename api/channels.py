"""Channels: Everyone and Leads (built in), custom groups made by leads, and one-to-one channels."""

from __future__ import annotations

import sqlite3
from typing import Annotated

import aiosqlite
import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from api.auth import Auth
from api.clock import now_ms
from api.db import channels as sql
from api.db import teams as teams_sql
from api.db.connection import Database
from api.errors import ApiError, invalid, not_found
from api.hub import Hub
from api.membership import add_to_channel, require_role
from api.names import skeleton
from api.wire import Body, Cursor, Id, Name, PathId

MAX_CHANNELS_PER_TEAM = 200
MAX_CHANNEL_MEMBERS = 200


class Receipt(msgspec.Struct):
    """How far a member has got: the last cursor delivered to one of their devices, and read."""

    user_id: int
    delivered: int
    read: int


class Channel(msgspec.Struct):
    id: int
    team_id: int
    kind: str
    name: str
    member_ids: list[int]
    unread: int
    last_read: int
    receipts: list[Receipt]


class GroupIn(Body):
    name: Name
    members: Annotated[list[Id], msgspec.Meta(max_length=MAX_CHANNEL_MEMBERS)] = msgspec.field(default_factory=list)


class DirectIn(Body):
    user_id: Id


class ReadIn(Body):
    cursor: Cursor


def channel_from_row(row: sqlite3.Row) -> Channel:
    parts = (part.split(":") for part in str(row["receipts"] or "").split(",") if part)
    receipts = sorted((Receipt(*map(int, part)) for part in parts), key=lambda receipt: receipt.user_id)
    return Channel(
        id=row["id"],
        team_id=row["team_id"],
        kind=row["kind"],
        name=row["name"],
        member_ids=[receipt.user_id for receipt in receipts],
        unread=row["unread"],
        last_read=row["last_read"],
        receipts=receipts,
    )


async def channel_of_member(db: Database, channel_id: int, user_id: int) -> Channel:
    """The channel if the caller is in it; 404 otherwise, so outsiders learn nothing about it."""
    async with db.legacy_read() as conn:
        row = await sql.channel_for_member(conn, channel_id, user_id)
    if row is None:
        raise not_found("channel")
    return channel_from_row(row)


@get("/teams/{team_id:int}/channels", summary="The channels of the team I am in, with unread counts")
async def list_channels(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Channel]:
    async with db.legacy_read() as conn:
        await require_role(conn, team_id, auth.user_id)
        rows = await sql.channels_of(conn, team_id, auth.user_id)
    return [channel_from_row(row) for row in rows]


@post("/teams/{team_id:int}/channels", summary="Create a custom channel with chosen members; leads only")
async def create_channel(
    team_id: PathId,
    data: JSONBody[GroupIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
) -> Response[Channel]:
    async with db.legacy_write() as tx:
        await require_role(tx.conn, team_id, auth.user_id, lead=True)
        members = sorted({auth.user_id, *data.members})
        for user_id in members:
            if await teams_sql.role_of(tx.conn, team_id, user_id) is None:
                raise invalid("members", f"user {user_id} is not in this team")
        if await sql.count_channels(tx.conn, team_id) >= MAX_CHANNELS_PER_TEAM:
            raise ApiError(409, "limit_reached", f"A team may have {MAX_CHANNELS_PER_TEAM} channels.")
        await _require_distinct_name(tx.conn, team_id, data.name)
        channel_id = await sql.insert_channel(tx.conn, team_id, "group", data.name, None, now_ms())
        await add_to_channel(tx, hub, team_id, channel_id, members)
    return Response(await channel_of_member(db, channel_id, auth.user_id), status_code=201)


async def _require_distinct_name(conn: aiosqlite.Connection, team_id: int, name: str) -> None:
    """409 when the name looks the same as one of the team's channels (Everyone and Leads too): a message meant for
    a few, typed into a lookalike of Everyone, would reach the whole team. The detail does not name the channel,
    which may be a group the caller is not in."""
    looks = skeleton(name)
    if any(skeleton(other) == looks for other in await sql.shown_names(conn, team_id)):
        raise ApiError(
            409,
            "channel_name_taken",
            "This team already has a channel whose name looks the same; channel names in a team must look different.",
            {"name": "looks the same as another channel's"},
        )


@post(
    "/teams/{team_id:int}/direct",
    summary="Open (or reopen) my one-to-one channel with a teammate",
    responses={200: ResponseSpec(Channel, description="The channel already existed")},
)
async def open_direct(
    team_id: PathId,
    data: JSONBody[DirectIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
) -> Response[Channel]:
    if data.user_id == auth.user_id:
        raise invalid("user_id", "pick a teammate, not yourself")
    key = "{}:{}".format(*sorted((auth.user_id, data.user_id)))
    async with db.legacy_write() as tx:
        await require_role(tx.conn, team_id, auth.user_id)
        if await teams_sql.role_of(tx.conn, team_id, data.user_id) is None:
            raise invalid("user_id", "is not in this team")
        channel_id = await sql.direct_channel_id(tx.conn, team_id, key)
        created = channel_id is None
        if channel_id is None:
            if await sql.count_channels(tx.conn, team_id) >= MAX_CHANNELS_PER_TEAM:
                raise ApiError(409, "limit_reached", f"A team may have {MAX_CHANNELS_PER_TEAM} channels.")
            channel_id = await sql.insert_channel(tx.conn, team_id, "direct", "Direct", key, now_ms())
        if created or len(await sql.member_ids(tx.conn, channel_id)) < 2:
            # New, or one side left the team and came back: (re)seat both people.
            await add_to_channel(tx, hub, team_id, channel_id, [auth.user_id, data.user_id])
    return Response(await channel_of_member(db, channel_id, auth.user_id), status_code=201 if created else 200)


@post(
    "/channels/{channel_id:int}/read",
    status_code=200,
    summary="Move my read cursor forward for unread counts (never back, never past the channel's newest event)",
)
async def mark_read(
    channel_id: PathId, data: JSONBody[ReadIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Channel:
    async with db.legacy_write() as tx:
        if await sql.channel_for_member(tx.conn, channel_id, auth.user_id) is None:
            raise not_found("channel")
        await sql.set_last_read(tx.conn, channel_id, auth.user_id, data.cursor)
    return await channel_of_member(db, channel_id, auth.user_id)


route_handlers = [list_channels, create_channel, open_direct, mark_read]
