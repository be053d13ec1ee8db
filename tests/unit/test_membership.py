"""Membership: joining puts you in Everyone (and Leads for leads), a role change keeps Leads in step, leaving or
being removed takes you out of every channel; each change is told to exactly those who may know it."""

from __future__ import annotations

import pytest

from api.actions.channels import channels, create_group
from api.actions.invites import accept_invite
from api.actions.membership import remove_member, set_member_role
from api.actions.teams import create_team, team
from api.db.connection import Database, Tx
from api.errors import ApiError
from tests.unit.conftest import Published
from tests.unit.teammates import invite, join, people, team_of, told


async def channel_names(db: Database, user_id: int, team_id: int) -> list[str]:
    return [channel.name for channel in await db.read(channels, user_id, team_id)]


async def test_a_new_team_is_owned_by_its_creator_who_is_in_everyone_and_leads(
    db: Database, published: Published
) -> None:
    (ana,) = await people(db, "Ana")
    made = await db.write(create_team, ana, "Acme deal")
    assert (made.role, [(m.user_id, m.role) for m in made.members]) == ("owner", [(ana, "owner")])
    assert await channel_names(db, ana, made.id) == ["Everyone", "Leads"]
    assert [(t.type, t.to) for t in told(published)] == [
        ("cues", []),  # recorded before anyone is in the team
        ("member", [ana]),
        ("channel", [ana]),
        ("channel", [ana]),
    ]


async def test_a_member_joins_everyone_only_and_the_team_is_told(db: Database, published: Published) -> None:
    ana, ben = await people(db, "Ana", "Ben")
    team_id = await team_of(db, ana)
    told(published)
    joined = await join(db, ben, team_id, ana)
    assert [m.user_id for m in joined.members] == [ana, ben]
    assert await channel_names(db, ben, team_id) == ["Everyone"]
    member, everyone = told(published)
    assert (member.type, member.data["role"], member.to) == ("member", "member", [ana, ben])
    assert (everyone.type, everyone.data["kind"], everyone.data["member_ids"], everyone.to) == (
        "channel",
        "everyone",
        [ana, ben],
        [ana, ben],
    )


async def test_a_lead_joins_everyone_and_leads(db: Database, published: Published) -> None:
    ana, ben = await people(db, "Ana", "Ben")
    team_id = await team_of(db, ana)
    told(published)
    await join(db, ben, team_id, ana, "lead")
    assert await channel_names(db, ben, team_id) == ["Everyone", "Leads"]
    assert [(t.type, t.data.get("kind"), t.to) for t in told(published)] == [
        ("member", None, [ana, ben]),
        ("channel", "everyone", [ana, ben]),
        ("channel", "leads", [ana, ben]),
    ]


async def test_promotion_seats_the_member_in_leads(db: Database, published: Published) -> None:
    ana, ben = await people(db, "Ana", "Ben")
    team_id = await team_of(db, ana, ben)
    told(published)
    changed = await db.write(set_member_role, ana, team_id, ben, "lead")
    assert changed.role == "lead"
    assert await channel_names(db, ben, team_id) == ["Everyone", "Leads"]
    assert [(t.type, t.to) for t in told(published)] == [("member", [ana, ben]), ("channel", [ana, ben])]


async def test_demotion_takes_the_member_out_of_leads_and_tells_them_alone(db: Database, published: Published) -> None:
    ana, ben, cy = await people(db, "Ana", "Ben", "Cy")
    team_id = await team_of(db, ana, cy, leads=(ben,))
    told(published)
    await db.write(set_member_role, ana, team_id, ben, "member")
    assert await channel_names(db, ben, team_id) == ["Everyone"]
    member, removed, leads = told(published)
    assert (member.type, member.to) == ("member", [ana, ben, cy])
    assert (removed.type, removed.data, removed.to) == (
        "channel_removed",
        {"team_id": team_id, "channel_id": leads.data["id"], "user_id": ben},
        [ben],
    )
    assert (leads.type, leads.data["member_ids"], leads.to) == ("channel", [ana], [ana])


async def test_the_owner_hands_over_ownership_and_becomes_a_lead(db: Database) -> None:
    ana, ben = await people(db, "Ana", "Ben")
    team_id = await team_of(db, ana, ben)
    await db.write(set_member_role, ana, team_id, ben, "owner")
    roles = {m.user_id: m.role for m in (await db.read(team, ana, team_id)).members}
    assert roles == {ana: "lead", ben: "owner"}
    assert await channel_names(db, ana, team_id) == ["Everyone", "Leads"]


def _owed_a_push(tx: Tx, user_id: int, channel_id: int) -> None:
    """A message in the channel with a push still owed to the user's device."""
    tx.run(
        "INSERT INTO sessions (id, user_id, token_hash, csrf_token, device, created_at, last_seen_at)"
        " VALUES (90, ?, x'00', 'c', 'phone', 0, 0)",
        (user_id,),
    )
    tx.run(
        "INSERT INTO push_subscriptions (id, session_id, user_id, endpoint, p256dh, auth, created_at)"
        " VALUES (91, 90, ?, 'https://push.example/1', 'k', 'a', 0)",
        (user_id,),
    )
    tx.run(
        "INSERT INTO messages (id, channel_id, sender_id, client_id, kind, text, cursor, created_at)"
        " VALUES (92, ?, ?, 'c1', 'text', 'hi', 0, 0)",
        (channel_id, user_id),
    )
    tx.run(
        "INSERT INTO push_jobs (subscription_id, message_id, ttl_seconds, urgency, expires_at, next_attempt_at)"
        " VALUES (91, 92, 60, 'normal', 0, 0)"
    )


async def test_leaving_takes_you_out_of_every_channel_and_drops_the_pushes_owed_to_you(
    db: Database, published: Published
) -> None:
    ana, ben, cy = await people(db, "Ana", "Ben", "Cy")
    team_id = await team_of(db, ana, cy, leads=(ben,))
    group = await db.write(create_group, ana, team_id, "Pricing", [ben, cy])
    await db.write(_owed_a_push, ben, group.id)
    told(published)
    await db.write(remove_member, ben, team_id, ben)
    seen = told(published)
    assert sorted(t.data["channel_id"] for t in seen if t.type == "channel_removed") == sorted(
        c.id for c in await db.read(channels, ana, team_id)
    )
    assert all(t.to == [ben] for t in seen if t.type == "channel_removed")
    assert all(ben not in t.to for t in seen if t.type == "channel")
    assert [(t.type, t.to) for t in seen[-2:]] == [("member_removed", [ana, cy]), ("team_removed", [ben])]
    assert await db.read(lambda rows: rows.one(int, "SELECT count(*) FROM push_jobs")) == 0
    with pytest.raises(ApiError) as outsider:
        await db.read(team, ben, team_id)
    assert outsider.value.status == 404


async def test_someone_removed_cannot_come_back_by_an_older_invite_but_one_who_left_can(db: Database) -> None:
    ana, ben, cy = await people(db, "Ana", "Ben", "Cy")
    team_id = await team_of(db, ana)
    link = await invite(db, ana, team_id, uses=10)
    for user_id in (ben, cy):
        await db.write(accept_invite, user_id, link)
    await db.write(remove_member, ana, team_id, ben)
    await db.write(remove_member, cy, team_id, cy)
    with pytest.raises(ApiError) as removed:
        await db.write(accept_invite, ben, link)
    assert (removed.value.status, removed.value.code) == (410, "invite_expired")
    _, joined = await db.write(accept_invite, cy, link)
    assert joined
