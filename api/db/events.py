"""SQL for the event log: the global cursor, who may see an event, and catch-up reads."""

from __future__ import annotations

import msgspec

from api.db.connection import Rows


def append(rows: Rows, type_: str, team_id: int, channel_id: int | None, user_id: int | None, now: int) -> int:
    """Take the next cursor for an event whose data is written next (set_data), in the same transaction."""
    cursor = rows.one(
        int,
        "INSERT INTO events (type, team_id, channel_id, user_id, data, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (type_, team_id, channel_id, user_id, b"", now),
    )
    assert cursor is not None
    return cursor


def set_data(rows: Rows, cursor: int, data: bytes) -> None:
    rows.run("UPDATE events SET data = ? WHERE id = ?", (data, cursor))


# What a guest (a source, docs/sources.md) receives of its conversation's events: never its `channel` events, which
# carry the pseudonym the team gave it.
GUEST_CHANNEL_EVENTS = ("message", "ack", "message_recalled", "history_cleared")
_FOR_GUESTS = "({})".format(", ".join(f"'{kind}'" for kind in GUEST_CHANNEL_EVENTS))


def channel_audience(rows: Rows, channel_id: int, type_: str) -> list[int]:
    """Who receives an event of this type addressed to the channel's members, as of now (inside the writing
    transaction): all of them, but a guest only the types it may see."""
    sees_all = "u.kind = 'person'" if type_ not in GUEST_CHANNEL_EVENTS else "1 = 1"
    members = "SELECT cm.user_id FROM channel_members cm JOIN users u ON u.id = cm.user_id WHERE cm.channel_id = ?"
    return rows.all(int, f"{members} AND {sees_all}", (channel_id,))


def team_audience(rows: Rows, team_id: int) -> list[int]:
    return rows.all(int, "SELECT user_id FROM team_members WHERE team_id = ?", (team_id,))


class LoggedEvent(msgspec.Struct):
    """An event as stored: its data is the JSON encoded once, when it was recorded."""

    cursor: int
    type: str
    team_id: int
    channel_id: int | None
    data: bytes


# A channel event is the channel's whole state (name, who is in it): only its newest is read back, so that someone
# added to a group learns what it is now, never its earlier names or who was in it before them.
_VISIBLE_AFTER = f"""
SELECT id AS cursor, type, team_id, channel_id, data FROM (
    SELECT e.* FROM events e
      WHERE e.user_id IS NULL AND e.id > :after
        AND e.channel_id IN (SELECT channel_id FROM channel_members WHERE user_id = :user)
        AND (e.type IN {_FOR_GUESTS} OR (SELECT kind FROM users WHERE id = :user) = 'person')
        AND (e.type <> 'channel' OR e.id = (
            SELECT max(s.id) FROM events s
              WHERE s.channel_id = e.channel_id AND s.user_id IS NULL AND s.type = 'channel'))
    UNION ALL
    SELECT e.* FROM events e
      WHERE e.user_id IS NULL AND e.channel_id IS NULL AND e.id > :after
        AND e.team_id IN (SELECT team_id FROM team_members WHERE user_id = :user)
    UNION ALL
    SELECT e.* FROM events e WHERE e.user_id = :user AND e.id > :after
) ORDER BY id LIMIT :limit
"""  # noqa: S608 (constants)


def visible_after(rows: Rows, user_id: int, after: int, limit: int) -> list[LoggedEvent]:
    """Events after the cursor that the user may see now, oldest first."""
    return rows.all(LoggedEvent, _VISIBLE_AFTER, {"after": after, "user": user_id, "limit": limit})
