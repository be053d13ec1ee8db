"""Meetings: a lead plans, starts and ends one; teammates take a seat at the table; the floor is asked for, granted,
released and taken back in order; a lead reads the roster; the debrief reads the timeline back, and exports it.

Everything about a meeting is the team's: outsiders and removed members get the 404 of an unknown id; members get
403 on what leads do; every rule broken is a 4xx in the one error shape (docs/meetings.md). Urgent cues that insist
are in tests/test_escalations.py.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from api.actions.meetings import FLOOR_QUEUE_MAX, MEETINGS_KEPT
from api.db.connection import Rows
from api.db.meetings import next_escalation_at
from tests.client import Person, Team, make_team, sign_up, sync_all
from tests.routes import assert_error_shape
from tests.server import ServerProcess
from tests.test_migrations import migrate
from tests.test_privacy import files_of


async def plan(team: Team, by: Person | None = None, **fields: Any) -> dict[str, Any]:
    body = {"title": "Pricing round 2", "counterpart": "Acme", **fields}
    made = await (by or team.leads[0]).post(f"/api/teams/{team.id}/meetings", body)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def live_meeting(team: Team) -> dict[str, Any]:
    """A meeting the team's lead planned and started."""
    meeting = await plan(team)
    started = await team.leads[0].post(f"/api/meetings/{meeting['id']}/start")
    assert started.status_code == 200, started.text
    return dict(started.json())


async def seat(me: Person, meeting_id: int, place: str = "room", role: str = "speaking") -> dict[str, Any]:
    joined = await me.post(f"/api/meetings/{meeting_id}/join", {"place": place, "role": role})
    assert joined.status_code == 200, joined.text
    return dict(joined.json())


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert_error_shape(body)
    assert body["error"] == code, body
    return dict(body)


def queue_of(meeting: dict[str, Any]) -> list[int]:
    return [request["user_id"] for request in meeting["queue"]]


# Planning, starting, ending


async def test_a_lead_plans_a_meeting_its_cues_going_to_everyone_unless_said(team: Team) -> None:
    meeting = await plan(team, planned_at=1_900_000_000_000)
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    assert (meeting["state"], meeting["channel_id"], meeting["planned_at"]) == ("planned", everyone, 1_900_000_000_000)
    assert (meeting["title"], meeting["counterpart"], meeting["seats"], meeting["queue"]) == (
        "Pricing round 2",
        "Acme",
        [],
        [],
    )
    leads = (await team.owner.channels(team.id))["Leads"]["id"]
    to_leads = await plan(team, channel_id=leads)
    assert to_leads["channel_id"] == leads
    listed = await team.members[0].get(f"/api/teams/{team.id}/meetings")
    assert {m["id"] for m in listed.json()} == {meeting["id"], to_leads["id"]}


async def test_a_member_cannot_plan_start_or_end_a_meeting(team: Team) -> None:
    member = team.members[0]
    refused(await member.post(f"/api/teams/{team.id}/meetings", {"title": "A", "counterpart": "B"}), 403, "forbidden")
    meeting = await plan(team)
    refused(await member.post(f"/api/meetings/{meeting['id']}/start"), 403, "forbidden")
    await team.leads[0].post(f"/api/meetings/{meeting['id']}/start")
    refused(await member.post(f"/api/meetings/{meeting['id']}/end"), 403, "forbidden")


async def test_one_live_meeting_per_team_and_states_only_move_forward(team: Team) -> None:
    first, second = await plan(team), await plan(team, title="Legal terms")
    lead = team.leads[0]
    assert (await lead.post(f"/api/meetings/{first['id']}/start")).json()["state"] == "live"
    refused(await lead.post(f"/api/meetings/{second['id']}/start"), 409, "meeting_live")
    refused(await lead.post(f"/api/meetings/{first['id']}/start"), 409, "meeting_state")
    refused(await lead.post(f"/api/meetings/{second['id']}/end"), 409, "meeting_state")
    ended = (await lead.post(f"/api/meetings/{first['id']}/end")).json()
    assert ended["state"] == "ended" and ended["ended_at"] >= ended["started_at"]
    refused(await lead.post(f"/api/meetings/{first['id']}/end"), 409, "meeting_state")
    refused(await lead.post(f"/api/meetings/{first['id']}/start"), 409, "meeting_state")
    assert (await lead.post(f"/api/meetings/{second['id']}/start")).json()["state"] == "live"


async def test_two_leads_starting_two_meetings_at_once_leave_one_live(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    team = await make_team(http, server.ws_url, leads=2)
    meetings = [await plan(team), await plan(team, by=team.leads[1])]
    answers = await asyncio.gather(
        *(lead.post(f"/api/meetings/{m['id']}/start") for lead, m in zip(team.leads, meetings, strict=True))
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    listed = (await team.owner.get(f"/api/teams/{team.id}/meetings")).json()
    assert [m["state"] for m in listed].count("live") == 1 and listed[0]["state"] == "live"


async def test_bad_meeting_bodies_are_refused_by_the_field(team: Team) -> None:
    lead, path = team.leads[0], f"/api/teams/{team.id}/meetings"
    for body, field in (
        ({"counterpart": "Acme"}, "title"),
        ({"title": "", "counterpart": "Acme"}, "title"),
        ({"title": "x" * 121, "counterpart": "Acme"}, "title"),
        ({"title": "Round 2", "counterpart": "y" * 121}, "counterpart"),
        ({"title": "Round 2", "counterpart": "Acme", "planned_at": -1}, "planned_at"),
        ({"title": "Round 2", "counterpart": "Acme", "channel_id": 0}, "channel_id"),
        ({"title": "Round 2", "counterpart": "Acme", "colour": "red"}, "colour"),
    ):
        body_out = refused(await lead.post(path, body), 400, "invalid_request")
        assert field in body_out["detail"], (body, body_out)


async def test_a_meeting_cannot_send_its_cues_to_a_direct_channel_or_another_teams(
    http: httpx.AsyncClient, server: ServerProcess, team: Team
) -> None:
    lead = team.leads[0]
    direct = await lead.post(f"/api/teams/{team.id}/direct", {"user_id": team.members[0].id})
    refused(
        await lead.post(
            f"/api/teams/{team.id}/meetings", {"title": "A", "counterpart": "B", "channel_id": direct.json()["id"]}
        ),
        400,
        "invalid_request",
    )
    other = await make_team(http, server.ws_url)
    theirs = (await other.owner.channels(other.id))["Everyone"]["id"]
    refused(
        await lead.post(f"/api/teams/{team.id}/meetings", {"title": "A", "counterpart": "B", "channel_id": theirs}),
        404,
        "not_found",
    )


async def test_a_team_keeps_at_most_so_many_meetings(team: Team, server: ServerProcess) -> None:
    lead = team.leads[0]
    await asyncio.gather(*(plan(team) for _ in range(MEETINGS_KEPT)))
    refused(
        await lead.post(f"/api/teams/{team.id}/meetings", {"title": "One more", "counterpart": "Acme"}),
        409,
        "meeting_limit",
    )


# At the table


async def test_teammates_join_saying_where_they_are_and_what_they_do(team: Team) -> None:
    meeting = await live_meeting(team)
    await seat(team.members[0], meeting["id"], "room", "speaking")
    state = await seat(team.members[1], meeting["id"], "call", "observing")
    assert [(s["user_id"], s["place"], s["role"]) for s in state["seats"]] == [
        (team.members[0].id, "room", "speaking"),
        (team.members[1].id, "call", "observing"),
    ]
    moved = await seat(team.members[1], meeting["id"], "remote", "notes")
    assert [(s["place"], s["role"]) for s in moved["seats"] if s["user_id"] == team.members[1].id] == [
        ("remote", "notes")
    ]
    assert moved["change"] == {"what": "joined", "actor_id": team.members[1].id, "user_id": team.members[1].id}


async def test_joining_needs_a_live_meeting_a_known_place_and_its_channel(team: Team) -> None:
    planned = await plan(team)
    member = team.members[0]
    body = refused(
        await member.post(f"/api/meetings/{planned['id']}/join", {"place": "room", "role": "speaking"}),
        409,
        "meeting_state",
    )
    assert "not started" in body["detail"]
    refused(
        await member.post(f"/api/meetings/{planned['id']}/join", {"place": "garden", "role": "speaking"}),
        400,
        "invalid_request",
    )
    refused(
        await member.post(f"/api/meetings/{planned['id']}/join", {"place": "room", "role": "singing"}),
        400,
        "invalid_request",
    )
    leads = (await team.owner.channels(team.id))["Leads"]["id"]
    to_leads = await plan(team, channel_id=leads)
    await team.leads[0].post(f"/api/meetings/{to_leads['id']}/start")
    refused(
        await member.post(f"/api/meetings/{to_leads['id']}/join", {"place": "room", "role": "speaking"}),
        403,
        "forbidden",
    )
    await team.leads[0].post(f"/api/meetings/{to_leads['id']}/end")
    body = refused(
        await member.post(f"/api/meetings/{to_leads['id']}/join", {"place": "room", "role": "speaking"}),
        409,
        "meeting_state",
    )
    assert "ended" in body["detail"]


async def test_the_roster_shows_who_joined_from_where_whether_their_phone_is_ready_and_who_has_not(team: Team) -> None:
    meeting = await live_meeting(team)
    sam, lee = team.members
    await seat(sam, meeting["id"], "room")
    async with sam.live() as ws:
        await ws.send('{"type":"visibility","visible":true}')
        await ws.send('{"type":"ping"}')
        await asyncio.sleep(0.3)
        roster = (await team.leads[0].get(f"/api/meetings/{meeting['id']}/roster")).json()
    ready = {s["user_id"]: s["ready"] for s in roster["seats"]}
    assert ready[sam.id]["live"] is True and ready[sam.id]["visible"] is True and ready[sam.id]["push"] is False
    assert ready[sam.id]["last_heard"] is not None
    assert set(roster["absent"]) == {team.owner.id, team.leads[0].id, lee.id}
    after = (await team.leads[0].get(f"/api/meetings/{meeting['id']}/roster")).json()
    assert after["seats"][0]["ready"]["live"] is False and after["seats"][0]["ready"]["visible"] is False
    refused(await sam.get(f"/api/meetings/{meeting['id']}/roster"), 403, "forbidden")


# The floor


async def test_the_floor_queue_is_served_in_order_granted_released_and_taken_back(team: Team) -> None:
    meeting = await live_meeting(team)
    mid, lead = meeting["id"], team.leads[0]
    sam, lee = team.members
    await seat(sam, mid)
    await seat(lee, mid, "call")
    await sam.post(f"/api/meetings/{mid}/floor")
    state = (await lee.post(f"/api/meetings/{mid}/floor")).json()
    assert queue_of(state) == [sam.id, lee.id] and state["change"]["what"] == "requested"
    again = (await sam.post(f"/api/meetings/{mid}/floor")).json()
    assert queue_of(again) == [sam.id, lee.id]  # asking twice keeps my place
    granted = (await lead.post(f"/api/meetings/{mid}/floor/grant", {"user_id": sam.id})).json()
    assert granted["floor"]["user_id"] == sam.id and queue_of(granted) == [lee.id]
    assert granted["change"] == {"what": "granted", "actor_id": lead.id, "user_id": sam.id}
    refused(await sam.post(f"/api/meetings/{mid}/floor"), 409, "floor_held")
    refused(await lee.post(f"/api/meetings/{mid}/floor/release"), 409, "not_holding")
    released = (await sam.post(f"/api/meetings/{mid}/floor/release")).json()
    assert released["floor"] is None
    refused(await lead.post(f"/api/meetings/{mid}/floor/take"), 409, "floor_free")
    moved = (await lead.post(f"/api/meetings/{mid}/floor/grant", {"user_id": lee.id})).json()
    assert moved["floor"]["user_id"] == lee.id and moved["queue"] == []
    handed = (await lead.post(f"/api/meetings/{mid}/floor/grant", {"user_id": sam.id})).json()
    assert handed["floor"]["user_id"] == sam.id  # whoever held it loses it
    taken = (await lead.post(f"/api/meetings/{mid}/floor/take")).json()
    assert taken["floor"] is None and taken["change"] == {"what": "taken", "actor_id": lead.id, "user_id": sam.id}


async def test_a_request_is_withdrawn_or_declined_in_one_step(team: Team) -> None:
    meeting = await live_meeting(team)
    mid, lead, sam = meeting["id"], team.leads[0], team.members[0]
    await seat(sam, mid)
    refused(await sam.delete(f"/api/meetings/{mid}/floor"), 409, "not_queued")
    await sam.post(f"/api/meetings/{mid}/floor")
    assert (await sam.delete(f"/api/meetings/{mid}/floor")).json()["queue"] == []
    await sam.post(f"/api/meetings/{mid}/floor")
    declined = (await lead.post(f"/api/meetings/{mid}/floor/decline", {"user_id": sam.id})).json()
    assert declined["queue"] == [] and declined["change"]["what"] == "declined"
    refused(await lead.post(f"/api/meetings/{mid}/floor/decline", {"user_id": sam.id}), 409, "not_queued")


async def test_the_floor_is_for_those_at_the_table_and_granted_by_leads(team: Team) -> None:
    meeting = await live_meeting(team)
    mid, lead, sam, lee = meeting["id"], team.leads[0], *team.members
    refused(await sam.post(f"/api/meetings/{mid}/floor"), 409, "not_at_table")
    body = refused(await lead.post(f"/api/meetings/{mid}/floor/grant", {"user_id": lee.id}), 409, "not_at_table")
    assert body["fields"] == {"user_id": "is not at the table"}
    await seat(sam, mid)
    refused(await lee.post(f"/api/meetings/{mid}/floor/grant", {"user_id": sam.id}), 403, "forbidden")
    refused(await lee.post(f"/api/meetings/{mid}/floor/take"), 403, "forbidden")
    refused(await lead.post(f"/api/meetings/{mid}/floor/grant", {"user_id": 0}), 400, "invalid_request")
    refused(await lead.post(f"/api/meetings/{mid}/floor/grant", {}), 400, "invalid_request")


async def test_the_floor_queue_holds_so_many_even_when_they_ask_at_once(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    team = await make_team(http, server.ws_url, members=FLOOR_QUEUE_MAX + 2)
    meeting = await live_meeting(team)
    mid = meeting["id"]
    await asyncio.gather(*(seat(m, mid) for m in team.members))
    answers = await asyncio.gather(*(m.post(f"/api/meetings/{mid}/floor") for m in team.members))
    assert sorted(a.status_code for a in answers) == [200] * FLOOR_QUEUE_MAX + [409, 409]
    for answer in answers:
        if answer.status_code == 409:
            refused(answer, 409, "floor_queue_full")
    state = (await team.owner.get(f"/api/meetings/{mid}")).json()
    assert len(state["queue"]) == FLOOR_QUEUE_MAX


async def test_nothing_moves_on_the_floor_of_a_meeting_that_is_not_live(team: Team) -> None:
    meeting = await live_meeting(team)
    mid, lead, sam = meeting["id"], team.leads[0], team.members[0]
    await seat(sam, mid)
    await lead.post(f"/api/meetings/{mid}/end")
    for response in (
        await sam.post(f"/api/meetings/{mid}/floor"),
        await sam.delete(f"/api/meetings/{mid}/floor"),
        await sam.post(f"/api/meetings/{mid}/floor/release"),
        await lead.post(f"/api/meetings/{mid}/floor/grant", {"user_id": sam.id}),
        await lead.post(f"/api/meetings/{mid}/floor/decline", {"user_id": sam.id}),
        await lead.post(f"/api/meetings/{mid}/floor/take"),
    ):
        refused(response, 409, "meeting_state")


# Who sees what


async def test_every_change_is_an_event_to_the_team_in_cursor_order_and_no_one_else(
    http: httpx.AsyncClient, server: ServerProcess, team: Team
) -> None:
    outsider = await sign_up(http, server.ws_url)
    meeting = await live_meeting(team)
    mid, sam = meeting["id"], team.members[0]
    await seat(sam, mid)
    await sam.post(f"/api/meetings/{mid}/floor")
    await team.leads[0].post(f"/api/meetings/{mid}/floor/grant", {"user_id": sam.id})
    events = [e for e in await sync_all(team.members[1]) if e["type"] == "meeting"]
    assert [e["data"]["change"]["what"] for e in events] == ["created", "started", "joined", "requested", "granted"]
    assert [e["cursor"] for e in events] == sorted(e["cursor"] for e in events)
    assert all(e["team_id"] == team.id and e["channel_id"] is None for e in events)
    assert not [e for e in await sync_all(outsider) if e["type"] == "meeting"]


async def test_a_removed_member_leaves_the_table_and_hears_nothing_more_of_the_meeting(team: Team) -> None:
    """Removed from the team: out of the seats and the queue, and no later change reaches them. (Every meeting route
    answering them, and outsiders, as for an unknown id is in tests/test_authorization.py.)"""
    meeting = await live_meeting(team)
    mid = meeting["id"]
    gone = team.members[1]
    await seat(gone, mid)
    await gone.post(f"/api/meetings/{mid}/floor")
    assert (await team.owner.delete(f"/api/teams/{team.id}/members/{gone.id}")).status_code == 204
    state = (await team.owner.get(f"/api/meetings/{mid}")).json()
    assert gone.id not in {s["user_id"] for s in state["seats"]} and state["queue"] == []
    refused(await gone.get(f"/api/meetings/{mid}"), 404, "not_found")
    stayed = team.members[0]
    await seat(stayed, mid)
    await team.leads[0].post(f"/api/meetings/{mid}/floor/grant", {"user_id": stayed.id})
    assert "granted" not in [e["data"]["change"]["what"] for e in await sync_all(gone) if e["type"] == "meeting"]


# The debrief


async def debriefed(team: Team) -> tuple[dict[str, Any], dict[str, Any]]:
    """A meeting with a cue acknowledged, one not, a floor turn and its end."""
    meeting = await live_meeting(team)
    mid, lead, sam, lee = meeting["id"], team.leads[0], *team.members
    await seat(sam, mid, "room", "speaking")
    await seat(lee, mid, "call", "observing")
    everyone = (await lead.channels(team.id))["Everyone"]["id"]
    acked = (await lee.send(everyone, cue="stop_call_me")).json()
    (await lead.send(everyone, cue="take_break")).json()
    (await lead.send(everyone, cue="slow_down")).json()  # a normal cue expires with no answer needed
    await asyncio.sleep(0.05)
    await sam.post(f"/api/messages/{acked['id']}/ack")
    await sam.post(f"/api/meetings/{mid}/floor")
    await lead.post(f"/api/meetings/{mid}/floor/grant", {"user_id": sam.id})
    await asyncio.sleep(0.2)
    await sam.post(f"/api/meetings/{mid}/floor/release")
    await lead.post(f"/api/meetings/{mid}/end")
    debrief = (await sam.get(f"/api/meetings/{mid}/debrief")).json()
    return meeting, debrief


async def test_the_debrief_reads_back_the_timeline_from_the_start(team: Team) -> None:
    _, debrief = await debriefed(team)
    lead, sam, lee = team.leads[0], *team.members
    kinds = [(e["kind"], e.get("user_id")) for e in debrief["timeline"]]
    assert kinds == [
        ("started", lead.id),
        ("joined", sam.id),
        ("joined", lee.id),
        ("cue", lee.id),
        ("cue", lead.id),
        ("cue", lead.id),
        ("ack", sam.id),
        ("requested", sam.id),
        ("granted", sam.id),
        ("released", sam.id),
        ("ended", lead.id),
    ]
    times = [e["at"] for e in debrief["timeline"]]
    assert times[0] >= 0 and times == sorted(times)
    joined = debrief["timeline"][2]
    assert (joined["place"], joined["role"]) == ("call", "observing")
    ack = debrief["timeline"][6]
    assert ack["ms"] >= 50


async def test_the_debrief_names_unacknowledged_cues_the_slowest_acks_and_floor_time(team: Team) -> None:
    _, debrief = await debriefed(team)
    lead, sam, lee = team.leads[0], *team.members
    unacked = {(u["label"], u["sender_id"]): set(u["missing"]) for u in debrief["unacknowledged"]}
    # The urgent cues reached everyone in Everyone but their sender; only Sam said got it, to Lee's; "Slow down"
    # (a normal cue) waited for no answer.
    stop = "Stop — call me on my other line"
    assert unacked == {
        (stop, lee.id): {team.owner.id, lead.id},
        ("Take a break", lead.id): {team.owner.id, sam.id, lee.id},
    }
    assert [(s["user_id"], s["label"]) for s in debrief["slowest"]] == [(sam.id, stop)]
    assert debrief["names"][str(sam.id)] == (await sam.get("/api/me")).json()["user"]["display_name"]
    assert [(f["user_id"], f["turns"]) for f in debrief["floor_time"]] == [(sam.id, 1)]
    assert debrief["floor_time"][0]["ms"] >= 200


async def test_the_exports_say_what_the_debrief_says(team: Team) -> None:
    meeting, debrief = await debriefed(team)
    sam = team.members[0]
    md = await sam.get(f"/api/meetings/{meeting['id']}/debrief.md")
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.headers["content-disposition"] == f'attachment; filename="debrief-{meeting["id"]}.md"'
    text = md.text
    assert text.startswith("# Debrief: Pricing round 2 with Acme")
    assert "“Take a break”" in text and "## Urgent cues not acknowledged" in text
    assert text.count("\n| +") == len(debrief["timeline"])
    rows = list(csv.DictReader(io.StringIO((await sam.get(f"/api/meetings/{meeting['id']}/debrief.csv")).text)))
    assert [r["kind"] for r in rows] == [e["kind"] for e in debrief["timeline"]]
    assert [int(r["at_ms"]) for r in rows] == [e["at"] for e in debrief["timeline"]]
    assert rows[6]["ms"] == str(debrief["timeline"][6]["ms"])


async def test_a_name_that_looks_like_a_formula_is_exported_as_text(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    owner = await sign_up(http, server.ws_url, display_name="=HYPERLINK(1)")
    team_id = (await owner.post("/api/teams", {"name": "Formula"})).json()["id"]
    meeting = (await owner.post(f"/api/teams/{team_id}/meetings", {"title": "T", "counterpart": "C"})).json()
    await owner.post(f"/api/meetings/{meeting['id']}/start")
    rows = list(csv.reader(io.StringIO((await owner.get(f"/api/meetings/{meeting['id']}/debrief.csv")).text)))
    assert rows[1][3] == "'=HYPERLINK(1)"


async def test_only_the_owner_deletes_a_meeting_and_nothing_of_it_stays_in_the_files(
    fresh_server: ServerProcess,
) -> None:
    fresh_server.start()
    async with httpx.AsyncClient(base_url=fresh_server.url, timeout=10) as http:
        team = await make_team(http, fresh_server.ws_url)
        secret = "Zanzibar-pricing-walkaway"
        meeting = await plan(team, title=secret)
        mid = meeting["id"]
        await team.leads[0].post(f"/api/meetings/{mid}/start")
        refused(await team.owner.delete(f"/api/meetings/{mid}"), 409, "meeting_state")
        await team.leads[0].post(f"/api/meetings/{mid}/end")
        refused(await team.leads[0].delete(f"/api/meetings/{mid}"), 403, "forbidden")
        gone = await team.owner.delete(f"/api/meetings/{mid}")
        assert gone.status_code == 200 and gone.json() == {"meeting_id": mid, "team_id": team.id}
        refused(await team.owner.get(f"/api/meetings/{mid}"), 404, "not_found")
        events = await sync_all(team.members[0])
        assert [e["type"] for e in events if e["type"].startswith("meeting")] == ["meeting_deleted"]
        assert secret.encode() not in files_of(fresh_server)


async def test_escalation_settings_are_a_leads_and_bounded(team: Team) -> None:
    path = f"/api/teams/{team.id}/escalation"
    assert (await team.owner.get(f"/api/teams/{team.id}")).json()["escalation"] == {"every_seconds": 30, "times": 3}
    assert (await team.leads[0].put(path, {"every_seconds": 10, "times": 5})).json() == {
        "every_seconds": 10,
        "times": 5,
    }
    assert (await team.members[0].get(f"/api/teams/{team.id}")).json()["escalation"] == {
        "every_seconds": 10,
        "times": 5,
    }
    refused(await team.members[0].put(path, {"every_seconds": 10, "times": 5}), 403, "forbidden")
    for body in (
        {"every_seconds": 9, "times": 3},
        {"every_seconds": 301, "times": 3},
        {"every_seconds": 30, "times": 11},
        {"every_seconds": 30, "times": -1},
        {"every_seconds": 30},
    ):
        refused(await team.leads[0].put(path, body), 400, "invalid_request")


async def test_a_meeting_of_a_deleted_group_sends_its_cues_to_everyone(team: Team) -> None:
    lead, sam = team.leads[0], team.members[0]
    group = (await lead.post(f"/api/teams/{team.id}/channels", {"name": "Pricing cell", "members": [sam.id]})).json()
    meeting = await plan(team, channel_id=group["id"])
    assert (await lead.delete(f"/api/channels/{group['id']}")).status_code == 204
    everyone = (await lead.channels(team.id))["Everyone"]["id"]
    assert (await sam.get(f"/api/meetings/{meeting['id']}")).json()["channel_id"] == everyone


# What an attacker's pass found


async def test_the_roster_names_no_one_who_left_the_team_and_no_phone_once_the_meeting_ended(team: Team) -> None:
    meeting = await live_meeting(team)
    mid, lead, sam, lee = meeting["id"], team.leads[0], *team.members
    await seat(sam, mid)
    await seat(lee, mid)
    async with sam.live() as ws:
        await ws.send('{"type":"ping"}')
        await lead.post(f"/api/meetings/{mid}/end")
        assert (await team.owner.delete(f"/api/teams/{team.id}/members/{lee.id}")).status_code == 204
        roster = (await lead.get(f"/api/meetings/{mid}/roster")).json()
    assert [s["user_id"] for s in roster["seats"]] == [sam.id] and lee.id not in roster["absent"]
    assert roster["seats"][0]["ready"] == {"live": False, "visible": False, "last_heard": None, "push": False}


async def test_the_debrief_of_a_leads_meeting_is_for_those_in_leads(team: Team) -> None:
    leads = (await team.owner.channels(team.id))["Leads"]["id"]
    meeting = await plan(team, channel_id=leads)
    await team.leads[0].post(f"/api/meetings/{meeting['id']}/start")
    await team.leads[0].send(leads, cue="dont_concede")
    for path in ("debrief", "debrief.md", "debrief.csv"):
        refused(await team.members[0].get(f"/api/meetings/{meeting['id']}/{path}"), 403, "forbidden")
        assert (await team.owner.get(f"/api/meetings/{meeting['id']}/{path}")).status_code == 200


async def test_someone_taken_out_of_the_meetings_channel_leaves_its_table_queue_and_floor(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    team = await make_team(http, server.ws_url, leads=2)
    leads = (await team.owner.channels(team.id))["Leads"]["id"]
    meeting = await plan(team, channel_id=leads)
    mid, second = meeting["id"], team.leads[1]
    await team.leads[0].post(f"/api/meetings/{mid}/start")
    await seat(second, mid)
    await second.post(f"/api/meetings/{mid}/floor")
    await team.leads[0].post(f"/api/meetings/{mid}/floor/grant", {"user_id": second.id})
    demoted = await team.owner.patch(f"/api/teams/{team.id}/members/{second.id}", {"role": "member"})
    assert demoted.status_code == 200
    state = (await team.owner.get(f"/api/meetings/{mid}")).json()
    assert (state["seats"], state["queue"], state["floor"]) == ([], [], None)
    told = [e["data"]["change"] for e in await sync_all(team.owner) if e["type"] == "meeting"][-1]
    assert told == {"what": "left", "actor_id": second.id, "user_id": second.id}
    refused(await second.post(f"/api/meetings/{mid}/floor"), 409, "not_at_table")
    refused(await team.owner.post(f"/api/meetings/{mid}/floor/grant", {"user_id": second.id}), 409, "not_at_table")
    await team.leads[0].post(f"/api/meetings/{mid}/end")
    debrief = (await team.owner.get(f"/api/meetings/{mid}/debrief")).json()
    at = {e["kind"]: e["at"] for e in debrief["timeline"]}
    assert debrief["floor_time"][0]["ms"] == at["left"] - at["granted"]  # the turn ends there, not at the end


async def test_a_place_or_role_with_a_trailing_newline_is_refused_not_a_500(team: Team) -> None:
    meeting = await live_meeting(team)
    for body in ({"place": "room\n", "role": "speaking"}, {"place": "room", "role": "notes\n"}):
        refused(await team.members[0].post(f"/api/meetings/{meeting['id']}/join", body), 400, "invalid_request")


async def test_joins_and_floor_requests_are_rate_limited_per_person(team: Team) -> None:
    meeting = await live_meeting(team)
    mid, sam = meeting["id"], team.members[0]
    answers = [await sam.post(f"/api/meetings/{mid}/join", {"place": "room", "role": "speaking"}) for _ in range(60)]
    assert {a.status_code for a in answers} == {200}
    limited = refused(await sam.post(f"/api/meetings/{mid}/floor"), 429, "rate_limited")
    assert "meeting actions" in limited["detail"]
    assert (
        await team.members[1].post(f"/api/meetings/{mid}/join", {"place": "call", "role": "notes"})
    ).status_code == 200


async def test_with_no_cue_insisting_nothing_is_due(tmp_path: Path) -> None:
    """The escalator's question on an idle server (min() of no rows is a row of NULL: it failed every time)."""
    path = tmp_path / "backchannel.db"
    await migrate(path)
    with sqlite3.connect(path) as db:
        assert next_escalation_at(Rows(db)) is None
