"""Catch-up: every event a user may see after a cursor, oldest first, in pages (sync and the socket's replay)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.auth import Auth
from api.db import events as events_sql
from api.db.connection import Database
from api.events import StoredEvent as Event
from api.events import from_rows

SYNC_PAGE = (200, 1000)  # default, most


class SyncPage(msgspec.Struct):
    events: list[Event]
    cursor: int
    more: bool


async def events_page(db: Database, user_id: int, after: int, limit: int) -> SyncPage:
    async with db.legacy_read() as conn:
        rows = await events_sql.visible_after(conn, user_id, after, limit + 1)
    more = len(rows) > limit
    events = from_rows(rows[:limit])
    return SyncPage(events=events, cursor=events[-1].cursor if events else after, more=more)


@get("/sync", summary="Every event I may see after a cursor, oldest first, paged")
async def sync(
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    after: Annotated[int, QueryParameter(ge=0, le=2**53)] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=SYNC_PAGE[1])] = SYNC_PAGE[0],
) -> SyncPage:
    return await events_page(db, auth.user_id, after, limit)


route_handlers = [sync]
