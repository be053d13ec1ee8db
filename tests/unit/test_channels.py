"""Channels: a lead's group holds its maker, names in a team must look different, one-to-one channels are made
once and reseated when someone comes back, and the read mark only moves forward, never past the newest event."""

from __future__ import annotations

import pytest

from api.actions import channels
from api.actions.channels import add_to_group, channel, create_group, mark_read, open_direct
from api.actions.invites import accept_invite
from api.actions.membership import remove_member
from api.db.connection import Database, Tx
from api.errors import ApiError
from api.events import HistoryCleared, HistoryClearedEvent, ToChannel, record
from tests.unit.conftest import Published
from tests.unit.teammates import invite, people, team_of, told


async def test_a_group_holds_its_maker_and_the_chosen_teammates_and_tells_them(
    db: Database, published: Published
) -> None:
    ana, ben, cy = await people(db, "Ana", "Ben", "Cy")
    team_id = await team_of(db, ana, ben, cy)
    told(published)
    group = await db.write(create_group, ana, team_id, "Pricing", [ben])
    assert (group.kind, group.member_ids, group.unread) == ("group", [ana, ben], 0)
    assert [(r.user_id, r.delivered, r.read) for r in group.receipts] == [(ana, 0, 0), (ben, 0, 0)]
    (event,) = told(published)
    assert (event.type, event.to) == ("channel", [ana, ben])


async def test_a_group_of_someone_outside_the_team_is_refused(db: Database) -> None:
    ana, out = await people(db, "Ana", "Out")
    team_id = await team_of(db, ana)
    with pytest.raises(ApiError) as error:
        await db.write(create_group, ana, team_id, "Pricing", [out])
    assert (error.value.status, error.value.fields) == (400, {"members": f"user {out} is not in this team"})


FULLWIDTH_EVERYONE = "".join(chr(ord(letter) + 0xFEE0) for letter in "Everyone")


@pytest.mark.parametrize("lookalike", ["everyone", "EVERYONE", FULLWIDTH_EVERYONE, "\u00c9v\u00e9ryone", "Leads"])
async def test_a_channel_may_not_look_like_one_the_team_has(db: Database, lookalike: str) -> None:
    (ana,) = await people(db, "Ana")
    team_id = await team_of(db, ana)
    with pytest.raises(ApiError) as error:
        await db.write(create_group, ana, team_id, lookalike, [])
    assert (error.value.status, error.value.code) == (409, "channel_name_taken")


async def test_a_one_to_one_channel_is_made_once_and_reseats_someone_who_came_back(db: Database) -> None:
    ana, ben = await people(db, "Ana", "Ben")
    team_id = await team_of(db, ana, ben)
    made, created = await db.write(open_direct, ana, team_id, ben)
    again, created_again = await db.write(open_direct, ben, team_id, ana)
    assert (created, created_again, again.id, made.member_ids) == (True, False, made.id, [ana, ben])
    await db.write(remove_member, ben, team_id, ben)
    await db.write(accept_invite, ben, await invite(db, ana, team_id))
    reopened, created = await db.write(open_direct, ana, team_id, ben)
    assert (created, reopened.id, reopened.member_ids) == (False, made.id, [ana, ben])


async def test_a_one_to_one_channel_needs_a_teammate(db: Database) -> None:
    ana, out = await people(db, "Ana", "Out")
    team_id = await team_of(db, ana)
    for other, problem in ((ana, "pick a teammate, not yourself"), (out, "is not in this team")):
        with pytest.raises(ApiError) as error:
            await db.write(open_direct, ana, team_id, other)
        assert error.value.fields == {"user_id": problem}


async def test_the_read_mark_moves_forward_only_and_never_past_the_newest_event(db: Database) -> None:
    ana, ben = await people(db, "Ana", "Ben")
    team_id = await team_of(db, ana, ben)
    group = await db.write(create_group, ana, team_id, "Pricing", [ben])

    def cleared(tx: Tx) -> int:
        to = ToChannel(team_id=team_id, channel_id=group.id)
        return record(tx, HistoryClearedEvent, to, lambda cursor: HistoryCleared(group.id, cursor)).deleted

    newest = await db.write(cleared)
    assert (await db.write(mark_read, ben, group.id, newest + 1000)).last_read == newest
    assert (await db.write(mark_read, ben, group.id, 1)).last_read == newest
    assert [r.read for r in (await db.read(channel, ana, group.id)).receipts] == [0, newest]


async def test_a_full_group_takes_nobody_more(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channels, "MAX_CHANNEL_MEMBERS", 2)  # the real bound, 200, is also the team's
    ana, ben, cy = await people(db, "Ana", "Ben", "Cy")
    team_id = await team_of(db, ana, ben, cy)
    group = await db.write(create_group, ana, team_id, "Pricing", [ben])
    assert (await db.write(add_to_group, ana, group.id, ben)).member_ids == [ana, ben]  # already in: no change
    with pytest.raises(ApiError) as error:
        await db.write(add_to_group, ana, group.id, cy)
    assert (error.value.status, error.value.code) == (409, "limit_reached")
