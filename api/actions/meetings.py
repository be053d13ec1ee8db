"""Meetings: planned → live → ended, who is at the table, the floor queue, and the timeline the debrief reads.

Every change records the meeting's whole state as one `meeting` event to the team (tagged with the meeting, so that
deleting it deletes them), and a line of its timeline. The rules for urgent cues that insist are in
`api/actions/escalations.py`; a cue sent or acknowledged in a live meeting is noted here, by the message actions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

import msgspec

from api import access
from api.clock import now_ms
from api.db import channels as channels_sql
from api.db import meetings as sql
from api.db.connection import Rows, Tx
from api.db.cues import StoredCue
from api.db.meetings import EscalationSettings, LogEntry, MeetingRow
from api.errors import ApiError, conflict, forbidden, invalid, not_found
from api.events import (
    Change,
    Meeting,
    MeetingChangeKind,
    MeetingDeleted,
    MeetingDeletedEvent,
    MeetingEvent,
    Message,
    ToTeam,
    record,
)
from api.throttle import Throttle
from api.wire import Body

MEETING_TITLE_MAX = 120
COUNTERPART_MAX = 120
MEETINGS_KEPT = 200  # per team, every state: the owner deletes old ones to plan more
FLOOR_QUEUE_MAX = 20
ESCALATE_EVERY_SECONDS = (10, 300)
ESCALATE_TIMES = (0, 10)  # 0: urgent cues buzz once, as outside a meeting
MEETING_CHANNEL_KINDS = frozenset({"everyone", "leads", "group"})

Place = Literal["room", "call", "remote"]
SeatRole = Literal["speaking", "observing", "notes"]


class EscalationIn(Body):
    every_seconds: Annotated[int, msgspec.Meta(ge=ESCALATE_EVERY_SECONDS[0], le=ESCALATE_EVERY_SECONDS[1])]
    times: Annotated[int, msgspec.Meta(ge=ESCALATE_TIMES[0], le=ESCALATE_TIMES[1])]


def meeting_state(rows: Rows, row: MeetingRow, change: Change) -> Meeting:
    return Meeting(
        id=row.id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        title=row.title,
        counterpart=row.counterpart,
        planned_at=row.planned_at,
        state=row.state,  # type: ignore[arg-type]  # the table's CHECK holds it to the three
        created_by=row.created_by,
        created_at=row.created_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
        seats=sql.seats(rows, row.id),
        queue=sql.queue(rows, row.id),
        floor=sql.floor_of(row),
        change=change,
    )


def _announce(tx: Tx, meeting_id: int, what: MeetingChangeKind, actor_id: int, user_id: int | None = None) -> Meeting:
    """Record the meeting's state after a change, to the team; its event is tagged as the meeting's."""
    row = sql.meeting(tx, meeting_id)
    assert row is not None

    def state(cursor: int) -> Meeting:
        sql.tag_event(tx, cursor, meeting_id)
        return meeting_state(tx, row, Change(what=what, actor_id=actor_id, user_id=user_id))

    return record(tx, MeetingEvent, ToTeam(team_id=row.team_id), state)


def _log(tx: Tx, meeting_id: int, kind: str, **fields: object) -> None:
    sql.log(tx, meeting_id, msgspec.convert({"at": now_ms(), "kind": kind, **fields}, LogEntry))


def meeting_for(
    rows: Rows, meeting_id: int, user_id: int, *, lead: bool = False, owner: str | None = None
) -> MeetingRow:
    """The meeting for a member of its team (404 for anyone else, like an unknown id); 403 for a role that may not."""
    row = sql.meeting(rows, meeting_id)
    if row is None or not access.is_member(rows, row.team_id, user_id):
        raise not_found("meeting")
    if lead or owner:
        access.team_role(rows, row.team_id, user_id, lead=lead, owner=owner)
    return row


def _count(throttle: Throttle, user_id: int) -> None:
    """What anyone at the table may do (join, ask, withdraw) is rate-limited: each is an event to the whole team and a
    line of the timeline. Touched in the writer's thread only, as the messages limit is."""
    throttle.take(str(user_id), "meeting actions from you this minute")


def _live(row: MeetingRow) -> None:
    if row.state != "live":
        said = "has not started yet" if row.state == "planned" else "has ended"
        raise conflict("meeting_state", f"This meeting {said}.")


def _seated(rows: Rows, row: MeetingRow, user_id: int, who: str, field: str | None = None) -> None:
    if sql.seat(rows, row.id, user_id) is None:
        fields = {field: "is not at the table"} if field else None
        raise ApiError(409, "not_at_table", f"{who} not at this meeting's table (join it first).", fields)


def _meeting_channel(rows: Rows, team_id: int, user_id: int, channel_id: int | None) -> int:
    if channel_id is None:
        return channels_sql.builtin_channel_id(rows, team_id, "everyone")
    channel = access.channel_of_member(rows, channel_id, user_id)
    if channel.team_id != team_id:
        raise invalid("channel_id", "is not a channel of this team")
    head = channels_sql.channel(rows, channel_id)
    if head is None or head.kind not in MEETING_CHANNEL_KINDS:
        raise invalid("channel_id", "a meeting's cues go to Everyone, Leads or a group")
    return channel_id


# Planning, starting, ending


def create_meeting(
    tx: Tx, user_id: int, team_id: int, title: str, counterpart: str, planned_at: int | None, channel_id: int | None
) -> Meeting:
    access.team_role(tx, team_id, user_id, lead=True)
    channel = _meeting_channel(tx, team_id, user_id, channel_id)
    if sql.count_meetings(tx, team_id) >= MEETINGS_KEPT:
        raise conflict("meeting_limit", f"A team keeps at most {MEETINGS_KEPT} meetings: delete old ones first.")
    meeting_id = sql.insert_meeting(tx, team_id, channel, title, counterpart, planned_at, user_id, now_ms())
    return _announce(tx, meeting_id, "created", user_id)


def meetings(rows: Rows, user_id: int, team_id: int) -> list[Meeting]:
    """The team's meetings: the live one, then planned ones (soonest first), then ended ones (newest first)."""
    access.team_role(rows, team_id, user_id)
    found = sql.meetings_of_team(rows, team_id)
    order = {"live": 0, "planned": 1, "ended": 2}

    def key(row: MeetingRow) -> tuple[int, int]:
        if row.state == "planned":
            return order[row.state], row.planned_at or row.created_at
        return order[row.state], -(row.ended_at or 0)

    return [_as_read(rows, row) for row in sorted(found, key=key)]


def meeting(rows: Rows, user_id: int, meeting_id: int) -> Meeting:
    return _as_read(rows, meeting_for(rows, meeting_id, user_id))


def _as_read(rows: Rows, row: MeetingRow) -> Meeting:
    """A meeting as read rather than changed: its `change` is its creation (only events carry the latest change)."""
    return meeting_state(rows, row, Change("created", row.created_by))


def start_meeting(tx: Tx, user_id: int, meeting_id: int) -> Meeting:
    row = meeting_for(tx, meeting_id, user_id, lead=True)
    if row.state != "planned":
        raise conflict("meeting_state", f"This meeting is {row.state} already.")
    if sql.live_meeting(tx, row.team_id) is not None:
        raise conflict("meeting_live", "Another meeting of this team is live: end it first.")
    sql.set_started(tx, meeting_id, now_ms())
    _log(tx, meeting_id, "started", user_id=user_id)
    return _announce(tx, meeting_id, "started", user_id)


def end_meeting(tx: Tx, user_id: int, meeting_id: int, stop_escalations: Callable[[Tx, int], None]) -> Meeting:
    row = meeting_for(tx, meeting_id, user_id, lead=True)
    _live(row)
    stop_escalations(tx, meeting_id)
    sql.set_ended(tx, meeting_id, now_ms())
    _log(tx, meeting_id, "ended", user_id=user_id, other_id=row.floor_holder)
    return _announce(tx, meeting_id, "ended", user_id)


def delete_meeting(tx: Tx, user_id: int, meeting_id: int) -> MeetingDeleted:
    """The owner deletes a meeting with its timeline and events; the caller scrubs the WAL after the commit."""
    row = meeting_for(tx, meeting_id, user_id, owner="delete a meeting's timeline")
    if row.state == "live":
        raise conflict("meeting_state", "End the meeting before deleting it.")
    sql.delete_meeting(tx, meeting_id)
    gone = MeetingDeleted(meeting_id=meeting_id, team_id=row.team_id)
    return record(tx, MeetingDeletedEvent, ToTeam(team_id=row.team_id), gone)


# At the table


def join_meeting(tx: Tx, user_id: int, meeting_id: int, place: str, role: str, *, throttle: Throttle) -> Meeting:
    """Take a seat (or change where I am and what I do): the meeting must be live and its channel mine."""
    row = meeting_for(tx, meeting_id, user_id)
    _count(throttle, user_id)
    _live(row)
    if user_id not in channels_sql.member_ids(tx, row.channel_id):
        raise forbidden("This meeting's cues go to a channel you are not in.")
    sql.upsert_seat(tx, meeting_id, user_id, place, role, now_ms())
    _log(tx, meeting_id, "joined", user_id=user_id, place=place, role=role)
    return _announce(tx, meeting_id, "joined", user_id, user_id)


def leave_table(tx: Tx, channel_id: int, user_id: int) -> None:
    """Someone taken out of a live meeting's channel (leaving the team takes them out of every channel) leaves its
    table: their seat, their place in the queue and the floor, if they held it."""
    row = sql.live_meeting_of_channel(tx, channel_id)
    if row is None or (sql.seat(tx, row.id, user_id) is None and row.floor_holder != user_id):
        return
    sql.unseat(tx, row.id, user_id)
    _log(tx, row.id, "left", user_id=user_id)
    _announce(tx, row.id, "left", user_id, user_id)


def debrief_for(rows: Rows, user_id: int, meeting_id: int) -> Meeting:
    """The meeting, for a debrief: it tells of the cues sent in its channel, so only that channel's members read it."""
    found = meeting(rows, user_id, meeting_id)
    if user_id not in channels_sql.member_ids(rows, found.channel_id):
        raise forbidden("The debrief tells of the cues sent in a channel you are not in.")
    return found


def hand_channel_over(tx: Tx, team_id: int, channel_id: int) -> None:
    """A group that goes hands its meetings to Everyone (a meeting must always have somewhere to send its cues)."""
    sql.hand_channel_over(tx, channel_id, channels_sql.builtin_channel_id(tx, team_id, "everyone"))


# The floor


def request_floor(tx: Tx, user_id: int, meeting_id: int, *, throttle: Throttle) -> Meeting:
    """Ask for the floor ("Let me talk"): into the queue, once; asking again keeps my place."""
    row = meeting_for(tx, meeting_id, user_id)
    _count(throttle, user_id)
    _live(row)
    _seated(tx, row, user_id, "You are")
    if row.floor_holder == user_id:
        raise conflict("floor_held", "You have the floor already.")
    queue = sql.queue(tx, meeting_id)
    if any(request.user_id == user_id for request in queue):
        return meeting_state(tx, row, Change("requested", user_id, user_id))
    if len(queue) >= FLOOR_QUEUE_MAX:
        raise conflict("floor_queue_full", f"At most {FLOOR_QUEUE_MAX} can wait for the floor.")
    sql.insert_request(tx, meeting_id, user_id, now_ms())
    _log(tx, meeting_id, "requested", user_id=user_id)
    return _announce(tx, meeting_id, "requested", user_id, user_id)


def withdraw_floor(tx: Tx, user_id: int, meeting_id: int, *, throttle: Throttle) -> Meeting:
    row = meeting_for(tx, meeting_id, user_id)
    _count(throttle, user_id)
    _live(row)
    if not sql.delete_request(tx, meeting_id, user_id):
        raise conflict("not_queued", "You are not waiting for the floor.")
    _log(tx, meeting_id, "withdrawn", user_id=user_id)
    return _announce(tx, meeting_id, "withdrawn", user_id, user_id)


def grant_floor(tx: Tx, lead_id: int, meeting_id: int, user_id: int) -> Meeting:
    """Give someone at the table the floor (from the queue or not); whoever held it loses it."""
    row = meeting_for(tx, meeting_id, lead_id, lead=True)
    _live(row)
    _seated(tx, row, user_id, "They are", "user_id")
    if row.floor_holder == user_id:
        return meeting_state(tx, row, Change("granted", lead_id, user_id))
    if row.floor_holder is not None:
        _log(tx, meeting_id, "taken", user_id=row.floor_holder, other_id=lead_id)
    sql.delete_request(tx, meeting_id, user_id)
    sql.set_floor(tx, meeting_id, user_id, now_ms())
    _log(tx, meeting_id, "granted", user_id=user_id, other_id=lead_id)
    return _announce(tx, meeting_id, "granted", lead_id, user_id)


def decline_floor(tx: Tx, lead_id: int, meeting_id: int, user_id: int) -> Meeting:
    row = meeting_for(tx, meeting_id, lead_id, lead=True)
    _live(row)
    if not sql.delete_request(tx, meeting_id, user_id):
        raise ApiError(409, "not_queued", "They are not waiting for the floor.", {"user_id": "is not waiting"})
    _log(tx, meeting_id, "declined", user_id=user_id, other_id=lead_id)
    return _announce(tx, meeting_id, "declined", lead_id, user_id)


def release_floor(tx: Tx, user_id: int, meeting_id: int) -> Meeting:
    row = meeting_for(tx, meeting_id, user_id)
    _live(row)
    if row.floor_holder != user_id:
        raise conflict("not_holding", "You do not have the floor.")
    sql.set_floor(tx, meeting_id, None, None)
    _log(tx, meeting_id, "released", user_id=user_id)
    return _announce(tx, meeting_id, "released", user_id, user_id)


def take_floor(tx: Tx, lead_id: int, meeting_id: int) -> Meeting:
    row = meeting_for(tx, meeting_id, lead_id, lead=True)
    _live(row)
    if row.floor_holder is None:
        raise conflict("floor_free", "Nobody has the floor.")
    sql.set_floor(tx, meeting_id, None, None)
    _log(tx, meeting_id, "taken", user_id=row.floor_holder, other_id=lead_id)
    return _announce(tx, meeting_id, "taken", lead_id, row.floor_holder)


# What the message actions tell a live meeting


def note_cue(tx: Tx, message: Message, cue: StoredCue, audience: list[int]) -> int | None:
    """A cue sent to a live meeting's channel goes on its timeline; returns the meeting's id (None: no meeting)."""
    row = sql.live_meeting_of_channel(tx, message.channel_id)
    if row is None:
        return None
    _log(
        tx,
        row.id,
        "cue",
        user_id=message.sender_id,
        message_id=message.id,
        cue=cue.code,
        label=cue.label,
        urgency=cue.urgency,
        audience=msgspec.json.encode(audience).decode(),
    )
    return row.id


def note_ack(tx: Tx, message_id: int, user_id: int, at: int) -> bool:
    """An acknowledgement of a meeting's cue goes on its timeline with how long it took; True if it was one."""
    sent = sql.cue_in_meeting(tx, message_id)
    if sent is not None:
        entry = LogEntry(at=at, kind="ack", user_id=user_id, message_id=message_id, ms=at - sent.at)
        sql.log(tx, sent.meeting_id, entry)
    return sent is not None


def note_recall(tx: Tx, message_id: int, user_id: int, at: int) -> None:
    """A meeting's cue recalled by its sender: the debrief no longer counts it as unanswered."""
    sent = sql.cue_in_meeting(tx, message_id)
    if sent is not None:
        sql.log(tx, sent.meeting_id, LogEntry(at=at, kind="recalled", user_id=user_id, message_id=message_id))


# Team settings


def set_escalation(tx: Tx, user_id: int, team_id: int, every_seconds: int, times: int) -> EscalationSettings:
    access.team_role(tx, team_id, user_id, lead=True)
    sql.set_escalation_settings(tx, team_id, every_seconds, times)
    return EscalationSettings(every_seconds=every_seconds, times=times)
