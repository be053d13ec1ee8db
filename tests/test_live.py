"""The live socket: replay after a cursor, then live events; no gap, no duplicate; access cut at once."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import httpx
import pytest
from websockets.asyncio.client import connect

from api.live import MAX_SOCKETS_PER_SESSION
from tests.client import (
    PASSWORD,
    Team,
    close_code_of,
    closed_code,
    frames_until_ready,
    join,
    make_team,
    next_frame,
    sign_up,
)
from tests.server import ServerProcess


async def test_replay_then_live_with_client_id_echoed(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    before = (await team.owner.send(everyone, text="before")).json()
    receiver = team.members[0]
    async with receiver.live(after=before["cursor"] - 1) as ws:
        replayed, ready_cursor = await frames_until_ready(ws)
        assert [e["data"]["text"] for e in replayed if e["type"] == "message"] == ["before"]
        assert ready_cursor >= before["cursor"]
        sent = (await team.owner.send(everyone, cue="slow_down")).json()
        event = await next_frame(ws)
        assert event["type"] == "message" and event["cursor"] == sent["cursor"]
        assert event["channel_id"] == everyone and event["data"]["client_id"] == sent["client_id"]


async def test_a_message_committed_between_sync_and_subscribe_arrives_exactly_once(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    receiver = team.members[0]
    cursor = (await receiver.get("/api/sync", params={"after": 0, "limit": 1000})).json()["cursor"]
    between = (await team.owner.send(everyone, text="between")).json()
    async with receiver.live(after=cursor) as ws:
        replayed, _ = await frames_until_ready(ws)
        after = (await team.owner.send(everyone, text="after")).json()
        live = await next_frame(ws)
    texts = [e["data"].get("text") for e in [*replayed, live] if e["type"] == "message"]
    assert texts == ["between", "after"]
    assert live["cursor"] == after["cursor"] > between["cursor"]


async def test_sockets_opened_during_a_burst_see_every_message_once_in_order(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    receiver = team.members[1]
    start = (await receiver.get("/api/sync", params={"after": 0, "limit": 1000})).json()["cursor"]
    count = 40

    async def burst() -> list[int]:
        return [(await team.owner.send(everyone, text=f"b{i}")).json()["cursor"] for i in range(count)]

    async def watch(delay: float) -> list[int]:
        await asyncio.sleep(delay)
        async with receiver.live(after=start) as ws:
            cursors: list[int] = []
            while len(cursors) < count:
                frame = await next_frame(ws, skip=("ping", "ready"))
                if frame["type"] == "message" and frame["data"]["text"].startswith("b"):
                    cursors.append(frame["cursor"])
            return cursors

    # As many sockets as one session may hold at once (more would replace the oldest).
    watchers = (watch(i * 0.01) for i in range(MAX_SOCKETS_PER_SESSION))
    sent, *seen = await asyncio.gather(burst(), *watchers)
    for cursors in seen:
        assert cursors == sent


async def test_removing_a_member_cuts_their_stream_at_once(team: Team, http: httpx.AsyncClient) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    leaver = team.members[0]
    async with leaver.live(after=0) as ws:
        await frames_until_ready(ws)
        removed = await team.owner.request("DELETE", f"/api/teams/{team.id}/members/{leaver.id}")
        assert removed.status_code == 204
        secret = (await team.owner.send(everyone, text="now that they are gone")).json()
        # Anything the leaver does after that produces events addressed to them, later in cursor order.
        assert (await leaver.post("/api/teams", {"name": "Elsewhere"})).status_code == 201
        frames = []
        while not any(
            f["type"] == "member" and f["data"]["user_id"] == leaver.id and f["team_id"] != team.id for f in frames
        ):
            frames.append(await next_frame(ws))
    assert {"team_removed", "channel_removed"} <= {f["type"] for f in frames}
    assert all(f["cursor"] != secret["cursor"] for f in frames)


async def test_revoking_a_session_closes_its_socket_with_4401(team: Team) -> None:
    person = team.members[0]
    second = await person.http.post(
        "/api/sessions",
        json={"username": person.username, "password": PASSWORD},
        headers={"X-Forwarded-For": person.address},
    )
    person.http.cookies.clear()
    assert second.status_code == 201
    async with person.live() as ws:
        await frames_until_ready(ws)
        revoked = await person.http.delete(
            f"/api/sessions/{person.session_id}", headers={"Authorization": f"Bearer {second.json()['token']}"}
        )
        assert revoked.status_code == 204
        assert await closed_code(ws) == 4401


async def test_a_socket_without_a_session_is_accepted_then_closed_with_4401(server: ServerProcess) -> None:
    async with connect(f"{server.ws_url}/api/live") as ws:
        assert await closed_code(ws) == 4401


async def test_a_cookie_socket_from_another_site_is_refused(server: ServerProcess, http: httpx.AsyncClient) -> None:
    person = await sign_up(http, server.ws_url)
    for origin in ("https://evil.example", "http://[", "null"):
        headers = {"Cookie": f"bc_session={person.token}", "Origin": origin}
        async with connect(f"{server.ws_url}/api/live", additional_headers=headers) as ws:
            assert await closed_code(ws) == 4403, origin
    same_site = {"Cookie": f"bc_session={person.token}", "Origin": server.url}
    async with connect(f"{server.ws_url}/api/live", additional_headers=same_site) as ws:
        assert (await next_frame(ws, skip=("ping", "member", "channel", "cues")))["type"] == "ready"


async def test_the_server_answers_pings_and_new_members_show_up_live(
    team: Team, http: httpx.AsyncClient, server: ServerProcess
) -> None:
    from tests.client import join

    async with team.members[0].live(after=0) as ws:
        await frames_until_ready(ws)
        await ws.send('{"type":"ping"}')
        assert (await next_frame(ws))["type"] == "pong"
        newcomer = await sign_up(http, server.ws_url)
        await join(newcomer, team.id, team.owner)
        joined = await next_frame(ws)
        assert joined["type"] == "member" and joined["data"]["user_id"] == newcomer.id


async def test_a_silent_client_is_dropped_after_two_heartbeats(fresh_server: ServerProcess) -> None:
    fresh_server.env["BACKCHANNEL_HEARTBEAT_SECONDS"] = "0.3"
    fresh_server.start()
    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        person = await sign_up(http, fresh_server.ws_url)
        async with person.live() as talker, person.live() as silent:
            await frames_until_ready(talker)
            await frames_until_ready(silent)

            async def answer_pings() -> None:
                while True:
                    if (await next_frame(talker, skip=())).get("type") == "ping":
                        await talker.send('{"type":"pong"}')

            responder = asyncio.create_task(answer_pings())
            # The silent socket never answers: it is closed with 4408; the talker stays open.
            assert await closed_code(silent, timeout=3) == 4408
            assert not responder.done()
            responder.cancel()


async def test_a_receipt_tells_the_sender_the_message_was_delivered(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    receiver = team.members[0]
    async with team.owner.live() as sender_ws, receiver.live() as ws:
        await frames_until_ready(sender_ws)
        await frames_until_ready(ws)
        sent = (await team.owner.send(everyone, cue="let_me_talk")).json()
        assert (await next_frame(ws))["cursor"] == sent["cursor"]
        assert (await next_frame(sender_ws))["cursor"] == sent["cursor"]  # the sender's own echo
        # A device claims more than it was sent: only what the socket really sent counts.
        await ws.send(f'{{"type":"received","cursor":{sent["cursor"] + 1000}}}')
        receipt = await next_frame(sender_ws)
    assert receipt == {"type": "delivered", "user_id": receiver.id, "channel_id": everyone, "through": sent["cursor"]}
    receipts = (await team.owner.channels(team.id))["Everyone"]["receipts"]
    mine = next(r for r in receipts if r["user_id"] == receiver.id)
    assert mine["delivered"] == sent["cursor"] and mine["read"] == 0


async def test_a_receipt_reaches_only_the_members_of_the_channel_it_covers(
    team: Team, http: httpx.AsyncClient, server: ServerProcess
) -> None:
    """A user in two teams: when their device receives team A's message, a member of team B only learns nothing
    (no frame, no stored mark); team A's members get one frame naming A's channel."""
    both = team.members[0]
    other = await make_team(http, server.ws_url, leads=0, members=1)
    stranger = other.members[0]  # in team B only
    await join(both, other.id, other.owner)
    a_channel = (await team.owner.channels(team.id))["Everyone"]["id"]
    b_channel = (await other.owner.channels(other.id))["Everyone"]["id"]

    async def receive_and_report(cursor: int) -> None:
        while (await next_frame(ws, skip=("ping", "delivered"))).get("cursor") != cursor:
            pass
        await ws.send(f'{{"type":"received","cursor":{cursor}}}')

    async with both.live() as ws, stranger.live() as watcher, team.owner.live() as sender:
        for socket in (ws, watcher, sender):
            await frames_until_ready(socket)
        # Team B's own message is team B's business: its members hear of it, naming B's channel.
        before = (await stranger.send(b_channel, text="Team B")).json()
        await receive_and_report(before["cursor"])
        assert await next_frame(watcher, skip=("ping", "message")) == {
            "type": "delivered",
            "user_id": both.id,
            "channel_id": b_channel,
            "through": before["cursor"],
        }

        sent = (await team.owner.send(a_channel, text="Team A only")).json()
        await receive_and_report(sent["cursor"])
        receipt = await next_frame(sender, skip=("ping", "message"))
        while receipt["through"] != sent["cursor"]:  # the first report covered team A's older events too
            receipt = await next_frame(sender, skip=("ping", "message"))
        assert receipt == {"type": "delivered", "user_id": both.id, "channel_id": a_channel, "through": sent["cursor"]}
        # That receipt was published before anything later: read the stranger's frames up to a later message.
        after = (await stranger.send(b_channel, text="Team B again")).json()
        seen = [await next_frame(watcher)]
        while seen[-1].get("cursor") != after["cursor"]:
            seen.append(await next_frame(watcher))
        assert [f for f in seen if f["type"] == "delivered"] == []
    receipts = (await stranger.channels(other.id))["Everyone"]["receipts"]
    assert next(r for r in receipts if r["user_id"] == both.id)["delivered"] == before["cursor"]


@pytest.mark.parametrize(
    "after",
    ["\u00b2", "\u0663", "\uff11", "+3", " 3", "3 ", "3_0", "0x3", "3.0", "1e3", "", "-1", str(2**53 + 1)],
    ids=repr,
)
async def test_after_is_a_cursor_in_ascii_digits_or_the_socket_closes_4400(team: Team, after: str) -> None:
    """str.isdigit took a superscript two (then int() raised: 4500) and an Arabic-Indic three (as 3), and
    msgspec's lax parsing would take "3.0" and "1e3": a cursor is spelt in ASCII digits."""
    url = f"{team.owner.ws_base}/api/live?after={quote(after)}"
    assert await close_code_of(url, {"Authorization": f"Bearer {team.owner.token}"}) == 4400


@pytest.mark.parametrize("after", ["0", "3", str(2**53)])
async def test_after_in_ascii_digits_opens_the_socket(team: Team, after: str) -> None:
    async with team.owner.live(after=int(after)) as ws:
        assert (await frames_until_ready(ws))[1] >= 0
