"""SQL for meetings: the meeting row, its seats and floor queue, its timeline, its events and urgent cues' schedules."""

from __future__ import annotations

import msgspec

from api.db.connection import Rows
from api.db.push import Device
from api.events import Floor, FloorRequest, Seat

_MEETING = (
    "SELECT id, team_id, channel_id, title, counterpart, planned_at, state, created_by, created_at, started_at,"
    " ended_at, floor_holder, floor_since FROM meetings"
)


class MeetingRow(msgspec.Struct):
    id: int
    team_id: int
    channel_id: int
    title: str
    counterpart: str
    planned_at: int | None
    state: str
    created_by: int
    created_at: int
    started_at: int | None
    ended_at: int | None
    floor_holder: int | None
    floor_since: int | None


class LogEntry(msgspec.Struct, omit_defaults=True):
    """One line of a meeting's timeline; `at` is ms since the epoch as stored (the debrief makes it relative)."""

    at: int
    kind: str
    user_id: int | None = None
    other_id: int | None = None
    message_id: int | None = None
    cue: str | None = None
    label: str | None = None
    ms: int | None = None
    place: str | None = None
    role: str | None = None
    urgency: str | None = None
    audience: str | None = None  # JSON list of user ids


class EscalationRow(msgspec.Struct):
    message_id: int
    meeting_id: int
    channel_id: int
    team_id: int
    sender_id: int
    every_ms: int
    times: int
    buzzes: int
    expires_at: int
    next_at: int | None
    reason: str | None


# Meetings


def insert_meeting(
    rows: Rows, team_id: int, channel_id: int, title: str, counterpart: str, planned_at: int | None, by: int, now: int
) -> int:
    found = rows.one(
        int,
        "INSERT INTO meetings (team_id, channel_id, title, counterpart, planned_at, state, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, 'planned', ?, ?) RETURNING id",
        (team_id, channel_id, title, counterpart, planned_at, by, now),
    )
    assert found is not None
    return found


def meeting(rows: Rows, meeting_id: int) -> MeetingRow | None:
    return rows.one(MeetingRow, f"{_MEETING} WHERE id = ?", (meeting_id,))


def meetings_of_team(rows: Rows, team_id: int) -> list[MeetingRow]:
    return rows.all(MeetingRow, f"{_MEETING} WHERE team_id = ? ORDER BY id", (team_id,))


def count_meetings(rows: Rows, team_id: int) -> int:
    return rows.one(int, "SELECT count(*) FROM meetings WHERE team_id = ?", (team_id,)) or 0


def live_meeting(rows: Rows, team_id: int) -> int | None:
    return rows.one(int, "SELECT id FROM meetings WHERE team_id = ? AND state = 'live'", (team_id,))


def live_meeting_of_channel(rows: Rows, channel_id: int) -> MeetingRow | None:
    return rows.one(MeetingRow, f"{_MEETING} WHERE channel_id = ? AND state = 'live'", (channel_id,))


def set_started(rows: Rows, meeting_id: int, now: int) -> None:
    rows.run("UPDATE meetings SET state = 'live', started_at = ? WHERE id = ?", (now, meeting_id))


def set_ended(rows: Rows, meeting_id: int, now: int) -> None:
    rows.run(
        "UPDATE meetings SET state = 'ended', ended_at = ?, floor_holder = NULL, floor_since = NULL WHERE id = ?",
        (now, meeting_id),
    )
    rows.run("DELETE FROM floor_requests WHERE meeting_id = ?", (meeting_id,))


def set_floor(rows: Rows, meeting_id: int, user_id: int | None, now: int | None) -> None:
    rows.run("UPDATE meetings SET floor_holder = ?, floor_since = ? WHERE id = ?", (user_id, now, meeting_id))


def hand_channel_over(rows: Rows, channel_id: int, everyone_id: int) -> None:
    """The meetings whose cues went to a channel that is going now send them to the team's Everyone."""
    rows.run("UPDATE meetings SET channel_id = ? WHERE channel_id = ?", (everyone_id, channel_id))


def delete_meeting(rows: Rows, meeting_id: int) -> None:
    """The meeting, its seats, queue, timeline, schedules and stored events (secure_delete overwrites them)."""
    rows.run("DELETE FROM events WHERE id IN (SELECT cursor FROM meeting_events WHERE meeting_id = ?)", (meeting_id,))
    rows.run("DELETE FROM meeting_events WHERE meeting_id = ?", (meeting_id,))
    rows.run("DELETE FROM meetings WHERE id = ?", (meeting_id,))


def tag_event(rows: Rows, cursor: int, meeting_id: int) -> None:
    rows.run("INSERT INTO meeting_events (cursor, meeting_id) VALUES (?, ?)", (cursor, meeting_id))


# Seats and the floor queue


def seats(rows: Rows, meeting_id: int) -> list[Seat]:
    return rows.all(
        Seat,
        "SELECT user_id, place, role, joined_at FROM meeting_seats WHERE meeting_id = ? ORDER BY joined_at, user_id",
        (meeting_id,),
    )


def seat(rows: Rows, meeting_id: int, user_id: int) -> Seat | None:
    return rows.one(
        Seat,
        "SELECT user_id, place, role, joined_at FROM meeting_seats WHERE meeting_id = ? AND user_id = ?",
        (meeting_id, user_id),
    )


def upsert_seat(rows: Rows, meeting_id: int, user_id: int, place: str, role: str, now: int) -> None:
    rows.run(
        "INSERT INTO meeting_seats (meeting_id, user_id, place, role, joined_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (meeting_id, user_id) DO UPDATE SET place = excluded.place, role = excluded.role",
        (meeting_id, user_id, place, role, now),
    )


def queue(rows: Rows, meeting_id: int) -> list[FloorRequest]:
    return rows.all(
        FloorRequest,
        "SELECT user_id, requested_at FROM floor_requests WHERE meeting_id = ? ORDER BY requested_at, user_id",
        (meeting_id,),
    )


def insert_request(rows: Rows, meeting_id: int, user_id: int, now: int) -> None:
    rows.run(
        "INSERT INTO floor_requests (meeting_id, user_id, requested_at) VALUES (?, ?, ?)", (meeting_id, user_id, now)
    )


def delete_request(rows: Rows, meeting_id: int, user_id: int) -> bool:
    return rows.run("DELETE FROM floor_requests WHERE meeting_id = ? AND user_id = ?", (meeting_id, user_id)) > 0


def floor_of(row: MeetingRow) -> Floor | None:
    if row.floor_holder is None or row.floor_since is None:
        return None
    return Floor(user_id=row.floor_holder, since=row.floor_since)


def unseat(rows: Rows, meeting_id: int, user_id: int) -> None:
    rows.run("DELETE FROM meeting_seats WHERE meeting_id = ? AND user_id = ?", (meeting_id, user_id))
    rows.run("DELETE FROM floor_requests WHERE meeting_id = ? AND user_id = ?", (meeting_id, user_id))
    rows.run(
        "UPDATE meetings SET floor_holder = NULL, floor_since = NULL WHERE id = ? AND floor_holder = ?",
        (meeting_id, user_id),
    )


# The timeline


def log(rows: Rows, meeting_id: int, entry: LogEntry) -> None:
    rows.run(
        "INSERT INTO meeting_log"
        " (meeting_id, at, kind, user_id, other_id, message_id, cue, label, ms, place, role, urgency, audience)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            meeting_id,
            entry.at,
            entry.kind,
            entry.user_id,
            entry.other_id,
            entry.message_id,
            entry.cue,
            entry.label,
            entry.ms,
            entry.place,
            entry.role,
            entry.urgency,
            entry.audience,
        ),
    )


def timeline(rows: Rows, meeting_id: int) -> list[LogEntry]:
    return rows.all(
        LogEntry,
        "SELECT at, kind, user_id, other_id, message_id, cue, label, ms, place, role, urgency, audience"
        " FROM meeting_log"
        " WHERE meeting_id = ? ORDER BY id",
        (meeting_id,),
    )


class SentCue(msgspec.Struct):
    meeting_id: int
    at: int
    audience: str  # JSON list of who it went to


def cue_in_meeting(rows: Rows, message_id: int) -> SentCue | None:
    """The meeting a cue was sent in and when (its timeline has it)."""
    return rows.one(
        SentCue, "SELECT meeting_id, at, audience FROM meeting_log WHERE message_id = ? AND kind = 'cue'", (message_id,)
    )


# Urgent cues' schedules

_ESCALATION = (
    "SELECT e.message_id, e.meeting_id, m.channel_id, c.team_id, m.sender_id, e.every_ms, e.times, e.buzzes,"
    " e.expires_at, e.next_at, e.reason FROM escalations e JOIN messages m ON m.id = e.message_id"
    " JOIN channels c ON c.id = m.channel_id"
)


def insert_escalation(
    rows: Rows, message_id: int, meeting_id: int, every_ms: int, times: int, expires_at: int, next_at: int
) -> None:
    rows.run(
        "INSERT INTO escalations (message_id, meeting_id, every_ms, times, expires_at, next_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (message_id, meeting_id, every_ms, times, expires_at, next_at),
    )


def escalation(rows: Rows, message_id: int) -> EscalationRow | None:
    return rows.one(EscalationRow, f"{_ESCALATION} WHERE e.message_id = ?", (message_id,))


def due_escalations(rows: Rows, now: int, limit: int) -> list[EscalationRow]:
    return rows.all(
        EscalationRow,
        f"{_ESCALATION} WHERE e.next_at IS NOT NULL AND e.next_at <= ? ORDER BY e.next_at LIMIT ?",
        (now, limit),
    )


def active_escalations_of_meeting(rows: Rows, meeting_id: int) -> list[EscalationRow]:
    return rows.all(EscalationRow, f"{_ESCALATION} WHERE e.meeting_id = ? AND e.next_at IS NOT NULL", (meeting_id,))


def next_escalation_at(rows: Rows) -> int | None:
    # Not min(next_at): with nothing scheduled that is a row holding NULL, which failed the escalator every time.
    return rows.one(int, "SELECT next_at FROM escalations WHERE next_at IS NOT NULL ORDER BY next_at LIMIT 1")


def set_buzzed(rows: Rows, message_id: int, buzzes: int, next_at: int | None, reason: str | None) -> None:
    rows.run(
        "UPDATE escalations SET buzzes = ?, next_at = ?, reason = ? WHERE message_id = ?",
        (buzzes, next_at, reason, message_id),
    )


class UserDevice(Device):
    user_id: int


def unacknowledged_devices(rows: Rows, message_id: int, channel_id: int, sender_id: int) -> list[UserDevice]:
    """The push subscriptions of those `unacknowledged` names."""
    return rows.all(
        UserDevice,
        "SELECT s.id, s.session_id, s.user_id FROM push_subscriptions s"
        " JOIN channel_members cm ON cm.user_id = s.user_id AND cm.channel_id = ? WHERE s.user_id != ?"
        " AND s.user_id NOT IN (SELECT user_id FROM acks WHERE message_id = ?)",
        (channel_id, sender_id, message_id),
    )


def unacknowledged(rows: Rows, message_id: int, channel_id: int, sender_id: int) -> list[int]:
    """The channel's members, but the sender, who have not acknowledged the message."""
    return rows.all(
        int,
        "SELECT user_id FROM channel_members WHERE channel_id = ? AND user_id != ?"
        " AND user_id NOT IN (SELECT user_id FROM acks WHERE message_id = ?) ORDER BY user_id",
        (channel_id, sender_id, message_id),
    )


# Team settings


class EscalationSettings(msgspec.Struct):
    every_seconds: int
    times: int


def escalation_settings(rows: Rows, team_id: int) -> EscalationSettings:
    found = rows.one(
        EscalationSettings,
        "SELECT escalate_every_s AS every_seconds, escalate_times AS times FROM teams WHERE id = ?",
        (team_id,),
    )
    assert found is not None
    return found


def set_escalation_settings(rows: Rows, team_id: int, every_seconds: int, times: int) -> None:
    rows.run("UPDATE teams SET escalate_every_s = ?, escalate_times = ? WHERE id = ?", (every_seconds, times, team_id))


# Who the roster and the debrief name


def seated_with_push(rows: Rows, meeting_id: int) -> list[int]:
    """Those at the meeting's table with a push subscription."""
    return rows.all(
        int,
        "SELECT DISTINCT s.user_id FROM push_subscriptions s"
        " JOIN meeting_seats ms ON ms.user_id = s.user_id AND ms.meeting_id = ?",
        (meeting_id,),
    )


class _Name(msgspec.Struct):
    id: int
    display_name: str


def display_names(rows: Rows, team_id: int, meeting_id: int) -> dict[int, str]:
    """The names of the team's members and of everyone on the meeting's timeline (who may have left since)."""
    found = rows.all(
        _Name,
        "SELECT id, display_name FROM users WHERE id IN (SELECT user_id FROM team_members WHERE team_id = ?)"
        " OR id IN (SELECT user_id FROM meeting_log WHERE meeting_id = ?)"
        " OR id IN (SELECT other_id FROM meeting_log WHERE meeting_id = ?)",
        (team_id, meeting_id, meeting_id),
    )
    return {name.id: name.display_name for name in found}
