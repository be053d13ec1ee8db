"""Who may do what: outsiders learn nothing (404 naming the thing), members whose role does not allow an action
are refused (403), and an invite carries its maker's authority only while the maker has it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from api.actions.channels import channel, channels, create_group, mark_read, open_direct
from api.actions.cues import cue_set, replace_set
from api.actions.invites import accept_invite, invites, revoke_invite
from api.actions.membership import remove_member, set_member_role
from api.actions.teams import team
from api.cueset import DEFAULT_CUES
from api.db.connection import Database
from api.errors import ApiError
from tests.unit.teammates import invite, people, team_of


async def refused(attempt: Awaitable[object]) -> tuple[int, str, str]:
    with pytest.raises(ApiError) as error:
        await attempt
    return error.value.status, error.value.code, error.value.detail


class Cast:
    """A team of Ana (owner), Lea (lead) and Max (member), with a group of Ana and Lea; Out is in no team."""

    def __init__(self, db: Database, ids: list[int], team_id: int, group_id: int) -> None:
        self.db = db
        self.ana, self.lea, self.max, self.out = ids
        self.team_id, self.group_id = team_id, group_id


@pytest.fixture
async def cast(db: Database) -> Cast:
    ids = await people(db, "Ana", "Lea", "Max", "Out")
    team_id = await team_of(db, ids[0], ids[2], leads=(ids[1],))
    group = await db.write(create_group, ids[0], team_id, "Pricing", [ids[1]])
    return Cast(db, ids, team_id, group.id)


OUTSIDER_READS: dict[str, Callable[[Cast], Awaitable[object]]] = {
    "team": lambda c: c.db.read(team, c.out, c.team_id),
    "channels": lambda c: c.db.read(channels, c.out, c.team_id),
    "cues": lambda c: c.db.read(cue_set, c.out, c.team_id),
    "invites": lambda c: c.db.read(invites, c.out, c.team_id),
    "direct": lambda c: c.db.write(open_direct, c.out, c.team_id, c.ana),
    "role": lambda c: c.db.write(set_member_role, c.out, c.team_id, c.max, "lead"),
}


@pytest.mark.parametrize("what", OUTSIDER_READS)
async def test_an_outsider_is_told_there_is_no_such_team(cast: Cast, what: str) -> None:
    assert await refused(OUTSIDER_READS[what](cast)) == (404, "not_found", "No such team.")


async def test_a_channel_one_is_not_in_does_not_exist_to_them(cast: Cast) -> None:
    for attempt in (
        cast.db.read(channel, cast.max, cast.group_id),
        cast.db.write(mark_read, cast.max, cast.group_id, 1),
    ):
        assert await refused(attempt) == (404, "not_found", "No such channel.")


LEAD_ONLY: dict[str, Callable[[Cast], Awaitable[object]]] = {
    "create a channel": lambda c: c.db.write(create_group, c.max, c.team_id, "Mine", []),
    "replace the cues": lambda c: c.db.write(replace_set, c.max, c.team_id, list(DEFAULT_CUES)),
    "list invites": lambda c: c.db.read(invites, c.max, c.team_id),
    "revoke an invite": lambda c: c.db.write(revoke_invite, c.max, c.team_id, 1),
    "change a role": lambda c: c.db.write(set_member_role, c.max, c.team_id, c.max, "lead"),
}


@pytest.mark.parametrize("what", LEAD_ONLY)
async def test_a_member_may_not_do_what_leads_do(cast: Cast, what: str) -> None:
    assert await refused(LEAD_ONLY[what](cast)) == (403, "forbidden", "Only the team's owner and leads can do this.")


async def test_a_lead_may_not_touch_another_lead_and_nobody_removes_the_owner(cast: Cast) -> None:
    db, lea_too = cast.db, (await people(cast.db, "Lea Two"))[0]
    team_id = cast.team_id
    await db.write(accept_invite, lea_too, await invite(db, cast.ana, team_id, "lead"))
    assert await refused(db.write(set_member_role, cast.lea, team_id, lea_too, "member")) == (
        403,
        "forbidden",
        "Only the owner can change another lead's role.",
    )
    assert await refused(db.write(remove_member, cast.lea, team_id, lea_too)) == (
        403,
        "forbidden",
        "Only the owner can remove a lead.",
    )
    assert await refused(db.write(set_member_role, cast.lea, team_id, cast.max, "owner")) == (
        403,
        "forbidden",
        "Only the owner can hand over ownership.",
    )
    assert (await refused(db.write(remove_member, cast.ana, team_id, cast.ana)))[:2] == (409, "team_needs_owner")
    assert (await refused(db.write(set_member_role, cast.lea, team_id, cast.ana, "lead")))[:2] == (
        409,
        "team_needs_owner",
    )


async def test_a_member_may_leave_but_not_remove_anyone(cast: Cast) -> None:
    assert await refused(cast.db.write(remove_member, cast.max, cast.team_id, cast.lea)) == (
        403,
        "forbidden",
        "Only the team's owner and leads can remove members.",
    )
    await cast.db.write(remove_member, cast.max, cast.team_id, cast.max)


async def test_a_member_may_not_invite(cast: Cast) -> None:
    assert await refused(invite(cast.db, cast.max, cast.team_id)) == (
        403,
        "forbidden",
        "Your role does not allow inviting a member.",
    )


async def test_an_invite_stops_working_when_its_maker_is_no_longer_a_lead(cast: Cast) -> None:
    link = await invite(cast.db, cast.lea, cast.team_id)
    await cast.db.write(set_member_role, cast.ana, cast.team_id, cast.lea, "member")
    assert await refused(cast.db.write(accept_invite, cast.out, link)) == (
        410,
        "invite_expired",
        "Whoever made this invite can no longer invite to this team.",
    )
