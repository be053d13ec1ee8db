"""Sources (docs/sources.md): a handler adds one and its single-use link; the source joins as a guest with one
conversation; the team logs and weighs intel by pseudonym; the handler records what was given, hands the source over
or ends the contact, which deletes the conversation and signs the guest out.

Who may call what (the guest as a caller on every route) is in tests/test_authorization.py; bad input in
tests/test_bad_input.py; the search for the notes in every team-visible output in tests/test_source_secrecy.py.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from tests.client import Person, Team, make_team, next_frame, open_link, sync_all
from tests.server import ServerProcess
from tests.test_meetings import refused
from tests.test_privacy import files_of

NOTES = "Really: Dana Whitfield, CFO's chief of staff, +44 7700 900123"


async def add_source(team: Team, handler: Person | None = None, pseudonym: str | None = None) -> dict[str, Any]:
    body = {"pseudonym": pseudonym or f"Source {uuid.uuid4().hex[:6]}", "notes": NOTES}
    made = await (handler or team.members[0]).post(f"/api/teams/{team.id}/sources", body)
    assert made.status_code == 201, made.text
    return dict(made.json())


async def joined_source(team: Team, server: ServerProcess) -> tuple[dict[str, Any], Person]:
    """A source the first member handles, whose guest has opened its link."""
    source = await add_source(team)
    guest = await open_link(team.owner.http, server.ws_url, source["link"]["token"])
    return source, guest


async def conversation_of(guest: Person) -> dict[str, Any]:
    contact = await guest.get("/api/contact")
    assert contact.status_code == 200, contact.text
    return dict(contact.json())


# Adding a source


async def test_the_handler_reads_the_notes_and_the_team_sees_only_the_pseudonym(team: Team) -> None:
    source = await add_source(team, pseudonym="Source K")
    assert source["notes"] == NOTES and source["state"] == "invited" and source["link"]["token"]
    assert source["handler_id"] == team.members[0].id
    mine = (await team.members[0].get(f"/api/sources/{source['id']}")).json()
    assert mine["notes"] == NOTES and mine["link"]["token"] is None, "the token is shown once"
    for teammate in (team.owner, team.leads[0], team.members[1]):
        seen = (await teammate.get(f"/api/sources/{source['id']}")).json()
        assert seen["pseudonym"] == "Source K" and "notes" not in seen and "link" not in seen
        listed = (await teammate.get(f"/api/teams/{team.id}/sources")).json()
        assert [s["pseudonym"] for s in listed] == ["Source K"] and "notes" not in listed[0]


async def test_pseudonyms_in_a_team_must_look_different(team: Team) -> None:
    await add_source(team, pseudonym="Source K")
    again = await team.leads[0].post(f"/api/teams/{team.id}/sources", {"pseudonym": "SOURCE  K"})
    refused(again, 409, "pseudonym_taken")


# The source's side


async def test_the_source_joins_once_and_sees_only_its_handlers_name(team: Team, server: ServerProcess) -> None:
    source, guest = await joined_source(team, server)
    contact = await conversation_of(guest)
    handler = team.members[0]
    assert contact["handler_id"] == handler.id and contact["handler_name"] == handler.username.title()
    assert set(contact) == {"channel_id", "user_id", "session_id", "handler_id", "handler_name", "started_at"}
    again = await team.owner.http.post("/api/contact", json={"token": source["link"]["token"]})
    refused(again, 404, "link_not_found")
    channels = await handler.channels(team.id)
    assert channels[source["pseudonym"]]["kind"] == "source"
    assert sorted(channels[source["pseudonym"]]["member_ids"]) == sorted([handler.id, guest.id])
    assert (await handler.get(f"/api/sources/{source['id']}")).json()["state"] == "open"


async def test_an_expired_or_replaced_link_is_refused(team: Team, server: ServerProcess) -> None:
    source = await add_source(team)
    fresh = await team.members[0].post(f"/api/sources/{source['id']}/link")
    assert fresh.status_code == 201, fresh.text
    old = await team.owner.http.post("/api/contact", json={"token": source["link"]["token"]})
    refused(old, 404, "link_not_found")
    await open_link(team.owner.http, server.ws_url, fresh.json()["token"])


async def test_a_team_account_cannot_open_a_sources_link(team: Team) -> None:
    source = await add_source(team)
    opened = await team.members[0].post("/api/contact", {"token": source["link"]["token"]})
    refused(opened, 409, "signed_in")


async def test_a_new_link_moves_the_conversation_to_the_new_phone(team: Team, server: ServerProcess) -> None:
    source, old_phone = await joined_source(team, server)
    handler = team.members[0]
    channel_id = (await conversation_of(old_phone))["channel_id"]
    assert (await old_phone.send(channel_id, text="from my old phone")).status_code == 201
    link = (await handler.post(f"/api/sources/{source['id']}/link")).json()
    new_phone = await open_link(team.owner.http, server.ws_url, link["token"])
    assert new_phone.id == old_phone.id
    refused(await old_phone.get("/api/contact"), 401, "unauthenticated")
    history = (await new_phone.get(f"/api/channels/{channel_id}/messages")).json()
    assert [m["text"] for m in history["messages"]] == ["from my old phone"]


async def test_handler_and_source_talk_and_nobody_else_reads_it(team: Team, server: ServerProcess) -> None:
    source, guest = await joined_source(team, server)
    handler = team.members[0]
    channel_id = (await conversation_of(guest))["channel_id"]
    assert (await guest.send(channel_id, text="The budget is 2.1M")).status_code == 201
    assert (await handler.send(channel_id, text="Thanks. Who signs?")).status_code == 201
    history = (await guest.get(f"/api/channels/{channel_id}/messages")).json()
    assert [m["text"] for m in history["messages"]] == ["The budget is 2.1M", "Thanks. Who signs?"]
    for teammate in (team.owner, team.leads[0], team.members[1]):
        refused(await teammate.get(f"/api/channels/{channel_id}/messages"), 404, "not_found")
        assert source["pseudonym"] not in await teammate.channels(team.id)


async def test_a_cue_to_a_sources_conversation_is_refused(team: Team, server: ServerProcess) -> None:
    _, guest = await joined_source(team, server)
    channel_id = (await conversation_of(guest))["channel_id"]
    refused(await team.members[0].send(channel_id, cue="let_me_talk"), 400, "invalid_request")


async def test_the_guest_gets_its_conversations_messages_and_never_its_channel_events(
    team: Team, server: ServerProcess
) -> None:
    source, guest = await joined_source(team, server)
    handler = team.members[0]
    channel_id = (await conversation_of(guest))["channel_id"]
    async with guest.live() as ws:
        await handler.send(channel_id, text="Are you free at noon?")
        frame = await next_frame(ws, skip=("ping", "ready", "delivered", "contact"))
        assert frame["type"] == "message" and frame["data"]["text"] == "Are you free at noon?"
    await handler.patch(f"/api/sources/{source['id']}", {"pseudonym": "Source Q"})
    types = {event["type"] for event in await sync_all(guest)}
    assert types <= {"message", "contact"}, types
    assert "Source" not in str(await sync_all(guest)), "the guest never learns what the team calls it"


async def test_a_guest_reaches_no_team_route(team: Team, server: ServerProcess) -> None:
    _, guest = await joined_source(team, server)
    refused(await guest.get(f"/api/teams/{team.id}"), 404, "not_found")
    refused(await guest.get(f"/api/teams/{team.id}/channels"), 404, "not_found")
    refused(await guest.get("/api/me"), 404, "not_found")
    refused(await guest.post("/api/teams", {"name": "Guest team"}), 404, "not_found")
    assert (await guest.get("/api/teams")).status_code == 404


# Intel


async def test_the_handler_logs_graded_intel_and_teammates_weigh_it(team: Team, server: ServerProcess) -> None:
    source, guest = await joined_source(team, server)
    handler, lead = team.members[0], team.leads[0]
    channel_id = (await conversation_of(guest))["channel_id"]
    said = (await guest.send(channel_id, text="They will walk away above 2.4M")).json()
    from_message = await handler.post(
        f"/api/sources/{source['id']}/intel", {"reliability": "B", "credibility": 2, "message_id": said["id"]}
    )
    assert from_message.status_code == 201, from_message.text
    first = from_message.json()
    assert first["claim"] == "They will walk away above 2.4M" and first["said_at"] == said["created_at"]
    written = await handler.post(
        f"/api/sources/{source['id']}/intel",
        {"reliability": "C", "credibility": 3, "claim": "Legal wants a 30-day exit clause"},
    )
    second = written.json()
    assessed = await lead.put(
        f"/api/intel/{first['id']}/assessment", {"verdict": "corroborated", "by_entry_id": second["id"]}
    )
    assert assessed.status_code == 200, assessed.text
    assert assessed.json()["verdict"] == "corroborated" and assessed.json()["assessed_by"] == lead.id
    at_table = await team.members[1].put(
        f"/api/intel/{second['id']}/assessment",
        {"verdict": "contradicted", "note": "They dropped the clause at the table", "known": True},
    )
    assert at_table.json()["known"] is True
    log = (await team.members[1].get(f"/api/teams/{team.id}/intel")).json()
    assert [entry["id"] for entry in log] == [second["id"], first["id"]]
    record = (await lead.get(f"/api/sources/{source['id']}")).json()["record"]
    assert record == {"entries": 2, "corroborated": 1, "contradicted": 1, "known": 1, "given": 0}


async def test_a_verdict_needs_its_evidence_and_a_grade_its_scale(team: Team) -> None:
    source = await add_source(team)
    handler = team.members[0]
    entry = (
        await handler.post(f"/api/sources/{source['id']}/intel", {"reliability": "A", "credibility": 1, "claim": "X"})
    ).json()
    refused(
        await team.owner.put(f"/api/intel/{entry['id']}/assessment", {"verdict": "corroborated"}),
        400,
        "invalid_request",
    )
    self_proof = {"verdict": "corroborated", "by_entry_id": entry["id"]}
    refused(await team.owner.put(f"/api/intel/{entry['id']}/assessment", self_proof), 400, "invalid_request")
    for grade in ({"reliability": "G", "credibility": 1}, {"reliability": "A", "credibility": 7}):
        refused(
            await handler.post(f"/api/sources/{source['id']}/intel", {**grade, "claim": "Y"}), 400, "invalid_request"
        )
    teammate = await team.members[1].post(
        f"/api/sources/{source['id']}/intel", {"reliability": "A", "credibility": 1, "claim": "Z"}
    )
    refused(teammate, 403, "forbidden")


async def test_an_entry_of_another_teams_source_is_refused(http: httpx.AsyncClient, server: ServerProcess) -> None:
    ours, theirs = await make_team(http, server.ws_url), await make_team(http, server.ws_url)
    our_entry_source, their_source = await add_source(ours), await add_source(theirs)
    ours_entry = (
        await ours.members[0].post(
            f"/api/sources/{our_entry_source['id']}/intel", {"reliability": "A", "credibility": 1, "claim": "ours"}
        )
    ).json()
    their_entry = (
        await theirs.members[0].post(
            f"/api/sources/{their_source['id']}/intel", {"reliability": "A", "credibility": 1, "claim": "theirs"}
        )
    ).json()
    cross = {"verdict": "corroborated", "by_entry_id": their_entry["id"]}
    refused(await ours.owner.put(f"/api/intel/{ours_entry['id']}/assessment", cross), 400, "invalid_request")
    refused(await ours.members[0].post(f"/api/sources/{their_source['id']}/intel", {}), 400, "invalid_request")
    body = {"reliability": "A", "credibility": 1, "claim": "x"}
    refused(await ours.members[0].post(f"/api/sources/{their_source['id']}/intel", body), 404, "not_found")


# Give to get


async def test_leads_see_what_was_given_beside_what_was_got(team: Team) -> None:
    source = await add_source(team)
    handler = team.members[0]
    gave = await handler.post(f"/api/sources/{source['id']}/gives", {"what": "Our delivery dates for Q3"})
    assert gave.status_code == 201, gave.text
    await handler.post(f"/api/sources/{source['id']}/intel", {"reliability": "B", "credibility": 2, "claim": "Budget"})
    for reader in (handler, team.leads[0], team.owner):
        exchange = (await reader.get(f"/api/sources/{source['id']}/exchange")).json()
        assert [g["what"] for g in exchange["given"]] == ["Our delivery dates for Q3"]
        assert [e["claim"] for e in exchange["got"]] == ["Budget"]
    refused(await team.members[1].get(f"/api/sources/{source['id']}/exchange"), 403, "forbidden")
    told = [
        e["data"] for e in await sync_all(team.leads[0]) if e["type"] == "source" and e["data"]["id"] == source["id"]
    ]
    assert told[-1]["record"]["given"] == 1, "the leads hear of it, live"
    future = {"what": "x", "given_at": 2**52}
    refused(await handler.post(f"/api/sources/{source['id']}/gives", future), 400, "invalid_request")


# Handing over and ending


async def test_a_handover_takes_the_notes_and_the_conversation_along(team: Team, server: ServerProcess) -> None:
    source, guest = await joined_source(team, server)
    old, new = team.members[0], team.members[1]
    channel_id = (await conversation_of(guest))["channel_id"]
    await guest.send(channel_id, text="before the handover")
    handed = await old.post(f"/api/sources/{source['id']}/handover", {"user_id": new.id})
    assert handed.status_code == 200 and handed.json()["handler_id"] == new.id, handed.text
    assert (await new.get(f"/api/sources/{source['id']}")).json()["notes"] == NOTES
    assert "notes" not in (await old.get(f"/api/sources/{source['id']}")).json()
    refused(await old.get(f"/api/channels/{channel_id}/messages"), 404, "not_found")
    history = (await new.get(f"/api/channels/{channel_id}/messages")).json()
    assert [m["text"] for m in history["messages"]] == ["before the handover"]
    assert (await conversation_of(guest))["handler_id"] == new.id
    outsider_body = {"user_id": 10**9}
    refused(await new.post(f"/api/sources/{source['id']}/handover", outsider_body), 400, "invalid_request")


async def test_a_link_made_before_a_handover_dies_with_it(team: Team, server: ServerProcess) -> None:
    """Its maker, no longer the handler (perhaps gone to the other side), must not become the source and read on."""
    source, guest = await joined_source(team, server)
    old, new = team.members[0], team.members[1]
    spare = (await old.post(f"/api/sources/{source['id']}/link")).json()["token"]
    waiting = await add_source(team, old)
    assert (await old.post(f"/api/sources/{source['id']}/handover", {"user_id": new.id})).status_code == 200
    assert (await old.post(f"/api/sources/{waiting['id']}/handover", {"user_id": new.id})).status_code == 200
    for token in (spare, waiting["link"]["token"]):
        refused(await team.owner.http.post("/api/contact", json={"token": token}), 404, "link_not_found")
    assert (await conversation_of(guest))["handler_id"] == new.id, "the source itself stays signed in"
    assert (await new.get(f"/api/sources/{waiting['id']}")).json()["link"] is None, "the new handler makes one"


async def test_a_team_account_cannot_open_a_link_behind_a_bogus_bearer(team: Team) -> None:
    source = await add_source(team)
    member = team.members[0]
    team.owner.http.cookies.set("bc_session", member.token)
    try:
        opened = await team.owner.http.post(
            "/api/contact", json={"token": source["link"]["token"]}, headers={"Authorization": "Bearer bogus"}
        )
    finally:
        team.owner.http.cookies.clear()
    refused(opened, 409, "signed_in")


async def test_ended_sources_take_no_place_in_the_teams_limit(team: Team) -> None:
    """A member who adds and ends sources in a loop never locks the team out (ended ones keep only their intel)."""
    for _ in range(3):
        junk = await add_source(team, team.members[1])
        assert (await team.members[1].delete(f"/api/sources/{junk['id']}")).status_code == 200
    listed = (await team.owner.get(f"/api/teams/{team.id}/sources")).json()
    assert [s["state"] for s in listed] == ["ended"] * 3
    await add_source(team)


async def test_ending_signs_the_guest_out_and_leaves_no_conversation_text(fresh_server: ServerProcess) -> None:
    fresh_server.start()
    secret = f"the walk-away price is {uuid.uuid4().hex}"
    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        team = await make_team(http, fresh_server.ws_url, leads=1, members=1)
        source, guest = await joined_source(team, fresh_server)
        handler = team.members[0]
        channel_id = (await conversation_of(guest))["channel_id"]
        assert (await guest.send(channel_id, text=secret)).status_code == 201
        assert secret.encode() in files_of(fresh_server) and NOTES.encode() in files_of(fresh_server)
        async with guest.live() as ws:
            ended = await handler.delete(f"/api/sources/{source['id']}")
            assert ended.status_code == 200 and ended.json()["state"] == "ended", ended.text
            with pytest.raises(ConnectionClosed) as closed:
                for _ in range(20):
                    await next_frame(ws, skip=("ping", "ready", "delivered", "contact", "message"))
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        refused(await guest.get("/api/contact"), 401, "unauthenticated")
        assert secret.encode() not in files_of(fresh_server), "the conversation left the database files"
        assert NOTES.encode() not in files_of(fresh_server), "so did the notes"
        kept = (await team.owner.get(f"/api/sources/{source['id']}")).json()
        assert kept["state"] == "ended" and kept["pseudonym"] == source["pseudonym"]


async def test_a_handler_leaves_only_after_handing_over_and_a_removed_one_ends_their_sources(
    team: Team, server: ServerProcess
) -> None:
    source, guest = await joined_source(team, server)
    handler = team.members[0]
    refused(await handler.delete(f"/api/teams/{team.id}/members/{handler.id}"), 409, "hand_over_sources")
    removed = await team.owner.delete(f"/api/teams/{team.id}/members/{handler.id}")
    assert removed.status_code in (200, 204), removed.text
    assert (await team.owner.get(f"/api/sources/{source['id']}")).json()["state"] == "ended"
    refused(await guest.get("/api/contact"), 401, "unauthenticated")
