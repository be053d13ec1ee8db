"""SQL for searching message text (the FTS5 parts are spelled in api/db/dialect.py)."""

from __future__ import annotations

import msgspec

from api.db import dialect
from api.db.connection import Rows


class Hit(msgspec.Struct):
    id: int
    channel_id: int
    cursor: int
    sender_id: int
    created_at: int
    text: str
    snippet: str  # the matched part of the text, each matched word between U+0002 and U+0003, cuts marked …


def search(rows: Rows, team_id: int, user_id: int, query: str, limit: int) -> list[Hit]:
    """The newest `limit` text messages matching the FTS5 query in the team's channels the user is in now."""
    return rows.all(
        Hit,
        "SELECT m.id, m.channel_id, m.cursor, m.sender_id, m.created_at, m.text,"  # noqa: S608 (constants)
        f" {dialect.search_snippet()} AS snippet FROM {dialect.SEARCH_TABLE} s"
        " JOIN messages m ON m.id = s.rowid JOIN channels c ON c.id = m.channel_id"
        " JOIN channel_members cm ON cm.channel_id = m.channel_id AND cm.user_id = ?"
        f" WHERE {dialect.SEARCH_MATCH} AND c.team_id = ? AND m.recalled_at IS NULL ORDER BY m.id DESC LIMIT ?",
        (user_id, query, team_id, limit),
    )
