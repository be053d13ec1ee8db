"""Channels: Everyone and Leads (built in), custom groups made by leads, and one-to-one channels."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from api.actions import channels as actions
from api.actions.channels import MAX_CHANNEL_MEMBERS, Channel
from api.auth import GUEST, Auth
from api.db.connection import Database
from api.wire import Body, Cursor, Id, Name, PathId


class GroupIn(Body):
    name: Name
    members: Annotated[list[Id], msgspec.Meta(max_length=MAX_CHANNEL_MEMBERS)] = msgspec.field(default_factory=list)


class DirectIn(Body):
    user_id: Id


class ReadIn(Body):
    cursor: Cursor


class GroupNameIn(Body):
    name: Name


class SeatIn(Body):
    user_id: Id


@get("/teams/{team_id:int}/channels", summary="The channels of the team I am in, with unread counts")
async def list_channels(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Channel]:
    return await db.read(actions.channels, auth.user_id, team_id)


@post("/teams/{team_id:int}/channels", summary="Create a custom channel with chosen members; leads only")
async def create_channel(
    team_id: PathId, data: JSONBody[GroupIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Response[Channel]:
    created = await db.write(actions.create_group, auth.user_id, team_id, data.name, data.members)
    return Response(created, status_code=201)


@post(
    "/teams/{team_id:int}/direct",
    summary="Open (or reopen) my one-to-one channel with a teammate",
    responses={200: ResponseSpec(Channel, description="The channel already existed")},
)
async def open_direct(
    team_id: PathId, data: JSONBody[DirectIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Response[Channel]:
    channel, created = await db.write(actions.open_direct, auth.user_id, team_id, data.user_id)
    return Response(channel, status_code=201 if created else 200)


@post(
    "/channels/{channel_id:int}/read",
    status_code=200,
    summary="Move my read cursor forward for unread counts (never back, never past the channel's newest event)",
    opt=GUEST,
)
async def mark_read(
    channel_id: PathId, data: JSONBody[ReadIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Channel:
    return await db.write(actions.mark_read, auth.user_id, channel_id, data.cursor)


@patch("/channels/{channel_id:int}", summary="Rename a custom group; leads in it")
async def rename_group(
    channel_id: PathId, data: JSONBody[GroupNameIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Channel:
    return await db.write(actions.rename_group, auth.user_id, channel_id, data.name)


@post(
    "/channels/{channel_id:int}/members",
    status_code=200,
    summary="Add a teammate to a custom group (idempotent); leads in it",
)
async def add_to_group(
    channel_id: PathId, data: JSONBody[SeatIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Channel:
    return await db.write(actions.add_to_group, auth.user_id, channel_id, data.user_id)


@delete(
    "/channels/{channel_id:int}/members/{user_id:int}",
    summary="Remove someone from a custom group (leads in it), or leave it yourself; the last one out deletes it",
)
async def remove_from_group(
    channel_id: PathId, user_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> None:
    if await db.write(actions.remove_from_group, auth.user_id, channel_id, user_id):
        await db.scrub()  # the group went with its last member: its deleted history leaves the files too


@delete("/channels/{channel_id:int}", summary="Delete a custom group and its history for everyone; leads in it")
async def delete_group(channel_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> None:
    """Secure delete, as deleting a channel's history: the WAL is scrubbed after the commit."""
    await db.write(actions.delete_group, auth.user_id, channel_id)
    await db.scrub()


route_handlers = [
    list_channels,
    create_channel,
    open_direct,
    mark_read,
    rename_group,
    add_to_group,
    remove_from_group,
    delete_group,
]
