"""What only SQLite says: every statement the rest of api/db/ writes is portable SQL, but for these.

A later scale-out runs the same actions on PostgreSQL; its dialect module will spell these its own way
(`BEGIN` plus an advisory lock for the event log, `greatest`, `string_agg`) and nothing else should change.
"""

from __future__ import annotations

BUSY_TIMEOUT_MS = 5000

# Set on every connection: WAL lets readers run beside the one writer; secure_delete overwrites deleted rows
# (a channel's deleted history must not linger in free pages).
CONNECTION_PRAGMAS = (
    "PRAGMA synchronous=NORMAL",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",
)
WRITER_PRAGMAS = ("PRAGMA journal_mode=WAL", *CONNECTION_PRAGMAS)

# Take the write lock at the start, so a write never fails half-way on a lock another connection holds.
BEGIN_WRITE = "BEGIN IMMEDIATE"


def busy_timeout(ms: int) -> str:
    return f"PRAGMA busy_timeout={ms}"


# Fold the WAL into the database file and truncate it; answers one row whose first column is 1 when a reader
# blocked it.
TRUNCATE_WAL = "PRAGMA wal_checkpoint(TRUNCATE)"


def greatest(a: str, b: str) -> str:
    """The larger of two SQL expressions (SQLite's two-argument max; PostgreSQL's greatest)."""
    return f"max({a}, {b})"


def joined(expression: str) -> str:
    """An aggregate joining a column's values with commas (SQLite's group_concat; PostgreSQL's string_agg)."""
    return f"group_concat({expression})"


# Full-text search of text messages: the FTS5 table message_search (migration 011), rowid = messages.id.
SEARCH_TABLE = "message_search"
# Merge the index's segments into one, dropping deleted rows' tokens (with secure_delete their pages are zeroed).
SEARCH_OPTIMIZE = "INSERT INTO message_search(message_search) VALUES('optimize')"
SEARCH_MATCH = "message_search MATCH ?"
# Around each matched word, and where the text was cut. The marks are controls no keyboard types, so that a
# message's own « » (a French quote) is never taken for a match.
SNIPPET_MARKS = ("\x02", "\x03", "…")


def search_snippet(tokens: int = 16) -> str:
    start, end, ellipsis = SNIPPET_MARKS
    return f"snippet(message_search, 0, '{start}', '{end}', '{ellipsis}', {tokens})"


def search_query(words: list[str]) -> str:
    """An FTS5 query matching every word, each a quoted phrase (no FTS syntax gets through), the last a prefix."""
    phrases = ['"' + word.replace('"', '""') + '"' for word in words]
    return " ".join(phrases) + "*"
