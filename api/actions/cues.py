"""The team's cue set: read it, replace it (leads), and the defaults a new team starts with."""

from __future__ import annotations

import msgspec

from api.access import team_role
from api.cueset import Cue, CueSet, validate_set
from api.db import cues as sql
from api.db.connection import Rows, Tx
from api.db.cues import StoredCue
from api.events import CuesEvent, ToTeam, record


def store_set(tx: Tx, team_id: int, cues: list[Cue]) -> CueSet:
    # Labels arrive as stored (api.wire.Body cleans every name); the answer and the event carry exactly that.
    stored = [
        StoredCue(c.code, c.label, c.urgency, msgspec.json.encode(c.rhythm).decode(), c.ttl_seconds) for c in cues
    ]
    sql.replace_cues(tx, team_id, stored)
    return record(tx, CuesEvent, ToTeam(team_id=team_id), CueSet(team_id=team_id, cues=cues))


def cue_set(rows: Rows, user_id: int, team_id: int) -> CueSet:
    """The team's cue set, in pad order, for one of its members."""
    team_role(rows, team_id, user_id)
    # The rhythm is stored as JSON text; the rest converts by name (and is checked against Cue's types).
    stored = [
        {**msgspec.structs.asdict(c), "rhythm": msgspec.json.decode(c.rhythm)} for c in sql.cues_of(rows, team_id)
    ]
    return CueSet(team_id=team_id, cues=msgspec.convert(stored, list[Cue]))


def replace_set(tx: Tx, user_id: int, team_id: int, cues: list[Cue]) -> CueSet:
    """Replace the whole set (add, change, reorder, remove): leads only, and only with a set the rules allow."""
    team_role(tx, team_id, user_id, lead=True)
    validate_set(cues)
    return store_set(tx, team_id, cues)
