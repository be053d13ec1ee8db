"""Searching message text across the channels the caller is in now, for one team: a query (`await db.read(...)`)."""

from __future__ import annotations

import re
import unicodedata

import msgspec

from api import access
from api.db import dialect
from api.db import search as sql
from api.db.connection import Rows
from api.db.search import Hit
from api.errors import invalid

SEARCH_DEFAULT_RESULTS = 20
SEARCH_MAX_RESULTS = 50
SEARCH_MAX_CHARS = 200
_WORD = re.compile(r"\w+")  # what unicode61 indexes as tokens: letters and digits; the rest separates them


class Results(msgspec.Struct):
    results: list[Hit]


def words_of(q: str) -> list[str]:
    # Composed and compatibility forms as people type them: "cafe\u0301s" finds "cafés", full-width letters theirs.
    return _WORD.findall(unicodedata.normalize("NFKC", q))


def search(rows: Rows, user_id: int, team_id: int, q: str, limit: int) -> Results:
    """Newest first; every word must match, the last also as a prefix. 404 for outsiders; 400 naming q when it
    holds no word (empty, or only punctuation)."""
    access.team_role(rows, team_id, user_id)
    words = words_of(q)
    if not words:
        raise invalid("q", "search for at least one word (letters or digits)")
    return Results(results=sql.search(rows, team_id, user_id, dialect.search_query(words), limit))
