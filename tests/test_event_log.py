"""The event log: every event type the server stores, as sync and the live socket deliver it.

The property: inside every event's data, the ids and cursors name the same things as its envelope (the
app sorts and deduplicates by them), and the live socket carries exactly what sync does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.client import Person, Team, frames_until_ready, join, next_frame, open_link, sign_up, sync_all


async def every_event_type(team: Team, http: httpx.AsyncClient, ws_base: str) -> tuple[Person, list[dict[str, Any]]]:
    """Drive the team through one of each change the server records an event for; return the one removed, and
    what a source's guest account was told (before its contact ended, when its events go with it)."""
    owner, lead, member = team.owner, team.leads[0], team.members[0]
    channels = await owner.channels(team.id)
    everyone, leads = channels["Everyone"]["id"], channels["Leads"]["id"]
    cue = (await member.send(everyone, cue="let_me_talk")).json()
    await owner.send(leads, text="Hold at 4.2")
    assert (await owner.post(f"/api/messages/{cue['id']}/ack")).status_code == 200
    mistap = (await member.send(everyone, cue="wrap_up")).json()
    assert (await member.post(f"/api/messages/{mistap['id']}/recall")).status_code == 200
    group = await lead.post(f"/api/teams/{team.id}/channels", {"name": "Pricing", "members": [member.id]})
    assert group.status_code == 201, group.text
    await member.send(group.json()["id"], text="in the group")
    cues = (await owner.get(f"/api/teams/{team.id}/cues")).json()["cues"]
    assert (await owner.put(f"/api/teams/{team.id}/cues", {"cues": cues[::-1]})).status_code == 200
    promoted = await owner.patch(f"/api/teams/{team.id}/members/{member.id}", {"role": "lead"})
    demoted = await owner.patch(f"/api/teams/{team.id}/members/{member.id}", {"role": "member"})
    assert promoted.status_code == demoted.status_code == 200
    newcomer = await sign_up(http, ws_base)
    await join(newcomer, team.id, owner)
    assert (await owner.delete(f"/api/teams/{team.id}/members/{newcomer.id}")).status_code == 204
    assert (await owner.delete(f"/api/channels/{leads}/messages")).status_code == 200
    await owner.send(everyone, text="after the clear")
    await a_meeting(team, everyone)
    return newcomer, await a_source(team, http, ws_base)


async def a_source(team: Team, http: httpx.AsyncClient, ws_base: str) -> list[dict[str, Any]]:
    """A source the lead adds (source), who joins (contact, to the guest) and talks; intel logged and assessed
    (intel); handed over to the member (contact again) who ends it. Returns the guest's events before the end."""
    lead, member = team.leads[0], team.members[0]
    added = await lead.post(f"/api/teams/{team.id}/sources", {"pseudonym": "Source K", "notes": "Who they are"})
    assert added.status_code == 201, added.text
    source_id = added.json()["id"]
    guest = await open_link(http, ws_base, added.json()["link"]["token"])
    conversation = (await guest.get("/api/contact")).json()["channel_id"]
    said = (await guest.send(conversation, text="They walk at 2.4M")).json()
    grade = {"reliability": "B", "credibility": 2, "message_id": said["id"]}
    entry = await lead.post(f"/api/sources/{source_id}/intel", grade)
    assert entry.status_code == 201, entry.text
    assessed = await team.owner.put(f"/api/intel/{entry.json()['id']}/assessment", {"verdict": None, "known": True})
    assert assessed.status_code == 200, assessed.text
    handed = await lead.post(f"/api/sources/{source_id}/handover", {"user_id": member.id})
    assert handed.status_code == 200, handed.text
    told = await sync_all(guest)
    assert (await member.delete(f"/api/sources/{source_id}")).status_code == 200
    return told


async def a_meeting(team: Team, everyone: int) -> None:
    """One meeting deleted unstarted; another live, with an urgent cue that insists until cancelled, then ended."""
    lead, member = team.leads[0], team.members[0]
    for title in ("Dropped", "Pricing round 2"):
        made = await lead.post(f"/api/teams/{team.id}/meetings", {"title": title, "counterpart": "Acme"})
        assert made.status_code == 201, made.text
    dropped, kept = made.json()["id"] - 1, made.json()["id"]
    assert (await team.owner.delete(f"/api/meetings/{dropped}")).status_code == 200
    assert (await lead.post(f"/api/meetings/{kept}/start")).status_code == 200
    assert (await member.post(f"/api/meetings/{kept}/join", {"place": "room", "role": "speaking"})).status_code == 200
    urgent = (await member.send(everyone, cue="stop_call_me")).json()
    assert (await member.delete(f"/api/messages/{urgent['id']}/escalation")).status_code == 200
    assert (await lead.post(f"/api/meetings/{kept}/end")).status_code == 200


def check_envelope(event: dict[str, Any]) -> None:
    """The ids inside data agree with the envelope's."""
    data, where = event["data"], f"{event['type']} event {event['cursor']}"
    if "cursor" in data:
        assert data["cursor"] == event["cursor"], where
    if "team_id" in data:
        assert data["team_id"] == event["team_id"], where
    # A team's event (a meeting) names no channel in its envelope; a channel id in its data is something else (where
    # the meeting's cues go), which the app never files the event under.
    if "channel_id" in data and event["channel_id"] is not None:
        assert data["channel_id"] == event["channel_id"], where
    if event["type"] == "channel":
        assert data["id"] == event["channel_id"], where


async def test_every_event_agrees_with_its_envelope_in_sync_and_live(team: Team, http: httpx.AsyncClient) -> None:
    catalogue = (await http.get("/api/events")).json()
    observers: list[Person] = [team.owner, team.members[0]]
    sockets = [await person.live(after=0) for person in observers]
    try:
        starts = [(await frames_until_ready(ws))[1] for ws in sockets]
        removed, told_guest = await every_event_type(team, http, team.owner.ws_base)
        told_removed = await sync_all(removed)  # "team_removed" reaches the removed person alone
        for event in told_removed + told_guest:  # "contact" reaches the source's guest account alone
            check_envelope(event)
        seen = {event["type"] for event in told_removed + told_guest}
        for person, ws, start in zip(observers, sockets, starts, strict=True):
            synced = await sync_all(person, after=start)
            live = [await next_frame(ws, skip=("ping", "delivered"))]
            while live[-1]["cursor"] < synced[-1]["cursor"]:
                live.append(await next_frame(ws, skip=("ping", "delivered")))
            for event in synced:
                check_envelope(event)
            # Sync drops what history deletion removed; the socket had it already, so compare what both hold.
            kept = {event["cursor"] for event in synced}
            assert [e for e in live if e["cursor"] in kept] == synced
            cursors = [event["cursor"] for event in synced]
            assert cursors == sorted(set(cursors))
            seen |= {event["type"] for event in synced}
    finally:
        for ws in sockets:
            await ws.close()
    assert seen == set(catalogue["events"]), "the scenario must produce every event type the server stores"


async def test_a_messages_cursor_is_the_cursor_of_its_event(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    sent = [(await team.owner.send(everyone, text=f"order {i}")).json() for i in range(3)]
    events = [e for e in await sync_all(team.members[0]) if e["type"] == "message"]
    by_id = {e["data"]["id"]: e for e in events}
    for message in sent:
        assert message["cursor"] == by_id[message["id"]]["cursor"] == by_id[message["id"]]["data"]["cursor"]
    history = (await team.members[0].get(f"/api/channels/{everyone}/messages")).json()["messages"]
    assert [m["cursor"] for m in history][-3:] == [m["cursor"] for m in sent]
    assert [m["cursor"] for m in sent] == sorted(m["cursor"] for m in sent) and sent[0]["cursor"] > 0


async def test_the_catalogue_lists_stored_events_and_live_frames(http: httpx.AsyncClient) -> None:
    catalogue = (await http.get("/api/events")).json()
    assert {"message", "ack", "history_cleared", "channel", "cues"} <= set(catalogue["events"])
    assert {"ready", "ping", "delivered", "error"} <= set(catalogue["frames"])
    assert not set(catalogue["events"]) & set(catalogue["frames"])


async def test_concurrent_senders_get_distinct_increasing_cursors_in_their_data(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    sent = await asyncio.gather(*(person.send(everyone, text="at once") for person in team.everyone for _ in range(5)))
    cursors = {r.json()["cursor"] for r in sent}
    assert len(cursors) == len(sent) and 0 not in cursors
    events = {e["cursor"]: e for e in await sync_all(team.owner) if e["type"] == "message"}
    for response in sent:
        assert events[response.json()["cursor"]]["data"] == response.json()
