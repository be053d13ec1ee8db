"""Urgent cues insist: a `high` cue sent in a live meeting buzzes again, every so many seconds and at most so many
times (the team's settings), whoever has not acknowledged it, on their socket and by a push that renotifies; it
stops the moment they all have, when its sender cancels or recalls it, when the meeting ends, or when it expires.
Its schedule is stored, so a restart of the server resumes it (and the meeting's roster and queue).

The shortest interval the settings allow is 10 s: the tests that wait for a buzz wait that long, once each.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection

from tests.client import Person, Team, join, make_team, next_frame, sign_up
from tests.push_service import PUSH_ENV, PushService
from tests.routes import assert_error_shape
from tests.server import ServerProcess
from tests.test_meetings import live_meeting, seat
from tests.test_push import subscribe

EVERY = 10  # seconds: the settings' least


async def insisting(team: Team, times: int = 3) -> tuple[dict[str, Any], int]:
    """A live meeting on Everyone with its two members at the table, cues insisting every EVERY seconds."""
    set_ = await team.leads[0].put(f"/api/teams/{team.id}/escalation", {"every_seconds": EVERY, "times": times})
    assert set_.status_code == 200, set_.text
    meeting = await live_meeting(team)
    for member in team.members:
        await seat(member, meeting["id"])
    return meeting, int((await team.owner.channels(team.id))["Everyone"]["id"])


async def escalation_frame(ws: ClientConnection, timeout: float = EVERY + 5) -> dict[str, Any]:
    frame = await next_frame(ws, timeout)
    while frame["type"] != "escalation":
        frame = await next_frame(ws, timeout)
    return dict(frame["data"])


async def ready(ws: ClientConnection) -> None:
    while (await next_frame(ws))["type"] != "ready":
        pass


async def ack_all_but(team: Team, message_id: int, *left: Person) -> None:
    for person in team.everyone:
        if person not in left and person is not team.leads[0]:
            assert (await person.post(f"/api/messages/{message_id}/ack")).status_code == 200


async def test_an_urgent_cue_buzzes_again_whoever_has_not_acknowledged_it_and_stops_when_they_do(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    team = await make_team(http, server.ws_url)
    meeting, everyone = await insisting(team)
    lead, lee = team.leads[0], team.members[1]
    async with lead.live() as sender_ws, lee.live() as lee_ws:
        await ready(sender_ws)
        await ready(lee_ws)
        sent_at = time.monotonic()
        cue = (await lead.send(everyone, cue="stop_call_me")).json()
        await ack_all_but(team, cue["id"], lee)
        newcomer = await sign_up(http, server.ws_url)
        await join(newcomer, team.id, team.owner)  # in Everyone now, but the cue never reached them: no buzz
        first = await escalation_frame(lee_ws)
        waited = time.monotonic() - sent_at
        assert (first["message_id"], first["buzzes"], first["pending"], first["state"]) == (
            cue["id"],
            2,
            [lee.id],
            "active",
        )
        assert EVERY - 1 <= waited <= EVERY + 3
        assert (await escalation_frame(sender_ws))["buzzes"] == 2  # the sender sees "Lee: 2nd buzz"
        second = await escalation_frame(lee_ws)
        assert (second["buzzes"], second["pending"]) == (3, [lee.id])
        await escalation_frame(sender_ws)
        assert (await lee.post(f"/api/messages/{cue['id']}/ack")).status_code == 200
        stopped = await escalation_frame(sender_ws, timeout=2)
        assert (stopped["state"], stopped["reason"], stopped["pending"]) == ("stopped", "acknowledged", [])
    debrief = (await lead.get(f"/api/meetings/{meeting['id']}/debrief")).json()
    buzzes = [(e["user_id"], e["ms"]) for e in debrief["timeline"] if e["kind"] == "escalated"]
    assert buzzes == [(lee.id, 2), (lee.id, 3)]


async def test_it_buzzes_at_most_the_settings_times_and_never_once_it_expired(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    team = await make_team(http, server.ws_url)
    _, everyone = await insisting(team, times=1)
    lead, lee = team.leads[0], team.members[1]
    cues = (await lead.get(f"/api/teams/{team.id}/cues")).json()["cues"]
    brief = {"code": "brief", "label": "Now", "rhythm": [90, 90, 90, 90, 900], "urgency": "high", "ttl_seconds": 10}
    assert (await lead.put(f"/api/teams/{team.id}/cues", {"cues": [*cues, brief]})).status_code == 200
    async with lee.live() as ws:
        await ready(ws)
        cue = (await lead.send(everyone, cue="take_break")).json()
        short = (await lead.send(everyone, cue="brief")).json()
        frames = {frame["message_id"]: frame for frame in [await escalation_frame(ws), await escalation_frame(ws)]}
        last, expired = frames[cue["id"]], frames[short["id"]]
        assert (last["buzzes"], last["state"], last["next_at"], last["reason"]) == (2, "active", None, "done")
        assert (expired["buzzes"], expired["state"], expired["reason"]) == (1, "stopped", "expired")
        cancel = await lead.delete(f"/api/messages/{cue['id']}/escalation")
        assert cancel.status_code == 409 and cancel.json()["error"] == "escalation_stopped"


async def test_its_sender_cancels_it_and_nobody_else_can(team: Team) -> None:
    _, everyone = await insisting(team)
    lead, sam = team.leads[0], team.members[0]
    cue = (await lead.send(everyone, cue="stop_call_me")).json()
    other = await sam.delete(f"/api/messages/{cue['id']}/escalation")
    assert other.status_code == 403
    assert_error_shape(other.json())
    cancelled = (await lead.delete(f"/api/messages/{cue['id']}/escalation")).json()
    assert (cancelled["state"], cancelled["reason"], cancelled["buzzes"]) == ("stopped", "cancelled", 1)
    again = await lead.delete(f"/api/messages/{cue['id']}/escalation")
    assert again.status_code == 409 and again.json()["error"] == "escalation_stopped"


async def test_recalling_it_or_ending_the_meeting_stops_it(team: Team) -> None:
    meeting, everyone = await insisting(team)
    lead = team.leads[0]
    recalled = (await lead.send(everyone, cue="stop_call_me")).json()
    assert (await lead.post(f"/api/messages/{recalled['id']}/recall")).status_code == 200
    pending = (await lead.send(everyone, cue="take_break")).json()
    assert (await lead.post(f"/api/meetings/{meeting['id']}/end")).status_code == 200
    for message in (recalled, pending):
        stopped = await lead.delete(f"/api/messages/{message['id']}/escalation")
        assert stopped.status_code == 409, stopped.text
    events = await sync_of(lead, "escalation")
    assert [(e["message_id"], e["reason"]) for e in events] == [(recalled["id"], "cancelled"), (pending["id"], "ended")]


async def sync_of(person: Person, kind: str) -> list[dict[str, Any]]:
    page = (await person.get("/api/sync", params={"limit": 1000})).json()
    return [e["data"] for e in page["events"] if e["type"] == kind]


async def test_only_urgent_cues_in_a_live_meeting_insist(team: Team) -> None:
    lead = team.leads[0]
    everyone = int((await lead.channels(team.id))["Everyone"]["id"])
    outside = (await lead.send(everyone, cue="stop_call_me")).json()
    none = await lead.delete(f"/api/messages/{outside['id']}/escalation")
    assert none.status_code == 404 and none.json()["error"] == "not_found"
    _, everyone = await insisting(team)
    normal = (await lead.send(everyone, cue="drive_home")).json()
    assert (await lead.delete(f"/api/messages/{normal['id']}/escalation")).status_code == 404
    text = (await lead.send(everyone, text="Let me handle price")).json()
    assert (await lead.delete(f"/api/messages/{text['id']}/escalation")).status_code == 404


async def test_settings_of_zero_times_buzz_once_as_outside_a_meeting(team: Team) -> None:
    _, everyone = await insisting(team, times=0)
    cue = (await team.leads[0].send(everyone, cue="stop_call_me")).json()
    assert (await team.leads[0].delete(f"/api/messages/{cue['id']}/escalation")).status_code == 404


async def test_a_restart_during_a_live_meeting_loses_nothing(tmp_path: Any, push_service: PushService) -> None:
    server = ServerProcess(tmp_path / "data", **PUSH_ENV).start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            push_service.vapid_key = (await http.get("/api/push/key")).json()["key"]
            team = await make_team(http, server.ws_url)
            meeting, everyone = await insisting(team)
            mid, lead, sam, lee = meeting["id"], team.leads[0], *team.members
            lees_phone = await subscribe(lee, push_service)
            await sam.post(f"/api/meetings/{mid}/floor")
            await lee.post(f"/api/meetings/{mid}/floor")
            cue = (await lead.send(everyone, cue="stop_call_me")).json()
            await ack_all_but(team, cue["id"], lee)
            (first_push,) = await asyncio.to_thread(push_service.wait_for, lees_phone)
            before = (await lead.get(f"/api/meetings/{mid}")).json()
        server.kill()
        server.start()
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            for person in team.everyone:
                person.http = http
            after = (await lead.get(f"/api/meetings/{mid}")).json()
            assert (after["state"], after["seats"], after["queue"]) == ("live", before["seats"], before["queue"])
            assert [r["user_id"] for r in after["queue"]] == [sam.id, lee.id]
            # The buzz due while the process was down comes after the restart, to Lee's phone only.
            pushes = await asyncio.to_thread(push_service.wait_for, lees_phone, 2, EVERY + 10)
            assert pushes[1].payload["message_id"] == cue["id"] and pushes[1].payload["renotify"] is True
            assert pushes[1].headers["urgency"] == "high" and first_push.payload["message_id"] == cue["id"]
            escalations = await sync_of(lead, "escalation")
            assert [(e["buzzes"], e["pending"]) for e in escalations][:1] == [(2, [lee.id])]
            granted = await lead.post(f"/api/meetings/{mid}/floor/grant", {"user_id": sam.id})
            assert granted.json()["floor"]["user_id"] == sam.id
    finally:
        server.stop()
    assert push_service.errors == []
