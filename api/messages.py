"""Messages: exactly-once sends keyed by the client's id, history, "got it" acks and catch-up sync."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from typing import Annotated, Literal

import msgspec
from litestar import Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter

from api.auth import Auth
from api.channels import channel_of_member
from api.clock import now_ms
from api.db import channels as channels_sql
from api.db import cues as cues_sql
from api.db import messages as sql
from api.db import teams as teams_sql
from api.db.connection import Database
from api.errors import ApiError, forbidden, invalid, not_found
from api.events import AckOut, HistoryCleared, Message
from api.events import legacy_record as record
from api.hub import Hub
from api.presence import Presence
from api.push import queue as push
from api.push.worker import PushWorker
from api.throttle import Throttles
from api.wire import Body, PathId

log = logging.getLogger("backchannel.messages")

TEXT_MAX = 4000
HISTORY_PAGE = (50, 200)  # default, most


class SendIn(Body):
    client_id: uuid.UUID
    kind: Literal["text", "cue"]
    text: Annotated[str, msgspec.Meta(max_length=TEXT_MAX)] | None = None
    cue: Annotated[str, msgspec.Meta(max_length=32)] | None = None


class Page(msgspec.Struct):
    messages: list[Message]
    more: bool


def message_from_row(row: sqlite3.Row, acks: list[AckOut] | None = None) -> Message:
    return Message(
        id=row["id"],
        cursor=row["cursor"],
        team_id=row["team_id"],
        channel_id=row["channel_id"],
        sender_id=row["sender_id"],
        client_id=row["client_id"],
        kind=row["kind"],
        text=row["text"],
        cue=row["cue"],
        created_at=row["created_at"],
        acks=acks or [],
    )


def _check_shape(data: SendIn) -> None:
    if data.kind == "text":
        if data.text is None or not data.text.strip():
            raise invalid("text", "a text message needs non-blank text")
        if data.cue is not None:
            raise invalid("cue", "a text message carries no cue")
    else:
        if data.cue is None:
            raise invalid("cue", "a cue message needs a cue code")
        if data.text is not None:
            raise invalid("text", "a cue message carries no text")


def _same_send(row: sqlite3.Row, channel_id: int, data: SendIn) -> bool:
    return (row["channel_id"], row["kind"], row["text"], row["cue"]) == (channel_id, data.kind, data.text, data.cue)


@post(
    "/channels/{channel_id:int}/messages",
    summary="Send a text or a cue; retry with the same client_id safely",
    responses={200: ResponseSpec(Message, description="A retry: the message already stored for this client_id")},
)
async def send_message(
    channel_id: PathId,
    data: JSONBody[SendIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
    push_worker: NamedDependency[PushWorker],
    presence: NamedDependency[Presence],
    throttles: NamedDependency[Throttles],
) -> Response[Message]:
    _check_shape(data)
    client_id = str(data.client_id)
    async with db.legacy_write() as tx:
        existing = await sql.message_by_client_id(tx.conn, auth.user_id, client_id)
        if existing is not None:
            if not _same_send(existing, channel_id, data):
                raise ApiError(
                    409,
                    "client_id_reused",
                    "This client_id was already used for a different message.",
                    {"client_id": "already used for a different message"},
                )
            return Response(message_from_row(existing), status_code=200)
        if await sql.was_deleted(tx.conn, auth.user_id, client_id):
            raise ApiError(
                410,
                "message_deleted",
                "This message was sent, then deleted with its channel's history.",
            )
        throttles.messages.check(str(auth.user_id), "messages from you this minute")
        throttles.messages.hit(str(auth.user_id))
        team_id = await channels_sql.team_of_member_channel(tx.conn, channel_id, auth.user_id)
        if team_id is None:
            raise not_found("channel")
        cue = None if data.cue is None else await cues_sql.cue_by_code(tx.conn, team_id, data.cue)
        if data.cue is not None and cue is None:
            raise invalid("cue", f"{data.cue!r} is not in this team's cue set")
        now = now_ms()
        message_id = await sql.insert_message(
            tx.conn, channel_id, auth.user_id, client_id, data.kind, data.text, data.cue, now
        )
        assert message_id is not None  # the lookup above ran under the write lock

        def stored(cursor: int) -> Message:
            return Message(
                id=message_id,
                cursor=cursor,
                team_id=team_id,
                channel_id=channel_id,
                sender_id=auth.user_id,
                client_id=client_id,
                kind=data.kind,
                text=data.text,
                cue=data.cue,
                created_at=now,
            )

        message = await record(tx, hub, "message", stored, team_id=team_id, channel_id=channel_id)
        await sql.set_cursor(tx.conn, message_id, message.cursor)
        await push.enqueue(tx, push_worker, presence, message_id, channel_id, auth.user_id, cue)
    # Never the text: logs outlive the deletion of a channel's history.
    log.info("message_stored id=%d channel=%d kind=%s cursor=%d", message_id, channel_id, data.kind, message.cursor)
    return Response(message, status_code=201)


@get("/channels/{channel_id:int}/messages", summary="Channel history, newest page first, oldest first within")
async def list_messages(
    channel_id: PathId,
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    before: Annotated[int | None, QueryParameter(ge=1, le=2**53)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=HISTORY_PAGE[1])] = HISTORY_PAGE[0],
) -> Page:
    await channel_of_member(db, channel_id, auth.user_id)
    async with db.legacy_read() as conn:
        rows = await sql.history(conn, channel_id, before, limit + 1)
        more = len(rows) > limit
        rows = rows[-limit:]
        ack_rows = await sql.acks_for(conn, [row["id"] for row in rows])
    acks: dict[int, list[AckOut]] = {}
    for ack in ack_rows:
        acks.setdefault(ack["message_id"], []).append(
            AckOut(message_id=ack["message_id"], channel_id=channel_id, user_id=ack["user_id"], at=ack["at"])
        )
    return Page(messages=[message_from_row(row, acks.get(row["id"])) for row in rows], more=more)


@post("/messages/{message_id:int}/ack", status_code=200, summary='Acknowledge ("got it") a message sent to me')
async def ack_message(
    message_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database], hub: NamedDependency[Hub]
) -> AckOut:
    async with db.legacy_write() as tx:
        row = await sql.message_for_member(tx.conn, message_id, auth.user_id)
        if row is None:
            raise not_found("message")
        if row["sender_id"] == auth.user_id:
            raise ApiError(409, "own_message", "You cannot acknowledge your own message.")
        now = now_ms()
        ack = AckOut(message_id=message_id, channel_id=row["channel_id"], user_id=auth.user_id, at=now)
        if await sql.insert_ack(tx.conn, message_id, auth.user_id, now):
            await record(tx, hub, "ack", ack, team_id=row["team_id"], channel_id=row["channel_id"])
        else:
            ack.at = await sql.ack_at(tx.conn, message_id, auth.user_id) or now
    return ack


@delete("/channels/{channel_id:int}/messages", status_code=200, summary="Delete a channel's history; team owner only")
async def delete_history(
    channel_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database], hub: NamedDependency[Hub]
) -> HistoryCleared:
    """Messages, acks, pending pushes and their events go; with secure_delete and a WAL checkpoint
    their text is gone from the database files, not just unlinked."""
    async with db.legacy_write() as tx:
        channel = await channels_sql.channel_for_member(tx.conn, channel_id, auth.user_id)
        if channel is None:
            raise not_found("channel")
        if await teams_sql.role_of(tx.conn, channel["team_id"], auth.user_id) != "owner":
            raise forbidden("Only the team's owner can delete a channel's history.")
        cleared = HistoryCleared(channel_id=channel_id, deleted=await sql.delete_history(tx.conn, channel_id))
        await record(tx, hub, "history_cleared", cleared, team_id=channel["team_id"], channel_id=channel_id)
    await db.scrub()
    return cleared


route_handlers = [send_message, list_messages, delete_history, ack_message]
