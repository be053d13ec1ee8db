"""Messages: exactly-once sends by client_id, text and cue rules, history, acks and sync."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid

import httpx

from tests.client import Team, make_team
from tests.server import ServerProcess


async def test_a_text_is_stored_once_and_a_retry_returns_it(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    client_id = str(uuid.uuid4())
    first = await team.owner.send(everyone, text="Hold at 4.2", client_id=client_id)
    retry = await team.owner.send(everyone, text="Hold at 4.2", client_id=client_id)
    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert first.json()["kind"] == "text" and first.json()["client_id"] == client_id


async def test_concurrent_duplicate_sends_store_one_message(team: Team, server: ServerProcess) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    client_id = str(uuid.uuid4())
    responses = await asyncio.gather(
        *(team.owner.send(everyone, cue="wrap_up", client_id=client_id) for _ in range(12))
    )
    assert sorted(r.status_code for r in responses) == [200] * 11 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    with sqlite3.connect(server.database) as db:
        (count,) = db.execute("SELECT count(*) FROM messages WHERE client_id = ?", (client_id,)).fetchone()
    assert count == 1


async def test_reusing_a_client_id_for_a_different_message_is_a_conflict(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    client_id = str(uuid.uuid4())
    assert (await team.owner.send(everyone, text="one", client_id=client_id)).status_code == 201
    clash = await team.owner.send(everyone, text="two", client_id=client_id)
    assert clash.status_code == 409
    assert clash.json()["error"] == "client_id_reused"


async def test_a_cue_must_be_in_the_team_set(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    sent = await team.members[0].send(everyone, cue="let_me_talk")
    assert sent.status_code == 201 and sent.json()["cue"] == "let_me_talk"
    unknown = await team.members[0].send(everyone, cue="sing_a_song")
    assert unknown.status_code == 400
    assert "cue" in unknown.json()["fields"]


async def test_a_send_body_of_the_wrong_shape_names_the_field_in_plain_words(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    client_id = str(uuid.uuid4())
    shapes = {
        "text": ({"kind": "text"}, "is required"),
        "cue": ({"kind": "text", "text": "Hold", "cue": "wrap_up"}, "must be left out here"),
        "colour": ({"kind": "cue", "cue": "wrap_up", "colour": "red"}, "is not a field here"),
    }
    for field, (body, words) in shapes.items():
        refused = await team.owner.post(f"/api/channels/{everyone}/messages", {"client_id": client_id, **body})
        assert refused.status_code == 400
        assert refused.json()["fields"] == {field: words}


async def test_a_send_may_carry_the_other_kinds_field_as_null(team: Team) -> None:
    """As clients written when both fields were optional send them."""
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    text = {"client_id": str(uuid.uuid4()), "kind": "text", "text": "Hold", "cue": None}
    cue = {"client_id": str(uuid.uuid4()), "kind": "cue", "cue": "wrap_up", "text": None}
    for body in (text, cue):
        sent = await team.owner.post(f"/api/channels/{everyone}/messages", body)
        assert sent.status_code == 201, sent.text


async def test_acks_are_recorded_once_and_shown_in_history(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    message = (await team.owner.send(everyone, cue="take_break")).json()
    reader = team.members[0]
    first = await reader.post(f"/api/messages/{message['id']}/ack")
    again = await reader.post(f"/api/messages/{message['id']}/ack")
    assert first.status_code == 200 and again.json()["at"] == first.json()["at"]
    own = await team.owner.post(f"/api/messages/{message['id']}/ack")
    assert own.status_code == 409
    history = (await team.owner.get(f"/api/channels/{everyone}/messages")).json()["messages"]
    acked = next(m for m in history if m["id"] == message["id"])
    assert [a["user_id"] for a in acked["acks"]] == [reader.id]


async def test_history_pages_backwards(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    ids = [(await team.owner.send(everyone, text=f"m{i}")).json()["id"] for i in range(5)]
    page = (await team.owner.get(f"/api/channels/{everyone}/messages", params={"limit": 2})).json()
    assert [m["id"] for m in page["messages"]] == ids[-2:] and page["more"]
    older = await team.owner.get(f"/api/channels/{everyone}/messages", params={"limit": 10, "before": ids[-2]})
    assert [m["id"] for m in older.json()["messages"]] == ids[:3]
    assert older.json()["more"] is False


async def test_sync_pages_through_my_events_in_cursor_order(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    sent = [(await team.owner.send(everyone, text=f"s{i}")).json() for i in range(4)]
    member = team.members[0]
    cursor, seen = sent[0]["cursor"] - 1, []
    while True:
        page = (await member.get("/api/sync", params={"after": cursor, "limit": 2})).json()
        seen += page["events"]
        cursor = page["cursor"]
        if not page["more"]:
            break
    cursors = [e["cursor"] for e in seen]
    assert cursors == sorted(cursors)
    texts = [e["data"]["text"] for e in seen if e["type"] == "message"]
    assert texts == ["s0", "s1", "s2", "s3"]
    assert all(e["data"]["client_id"] for e in seen if e["type"] == "message")


async def test_unread_counts_follow_the_read_cursor(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    last = [(await team.owner.send(everyone, text=f"u{i}")).json() for i in range(3)][-1]
    member = team.members[0]
    assert (await member.channels(team.id))["Everyone"]["unread"] >= 3
    read = await member.post(f"/api/channels/{everyone}/read", {"cursor": last["cursor"]})
    assert read.status_code == 200 and read.json()["unread"] == 0
    assert (await team.owner.channels(team.id))["Everyone"]["unread"] == 0  # my own messages never count


async def test_a_flood_of_messages_is_rate_limited_but_retries_are_not(fresh_server: ServerProcess) -> None:
    fresh_server.env["BACKCHANNEL_MESSAGES_PER_MINUTE"] = "5"
    fresh_server.start()
    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        team = await make_team(http, fresh_server.ws_url, leads=0, members=0)
        everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
        sent = [await team.owner.send(everyone, cue="wrap_up") for _ in range(5)]
        assert [r.status_code for r in sent] == [201] * 5
        flood = await team.owner.send(everyone, cue="wrap_up")
        assert flood.status_code == 429 and flood.json()["error"] == "rate_limited"
        assert 0 < int(flood.headers["retry-after"]) <= 60
        retry = await team.owner.send(everyone, cue="wrap_up", client_id=sent[0].json()["client_id"])
        assert retry.status_code == 200  # a retry of a stored message is never refused
