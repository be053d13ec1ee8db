"""SQL for a team's cue set, kept in the order the leads chose."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from api.db.connection import Rows


class StoredCue(msgspec.Struct):
    code: str
    label: str
    urgency: str
    rhythm: str  # JSON
    ttl_seconds: int


_COLUMNS = "code, label, urgency, rhythm, ttl_seconds"


def cue(rows: Rows, team_id: int, code: str) -> StoredCue | None:
    return rows.one(
        StoredCue,
        f"SELECT {_COLUMNS} FROM cues WHERE team_id = ? AND code = ?",  # noqa: S608 (a constant)
        (team_id, code),
    )


def cues_of(rows: Rows, team_id: int) -> list[StoredCue]:
    return rows.all(
        StoredCue,
        f"SELECT {_COLUMNS} FROM cues WHERE team_id = ? ORDER BY position",  # noqa: S608 (a constant)
        (team_id,),
    )


def replace_cues(rows: Rows, team_id: int, cues: Sequence[StoredCue]) -> None:
    """Replace the whole set, in order."""
    rows.run("DELETE FROM cues WHERE team_id = ?", (team_id,))
    rows.run_many(
        "INSERT INTO cues (team_id, position, code, label, urgency, rhythm, ttl_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(team_id, position, c.code, c.label, c.urgency, c.rhythm, c.ttl_seconds) for position, c in enumerate(cues)],
    )
