"""The team's cue set: preset signals, each with its own vibration rhythm, urgency and time-to-live."""

from __future__ import annotations

import msgspec
from litestar import get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.auth import Auth
from api.cueset import Cue, CueSet, CueSetIn, validate_set
from api.db import cues as sql
from api.db.connection import Database, LegacyTransaction
from api.events import legacy_record as record
from api.hub import Hub
from api.membership import require_role
from api.wire import PathId


async def store_set(tx: LegacyTransaction, hub: Hub, team_id: int, cues: list[Cue]) -> CueSet:
    # Labels arrive as stored (api.wire.Body cleans every name); the answer and the event carry exactly that.
    rows = [(c.code, c.label, c.urgency, msgspec.json.encode(c.rhythm).decode(), c.ttl_seconds) for c in cues]
    await sql.replace_cues(tx.conn, team_id, rows)
    cue_set = CueSet(team_id=team_id, cues=cues)
    await record(tx, hub, "cues", cue_set, team_id=team_id)
    return cue_set


async def load_set(db: Database, team_id: int) -> CueSet:
    async with db.legacy_read() as conn:
        rows = await sql.cues_of(conn, team_id)
    cues = [
        Cue(
            code=row["code"],
            label=row["label"],
            urgency=row["urgency"],
            rhythm=msgspec.json.decode(row["rhythm"]),
            ttl_seconds=row["ttl_seconds"],
        )
        for row in rows
    ]
    return CueSet(team_id=team_id, cues=cues)


@get("/teams/{team_id:int}/cues", summary="The team's cue set, in pad order")
async def get_cues(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> CueSet:
    async with db.legacy_read() as conn:
        await require_role(conn, team_id, auth.user_id)
    return await load_set(db, team_id)


@put("/teams/{team_id:int}/cues", summary="Replace the cue set (add, change, reorder, remove); leads only")
async def put_cues(
    team_id: PathId,
    data: JSONBody[CueSetIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
) -> CueSet:
    async with db.legacy_write() as tx:
        await require_role(tx.conn, team_id, auth.user_id, lead=True)
        validate_set(data.cues)
        return await store_set(tx, hub, team_id, data.cues)


route_handlers = [get_cues, put_cues]
