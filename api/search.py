"""Search route: message text in the team's channels the caller is in now (SQLite FTS5, api/actions/search.py)."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.actions import search as actions
from api.actions.search import SEARCH_DEFAULT_RESULTS, SEARCH_MAX_CHARS, SEARCH_MAX_RESULTS, Results
from api.auth import Auth
from api.db.connection import Database
from api.wire import PathId


@get("/teams/{team_id:int}/search", summary="Search message text in my channels of the team, newest first")
async def search(
    team_id: PathId,
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    q: Annotated[str, QueryParameter(max_length=SEARCH_MAX_CHARS)] = "",
    limit: Annotated[int, QueryParameter(ge=1, le=SEARCH_MAX_RESULTS)] = SEARCH_DEFAULT_RESULTS,
) -> Results:
    """Each word of `q` must match (the last as a prefix); `snippet` marks matched words with U+0002 and U+0003."""
    return await db.read(actions.search, auth.user_id, team_id, q, limit)


route_handlers = [search]
