"""The team's cue set: preset signals, each with its own vibration rhythm, urgency and time-to-live."""

from __future__ import annotations

from litestar import get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.actions import cues as actions
from api.auth import Auth
from api.cueset import CueSet, CueSetIn
from api.db.connection import Database
from api.wire import PathId


@get("/teams/{team_id:int}/cues", summary="The team's cue set, in pad order")
async def get_cues(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> CueSet:
    return await db.read(actions.cue_set, auth.user_id, team_id)


@put("/teams/{team_id:int}/cues", summary="Replace the cue set (add, change, reorder, remove); leads only")
async def put_cues(
    team_id: PathId, data: JSONBody[CueSetIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> CueSet:
    return await db.write(actions.replace_set, auth.user_id, team_id, data.cues)


route_handlers = [get_cues, put_cues]
