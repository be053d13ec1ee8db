"""Managing custom groups: leads rename a group, add and remove its people and delete it; anyone in it may leave.

A group is private to those in it: a teammate who is not in it, lead or owner alike, gets the same 404 as for a
channel that does not exist. Everyone, Leads and one-to-one channels follow the team and are not managed here.
The last member to leave a group deletes it with its history, as nobody could reach it any more.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.client import Person, Team, make_team, sign_up, sync_all
from tests.routes import assert_error_shape
from tests.server import ServerProcess
from tests.test_privacy import files_of
from tests.test_search import search, word


async def new_group(team: Team, members: list[Person], by: Person | None = None, name: str = "") -> dict[str, Any]:
    """A group made by the team's lead (or `by`) with these members; a name of its own unless one is given."""
    maker = by or team.leads[0]
    body = {"name": name or f"Pricing {uuid.uuid4().hex[:6]}", "members": [person.id for person in members]}
    created = await maker.post(f"/api/teams/{team.id}/channels", body)
    assert created.status_code == 201, created.text
    return dict(created.json())


def rename(me: Person, channel_id: int, name: str) -> Any:
    return me.patch(f"/api/channels/{channel_id}", {"name": name})


def add(me: Person, channel_id: int, user_id: int) -> Any:
    return me.post(f"/api/channels/{channel_id}/members", {"user_id": user_id})


def remove(me: Person, channel_id: int, user_id: int) -> Any:
    return me.delete(f"/api/channels/{channel_id}/members/{user_id}")


def delete(me: Person, channel_id: int) -> Any:
    return me.delete(f"/api/channels/{channel_id}")


async def last_of(person: Person, kind: str, channel_id: int, after: int = 0) -> dict[str, Any]:
    """The newest event of this kind about the channel that the person's devices sync."""
    events = [e for e in await sync_all(person, after) if e["type"] == kind and e["channel_id"] == channel_id]
    assert events, f"no {kind} event for channel {channel_id}"
    return events[-1]


async def newest_cursor(person: Person) -> int:
    return int((await sync_all(person))[-1]["cursor"])


async def in_my_list(person: Person, team_id: int, channel_id: int) -> bool:
    return channel_id in {channel["id"] for channel in (await person.channels(team_id)).values()}


# --- Renaming ------------------------------------------------------------------------------------------------------


async def test_a_lead_renames_a_group_and_its_members_get_the_new_name(team: Team) -> None:
    member = team.members[0]
    group = await new_group(team, [member])
    renamed = await rename(team.leads[0], group["id"], "  Walk-away  ")
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Walk-away" and renamed.json()["member_ids"] == group["member_ids"]
    told = await last_of(member, "channel", group["id"])
    assert (told["data"]["name"], told["data"]["member_ids"]) == ("Walk-away", group["member_ids"])
    assert (await member.channels(team.id))["Walk-away"]["id"] == group["id"]


async def test_a_group_may_keep_its_name_in_another_spelling(team: Team) -> None:
    group = await new_group(team, [], name="pricing")
    renamed = await rename(team.leads[0], group["id"], "Pricing")
    assert (renamed.status_code, renamed.json()["name"]) == (200, "Pricing")


@pytest.mark.parametrize("lookalike", ["everyone", "LEADS", "Strategy", "stratégy"])
async def test_a_new_name_may_not_look_like_another_channel_of_the_team(team: Team, lookalike: str) -> None:
    await new_group(team, [], name="Strategy")
    group = await new_group(team, [team.members[0]])
    refused = await rename(team.leads[0], group["id"], lookalike)
    assert refused.status_code == 409
    assert refused.json()["error"] == "channel_name_taken" and "name" in refused.json()["fields"]
    assert (await team.members[0].channels(team.id))[group["name"]]["id"] == group["id"]


async def test_a_new_name_follows_the_name_rules(team: Team) -> None:
    group = await new_group(team, [])
    for bad in ("", "   ", "n" * 61, "\u200b"):
        refused = await rename(team.leads[0], group["id"], bad)
        assert refused.status_code == 400 and "name" in refused.json()["fields"], (bad, refused.text)


# --- Adding and removing people ------------------------------------------------------------------------------------


async def test_a_lead_adds_a_teammate_who_gets_the_group_and_its_history(team: Team) -> None:
    lead, newcomer, already = team.leads[0], team.members[1], team.members[0]
    group = await new_group(team, [already])
    said = (await already.send(group["id"], text="Our floor is 3.9")).json()
    assert (await newcomer.get(f"/api/channels/{group['id']}/messages")).status_code == 404
    added = await add(lead, group["id"], newcomer.id)
    assert added.status_code == 200, added.text
    assert newcomer.id in added.json()["member_ids"]
    told = await last_of(newcomer, "channel", group["id"])
    assert told["data"]["member_ids"] == sorted([lead.id, already.id, newcomer.id])
    assert (await last_of(already, "channel", group["id"]))["data"] == told["data"]
    assert await in_my_list(newcomer, team.id, group["id"])
    history = (await newcomer.get(f"/api/channels/{group['id']}/messages")).json()["messages"]
    assert [m["id"] for m in history] == [said["id"]]


async def test_someone_added_learns_what_a_group_is_now_not_what_it_was(team: Team) -> None:
    lead, marc, nina = team.leads[0], team.members[0], team.members[1]
    old, new = f"Codename {word()}", f"Book club {word()}"
    group = await new_group(team, [marc], name=old)
    assert (await rename(lead, group["id"], new)).status_code == 200
    assert (await remove(lead, group["id"], marc.id)).status_code == 204
    assert (await add(lead, group["id"], nina.id)).status_code == 200
    seen = [e["data"] for e in await sync_all(nina) if e["type"] == "channel" and e["channel_id"] == group["id"]]
    assert [(d["name"], sorted(d["member_ids"])) for d in seen] == [(new, sorted([lead.id, nina.id]))]


async def test_adding_someone_already_in_a_group_changes_nothing(team: Team) -> None:
    group = await new_group(team, [team.members[0]])
    before = await newest_cursor(team.members[0])
    again = await add(team.leads[0], group["id"], team.members[0].id)
    assert (again.status_code, again.json()["member_ids"]) == (200, group["member_ids"])
    assert [e for e in await sync_all(team.members[0], before) if e["channel_id"] == group["id"]] == []


async def test_only_a_teammate_can_be_added_to_a_group(team: Team, http: httpx.AsyncClient) -> None:
    outsider = await sign_up(http, team.owner.ws_base)
    group = await new_group(team, [])
    for user_id in (outsider.id, 2**40):
        refused = await add(team.leads[0], group["id"], user_id)
        assert refused.status_code == 400 and "user_id" in refused.json()["fields"], refused.text
    assert (await outsider.get(f"/api/channels/{group['id']}/messages")).status_code == 404


async def test_a_lead_removes_someone_who_loses_the_group_and_its_history(team: Team) -> None:
    lead, gone, stays = team.leads[0], team.members[0], team.members[1]
    group = await new_group(team, [gone, stays])
    await stays.send(group["id"], text="before the removal")
    removed = await remove(lead, group["id"], gone.id)
    assert removed.status_code == 204, removed.text
    assert (await last_of(gone, "channel_removed", group["id"]))["data"]["user_id"] == gone.id
    assert (await last_of(stays, "channel", group["id"]))["data"]["member_ids"] == sorted([lead.id, stays.id])
    assert not await in_my_list(gone, team.id, group["id"])
    assert (await gone.get(f"/api/channels/{group['id']}/messages")).status_code == 404
    assert (await gone.send(group["id"], text="still here?")).status_code == 404
    # What the group says after the removal never reaches the removed member's devices.
    later = (await stays.send(group["id"], text="after the removal")).json()
    assert later["id"] not in {e["data"].get("id") for e in await sync_all(gone)}


async def test_a_member_leaves_a_group(team: Team) -> None:
    member = team.members[0]
    group = await new_group(team, [member, team.members[1]])
    left = await remove(member, group["id"], member.id)
    assert left.status_code == 204, left.text
    assert not await in_my_list(member, team.id, group["id"])
    assert await in_my_list(team.members[1], team.id, group["id"])
    assert (await last_of(member, "channel_removed", group["id"]))["data"]["user_id"] == member.id


async def test_someone_not_in_the_group_cannot_be_removed_from_it(team: Team) -> None:
    group = await new_group(team, [team.members[0]])
    missing = await remove(team.leads[0], group["id"], team.members[1].id)
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    assert_error_shape(missing.json())


async def test_a_member_may_not_rename_a_group_add_or_remove_others_or_delete_it(team: Team) -> None:
    member, other = team.members[0], team.members[1]
    group = await new_group(team, [member, other])
    for response in (
        await rename(member, group["id"], "Mine now"),
        await add(member, group["id"], team.owner.id),
        await remove(member, group["id"], other.id),
        await delete(member, group["id"]),
    ):
        assert (response.status_code, response.json()["error"]) == (403, "forbidden"), response.text
    assert (await member.channels(team.id))[group["name"]]["member_ids"] == group["member_ids"]


async def test_the_last_member_to_leave_deletes_the_group_and_its_history(team: Team) -> None:
    lead = team.leads[0]
    group = await new_group(team, [team.members[0]])
    secret = word()
    await team.members[0].send(group["id"], text=f"the floor is {secret}")
    assert (await remove(lead, group["id"], team.members[0].id)).status_code == 204
    assert (await remove(lead, group["id"], lead.id)).status_code == 204
    assert not await in_my_list(lead, team.id, group["id"])
    # Nobody can reach it: a lead who rejoins it is told it does not exist.
    assert (await add(team.owner, group["id"], lead.id)).status_code == 404
    assert (await search(team.members[0], team.id, secret)).json()["results"] == []


# --- Deleting a group ----------------------------------------------------------------------------------------------


async def test_a_lead_deletes_a_group_for_everyone_in_it(team: Team) -> None:
    lead, member = team.leads[0], team.members[0]
    group = await new_group(team, [member, team.owner])
    sent = await member.send(group["id"], text="delete me")
    assert (await delete(lead, group["id"])).status_code == 204
    for person in (lead, member, team.owner):
        assert not await in_my_list(person, team.id, group["id"])
        assert (await last_of(person, "channel_removed", group["id"]))["data"]["user_id"] == person.id
        assert (await person.get(f"/api/channels/{group['id']}/messages")).status_code == 404
    # A retry of a message of the deleted group is refused as one deleted with its history.
    retried = await member.send(group["id"], text="delete me", client_id=sent.json()["client_id"])
    assert (retried.status_code, retried.json()["error"]) == (410, "message_deleted")
    # Its members' new devices learn only that they left it: nothing of its name, people or messages.
    assert {e["type"] for e in await sync_all(member) if e["channel_id"] == group["id"]} == {"channel_removed"}
    assert (await delete(lead, group["id"])).status_code == 404


async def test_a_deleted_groups_name_and_history_leave_the_database_files(fresh_server: ServerProcess) -> None:
    fresh_server.start()
    name, secret = word(), word()
    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        team = await make_team(http, fresh_server.ws_url, leads=1, members=1)
        group = await new_group(team, [team.members[0]], name=name)
        for n in range(3):
            await team.members[0].send(group["id"], text=f"walk-away {secret} {n}")
        assert name.encode() in files_of(fresh_server) and secret.encode() in files_of(fresh_server)
        assert (await delete(team.leads[0], group["id"])).status_code == 204
        assert (await search(team.members[0], team.id, secret[:5])).json()["results"] == []
        assert secret.encode() not in files_of(fresh_server)
        assert name.encode() not in files_of(fresh_server)


async def test_a_deleted_groups_id_is_never_given_to_another_channel(team: Team) -> None:
    """What still names it (an outbox item queued offline, a notification's link) must not reach a new audience."""
    gone = await new_group(team, [team.members[0]])
    assert (await delete(team.leads[0], gone["id"])).status_code == 204
    made = await new_group(team, [team.members[1]])
    assert made["id"] > gone["id"]
    late = await team.members[0].send(gone["id"], text="queued before it went")
    assert late.status_code == 404, late.text


async def test_a_group_left_empty_by_people_leaving_the_team_goes_with_its_history(
    fresh_server: ServerProcess,
) -> None:
    fresh_server.start()
    name, secret = word(), word()
    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        team = await make_team(http, fresh_server.ws_url, leads=1, members=1)
        lead, member = team.leads[0], team.members[0]
        group = await new_group(team, [member], name=name)
        await member.send(group["id"], text=f"payroll {secret}")
        for person in (member, lead):
            assert (await team.owner.delete(f"/api/teams/{team.id}/members/{person.id}")).status_code == 204
        assert secret.encode() not in files_of(fresh_server)
        assert name.encode() not in files_of(fresh_server)
        again = await team.owner.post(f"/api/teams/{team.id}/channels", {"name": name, "members": []})
        assert again.status_code != 409, again.text  # its name is free again


# --- Who may manage what -------------------------------------------------------------------------------------------


async def test_everyone_leads_and_one_to_one_channels_are_not_managed_here(team: Team) -> None:
    owner, member = team.owner, team.members[0]
    channels = await owner.channels(team.id)
    direct = (await member.post(f"/api/teams/{team.id}/direct", {"user_id": owner.id})).json()
    for channel_id in (channels["Everyone"]["id"], channels["Leads"]["id"], direct["id"]):
        for response in (
            await rename(owner, channel_id, "Renamed"),
            await add(owner, channel_id, member.id),
            await remove(owner, channel_id, owner.id),
            await delete(owner, channel_id),
        ):
            assert (response.status_code, response.json()["error"]) == (409, "not_a_group"), response.text
            assert "Everyone, Leads and one-to-one" in response.json()["detail"]
    assert set(await owner.channels(team.id)) >= {"Everyone", "Leads"}


async def test_a_lead_or_owner_not_in_a_group_is_told_it_does_not_exist(team: Team) -> None:
    lead, inside = team.leads[0], team.members[0]
    group = await new_group(team, [inside])
    assert (await remove(lead, group["id"], lead.id)).status_code == 204  # the lead who made it leaves it
    unknown = 2**50
    for outside in (lead, team.owner, team.members[1]):
        for action, args in (
            (rename, ("Mine",)),
            (add, (outside.id,)),
            (remove, (inside.id,)),
            (delete, ()),
        ):
            response = await action(outside, group["id"], *args)
            missing = await action(outside, unknown, *args)
            assert (response.status_code, response.json()) == (404, missing.json()), response.text
    assert (await inside.channels(team.id))[group["name"]]["member_ids"] == [inside.id]
