"""The write path: an action runs whole in one transaction, in one trip to the writer, and its events are published
after COMMIT to the audience read inside it."""

from __future__ import annotations

import asyncio
import time

import msgspec
import pytest

from api.db.connection import Database, Rows, Tx
from api.errors import ApiError, not_found
from api.events import (
    ChannelEvent,
    ChannelInfo,
    HistoryCleared,
    HistoryClearedEvent,
    Removed,
    TeamRemovedEvent,
    ToChannel,
    ToTeam,
    ToUser,
    record,
)
from tests.unit.conftest import Published


def seat(tx: Tx) -> None:
    """Team 1 of users 1, 2 and 3; its channel 10 holds users 1 and 2."""
    tx.run_many(
        "INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (?, ?, ?, 'x', 0)",
        [(n, f"user{n}", f"User {n}") for n in (1, 2, 3)],
    )
    tx.run("INSERT INTO teams (id, name, created_at) VALUES (1, 'Acme deal', 0)")
    tx.run_many("INSERT INTO team_members VALUES (1, ?, 'member', 0)", [(n,) for n in (1, 2, 3)])
    tx.run("INSERT INTO channels (id, team_id, kind, name, created_at) VALUES (10, 1, 'group', 'Pricing', 0)")
    tx.run_many("INSERT INTO channel_members (channel_id, user_id) VALUES (10, ?)", [(1,), (2,)])


@pytest.fixture
async def seated(db: Database) -> Database:
    await db.write(seat)
    return db


def decoded(published: Published) -> list[tuple[dict[str, object], list[int]]]:
    return [(msgspec.json.decode(frame), sorted(users)) for frame, users in published.frames]


async def test_an_event_reaches_the_audience_of_its_address(seated: Database, published: Published) -> None:
    def clear(tx: Tx) -> None:
        record(tx, HistoryClearedEvent, ToChannel(team_id=1, channel_id=10), HistoryCleared(channel_id=10, deleted=0))
        record(tx, TeamRemovedEvent, ToUser(team_id=1, user_id=3), Removed(team_id=1, user_id=3))
        info = ChannelInfo(id=10, team_id=1, kind="group", name="Pricing", member_ids=[1, 2])
        record(tx, ChannelEvent, ToTeam(team_id=1), info)

    await seated.write(clear)
    (cleared, to_channel), (removed, to_user), (channel, to_team) = decoded(published)
    assert (cleared["type"], to_channel) == ("history_cleared", [1, 2])
    assert (removed["type"], removed["channel_id"], to_user) == ("team_removed", None, [3])
    assert (channel["type"], to_team) == ("channel", [1, 2, 3])
    cursors = [int(str(event["cursor"])) for event, _ in decoded(published)]
    assert cursors == sorted(set(cursors)), "published in cursor order, one cursor each"


async def test_data_built_from_its_cursor_names_that_cursor_everywhere(seated: Database, published: Published) -> None:
    def named(tx: Tx) -> int:
        data = record(tx, HistoryClearedEvent, ToChannel(team_id=1, channel_id=10), lambda c: HistoryCleared(10, c))
        return data.deleted

    cursor = await seated.write(named)
    ((frame, _),) = decoded(published)
    stored = await seated.read(lambda rows: rows.one(bytes, "SELECT data FROM events WHERE id = ?", (cursor,)))
    assert frame["cursor"] == cursor
    assert frame["data"] == {"channel_id": 10, "deleted": cursor}
    assert msgspec.json.decode(stored or b"") == frame["data"]


async def test_a_failing_action_stores_nothing_and_publishes_nothing(seated: Database, published: Published) -> None:
    def fails(tx: Tx) -> None:
        record(tx, HistoryClearedEvent, ToChannel(team_id=1, channel_id=10), HistoryCleared(channel_id=10, deleted=0))
        raise not_found("channel")

    with pytest.raises(ApiError):
        await seated.write(fails)
    assert published.frames == []
    assert await seated.read(lambda rows: rows.one(int, "SELECT count(*) FROM events")) == 0


async def test_a_write_and_a_read_cost_one_trip_each_however_many_statements(seated: Database) -> None:
    def many(tx: Tx) -> None:
        for n in range(20):
            tx.run("UPDATE teams SET name = ? WHERE id = 1", (f"Acme {n}",))

    before = seated.hops
    await seated.write(many)
    await seated.read(lambda rows: rows.all(str, "SELECT name FROM teams"))
    assert seated.hops - before == 2


class Seat(msgspec.Struct):
    user_id: int
    channel_id: int


async def test_rows_come_back_as_structs_by_column_name_or_as_plain_values(seated: Database) -> None:
    def seats(rows: Rows) -> tuple[list[Seat], str | None, int | None]:
        found = rows.all(Seat, "SELECT channel_id, user_id FROM channel_members ORDER BY user_id")
        name = rows.one(str, "SELECT name FROM teams WHERE id = 1")
        missing = rows.one(int, "SELECT id FROM teams WHERE id = 99")
        return found, name, missing

    assert await seated.read(seats) == ([Seat(1, 10), Seat(2, 10)], "Acme deal", None)


async def test_a_write_whose_caller_is_cancelled_still_publishes_what_it_committed(
    seated: Database, published: Published
) -> None:
    """The writer's thread finishes the action anyway; an open socket must not miss the committed event."""

    def slow(tx: Tx) -> None:
        record(tx, HistoryClearedEvent, ToChannel(team_id=1, channel_id=10), HistoryCleared(channel_id=10, deleted=0))
        time.sleep(0.2)

    caller = asyncio.create_task(seated.write(slow))
    await asyncio.sleep(0.05)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await seated.write(lambda tx: None)  # queued behind it
    assert [frame["type"] for frame, _ in decoded(published)] == ["history_cleared"]
    assert await seated.read(lambda rows: rows.one(int, "SELECT count(*) FROM events")) == 1
