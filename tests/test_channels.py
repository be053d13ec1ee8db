"""Channels: custom groups made by leads, one-to-one channels, and who sees which channel."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.client import Person, Team, sign_up, sync_all


async def my_channels(person: Person, team_id: int) -> list[dict[str, Any]]:
    response = await person.get(f"/api/teams/{team_id}/channels")
    assert response.status_code == 200, response.text
    return list(response.json())


async def create_group(lead: Person, team_id: int, name: str, members: list[int]) -> httpx.Response:
    return await lead.post(f"/api/teams/{team_id}/channels", {"name": name, "members": members})


async def open_direct(person: Person, team_id: int, other: Person) -> httpx.Response:
    return await person.post(f"/api/teams/{team_id}/direct", {"user_id": other.id})


# --- Custom channels -----------------------------------------------------------------------------------------------


async def test_a_lead_creates_a_channel_with_chosen_members(team: Team) -> None:
    lead, chosen, left_out = team.leads[0], team.members[0], team.members[1]
    created = await create_group(lead, team.id, "  Pricing  ", [chosen.id])
    assert created.status_code == 201, created.text
    channel = created.json()
    assert channel["kind"] == "group" and channel["name"] == "Pricing" and channel["team_id"] == team.id
    assert channel["member_ids"] == sorted([lead.id, chosen.id])  # the creator is always included
    assert channel["unread"] == 0
    assert "Pricing" in await chosen.channels(team.id)
    assert "Pricing" not in await left_out.channels(team.id)
    assert "Pricing" not in await team.owner.channels(team.id)  # not even the owner, unless chosen
    assert (await left_out.get(f"/api/channels/{channel['id']}/messages")).status_code == 404
    sent = await chosen.send(channel["id"], text="Our floor is 3.9")
    assert sent.status_code == 201
    history = (await lead.get(f"/api/channels/{channel['id']}/messages")).json()["messages"]
    assert [m["text"] for m in history] == ["Our floor is 3.9"]


async def test_the_owner_creates_a_channel_and_may_list_themself(team: Team) -> None:
    created = await create_group(team.owner, team.id, "Owners", [team.owner.id, team.owner.id])
    assert created.status_code == 201
    assert created.json()["member_ids"] == [team.owner.id]


async def test_a_channel_member_must_be_in_the_team(team: Team, http: httpx.AsyncClient) -> None:
    outsider = await sign_up(http, team.owner.ws_base)
    for members in ([outsider.id], [team.members[0].id, outsider.id], [2**40]):
        response = await create_group(team.leads[0], team.id, "Leaky", members)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_request"
        assert "members" in response.json()["fields"]
    assert "Leaky" not in await team.leads[0].channels(team.id)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"name": "ok", "members": [0]}, "members"),
    ],
)
async def test_a_channel_needs_a_name_and_valid_member_ids(team: Team, body: dict[str, Any], field: str) -> None:
    response = await team.owner.post(f"/api/teams/{team.id}/channels", body)
    assert response.status_code == 400
    assert any(key.startswith(field) for key in response.json()["fields"])


async def test_members_cannot_create_channels(team: Team) -> None:
    member = team.members[0]
    response = await create_group(member, team.id, "Secret", [team.members[1].id])
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert "Secret" not in await team.members[1].channels(team.id)


async def test_outsiders_cannot_create_channels_in_a_team(team: Team, http: httpx.AsyncClient) -> None:
    outsider = await sign_up(http, team.owner.ws_base)
    assert (await create_group(outsider, team.id, "Mine", [])).status_code == 404


# --- Channel names in a team ----------------------------------------------------------------------------------------

# Each looks like "Everyone", "Leads" (built in) or "Pricing" (made below): the same skeleton as api/names.py's
# display names use (tests/test_names.py has the rule's every case).
LOOKALIKES = {
    "Everyone itself": "Everyone",
    "in lower case": "everyone",
    "with an invisible joiner": "Every\u034fone",
    "with a variation selector": "Leads\ufe0f",
    "fullwidth": "\uff2c\uff45\uff41\uff44\uff53",
    "another group's name, in capitals": "PRICING",
    "another group's name, with an accent": "Pr\u00efcing",
}


def assert_name_taken(response: httpx.Response) -> None:
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "channel_name_taken"
    assert response.json()["fields"] == {"name": "looks the same as another channel's"}


@pytest.mark.parametrize("lookalike", LOOKALIKES.values(), ids=LOOKALIKES.keys())
async def test_a_channel_may_not_look_like_one_the_team_has(team: Team, lookalike: str) -> None:
    """A message meant for a few, typed into a channel that looks like Everyone, would reach the whole team."""
    lead = team.leads[0]
    assert (await create_group(lead, team.id, "Pricing", [team.members[0].id])).status_code == 201
    assert_name_taken(await create_group(lead, team.id, lookalike, [team.members[1].id]))
    assert_name_taken(await create_group(team.owner, team.id, lookalike, []))  # Pricing too, though not theirs
    names = [c["name"] for c in await my_channels(lead, team.id)]
    assert sorted(names) == ["Everyone", "Leads", "Pricing"]


async def test_channel_names_that_look_different_or_are_in_another_team_are_fine(team: Team) -> None:
    lead = team.leads[0]
    assert (await open_direct(lead, team.id, team.members[0])).status_code == 201
    for name in ("Everyone else", "Lead", "Pricing 2", "Direct"):  # one-to-one channels show the teammate's name
        assert (await create_group(lead, team.id, name, [])).status_code == 201, name
    other = (await lead.post("/api/teams", {"name": "Side deal"})).json()["id"]
    assert (await create_group(lead, other, "Pricing 2", [])).status_code == 201
    assert (await open_direct(lead, team.id, team.members[1])).status_code == 201  # and one-to-one ones still open


async def test_lookalike_channels_created_at_once_leave_one(team: Team) -> None:
    names = ["Budget", "budget", "BUDGET", "Bud\u034fget", "Budget\ufe0f", "\uff22udget"]
    creators = [team.owner, team.leads[0]] * 3
    answers = await asyncio.gather(*(create_group(who, team.id, name, []) for who, name in zip(creators, names)))
    assert sorted(answer.status_code for answer in answers) == [201] + [409] * (len(names) - 1)
    for answer in answers:
        if answer.status_code == 409:
            assert_name_taken(answer)
    everyone_sees = {c["name"] for who in (team.owner, team.leads[0]) for c in await my_channels(who, team.id)}
    assert len(everyone_sees - {"Everyone", "Leads"}) == 1


# --- One-to-one channels -------------------------------------------------------------------------------------------


async def test_a_direct_channel_is_created_once_and_reopened_from_either_side(team: Team) -> None:
    first, second = team.members
    opened = await open_direct(first, team.id, second)
    assert opened.status_code == 201, opened.text
    channel = opened.json()
    assert channel["kind"] == "direct" and channel["member_ids"] == sorted([first.id, second.id])
    again = await open_direct(first, team.id, second)
    other_side = await open_direct(second, team.id, first)
    assert again.status_code == 200 and other_side.status_code == 200
    assert again.json()["id"] == other_side.json()["id"] == channel["id"]
    directs = [c for c in await my_channels(second, team.id) if c["kind"] == "direct"]
    assert [c["id"] for c in directs] == [channel["id"]]
    assert all(c["kind"] != "direct" for c in await my_channels(team.owner, team.id))
    assert (await team.owner.get(f"/api/channels/{channel['id']}/messages")).status_code == 404


async def test_each_pair_gets_its_own_direct_channel(team: Team) -> None:
    member = team.members[0]
    with_owner = (await open_direct(member, team.id, team.owner)).json()["id"]
    with_lead = (await open_direct(member, team.id, team.leads[0])).json()["id"]
    assert with_owner != with_lead
    ids = {c["id"] for c in await my_channels(member, team.id) if c["kind"] == "direct"}
    assert ids == {with_owner, with_lead}


async def test_a_direct_channel_with_myself_is_refused(team: Team) -> None:
    response = await open_direct(team.members[0], team.id, team.members[0])
    assert response.status_code == 400
    assert "user_id" in response.json()["fields"]


async def test_a_direct_channel_needs_a_teammate(team: Team, http: httpx.AsyncClient) -> None:
    outsider = await sign_up(http, team.owner.ws_base)
    response = await open_direct(team.members[0], team.id, outsider)
    assert response.status_code == 400
    assert "user_id" in response.json()["fields"]
    assert (await open_direct(outsider, team.id, team.members[0])).status_code == 404


async def test_a_direct_channel_reseats_a_teammate_who_came_back(team: Team) -> None:
    stays, returns = team.members
    channel_id = (await open_direct(stays, team.id, returns)).json()["id"]
    await stays.send(channel_id, text="before")
    assert (await returns.delete(f"/api/teams/{team.id}/members/{returns.id}")).status_code == 204
    invite = (await team.owner.post(f"/api/teams/{team.id}/invites", {"max_uses": 1})).json()
    assert (await returns.post(f"/api/invites/{invite['token']}/accept")).status_code == 201
    assert all(c["kind"] != "direct" for c in await my_channels(returns, team.id))
    reopened = await open_direct(returns, team.id, stays)
    assert reopened.status_code == 200 and reopened.json()["id"] == channel_id
    assert reopened.json()["member_ids"] == sorted([stays.id, returns.id])
    history = (await returns.get(f"/api/channels/{channel_id}/messages")).json()["messages"]
    assert [m["text"] for m in history] == ["before"]


# --- Who sees which channel ----------------------------------------------------------------------------------------


async def test_channel_lists_show_only_my_channels(team: Team) -> None:
    lead, first, second = team.leads[0], *team.members
    group = (await create_group(lead, team.id, "Pricing", [first.id])).json()["id"]
    direct = (await open_direct(second, team.id, lead)).json()["id"]
    expected = [
        (team.owner, {"Everyone", "Leads"}),
        (lead, {"Everyone", "Leads", "Pricing", "Direct"}),
        (first, {"Everyone", "Pricing"}),
        (second, {"Everyone", "Direct"}),
    ]
    for person, names in expected:
        channels = await my_channels(person, team.id)
        assert {c["name"] for c in channels} == names
        assert all(person.id in c["member_ids"] and c["team_id"] == team.id for c in channels)
    ids = [c["id"] for c in await my_channels(lead, team.id)]
    assert ids == sorted(ids) and group in ids and direct in ids


async def test_channels_of_another_team_stay_out_of_my_lists(team: Team, http: httpx.AsyncClient) -> None:
    member = team.members[0]
    other = (await member.post("/api/teams", {"name": "Side deal"})).json()["id"]
    theirs = {c["id"] for c in await my_channels(member, other)}
    ours = {c["id"] for c in await my_channels(member, team.id)}
    assert theirs and ours and not theirs & ours
    assert (await team.owner.get(f"/api/teams/{other}/channels")).status_code == 404


async def test_a_member_never_sees_the_leads_channel(team: Team) -> None:
    member = team.members[0]
    leads_id = (await team.owner.channels(team.id))["Leads"]["id"]
    assert "Leads" not in await member.channels(team.id)
    assert leads_id not in [c["id"] for c in await my_channels(member, team.id)]

    secret = await team.leads[0].send(leads_id, text="Walk away at 3.8")
    assert secret.status_code == 201
    await team.owner.send(leads_id, cue="dont_concede")
    for response in (
        await member.get(f"/api/channels/{leads_id}/messages"),
        await member.send(leads_id, text="let me in"),
        await member.post(f"/api/messages/{secret.json()['id']}/ack"),
        await member.post(f"/api/channels/{leads_id}/read", {"cursor": 1}),
    ):
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"

    events = await sync_all(member)
    assert events, "the member sees the team's own events"
    assert all(e["channel_id"] != leads_id for e in events)
    assert "Walk away" not in str(events)
    everyone = (await member.channels(team.id))["Everyone"]["id"]
    assert any(e["channel_id"] == everyone for e in events)
    lead_events = await sync_all(team.leads[0])
    assert any(e["type"] == "message" and e["data"]["text"] == "Walk away at 3.8" for e in lead_events)


# --- Read marks -----------------------------------------------------------------------------------------------------


def receipt_of(channel: dict[str, Any], person: Person) -> dict[str, Any]:
    return next(r for r in channel["receipts"] if r["user_id"] == person.id)


async def test_a_read_mark_never_passes_what_the_channel_has(team: Team) -> None:
    """A client may claim any cursor (up to 2**53): teammates must not see "read" on messages not yet sent, nor the
    reader's unread count skip them. The mark stops at the newest event the channel has."""
    reader = team.members[0]
    channels = await reader.channels(team.id)
    everyone, leads = channels["Everyone"]["id"], (await team.owner.channels(team.id))["Leads"]["id"]
    last = (await team.owner.send(everyone, text="Opening offer: 4.2")).json()
    await team.owner.send(leads, text="Walk away at 3.8")  # a later cursor, in a channel the reader is not in
    for claim in (2**53, last["cursor"] + 1):
        read = await reader.post(f"/api/channels/{everyone}/read", {"cursor": claim})
        assert read.status_code == 200, read.text
        assert read.json()["last_read"] == last["cursor"]
    assert receipt_of((await team.owner.channels(team.id))["Everyone"], reader)["read"] == last["cursor"]

    unread = (await team.owner.send(everyone, text="Counter: 4.0")).json()
    seen = (await team.owner.channels(team.id))["Everyone"]
    assert receipt_of(seen, reader)["read"] < unread["cursor"]  # the new message is not "read"
    assert (await reader.channels(team.id))["Everyone"]["unread"] == 1
    # Never back either.
    assert (await reader.post(f"/api/channels/{everyone}/read", {"cursor": 1})).json()["last_read"] == last["cursor"]


# --- Limits (api/channels.py: MAX_CHANNELS_PER_TEAM; members per channel are bounded by the body, 200) -----------


async def test_a_team_has_at_most_200_channels_direct_ones_included(team: Team) -> None:
    for number in range(200 - 2 - 1):  # Everyone and Leads come with the team; one direct channel below
        assert (await create_group(team.owner, team.id, f"Room {number}", [])).status_code == 201
    assert (await open_direct(team.members[0], team.id, team.members[1])).status_code == 201
    refused = await create_group(team.owner, team.id, "One too many", [])
    assert refused.status_code == 409 and refused.json()["error"] == "limit_reached"
    refused = await open_direct(team.members[0], team.id, team.leads[0])
    assert refused.status_code == 409 and refused.json()["error"] == "limit_reached"
    assert (await open_direct(team.members[1], team.id, team.members[0])).status_code == 200  # the existing one
