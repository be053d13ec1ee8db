"""Sending, acknowledging and deleting messages, and reading a channel's history: each one trip to the database.

A send is exactly-once by the client's id: a retry of a stored message answers it again (never refused, not even
by the rate limit), a reuse of the id for another message is a 409, and a retry of a deleted one a 410.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from typing import Annotated

import msgspec

from api import access
from api.actions import escalations, meetings
from api.clock import now_ms
from api.db import channels as channels_sql
from api.db import cues as cues_sql
from api.db import messages as sql
from api.db import push as push_sql
from api.db.connection import Rows, Tx
from api.errors import ApiError, forbidden, invalid
from api.events import (
    AckEvent,
    AckOut,
    HistoryCleared,
    HistoryClearedEvent,
    Message,
    MessageEvent,
    MessageRecalledEvent,
    Recalled,
    ToChannel,
    record,
)
from api.push import queue as push
from api.throttle import Throttle
from api.wire import Body

TEXT_MAX = 4000
CUE_MAX = 32
# How far back a send's `composed_at` may say it was written: the outbox's MAX_AGE (pwa/js/outbox.js), 7 days.
COMPOSED_MAX_AGE_MS = 7 * 86_400_000
RECALL_SECONDS = 10  # a mis-tapped cue can be recalled by its sender this long after it was stored


class _Send(Body, tag_field="kind", kw_only=True):
    """A send body, tagged by its `kind`."""

    client_id: uuid.UUID
    # When it was written (ms since the epoch, the device's clock): an outbox item sent later keeps its time.
    # Clamped to [now - COMPOSED_MAX_AGE_MS, now], never refused: a skewed clock must not cost the message.
    composed_at: int | None = None


class TextIn(_Send, tag="text"):
    text: Annotated[str, msgspec.Meta(max_length=TEXT_MAX)]
    cue: None = None  # clients written when both fields were optional send the other one as null


class CueIn(_Send, tag="cue"):
    cue: Annotated[str, msgspec.Meta(max_length=CUE_MAX)]
    text: None = None


SendIn = TextIn | CueIn


class Page(msgspec.Struct):
    messages: list[Message]
    more: bool


class Sent(msgspec.Struct, frozen=True):
    message: Message
    created: bool  # False: a retry, answered with the message stored the first time


def _content(body: SendIn) -> tuple[str, str | None, str | None]:
    """(kind, text, cue) as stored."""
    return ("text", body.text, None) if isinstance(body, TextIn) else ("cue", None, body.cue)


def composed_time(composed_at: int | None, now: int) -> int | None:
    """The written time as stored: the client's, clamped to [now - COMPOSED_MAX_AGE_MS, now]; None if not said."""
    return None if composed_at is None else min(now, max(now - COMPOSED_MAX_AGE_MS, composed_at))


def _stored_before(rows: Rows, sender_id: int, channel_id: int, body: SendIn) -> Message | None:
    """The message this send is a retry of; a 409 or a 410 when its client_id cannot be used for it."""
    client_id = str(body.client_id)
    existing = sql.message_by_client_id(rows, sender_id, client_id)
    if existing is not None:
        if (existing.channel_id, existing.kind, existing.text, existing.cue) != (channel_id, *_content(body)):
            raise ApiError(
                409,
                "client_id_reused",
                "This client_id was already used for a different message.",
                {"client_id": "already used for a different message"},
            )
        return existing
    if sql.was_deleted(rows, sender_id, client_id):
        raise ApiError(410, "message_deleted", "This message was sent, then deleted with its channel's history.")
    return None


def send_message(
    tx: Tx,
    sender_id: int,
    channel_id: int,
    body: SendIn,
    *,
    throttle: Throttle,
    showing: Collection[int],
    wake_push: Callable[[], None],
    wake_escalator: Callable[[], None],
) -> Sent:
    """Store a text or a cue, record its event to the channel and queue its pushes; a cue in a live meeting goes on
    its timeline, and an urgent one starts insisting.

    `throttle` is the messages rate limit, touched only here, in the writer's thread (one thread: no lock needed).
    `showing` is the sessions showing the app (read on the loop before the write): their devices get no push.
    """
    if isinstance(body, TextIn) and not body.text.strip():
        raise invalid("text", "a text message needs non-blank text")
    existing = _stored_before(tx, sender_id, channel_id, body)
    if existing is not None:
        return Sent(existing, created=False)
    throttle.take(str(sender_id), "messages from you this minute")
    channel = access.channel_of_member(tx, channel_id, sender_id)
    # Before the cue set is looked at: its refusals would tell a source's guest the team's cue codes.
    if isinstance(body, CueIn) and channel.kind == "source":
        raise invalid("cue", "a source's conversation carries text only")
    cue = None if isinstance(body, TextIn) else cues_sql.cue(tx, channel.team_id, body.cue)
    if isinstance(body, CueIn) and cue is None:
        raise invalid("cue", f"{body.cue!r} is not in this team's cue set")
    kind, text, code = _content(body)
    client_id, now = str(body.client_id), now_ms()
    composed = composed_time(body.composed_at, now)
    message_id = sql.insert_message(tx, channel_id, sender_id, client_id, kind, text, code, now, composed)
    assert message_id is not None  # the lookup above ran in this transaction

    def stored(cursor: int) -> Message:
        return Message(
            id=message_id,
            cursor=cursor,
            team_id=channel.team_id,
            channel_id=channel_id,
            sender_id=sender_id,
            client_id=client_id,
            kind=kind,
            text=text,
            cue=code,
            created_at=now,
            composed_at=composed,
        )

    message = record(tx, MessageEvent, ToChannel(team_id=channel.team_id, channel_id=channel_id), stored)
    sql.set_cursor(tx, message_id, message.cursor)
    if push.enqueue(tx, showing, message_id, channel_id, sender_id, cue):
        tx.on_commit(wake_push)
    if cue is not None:
        audience = [user for user in channels_sql.member_ids(tx, channel_id) if user != sender_id]
        meeting_id = meetings.note_cue(tx, message, cue, audience)
        if meeting_id is not None and escalations.schedule(tx, meeting_id, message, cue):
            tx.on_commit(wake_escalator)
    return Sent(message, created=True)


def history(rows: Rows, user_id: int, channel_id: int, before: int | None, limit: int) -> Page:
    """A page of the channel's messages with their acks, newest page first (oldest first within)."""
    access.channel_of_member(rows, channel_id, user_id)
    messages = sql.history(rows, channel_id, before, limit + 1)
    more = len(messages) > limit
    messages = messages[-limit:]
    acks: dict[int, list[AckOut]] = {}
    for ack in sql.acks_for(rows, [message.id for message in messages]):
        acks.setdefault(ack.message_id, []).append(ack)
    for message in messages:
        message.acks = acks.get(message.id, [])
    return Page(messages=messages, more=more)


def ack_message(tx: Tx, user_id: int, message_id: int) -> AckOut:
    """Acknowledge ("got it") a message of someone else's; a second ack answers the first one's time."""
    message = access.message_in_reach(tx, message_id, user_id)
    if message.sender_id == user_id:
        raise ApiError(409, "own_message", "You cannot acknowledge your own message.")
    now = now_ms()
    ack = AckOut(message_id=message_id, channel_id=message.channel_id, user_id=user_id, at=now)
    if sql.insert_ack(tx, message_id, user_id, now):
        record(tx, AckEvent, ToChannel(team_id=message.team_id, channel_id=message.channel_id), ack)
        if meetings.note_ack(tx, message_id, user_id, now):
            escalations.acknowledged(tx, message_id)
    else:
        ack.at = sql.ack_at(tx, message_id, user_id) or now
    return ack


def delete_history(tx: Tx, user_id: int, channel_id: int) -> HistoryCleared:
    """Delete a channel's messages, acks, pending pushes and their events; the team's owner only.

    The caller scrubs the WAL after the commit, so the deleted text leaves the database files too.
    """
    channel = access.channel_of_member(tx, channel_id, user_id)
    access.team_role(tx, channel.team_id, user_id, owner="delete a channel's history")
    cleared = HistoryCleared(channel_id=channel_id, deleted=sql.delete_history(tx, channel_id))
    return record(tx, HistoryClearedEvent, ToChannel(team_id=channel.team_id, channel_id=channel_id), cleared)


def recall_message(
    tx: Tx, user_id: int, message_id: int, *, showing: Collection[int], wake_push: Callable[[], None]
) -> Recalled:
    """Recall my cue within RECALL_SECONDS: teammates' screens drop it, their notifications close, history marks it.

    Pushes not sent yet are dropped; every other device of the channel's members that is not showing the app gets a
    push that closes the cue's notification (the push services keep no record of which ones showed it).
    """
    ref = access.message_in_reach(tx, message_id, user_id)
    if ref.sender_id != user_id:
        raise forbidden("Only the sender of a cue can recall it.")
    message = sql.message_by_id(tx, message_id)
    assert message is not None  # in reach above, in this transaction
    if message.kind != "cue":
        raise ApiError(409, "not_a_cue", "Only a cue can be recalled.")
    if message.recalled_at is not None:
        raise ApiError(409, "already_recalled", "This cue was already recalled.")
    now = now_ms()
    if now - message.created_at > RECALL_SECONDS * 1000:
        raise ApiError(
            409, "recall_too_late", f"A cue can be recalled only in the {RECALL_SECONDS} seconds after it is sent."
        )
    sql.set_recalled(tx, message_id, now)
    escalations.recalled(tx, message_id)
    meetings.note_recall(tx, message_id, user_id, now)
    unsent = set(push_sql.delete_message_jobs(tx, message_id))
    devices = push_sql.recipient_devices(tx, message.channel_id, user_id)
    targets = [d.id for d in devices if d.id not in unsent and d.session_id not in showing]
    if targets:
        cue = cues_sql.cue(tx, message.team_id, message.cue or "")
        ttl = cue.ttl_seconds if cue else 60
        push_sql.insert_jobs(tx, targets, message_id, ttl, "normal", f"cue-{message.channel_id}", now)
        tx.on_commit(wake_push)
    recalled = Recalled(message_id=message_id, channel_id=message.channel_id, at=now)
    return record(tx, MessageRecalledEvent, ToChannel(team_id=message.team_id, channel_id=message.channel_id), recalled)
