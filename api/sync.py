"""Catch-up: every event a user may see after a cursor, oldest first, in pages (sync and the socket's replay)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.auth import GUEST, Auth
from api.db import events as sql
from api.db.connection import Database, Rows
from api.events import StoredEvent

SYNC_PAGE = (200, 1000)  # default, most


class SyncPage(msgspec.Struct):
    events: list[StoredEvent]
    cursor: int
    more: bool


def _as_sent(event: sql.LoggedEvent) -> StoredEvent:
    """The stored event with its data inlined as the JSON it was stored as (msgspec.Raw: never decoded again)."""
    return StoredEvent(
        cursor=event.cursor,
        type=event.type,
        team_id=event.team_id,
        channel_id=event.channel_id,
        data=msgspec.Raw(event.data),
    )


def events_page(rows: Rows, user_id: int, after: int, limit: int) -> SyncPage:
    """A query: the page of events after the cursor, and the cursor to ask from next."""
    logged = sql.visible_after(rows, user_id, after, limit + 1)
    events = [_as_sent(event) for event in logged[:limit]]
    return SyncPage(events=events, cursor=events[-1].cursor if events else after, more=len(logged) > limit)


@get("/sync", summary="Every event I may see after a cursor, oldest first, paged", opt=GUEST)
async def sync(
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    after: Annotated[int, QueryParameter(ge=0, le=2**53)] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=SYNC_PAGE[1])] = SYNC_PAGE[0],
) -> SyncPage:
    return await db.read(events_page, auth.user_id, after, limit)


route_handlers = [sync]
