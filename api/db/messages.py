"""SQL for messages and their acknowledgements. Rows come back as the API's own Structs (api/events.py)."""

from __future__ import annotations

from api.db import dialect
from api.db.connection import Rows
from api.events import AckOut, Message

# A message as the API shows it, acks aside (they are read per page: acks_for).
_MESSAGE = (
    "SELECT m.id, m.cursor, c.team_id, m.channel_id, m.sender_id, m.client_id, m.kind, m.text, m.cue, m.created_at,"
    " m.recalled_at"
    ", m.composed_at FROM messages m JOIN channels c ON c.id = m.channel_id"
)


def insert_message(
    rows: Rows,
    channel_id: int,
    sender_id: int,
    client_id: str,
    kind: str,
    text: str | None,
    cue: str | None,
    now: int,
    composed_at: int | None = None,
) -> int | None:
    """Return the new message's id, or None when this sender already used this client_id."""
    return rows.one(
        int,
        "INSERT INTO messages (channel_id, sender_id, client_id, kind, text, cue, cursor, created_at, composed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (sender_id, client_id) DO NOTHING RETURNING id",
        (channel_id, sender_id, client_id, kind, text, cue, now, composed_at),
    )


def set_cursor(rows: Rows, message_id: int, cursor: int) -> None:
    rows.run("UPDATE messages SET cursor = ? WHERE id = ?", (cursor, message_id))


def message_by_client_id(rows: Rows, sender_id: int, client_id: str) -> Message | None:
    return rows.one(Message, f"{_MESSAGE} WHERE m.sender_id = ? AND m.client_id = ?", (sender_id, client_id))


def history(rows: Rows, channel_id: int, before: int | None, limit: int) -> list[Message]:
    """The newest `limit` messages before the message id `before`, oldest first."""
    newest_first = rows.all(
        Message,
        f"{_MESSAGE} WHERE m.channel_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?",
        (channel_id, before if before is not None else 2**62, limit),
    )
    return newest_first[::-1]


def acks_for(rows: Rows, message_ids: list[int]) -> list[AckOut]:
    if not message_ids:
        return []
    marks = ",".join("?" * len(message_ids))
    return rows.all(
        AckOut,
        "SELECT a.message_id, m.channel_id, a.user_id, a.at FROM acks a JOIN messages m ON m.id = a.message_id"  # noqa: S608 (placeholders)
        f" WHERE a.message_id IN ({marks}) ORDER BY a.at, a.user_id",
        message_ids,
    )


def insert_ack(rows: Rows, message_id: int, user_id: int, now: int) -> bool:
    """Record the ack; False when this user had already acknowledged the message."""
    inserted = rows.one(
        int,
        "INSERT INTO acks (message_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING at",
        (message_id, user_id, now),
    )
    return inserted is not None


def ack_at(rows: Rows, message_id: int, user_id: int) -> int | None:
    return rows.one(int, "SELECT at FROM acks WHERE message_id = ? AND user_id = ?", (message_id, user_id))


def was_deleted(rows: Rows, sender_id: int, client_id: str) -> bool:
    """Whether this sender's message with this client_id was stored once and then deleted."""
    found = rows.one(
        int, "SELECT 1 FROM deleted_messages WHERE sender_id = ? AND client_id = ?", (sender_id, client_id)
    )
    return found is not None


def delete_history(rows: Rows, channel_id: int) -> int:
    """Delete a channel's messages (their acks and push jobs go with them) and their events, keeping only
    each message's (sender, client_id) so a retry of it is refused; return how many messages."""
    rows.run(
        "INSERT INTO deleted_messages (sender_id, client_id)"
        " SELECT sender_id, client_id FROM messages WHERE channel_id = ? ON CONFLICT DO NOTHING",
        (channel_id,),
    )
    deleted = rows.run("DELETE FROM messages WHERE channel_id = ?", (channel_id,))
    rows.run("DELETE FROM events WHERE channel_id = ? AND type IN ('message', 'ack')", (channel_id,))
    rows.run(dialect.SEARCH_OPTIMIZE)  # the triggers took the texts out of the search index; drop their tokens
    return deleted


def message_by_id(rows: Rows, message_id: int) -> Message | None:
    return rows.one(Message, f"{_MESSAGE} WHERE m.id = ?", (message_id,))


def set_recalled(rows: Rows, message_id: int, now: int) -> None:
    rows.run("UPDATE messages SET recalled_at = ? WHERE id = ?", (now, message_id))
