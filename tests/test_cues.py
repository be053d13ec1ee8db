"""The team's cue set: reading it, replacing it (leads only), the rules a set must keep, and sending cues."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from tests.client import Person, Team, sign_up


async def cue_set(person: Person, team_id: int) -> list[dict[str, Any]]:
    response = await person.get(f"/api/teams/{team_id}/cues")
    assert response.status_code == 200, response.text
    assert response.json()["team_id"] == team_id
    return list(response.json()["cues"])


async def put_cues(person: Person, team_id: int, cues: list[dict[str, Any]]) -> httpx.Response:
    return await person.put(f"/api/teams/{team_id}/cues", {"cues": cues})


def cue(code: str, rhythm: list[int], label: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"code": code, "label": label or code.replace("_", " ").title(), "rhythm": rhythm, **extra}


# --- Reading -------------------------------------------------------------------------------------------------------


async def test_every_member_reads_the_cue_set_in_pad_order(team: Team) -> None:
    cues = await cue_set(team.members[0], team.id)
    assert len(cues) == 11
    assert cues[0] == {
        "code": "let_me_talk",
        "label": "Let me talk",
        "rhythm": [300],
        "urgency": "normal",
        "ttl_seconds": 60,
    }
    assert next(c for c in cues if c["code"] == "stop_call_me")["urgency"] == "high"
    assert await cue_set(team.owner, team.id) == cues
    assert len({tuple(c["rhythm"]) for c in cues}) == len(cues)  # every default cue feels different
    assert all(len(c["rhythm"]) % 2 == 1 for c in cues)


async def test_outsiders_cannot_read_or_replace_a_cue_set(team: Team, http: httpx.AsyncClient) -> None:
    outsider = await sign_up(http, team.owner.ws_base)
    assert (await outsider.get(f"/api/teams/{team.id}/cues")).status_code == 404
    assert (await put_cues(outsider, team.id, [cue("mine", [100])])).status_code == 404
    assert (await http.get(f"/api/teams/{team.id}/cues")).status_code == 401


# --- Replacing -----------------------------------------------------------------------------------------------------


async def test_a_put_replaces_the_set_adding_changing_reordering_and_removing(team: Team) -> None:
    old = await cue_set(team.owner, team.id)
    new = copy.deepcopy(old[:4])
    new.reverse()  # reorder
    new[0]["label"] = "Stop now"  # change
    new[0]["rhythm"] = [700, 100, 700]
    new[1]["ttl_seconds"] = 300
    new.append(cue("good_point", [50, 50, 50, 50, 50], urgency="high", ttl_seconds=30))  # add
    replaced = await put_cues(team.owner, team.id, new)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == {"team_id": team.id, "cues": new}
    seen = await cue_set(team.members[0], team.id)
    assert seen == new
    assert [c["code"] for c in seen] == ["stop_call_me", "change_direction", "drive_home", "let_me_talk", "good_point"]
    assert "bluffing" not in {c["code"] for c in seen}  # removed


async def test_defaults_fill_in_urgency_and_time_to_live(team: Team) -> None:
    replaced = await put_cues(team.owner, team.id, [cue("nod", [100])])
    assert replaced.json()["cues"] == [
        {"code": "nod", "label": "Nod", "rhythm": [100], "urgency": "normal", "ttl_seconds": 120}
    ]
    assert await cue_set(team.owner, team.id) == replaced.json()["cues"]


async def test_labels_are_stored_trimmed_and_the_put_answers_what_is_stored(team: Team) -> None:
    replaced = await put_cues(team.owner, team.id, [cue("nod", [100], label="  Nod along  ")])
    assert replaced.status_code == 200
    assert replaced.json()["cues"][0]["label"] == "Nod along"
    assert (await cue_set(team.owner, team.id))[0]["label"] == "Nod along"


async def test_a_lead_may_replace_the_set(team: Team) -> None:
    response = await put_cues(team.leads[0], team.id, [cue("nod", [100]), cue("shake", [100, 100, 100])])
    assert response.status_code == 200
    assert [c["code"] for c in await cue_set(team.owner, team.id)] == ["nod", "shake"]


async def test_members_cannot_replace_the_set(team: Team) -> None:
    before = await cue_set(team.owner, team.id)
    response = await put_cues(team.members[0], team.id, [cue("mine", [100])])
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert await cue_set(team.owner, team.id) == before


async def test_members_learn_of_a_new_set_through_sync(team: Team) -> None:
    member = team.members[0]
    after = (await member.get("/api/sync", params={"after": 0, "limit": 1000})).json()["cursor"]
    await put_cues(team.owner, team.id, [cue("nod", [100])])
    events = (await member.get("/api/sync", params={"after": after})).json()["events"]
    assert [(e["type"], e["team_id"]) for e in events] == [("cues", team.id)]
    assert [c["code"] for c in events[0]["data"]["cues"]] == ["nod"]


async def test_each_team_has_its_own_set(team: Team) -> None:
    other = (await team.owner.post("/api/teams", {"name": "Side deal"})).json()["id"]
    await put_cues(team.owner, other, [cue("nod", [100])])
    assert len(await cue_set(team.owner, team.id)) == 11
    assert [c["code"] for c in await cue_set(team.owner, other)] == ["nod"]


# --- Rules of a set ------------------------------------------------------------------------------------------------


def twenty_five() -> list[dict[str, Any]]:
    return [cue(f"c{i}", [100 + i]) for i in range(25)]


@pytest.mark.parametrize(
    ("cues", "field"),
    [
        ([cue("nod", [100]), cue("nod", [200])], "cues[1].code"),
        ([cue("nod", [100, 50, 100]), cue("shake", [100, 50, 100])], "cues[1].rhythm"),
        ([cue("nod", [100, 100])], "cues[0].rhythm"),
        ([cue("ok", [100]), cue("nod", [100, 100, 100, 100])], "cues[1].rhythm"),
        ([cue("nod", [100], label="l" * 41)], "cues[0].label"),
        ([cue("nod", [100], label="   ")], "cues[0].label"),
        (twenty_five(), "cues"),
        ([], "cues"),
        ([cue("Nod!", [100])], "cues[0].code"),
        ([cue("nod", [])], "cues[0].rhythm"),
        ([cue("nod", [10])], "cues[0].rhythm[0]"),
        ([cue("nod", [2000, 100, 2000, 100, 2000])], "cues[0].rhythm"),
        ([cue("nod", [100] * 17)], "cues[0].rhythm"),
        ([cue("nod", [100], urgency="panic")], "cues[0].urgency"),
        ([cue("nod", [100], ttl_seconds=5)], "cues[0].ttl_seconds"),
        ([cue("nod", [100], colour="red")], "cues[0]"),
    ],
    ids=[
        "duplicate-code",
        "identical-rhythms",
        "even-rhythm",
        "even-rhythm-later",
        "long-label",
        "blank-label",
        "too-many",
        "empty",
        "bad-code",
        "no-rhythm",
        "short-step",
        "long-rhythm",
        "many-steps",
        "bad-urgency",
        "short-ttl",
        "unknown-field",
    ],
)
async def test_a_set_breaking_the_rules_is_refused_and_names_the_field(
    team: Team, cues: list[dict[str, Any]], field: str
) -> None:
    before = await cue_set(team.owner, team.id)
    response = await put_cues(team.owner, team.id, cues)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert any(key.startswith(field) for key in body["fields"]), body
    assert field.split(".")[0] in body["detail"]
    assert await cue_set(team.owner, team.id) == before


async def test_a_full_set_of_twenty_four_is_allowed(team: Team) -> None:
    response = await put_cues(team.owner, team.id, twenty_five()[:24])
    assert response.status_code == 200
    assert len(await cue_set(team.owner, team.id)) == 24


# --- Sending cues --------------------------------------------------------------------------------------------------


async def test_a_removed_cue_can_no_longer_be_sent_and_a_new_one_can(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    member = team.members[0]
    assert (await member.send(everyone, cue="bluffing")).status_code == 201
    await put_cues(team.owner, team.id, [cue("nod", [100]), cue("let_me_talk", [300])])
    refused = await member.send(everyone, cue="bluffing")
    assert refused.status_code == 400
    assert "cue" in refused.json()["fields"]
    assert (await member.send(everyone, cue="nod")).status_code == 201
    assert (await member.send(everyone, cue="let_me_talk")).status_code == 201
    history = (await team.owner.get(f"/api/channels/{everyone}/messages")).json()["messages"]
    assert [m["cue"] for m in history] == ["bluffing", "nod", "let_me_talk"]  # past cues stay in history


async def test_a_cue_of_another_team_cannot_be_sent(team: Team) -> None:
    other = (await team.owner.post("/api/teams", {"name": "Side deal"})).json()["id"]
    await put_cues(team.owner, other, [cue("side_only", [100])])
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    assert (await team.owner.send(everyone, cue="side_only")).status_code == 400
