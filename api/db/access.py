"""SQL for the authorization reads of api/access.py."""

from __future__ import annotations

import msgspec

from api.db.connection import Rows


class ChannelRef(msgspec.Struct, frozen=True):
    id: int
    team_id: int
    kind: str


class MessageRef(msgspec.Struct, frozen=True):
    id: int
    team_id: int
    channel_id: int
    sender_id: int


def role_of(rows: Rows, team_id: int, user_id: int) -> str | None:
    return rows.one(str, "SELECT role FROM team_members WHERE team_id = ? AND user_id = ?", (team_id, user_id))


def channel_of_member(rows: Rows, channel_id: int, user_id: int) -> ChannelRef | None:
    return rows.one(
        ChannelRef,
        "SELECT c.id, c.team_id, c.kind FROM channels c"
        " JOIN channel_members cm ON cm.channel_id = c.id AND cm.user_id = ? WHERE c.id = ?",
        (user_id, channel_id),
    )


def message_of_member(rows: Rows, message_id: int, user_id: int) -> MessageRef | None:
    return rows.one(
        MessageRef,
        "SELECT m.id, c.team_id, m.channel_id, m.sender_id FROM messages m JOIN channels c ON c.id = m.channel_id"
        " JOIN channel_members cm ON cm.channel_id = m.channel_id AND cm.user_id = ? WHERE m.id = ?",
        (user_id, message_id),
    )
