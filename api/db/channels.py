"""SQL for channels, their members and each member's read cursor."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from api.db import dialect
from api.db.connection import Rows


class ChannelHead(msgspec.Struct):
    id: int
    team_id: int
    kind: str
    name: str


class MemberChannel(msgspec.Struct):
    """A channel as one of its members sees it: their read mark, their unread count and every member's marks."""

    id: int
    team_id: int
    kind: str
    name: str
    last_read: int
    unread: int
    # "user_id:delivered:read" per member, comma-separated (see api/actions/channels.py)
    marks: str


class Delivery(msgspec.Struct):
    channel_id: int
    delivered: int


class Seat(msgspec.Struct):
    channel_id: int
    user_id: int


_MEMBER_VIEW = f"""
SELECT c.id, c.team_id, c.kind, c.name, cm.last_read,
       (SELECT count(*) FROM messages m
         WHERE m.channel_id = c.id AND m.cursor > cm.last_read AND m.sender_id != cm.user_id) AS unread,
       (SELECT {dialect.joined("user_id || ':' || delivered || ':' || last_read")}
          FROM channel_members WHERE channel_id = c.id) AS marks
FROM channels c JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = ?
"""  # noqa: S608 (a constant)


def insert_channel(rows: Rows, team_id: int, kind: str, name: str, direct_key: str | None, now: int) -> int:
    channel_id = rows.one(
        int,
        "INSERT INTO channels (team_id, kind, name, direct_key, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (team_id, kind, name, direct_key, now),
    )
    assert channel_id is not None
    return channel_id


def add_members(rows: Rows, channel_id: int, user_ids: Iterable[int]) -> None:
    rows.run_many(
        "INSERT INTO channel_members (channel_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(channel_id, user_id) for user_id in user_ids],
    )


def remove_member(rows: Rows, channel_id: int, user_id: int) -> bool:
    return rows.run("DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?", (channel_id, user_id)) > 0


def builtin_channel_id(rows: Rows, team_id: int, kind: str) -> int:
    channel_id = rows.one(int, "SELECT id FROM channels WHERE team_id = ? AND kind = ?", (team_id, kind))
    assert channel_id is not None, f"team {team_id} lacks its {kind} channel"
    return channel_id


def channels_of(rows: Rows, team_id: int, user_id: int) -> list[MemberChannel]:
    return rows.all(MemberChannel, _MEMBER_VIEW + " WHERE c.team_id = ? ORDER BY c.id", (user_id, team_id))


def channel_for_member(rows: Rows, channel_id: int, user_id: int) -> MemberChannel | None:
    """The channel as its member sees it, or None when it does not exist or the user is not in it."""
    return rows.one(MemberChannel, _MEMBER_VIEW + " WHERE c.id = ?", (user_id, channel_id))


def channel(rows: Rows, channel_id: int) -> ChannelHead | None:
    return rows.one(ChannelHead, "SELECT id, team_id, kind, name FROM channels WHERE id = ?", (channel_id,))


def channel_ids_in_team(rows: Rows, team_id: int, user_id: int) -> list[int]:
    return rows.all(
        int,
        "SELECT c.id FROM channels c JOIN channel_members cm ON cm.channel_id = c.id"
        " WHERE c.team_id = ? AND cm.user_id = ?",
        (team_id, user_id),
    )


def direct_channel_id(rows: Rows, team_id: int, direct_key: str) -> int | None:
    return rows.one(int, "SELECT id FROM channels WHERE team_id = ? AND direct_key = ?", (team_id, direct_key))


def member_ids(rows: Rows, channel_id: int) -> list[int]:
    return rows.all(int, "SELECT user_id FROM channel_members WHERE channel_id = ? ORDER BY user_id", (channel_id,))


def shown_names(rows: Rows, team_id: int, other_than: int = 0) -> list[str]:
    """The names of the team's channels that show their own (all but one-to-one channels, which show the teammate's),
    but for the channel `other_than` (one being renamed may keep a look of its own)."""
    return rows.all(
        str, "SELECT name FROM channels WHERE team_id = ? AND kind <> 'direct' AND id <> ?", (team_id, other_than)
    )


def rename_channel(rows: Rows, channel_id: int, name: str) -> None:
    rows.run("UPDATE channels SET name = ? WHERE id = ?", (name, channel_id))


def delete_channel(rows: Rows, channel_id: int) -> None:
    """Delete the channel, its seats and the events its members shared (names, member lists, history notices);
    the events addressed to one user (each member's channel_removed) stay, for their devices to sync."""
    rows.run("DELETE FROM events WHERE channel_id = ? AND user_id IS NULL", (channel_id,))
    rows.run("DELETE FROM channels WHERE id = ?", (channel_id,))


def count_channels(rows: Rows, team_id: int) -> int:
    return rows.one(int, "SELECT count(*) FROM channels WHERE team_id = ?", (team_id,)) or 0


# The newest event the whole channel shares at or below a cursor (a channel_members row's own channel). A member's
# read and delivered marks are clamped to it: they never pass what the channel has, nor name another channel's events.
_REACHED = (
    "(SELECT max(e.id) FROM events e"
    " WHERE e.channel_id = channel_members.channel_id AND e.user_id IS NULL AND e.id <= ?)"
)


def set_last_read(rows: Rows, channel_id: int, user_id: int, cursor: int) -> None:
    """Move the member's read mark forward to the cursor, never past the channel's newest event."""
    rows.run(
        f"UPDATE channel_members SET last_read = {dialect.greatest('last_read', f'coalesce({_REACHED}, 0)')}"  # noqa: S608
        " WHERE channel_id = ? AND user_id = ?",
        (cursor, channel_id, user_id),
    )


class Marks(msgspec.Struct):
    delivered: int
    last_read: int


def marks_of(rows: Rows, channel_id: int, user_id: int) -> Marks | None:
    """The member's delivered and read marks in the channel."""
    return rows.one(
        Marks,
        "SELECT delivered, last_read FROM channel_members WHERE channel_id = ? AND user_id = ?",
        (channel_id, user_id),
    )


def mark_delivered(rows: Rows, user_id: int, cursor: int) -> list[tuple[int, int]]:
    """Raise the user's delivered mark in each channel that has an event at or below the cursor past it; return
    (channel id, new mark) for the channels where it moved."""
    moved = rows.all(
        Delivery,
        f"UPDATE channel_members SET delivered = {_REACHED}"  # noqa: S608 (a constant)
        f" WHERE user_id = ? AND delivered < coalesce({_REACHED}, 0) RETURNING channel_id, delivered",
        (cursor, user_id, cursor),
    )
    return [(delivery.channel_id, delivery.delivered) for delivery in moved]


def members_of_channels(rows: Rows, channel_ids: list[int]) -> dict[int, list[int]]:
    """The members of each channel, by channel id."""
    members: dict[int, list[int]] = {channel_id: [] for channel_id in channel_ids}
    marks = ", ".join("?" * len(channel_ids))
    seats = rows.all(
        Seat,
        f"SELECT channel_id, user_id FROM channel_members WHERE channel_id IN ({marks})",  # noqa: S608 (placeholders)
        channel_ids,
    )
    for seat in seats:
        members[seat.channel_id].append(seat.user_id)
    return members
