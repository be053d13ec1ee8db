"""Teams, invites and roles: who is in a team, with which role, and what each role may do."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import httpx
import pytest

from tests.client import Person, Team, join, sign_up
from tests.server import ServerProcess

DEFAULT_CUE_CODES = [
    "let_me_talk",
    "drive_home",
    "change_direction",
    "stop_call_me",
    "take_break",
    "slow_down",
    "dont_concede",
    "wrap_up",
    "they_nervous",
    "watch_lead",
    "bluffing",
]


async def invite(inviter: Person, team_id: int, **body: Any) -> httpx.Response:
    return await inviter.post(f"/api/teams/{team_id}/invites", body)


async def roles(viewer: Person, team_id: int) -> dict[int, str]:
    response = await viewer.get(f"/api/teams/{team_id}")
    assert response.status_code == 200, response.text
    return {m["user_id"]: m["role"] for m in response.json()["members"]}


async def set_role(actor: Person, team_id: int, target: Person, role: str) -> httpx.Response:
    return await actor.patch(f"/api/teams/{team_id}/members/{target.id}", {"role": role})


async def remove(actor: Person, team_id: int, target: Person) -> httpx.Response:
    return await actor.delete(f"/api/teams/{team_id}/members/{target.id}")


# --- Creating and reading teams ------------------------------------------------------------------------------------


async def test_creating_a_team_makes_me_its_owner(http: httpx.AsyncClient, server: ServerProcess) -> None:
    owner = await sign_up(http, server.ws_url)
    before = int(time.time() * 1000)
    created = await owner.post("/api/teams", {"name": "  Acme deal  "})
    assert created.status_code == 201, created.text
    team = created.json()
    assert team["name"] == "Acme deal" and team["role"] == "owner"
    assert before <= team["created_at"] <= int(time.time() * 1000)
    assert team["members"] == [
        {"user_id": owner.id, "username": owner.username, "display_name": owner.username.title(), "role": "owner"}
    ]
    assert (await owner.get(f"/api/teams/{team['id']}")).json() == team
    assert {"id": team["id"], "name": "Acme deal", "role": "owner"} in (await owner.get("/api/teams")).json()


async def test_a_new_team_has_everyone_and_leads_channels_and_the_default_cues(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    owner = await sign_up(http, server.ws_url)
    team_id = (await owner.post("/api/teams", {"name": "Acme"})).json()["id"]
    channels = await owner.channels(team_id)
    assert set(channels) == {"Everyone", "Leads"}
    assert channels["Everyone"]["kind"] == "everyone" and channels["Leads"]["kind"] == "leads"
    assert all(c["member_ids"] == [owner.id] and c["team_id"] == team_id for c in channels.values())
    cues = (await owner.get(f"/api/teams/{team_id}/cues")).json()
    assert [c["code"] for c in cues["cues"]] == DEFAULT_CUE_CODES


async def test_teams_lists_only_my_teams_with_my_role_in_each(team: Team) -> None:
    lead, member = team.leads[0], team.members[0]
    assert {"id": team.id, "name": "Acme deal", "role": "lead"} in (await lead.get("/api/teams")).json()
    assert {"id": team.id, "name": "Acme deal", "role": "member"} in (await member.get("/api/teams")).json()
    own = (await member.post("/api/teams", {"name": "Side deal"})).json()
    assert own["id"] not in [t["id"] for t in (await team.owner.get("/api/teams")).json()]


async def test_a_team_shows_its_members_and_their_roles(team: Team) -> None:
    seen = await roles(team.members[0], team.id)
    assert seen == {
        team.owner.id: "owner",
        team.leads[0].id: "lead",
        team.members[0].id: "member",
        team.members[1].id: "member",
    }


async def test_an_outsider_learns_nothing_about_a_team(team: Team, http: httpx.AsyncClient) -> None:
    outsider = await sign_up(http, team.owner.ws_base)
    for path in ("", "/channels", "/cues", "/invites"):
        response = await outsider.get(f"/api/teams/{team.id}{path}")
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"
    assert (await outsider.get("/api/teams/99999999")).status_code == 404
    assert (await http.get(f"/api/teams/{team.id}")).status_code == 401


@pytest.mark.parametrize("name", ["", "   ", "n" * 61])
async def test_a_team_needs_a_sensible_name(team: Team, name: str) -> None:
    response = await team.owner.post("/api/teams", {"name": name})
    assert response.status_code == 400
    assert "name" in response.json()["fields"]


# --- Invites -------------------------------------------------------------------------------------------------------


async def test_the_owner_and_leads_can_invite(team: Team) -> None:
    for inviter in (team.owner, team.leads[0]):
        before = int(time.time() * 1000)
        created = await invite(inviter, team.id, role="member", max_uses=3, expires_in_seconds=3600)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["team_id"] == team.id and body["role"] == "member"
        assert body["max_uses"] == 3 and body["uses"] == 0 and body["revoked"] is False
        assert before + 3600_000 <= body["expires_at"] <= int(time.time() * 1000) + 3600_000
        assert len(body["token"]) >= 20 and body["path"] == f"/join/{body['token']}"


async def test_an_invite_defaults_to_a_member_role_for_a_week(team: Team) -> None:
    body = (await invite(team.owner, team.id)).json()
    assert body["role"] == "member" and body["max_uses"] == 10
    week = 7 * 86400 * 1000
    assert abs(body["expires_at"] - (int(time.time() * 1000) + week)) < 60_000


async def test_members_cannot_invite_or_see_invites(team: Team) -> None:
    member = team.members[0]
    refused = await invite(member, team.id)
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert (await member.get(f"/api/teams/{team.id}/invites")).status_code == 403


async def test_open_invites_are_listed_with_their_links_to_copy_again_and_spent_ones_without(team: Team) -> None:
    # Issue 11 changed this: a link can be copied again while it works (it was shown once, at creation).
    created = (await invite(team.leads[0], team.id, role="lead", max_uses=2)).json()
    listed = await team.owner.get(f"/api/teams/{team.id}/invites")
    assert listed.status_code == 200
    entry = next(i for i in listed.json() if i["id"] == created["id"])
    assert entry == created and entry["path"] == f"/join/{created['token']}"
    assert (await team.owner.delete(f"/api/teams/{team.id}/invites/{created['id']}")).status_code == 204
    listed = await team.owner.get(f"/api/teams/{team.id}/invites")
    entry = next(i for i in listed.json() if i["id"] == created["id"])
    assert entry["revoked"] and "token" not in entry and "path" not in entry
    assert created["token"] not in listed.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "owner"}, "role"),
        ({"role": "boss"}, "role"),
        ({"max_uses": 0}, "max_uses"),
        ({"max_uses": 101}, "max_uses"),
        ({"expires_in_seconds": 59}, "expires_in_seconds"),
        ({"expires_in_seconds": 31 * 86400}, "expires_in_seconds"),
    ],
)
async def test_an_invite_with_bad_terms_is_refused(team: Team, body: dict[str, Any], field: str) -> None:
    response = await invite(team.owner, team.id, **body)
    assert response.status_code == 400
    assert field in response.json()["fields"]


async def test_accepting_an_invite_joins_the_team_with_its_role(team: Team, http: httpx.AsyncClient) -> None:
    newcomer = await sign_up(http, team.owner.ws_base)
    created = (await invite(team.owner, team.id, role="lead", max_uses=5)).json()
    accepted = await newcomer.post(f"/api/invites/{created['token']}/accept")
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["id"] == team.id and accepted.json()["role"] == "lead"
    assert (await roles(team.owner, team.id))[newcomer.id] == "lead"
    assert {"id": team.id, "name": "Acme deal", "role": "lead"} in (await newcomer.get("/api/teams")).json()
    assert set(await newcomer.channels(team.id)) == {"Everyone", "Leads"}
    listed = (await team.owner.get(f"/api/teams/{team.id}/invites")).json()
    assert next(i for i in listed if i["id"] == created["id"])["uses"] == 1


async def test_accepting_again_changes_nothing(team: Team) -> None:
    member = team.members[0]
    created = (await invite(team.owner, team.id, role="lead", max_uses=5)).json()
    again = await member.post(f"/api/invites/{created['token']}/accept")
    assert again.status_code == 200
    assert again.json()["role"] == "member"  # a lead invite does not promote someone already in
    assert (await roles(team.owner, team.id))[member.id] == "member"
    listed = (await team.owner.get(f"/api/teams/{team.id}/invites")).json()
    assert next(i for i in listed if i["id"] == created["id"])["uses"] == 0


async def test_a_used_up_invite_has_expired(team: Team, http: httpx.AsyncClient) -> None:
    first, second = await sign_up(http, team.owner.ws_base), await sign_up(http, team.owner.ws_base)
    token = (await invite(team.owner, team.id, max_uses=1)).json()["token"]
    assert (await first.post(f"/api/invites/{token}/accept")).status_code == 201
    refused = await second.post(f"/api/invites/{token}/accept")
    assert refused.status_code == 410
    assert refused.json()["error"] == "invite_expired"
    assert (await second.get(f"/api/teams/{team.id}")).status_code == 404
    assert (await first.post(f"/api/invites/{token}/accept")).status_code == 200  # members may still open it


async def test_a_revoked_invite_has_expired(team: Team, http: httpx.AsyncClient) -> None:
    newcomer = await sign_up(http, team.owner.ws_base)
    created = (await invite(team.owner, team.id)).json()
    revoked = await team.leads[0].delete(f"/api/teams/{team.id}/invites/{created['id']}")
    assert revoked.status_code == 204
    refused = await newcomer.post(f"/api/invites/{created['token']}/accept")
    assert refused.status_code == 410 and refused.json()["error"] == "invite_expired"
    listed = (await team.owner.get(f"/api/teams/{team.id}/invites")).json()
    assert next(i for i in listed if i["id"] == created["id"])["revoked"] is True


async def test_an_invite_past_its_expiry_has_expired(
    team: Team, http: httpx.AsyncClient, server: ServerProcess
) -> None:
    newcomer = await sign_up(http, team.owner.ws_base)
    created = (await invite(team.owner, team.id, expires_in_seconds=60)).json()
    with sqlite3.connect(server.database, timeout=10) as db:  # one minute is too long to wait for
        db.execute("UPDATE invites SET expires_at = ? WHERE id = ?", (int(time.time() * 1000) - 1, created["id"]))
    refused = await newcomer.post(f"/api/invites/{created['token']}/accept")
    assert refused.status_code == 410 and refused.json()["error"] == "invite_expired"


async def test_only_leads_revoke_invites_and_only_their_teams(team: Team, http: httpx.AsyncClient) -> None:
    created = (await invite(team.owner, team.id)).json()
    path = f"/api/teams/{team.id}/invites/{created['id']}"
    assert (await team.members[0].delete(path)).status_code == 403
    stranger = await sign_up(http, team.owner.ws_base)
    other_team = (await stranger.post("/api/teams", {"name": "Other"})).json()["id"]
    assert (await stranger.delete(path)).status_code == 404
    assert (await stranger.delete(f"/api/teams/{other_team}/invites/{created['id']}")).status_code == 404
    assert (await team.owner.delete(f"/api/teams/{team.id}/invites/99999999")).status_code == 404
    listed = (await team.owner.get(f"/api/teams/{team.id}/invites")).json()
    assert next(i for i in listed if i["id"] == created["id"])["revoked"] is False


async def test_a_leads_invite_stops_working_when_the_lead_is_removed_or_demoted(
    team: Team, http: httpx.AsyncClient
) -> None:
    """An invite carries its maker's authority only while the maker has it (checked when it is used)."""
    removed, demoted = team.leads[0], await sign_up(http, team.owner.ws_base)
    await join(demoted, team.id, team.owner, "lead")
    tokens = {
        lead.id: [(await invite(lead, team.id, role=role)).json()["token"] for role in ("lead", "member")]
        for lead in (removed, demoted)
    }
    assert (await remove(team.owner, team.id, removed)).status_code == 204
    assert (await set_role(team.owner, team.id, demoted, "member")).status_code == 200
    newcomer = await sign_up(http, team.owner.ws_base)
    for token in [*tokens[removed.id], *tokens[demoted.id]]:
        refused = await newcomer.post(f"/api/invites/{token}/accept")
        assert refused.status_code == 410, refused.text
        assert refused.json()["error"] == "invite_expired"
    assert (await newcomer.get(f"/api/teams/{team.id}")).status_code == 404


async def test_a_removed_lead_cannot_rejoin_with_their_own_invite(team: Team) -> None:
    lead = team.leads[0]
    token = (await invite(lead, team.id, role="lead", max_uses=5)).json()["token"]
    assert (await remove(team.owner, team.id, lead)).status_code == 204
    refused = await lead.post(f"/api/invites/{token}/accept")
    assert refused.status_code == 410 and refused.json()["error"] == "invite_expired"
    assert lead.id not in await roles(team.owner, team.id)


async def test_the_owners_invites_and_a_lead_who_stays_keep_working(team: Team, http: httpx.AsyncClient) -> None:
    staying = await sign_up(http, team.owner.ws_base)
    await join(staying, team.id, team.owner, "lead")
    owners = (await invite(team.owner, team.id, role="lead", max_uses=5)).json()["token"]
    leads = (await invite(staying, team.id, role="member", max_uses=5)).json()["token"]
    assert (await remove(team.owner, team.id, team.leads[0])).status_code == 204  # someone else leaves
    for token, role in ((owners, "lead"), (leads, "member")):
        newcomer = await sign_up(http, team.owner.ws_base)
        accepted = await newcomer.post(f"/api/invites/{token}/accept")
        assert accepted.status_code == 201, accepted.text
        assert accepted.json()["role"] == role


async def test_an_invite_of_an_owner_who_handed_over_ownership_keeps_working(
    team: Team, http: httpx.AsyncClient
) -> None:
    """The former owner is a lead now, and leads may invite leads and members."""
    token = (await invite(team.owner, team.id, role="lead")).json()["token"]
    assert (await set_role(team.owner, team.id, team.members[0], "owner")).status_code == 200
    newcomer = await sign_up(http, team.owner.ws_base)
    assert (await newcomer.post(f"/api/invites/{token}/accept")).status_code == 201


async def test_an_unknown_invite_is_not_found(team: Team) -> None:
    response = await team.members[0].post("/api/invites/no-such-token/accept")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


# --- Roles ---------------------------------------------------------------------------------------------------------


async def test_the_owner_and_leads_change_roles(team: Team) -> None:
    member, other = team.members
    promoted = await set_role(team.owner, team.id, member, "lead")
    assert promoted.status_code == 200, promoted.text
    assert promoted.json() == {
        "user_id": member.id,
        "username": member.username,
        "display_name": member.username.title(),
        "role": "lead",
    }
    assert (await set_role(team.leads[0], team.id, other, "lead")).json()["role"] == "lead"
    assert (await set_role(team.owner, team.id, other, "member")).json()["role"] == "member"
    seen = await roles(other, team.id)
    assert seen[member.id] == "lead" and seen[other.id] == "member"


async def test_setting_the_same_role_changes_nothing(team: Team) -> None:
    response = await set_role(team.owner, team.id, team.leads[0], "lead")
    assert response.status_code == 200 and response.json()["role"] == "lead"


async def test_members_cannot_change_roles(team: Team) -> None:
    member, other = team.members
    for target, role in ((other, "lead"), (member, "lead"), (team.leads[0], "member")):
        response = await set_role(member, team.id, target, role)
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"
    assert (await roles(team.owner, team.id))[member.id] == "member"


async def test_nobody_can_demote_the_owner(team: Team) -> None:
    for actor in (team.leads[0], team.owner):
        response = await set_role(actor, team.id, team.owner, "member")
        assert response.status_code == 409
        assert response.json()["error"] == "team_needs_owner"
    assert (await roles(team.owner, team.id))[team.owner.id] == "owner"


async def test_the_owner_hands_over_ownership_and_becomes_a_lead(team: Team) -> None:
    lead, member = team.leads[0], team.members[0]
    handed = await set_role(team.owner, team.id, member, "owner")
    assert handed.status_code == 200 and handed.json()["role"] == "owner"
    seen = await roles(lead, team.id)
    assert seen[member.id] == "owner" and seen[team.owner.id] == "lead"
    assert [r for r in seen.values() if r == "owner"] == ["owner"]
    assert "Leads" in await member.channels(team.id) and "Leads" in await team.owner.channels(team.id)
    again = await set_role(team.owner, team.id, lead, "owner")  # no longer the owner
    assert again.status_code == 403
    assert (await roles(lead, team.id))[member.id] == "owner"


async def test_a_lead_cannot_hand_over_ownership(team: Team) -> None:
    response = await set_role(team.leads[0], team.id, team.members[0], "owner")
    assert response.status_code == 403
    seen = await roles(team.owner, team.id)
    assert seen[team.owner.id] == "owner" and seen[team.members[0].id] == "member"


async def test_a_role_change_needs_a_real_role_and_a_real_member(team: Team, http: httpx.AsyncClient) -> None:
    bad = await set_role(team.owner, team.id, team.members[0], "admin")
    assert bad.status_code == 400 and "role" in bad.json()["fields"]
    outsider = await sign_up(http, team.owner.ws_base)
    missing = await set_role(team.owner, team.id, outsider, "lead")
    assert missing.status_code == 404
    assert (await outsider.get(f"/api/teams/{team.id}")).status_code == 404


async def test_the_leads_channel_follows_role_changes(team: Team) -> None:
    member = team.members[0]
    assert "Leads" not in await member.channels(team.id)
    await set_role(team.owner, team.id, member, "lead")
    channels = await member.channels(team.id)
    assert "Leads" in channels and member.id in channels["Leads"]["member_ids"]
    assert member.id in (await team.owner.channels(team.id))["Leads"]["member_ids"]
    leads_id = channels["Leads"]["id"]
    assert (await member.get(f"/api/channels/{leads_id}/messages")).status_code == 200
    await set_role(team.owner, team.id, member, "member")
    assert "Leads" not in await member.channels(team.id)
    assert member.id not in (await team.owner.channels(team.id))["Leads"]["member_ids"]
    assert (await member.get(f"/api/channels/{leads_id}/messages")).status_code == 404


# --- Removing members and leaving ----------------------------------------------------------------------------------


async def test_the_owner_or_a_lead_removes_a_member(team: Team) -> None:
    first, second = team.members
    assert (await remove(team.owner, team.id, first)).status_code == 204
    assert (await remove(team.leads[0], team.id, second)).status_code == 204
    assert set(await roles(team.owner, team.id)) == {team.owner.id, team.leads[0].id}


async def test_a_lead_cannot_remove_another_lead_but_the_owner_can(team: Team, http: httpx.AsyncClient) -> None:
    other_lead = await sign_up(http, team.owner.ws_base)
    await join(other_lead, team.id, team.owner, "lead")
    refused = await remove(team.leads[0], team.id, other_lead)
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    assert other_lead.id in await roles(team.owner, team.id)
    assert (await remove(team.owner, team.id, other_lead)).status_code == 204
    assert other_lead.id not in await roles(team.owner, team.id)


async def test_a_member_cannot_remove_anyone_else(team: Team) -> None:
    member = team.members[0]
    for target in (team.members[1], team.leads[0]):
        response = await remove(member, team.id, target)
        assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert (await remove(member, team.id, team.owner)).status_code == 403  # a member removes nobody, the owner least
    assert len(await roles(team.owner, team.id)) == 4


async def test_a_member_or_a_lead_can_leave(team: Team) -> None:
    assert (await remove(team.members[0], team.id, team.members[0])).status_code == 204
    assert (await remove(team.leads[0], team.id, team.leads[0])).status_code == 204
    assert set(await roles(team.owner, team.id)) == {team.owner.id, team.members[1].id}
    assert team.id not in [t["id"] for t in (await team.members[0].get("/api/teams")).json()]


async def test_the_owner_cannot_leave_or_be_removed(team: Team) -> None:
    for actor in (team.owner, team.leads[0]):
        response = await remove(actor, team.id, team.owner)
        assert response.status_code == 409
        assert response.json()["error"] == "team_needs_owner"
    assert (await roles(team.owner, team.id))[team.owner.id] == "owner"


async def test_removing_someone_not_in_the_team_is_not_found(team: Team, http: httpx.AsyncClient) -> None:
    outsider = await sign_up(http, team.owner.ws_base)
    assert (await remove(team.owner, team.id, outsider)).status_code == 404
    assert (await remove(outsider, team.id, team.members[0])).status_code == 404


async def test_a_removed_member_loses_every_channel_of_the_team(team: Team) -> None:
    gone, stays = team.members
    group = await team.owner.post(f"/api/teams/{team.id}/channels", {"name": "Pricing", "members": [gone.id]})
    direct = await stays.post(f"/api/teams/{team.id}/direct", {"user_id": gone.id})
    everyone = (await gone.channels(team.id))["Everyone"]["id"]
    channel_ids = [everyone, group.json()["id"], direct.json()["id"]]
    assert (await remove(team.leads[0], team.id, gone)).status_code == 204

    assert (await gone.get(f"/api/teams/{team.id}")).status_code == 404
    assert (await gone.get(f"/api/teams/{team.id}/channels")).status_code == 404
    assert team.id not in [t["id"] for t in (await gone.get("/api/teams")).json()]
    for channel_id in channel_ids:
        assert (await gone.get(f"/api/channels/{channel_id}/messages")).status_code == 404
        assert (await gone.send(channel_id, text="still here?")).status_code == 404
    for channel in (await team.owner.channels(team.id)).values():
        assert gone.id not in channel["member_ids"]
    direct_now = next(c for c in (await stays.get(f"/api/teams/{team.id}/channels")).json() if c["kind"] == "direct")
    assert direct_now["member_ids"] == [stays.id]


async def test_a_removed_member_can_come_back_with_a_new_invite(team: Team) -> None:
    gone = team.members[0]
    await remove(team.owner, team.id, gone)
    await join(gone, team.id, team.leads[0])
    assert (await roles(team.owner, team.id))[gone.id] == "member"
    assert set(await gone.channels(team.id)) == {"Everyone"}


async def test_a_removed_member_cannot_come_back_by_the_link_they_joined_by(
    team: Team, http: httpx.AsyncClient
) -> None:
    link = await team.owner.post(f"/api/teams/{team.id}/invites", {"role": "member", "max_uses": 5})
    token = link.json()["token"]
    newcomer = await sign_up(http, team.owner.ws_base)
    assert (await newcomer.post(f"/api/invites/{token}/accept")).status_code == 201
    await remove(team.owner, team.id, newcomer)
    again = await newcomer.post(f"/api/invites/{token}/accept")
    assert again.status_code == 410 and again.json()["error"] == "invite_expired", again.text
    assert newcomer.id not in await roles(team.owner, team.id)
    other = await sign_up(http, team.owner.ws_base)
    assert (await other.post(f"/api/invites/{token}/accept")).status_code == 201  # the link still works for others


async def test_a_member_who_left_may_come_back_by_the_same_link(team: Team, http: httpx.AsyncClient) -> None:
    link = await team.owner.post(f"/api/teams/{team.id}/invites", {"role": "member", "max_uses": 5})
    token = link.json()["token"]
    person = await sign_up(http, team.owner.ws_base)
    assert (await person.post(f"/api/invites/{token}/accept")).status_code == 201
    assert (await person.delete(f"/api/teams/{team.id}/members/{person.id}")).status_code == 204
    assert (await person.post(f"/api/invites/{token}/accept")).status_code == 201


# --- Limits (api/teams.py: MAX_TEAMS_PER_USER, MAX_MEMBERS_PER_TEAM, MAX_OPEN_INVITES_PER_TEAM) --------------------


def assert_limit_reached(response: httpx.Response) -> None:
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "limit_reached"


async def test_a_user_is_in_at_most_50_teams(team: Team) -> None:
    busy = team.members[0]  # already in one team
    for number in range(49):
        assert (await busy.post("/api/teams", {"name": f"Deal {number}"})).status_code == 201
    assert_limit_reached(await busy.post("/api/teams", {"name": "One too many"}))
    # Nor by accepting an invite into a 51st.
    other = (await team.owner.post("/api/teams", {"name": "Another"})).json()
    token = (await invite(team.owner, other["id"])).json()["token"]
    assert_limit_reached(await busy.post(f"/api/invites/{token}/accept"))
    assert len((await busy.get("/api/teams")).json()) == 50


async def test_a_team_has_at_most_50_open_invites(team: Team) -> None:
    for _ in range(50):
        assert (await invite(team.owner, team.id, max_uses=1)).status_code == 201
    assert_limit_reached(await invite(team.owner, team.id))
    first = (await team.owner.get(f"/api/teams/{team.id}/invites")).json()[0]
    assert (await team.owner.delete(f"/api/teams/{team.id}/invites/{first['id']}")).status_code == 204
    assert (await invite(team.owner, team.id)).status_code == 201  # a revoked invite is no longer open


async def test_a_team_has_at_most_200_members(team: Team, http: httpx.AsyncClient, server: ServerProcess) -> None:
    tokens = [(await invite(team.owner, team.id, max_uses=100)).json()["token"] for _ in range(2)]
    joined = len(team.everyone)
    for number in range(200 - joined):
        person = await sign_up(http, server.ws_url)
        assert (await person.post(f"/api/invites/{tokens[number // 100]}/accept")).status_code == 201
    late = await sign_up(http, server.ws_url)
    assert_limit_reached(await late.post(f"/api/invites/{tokens[1]}/accept"))
    assert len((await team.owner.get(f"/api/teams/{team.id}")).json()["members"]) == 200
