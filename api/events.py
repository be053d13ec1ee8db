"""The event catalogue: every change a client must learn about, what it carries and who receives it.

Each stored event type is one tagged Struct below (its tag is the `type` clients switch on); `Event` is their
union, the one typed decoder for a stored event. An event is addressed to a whole team, a channel's members or
one user (`Address`). `record` stores it in the writing transaction, with the next cursor, and leaves the frame
to the database layer, which publishes it to the audience read in that same transaction after COMMIT.
Live-only frames (no cursor, never stored) are named in `LiveFrameType`. ``GET /api/events`` serves both lists
so that a test can hold the app's handler tables to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Literal, TypeVar, get_args

import msgspec
from litestar import get

from api.clock import now_ms
from api.cueset import CueSet
from api.db import events as sql
from api.db.connection import Tx

# Frames the socket sends that are not stored events: they carry no cursor.
LiveFrameType = Literal["ready", "ping", "pong", "error", "delivered"]


# What events carry (the API's answers reuse them).


class AckOut(msgspec.Struct):
    message_id: int
    channel_id: int
    user_id: int
    at: int


class Message(msgspec.Struct):
    id: int
    cursor: int
    team_id: int
    channel_id: int
    sender_id: int
    client_id: str
    kind: str
    text: str | None
    cue: str | None
    created_at: int
    acks: list[AckOut] = []
    composed_at: int | None = None  # when it was written (offline, before it was sent); None: not said
    recalled_at: int | None = None  # its sender recalled it (a mis-tapped cue)


class Recalled(msgspec.Struct):
    message_id: int
    channel_id: int
    at: int


class HistoryCleared(msgspec.Struct):
    channel_id: int
    deleted: int


class Member(msgspec.Struct):
    user_id: int
    username: str
    display_name: str
    role: str


class ChannelInfo(msgspec.Struct):
    id: int
    team_id: int
    kind: str
    name: str
    member_ids: list[int]


class Removed(msgspec.Struct):
    team_id: int
    channel_id: int | None = None
    user_id: int | None = None


class Seat(msgspec.Struct):
    """Someone at a meeting's table: where they are and what they do in it."""

    user_id: int
    place: Literal["room", "call", "remote"]
    role: Literal["speaking", "observing", "notes"]
    joined_at: int


class FloorRequest(msgspec.Struct):
    user_id: int
    requested_at: int


class Floor(msgspec.Struct):
    user_id: int
    since: int


MeetingChangeKind = Literal[
    "created",
    "started",
    "ended",
    "joined",
    "left",
    "requested",
    "withdrawn",
    "granted",
    "declined",
    "released",
    "taken",
]


class Change(msgspec.Struct):
    """What a meeting's state is the result of: the live app buzzes "go" for a grant, tells the lead of a request."""

    what: MeetingChangeKind
    actor_id: int
    user_id: int | None = None  # whom it is about: the requester, the one granted, declined or taken from


class Meeting(msgspec.Struct):
    id: int
    team_id: int
    channel_id: int
    title: str
    counterpart: str
    planned_at: int | None
    state: Literal["planned", "live", "ended"]
    created_by: int
    created_at: int
    started_at: int | None
    ended_at: int | None
    seats: list[Seat]
    queue: list[FloorRequest]  # oldest first
    floor: Floor | None
    change: Change


class MeetingDeleted(msgspec.Struct):
    meeting_id: int
    team_id: int


class Escalation(msgspec.Struct):
    """An urgent cue insisting: `buzzes` so far (the first send included), `pending` who has not acknowledged it."""

    message_id: int
    channel_id: int
    meeting_id: int
    buzzes: int
    pending: list[int]
    state: Literal["active", "stopped"]
    reason: Literal["acknowledged", "expired", "cancelled", "ended", "done"] | None = None
    next_at: int | None = None


class Record(msgspec.Struct):
    """A source's track record: its entries, how many the team found corroborated, contradicted, known; and how many
    things the team gave it (what they were, its handler and the leads read in the exchange)."""

    entries: int = 0
    corroborated: int = 0
    contradicted: int = 0
    known: int = 0
    given: int = 0


class Source(msgspec.Struct):
    """A source as the team sees it: the pseudonym, never who they are (docs/sources.md)."""

    id: int
    team_id: int
    pseudonym: str
    handler_id: int
    state: Literal["invited", "open", "ended"]
    created_at: int
    joined_at: int | None
    ended_at: int | None
    record: Record


class IntelEntry(msgspec.Struct):
    """What a source said, graded in the Admiralty system, and how the team assessed it."""

    id: int
    team_id: int
    source_id: int
    author_id: int
    claim: str
    reliability: Literal["A", "B", "C", "D", "E", "F"]
    credibility: int
    said_at: int | None
    created_at: int
    verdict: Literal["corroborated", "contradicted"] | None
    by_entry_id: int | None
    note: str | None
    known: bool
    assessed_by: int | None
    assessed_at: int | None


class Contact(msgspec.Struct):
    """A guest's conversation as the guest knows it: its channel and its handler's name, nothing of the team."""

    channel_id: int
    user_id: int
    handler_id: int
    handler_name: str
    started_at: int


# Who receives an event: its audience is read when it is recorded, inside the writing transaction.


class ToTeam(msgspec.Struct, frozen=True):
    """Every member of the team."""

    team_id: int


class ToChannel(msgspec.Struct, frozen=True):
    """The channel's members."""

    team_id: int
    channel_id: int


class ToUser(msgspec.Struct, frozen=True):
    """One user (about one of their channels, when channel_id is given)."""

    team_id: int
    user_id: int
    channel_id: int | None = None


Address = ToTeam | ToChannel | ToUser

D = TypeVar("D")


class Envelope(msgspec.Struct, Generic[D], kw_only=True, tag_field="type"):
    """An event as clients receive it from sync and the live socket alike."""

    cursor: int
    team_id: int
    channel_id: int | None
    data: D


class MessageEvent(Envelope[Message], tag="message"):
    """A text or a cue was sent to a channel."""


class AckEvent(Envelope[AckOut], tag="ack"):
    """A member acknowledged ("got it") a message."""


class HistoryClearedEvent(Envelope[HistoryCleared], tag="history_cleared"):
    """The owner deleted a channel's history."""


class ChannelEvent(Envelope[ChannelInfo], tag="channel"):
    """A channel was created or its members changed."""


class ChannelRemovedEvent(Envelope[Removed], tag="channel_removed"):
    """The user was taken out of a channel (to that user only)."""


class MemberEvent(Envelope[Member], tag="member"):
    """Someone joined the team or changed role."""


class MemberRemovedEvent(Envelope[Removed], tag="member_removed"):
    """Someone left or was removed from the team (to the team)."""


class TeamRemovedEvent(Envelope[Removed], tag="team_removed"):
    """The user is no longer in the team (to that user only)."""


class CuesEvent(Envelope[CueSet], tag="cues"):
    """The team's cue set changed."""


class MessageRecalledEvent(Envelope[Recalled], tag="message_recalled"):
    """Its sender recalled a cue moments after sending it (to the channel)."""


class MeetingEvent(Envelope[Meeting], tag="meeting"):
    """A meeting's whole state, after any change to it (to the team)."""


class MeetingDeletedEvent(Envelope[MeetingDeleted], tag="meeting_deleted"):
    """The owner deleted a meeting with its timeline (to the team)."""


class EscalationEvent(Envelope[Escalation], tag="escalation"):
    """An urgent cue re-buzzed those who have not acknowledged it, or stopped insisting (to the channel)."""


class SourceEvent(Envelope[Source], tag="source"):
    """A source was added, joined, renamed, handed over or ended, or its track record changed (to the team)."""


class IntelEvent(Envelope[IntelEntry], tag="intel"):
    """An intel entry was logged or assessed (to the team)."""


class ContactEvent(Envelope[Contact], tag="contact"):
    """The guest's conversation opened or passed to another handler (to the guest only)."""


Event = (
    MessageEvent
    | AckEvent
    | HistoryClearedEvent
    | ChannelEvent
    | ChannelRemovedEvent
    | MemberEvent
    | MemberRemovedEvent
    | TeamRemovedEvent
    | CuesEvent
    | MessageRecalledEvent
    | MeetingEvent
    | MeetingDeletedEvent
    | EscalationEvent
    | SourceEvent
    | IntelEvent
    | ContactEvent
)
EVENT_TYPES: tuple[str, ...] = tuple(str(kind.__struct_config__.tag) for kind in get_args(Event))


class StoredEvent(msgspec.Struct, kw_only=True):
    """An event on the wire with its data as stored (encoded once, when recorded): what sync answers with."""

    cursor: int
    type: str
    team_id: int
    channel_id: int | None
    data: msgspec.Raw


_encode = msgspec.json.Encoder().encode


def record(tx: Tx, kind: type[Envelope[D]], to: Address, data: D | Callable[[int], D]) -> D:
    """Store an event of this kind, addressed so, in the action's transaction; return its data.

    The cursor is taken first and the data encoded once, after: data that names its own cursor (a message) is
    built by a function of it, so the stored data, the live frame and the envelope always agree.
    """
    type_ = str(kind.__struct_config__.tag)
    channel_id = None if isinstance(to, ToTeam) else to.channel_id
    user_id = to.user_id if isinstance(to, ToUser) else None
    cursor = sql.append(tx, type_, to.team_id, channel_id, user_id, now_ms())
    payload = data(cursor) if callable(data) else data
    raw = _encode(payload)
    sql.set_data(tx, cursor, raw)
    match to:
        case ToUser():
            audience = [to.user_id]
        case ToChannel():
            audience = sql.channel_audience(tx, to.channel_id, type_)
        case ToTeam():
            audience = sql.team_audience(tx, to.team_id)
    event = StoredEvent(cursor=cursor, type=type_, team_id=to.team_id, channel_id=channel_id, data=msgspec.Raw(raw))
    tx.publish(_encode(event), audience)
    return payload


class Catalogue(msgspec.Struct):
    events: list[str]
    frames: list[str]


@get("/events", summary="The catalogue: every stored event type and live-only frame the server sends")
async def catalogue() -> Catalogue:
    return Catalogue(events=list(EVENT_TYPES), frames=list(get_args(LiveFrameType)))


route_handlers = [catalogue]
