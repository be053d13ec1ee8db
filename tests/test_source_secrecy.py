"""Protect your sources (docs/sources.md): who a source really is never leaves the handler's own answers.

One rich scenario through a real server (a handler adds a source with distinctive notes and edits them, the source
joins and they talk, intel is logged from a message and written, teammates weigh it, gives are recorded, a meeting
runs and its debrief is exported, the source is renamed, handed over and ended), watched by every teammate who is not
its handler (the owner, a lead, a member), each with pushes at the `full` level and a live socket open through it
all. Everything they could read is collected: the body (and headers) of every GET route of the app's route table
with every id they could fill in, at three points of the story; their whole sync; every socket frame; every
decrypted push; plus the server's whole log. The secrets (the notes, the notes as edited, the conversation's words,
the source's links and session token) are in none of it. The pseudonym is where it should be, so the search is known
to look in the right places; and the notes are in the handler's answers, so it is known to find them.

The source's own phone is searched too: its sync, its frames, its contact, its history and its pushes never name
the team, the pseudonym, the other members or anything the team said among itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.client import Person, join, open_link, sign_up, sync_all
from tests.push_service import PUSH_ENV, Device, PushService
from tests.routes import API_ROUTES, fill
from tests.server import ServerProcess
from tests.test_privacy import files_of
from tests.test_push import subscribe


def marker(label: str) -> str:
    """A word found nowhere else: what the search looks for (a secret's full text could be cut or escaped)."""
    return f"{label}{uuid.uuid4().hex[:16]}"


@dataclass
class Watcher:
    """A teammate (or the source) with a live socket open and a push device at the level it has."""

    person: Person
    device: Device
    socket: ClientConnection
    frames: list[str] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    async def read_all(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in self.socket:
                self.frames.append(frame if isinstance(frame, str) else frame.decode(errors="replace"))


@contextlib.asynccontextmanager
async def watching(person: Person, service: PushService, level: str | None) -> AsyncIterator[Watcher]:
    if level is not None:
        assert (await person.put("/api/push/level", {"level": level})).status_code == 200
    device = await subscribe(person, service)
    async with person.live() as ws:
        watcher = Watcher(person, device, ws)
        watcher.task = asyncio.create_task(watcher.read_all())
        try:
            yield watcher
        finally:
            await ws.close()
            await watcher.task


def pushes_of(service: PushService, watcher: Watcher) -> list[str]:
    return [json.dumps(push.payload) + json.dumps(push.headers) for push in service.received(watcher.device)]


def text_of(response: httpx.Response) -> str:
    return f"{response.status_code} {dict(response.headers)} {response.text}"


@dataclass
class Ids:
    """What a teammate could put in a path: every id of the story, the source's conversation included."""

    team_id: int
    channel_ids: list[int]
    meeting_id: int
    source_id: int
    invite_token: str
    searches: list[str]

    def params_for(self, template: str) -> list[dict[str, object]]:
        names = re.findall(r"\{(\w+)(?::\w+)?\}", template)
        values: Mapping[str, list[object]] = {
            "team_id": [self.team_id],
            "channel_id": list(self.channel_ids),
            "meeting_id": [self.meeting_id],
            "source_id": [self.source_id],
            "token": [self.invite_token],
        }
        missing = [name for name in names if name not in values]
        assert not missing, f"{template}: no value to fill in for {missing}; add one to Ids"
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(values[n] for n in names))]


GET_ROUTES = sorted(path for method, path in API_ROUTES if method == "GET")


async def every_get(person: Person, ids: Ids) -> dict[str, str]:
    """The answer to every GET route of the app the person can call, with every id of the story filled in."""
    seen: dict[str, str] = {}
    for template in GET_ROUTES:
        for params in ids.params_for(template):
            path = fill(template, params)
            queries: list[dict[str, Any] | None] = [None]
            if path.endswith("/search"):
                queries = [{"q": q} for q in ids.searches]
            elif path == "/api/sync":
                queries = [{"after": 0, "limit": 1000}]
            for query in queries:
                response = await person.get(path, params=query)
                seen[f"GET {path} {query or ''}"] = text_of(response)
    seen["full sync"] = json.dumps(await sync_all(person))
    return seen


def where(haystacks: Mapping[str, str], needle: str) -> list[str]:
    """Which outputs hold the needle (case-insensitively: a name may be shown title-cased)."""
    return [name for name, text in haystacks.items() if needle.lower() in text.lower()]


def assert_nowhere(haystacks: Mapping[str, str], secrets: Mapping[str, str], whose: str) -> None:
    leaks = {label: found for label, secret in secrets.items() if (found := where(haystacks, secret))}
    assert not leaks, f"{whose}: secrets found in {leaks}"


async def display_name(person: Person) -> str:
    return str((await person.get("/api/me")).json()["user"]["display_name"])


async def until_pushed(service: PushService, device: Device, text: str, timeout: float = 10) -> None:
    """Wait for a push whose payload holds the text (pushes are sent by a worker, not in order)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(text in json.dumps(push.payload) for push in service.received(device)):
        assert loop.time() < deadline, f"no push holding {text!r} to {device.id}"
        await asyncio.sleep(0.05)


async def test_nothing_a_teammate_or_the_source_can_read_holds_what_only_the_handler_may_know(
    tmp_path: Path, push_service: PushService
) -> None:
    server = ServerProcess(tmp_path / "data", **PUSH_ENV).start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
            secrets = await _scenario(server, http, push_service)
    finally:
        server.stop()  # its log is complete now
    log = server.log_path.read_text()
    assert "message_stored" in log and "live_closed" in log, "the server logged the run"
    assert_nowhere({"server log (stdout and stderr)": log}, secrets, "server log")
    at_rest = files_of(server)
    for label in ("notes", "edited notes", "conversation"):
        assert secrets[label].encode() not in at_rest, f"{label}: still in the database files after the end"


async def _scenario(server: ServerProcess, http: httpx.AsyncClient, service: PushService) -> dict[str, str]:
    """Run the story, check every output of the teammates and of the source; return the secrets (for the log)."""
    service.vapid_key = (await http.get("/api/push/key")).json()["key"]
    team_name = marker("Harbour")
    owner = await sign_up(http, server.ws_url, display_name=marker("Olivia "))
    made = await owner.post("/api/teams", {"name": f"{team_name} deal"})
    assert made.status_code == 201, made.text
    team_id = made.json()["id"]
    people = [await sign_up(http, server.ws_url, display_name=marker(f"{n} ")) for n in ("Lee", "Hana", "Ivo", "Max")]
    lead, handler, heir, member = people
    await join(lead, team_id, owner, "lead")
    for person in (handler, heir, member):
        await join(person, team_id, owner, "member")
    everyone = (await owner.channels(team_id))["Everyone"]["id"]
    leads_channel = (await owner.channels(team_id))["Leads"]["id"]
    invite = await owner.post(f"/api/teams/{team_id}/invites", {"role": "member"})
    assert invite.status_code == 201, invite.text

    notes_word, edited_word, chat_word = marker("Whitfield"), marker("Okonkwo"), marker("confide")
    notes = f"Really Dana {notes_word}, the CFO's chief of staff, +44 7700 900123, met at the Lisbon fair"
    edited = f"Correction: Dana {edited_word}, reports to the CFO; home phone +44 20 7946 0018"
    pseudonym, renamed = marker("Kestrel"), marker("Osprey")
    team_chat = marker("teamtalk")
    meeting_title = marker("Round")
    written_claim = f"Legal wants a 30-day exit clause {marker('claim')}"
    table_note = f"They dropped the clause at the table {marker('table')}"
    given = f"Our delivery dates for Q3 {marker('gave')}"
    secrets = {"notes": notes_word, "edited notes": edited_word, "conversation": chat_word}
    names_of = {p.id: (p.username, await display_name(p)) for p in (owner, lead, handler, heir, member)}

    observers_cm = [watching(p, service, "full") for p in (owner, lead, member)]
    handler_cm = watching(handler, service, "full")
    async with contextlib.AsyncExitStack() as stack:
        observers = [await stack.enter_async_context(cm) for cm in observers_cm]
        handling = await stack.enter_async_context(handler_cm)
        teammates = {"owner": observers[0], "lead": observers[1], "member": observers[2]}
        collected: dict[str, dict[str, str]] = {name: {} for name in teammates}

        # The handler adds the source; refused attempts carrying the notes are logged without them.
        blank = await handler.post(f"/api/teams/{team_id}/sources", {"pseudonym": "   ", "notes": notes})
        assert blank.status_code == 400, blank.text
        long_notes = await handler.post(f"/api/teams/{team_id}/sources", {"pseudonym": "X", "notes": notes * 100})
        assert long_notes.status_code == 400, long_notes.text
        added = await handler.post(f"/api/teams/{team_id}/sources", {"pseudonym": pseudonym, "notes": notes})
        assert added.status_code == 201, added.text
        source = added.json()
        source_id, first_link = source["id"], source["link"]["token"]
        twin = await handler.post(f"/api/teams/{team_id}/sources", {"pseudonym": pseudonym.upper(), "notes": notes})
        assert twin.status_code == 409, twin.text
        edit = await handler.patch(f"/api/sources/{source_id}", {"notes": edited})
        assert edit.status_code == 200 and edit.json()["notes"] == edited, edit.text
        over = await handler.patch(f"/api/sources/{source_id}", {"notes": edited + "x" * 4001})
        assert over.status_code == 400, over.text

        # The source joins on its own phone and they talk.
        guest = await open_link(http, server.ws_url, first_link)
        guest_side = await stack.enter_async_context(watching(guest, service, None))
        refused_level = await guest.put("/api/push/level", {"level": "full"})
        assert refused_level.status_code == 404, "a guest's pushes stay content-free"
        contact = (await guest.get("/api/contact")).json()
        conversation = contact["channel_id"]
        guest_seen: dict[str, str] = {"contact on joining": json.dumps(contact)}
        said = (await guest.send(conversation, text="They will walk away above 2.4M")).json()
        whispered = await guest.send(conversation, text=f"Between us ({chat_word}): my boss is leaving in June")
        assert whispered.status_code == 201, whispered.text
        await handler.send(conversation, text=f"Understood, {chat_word}. Who signs the deal?")
        await until_pushed(service, handling.device, "They will walk away")
        handler_pushes = [
            p.payload for p in service.received(handling.device) if p.payload["channel_id"] == conversation
        ]
        assert {p["title"] for p in handler_pushes} == {pseudonym}, "the handler's pushes name the source by pseudonym"
        await until_pushed(service, guest_side.device, "New message")

        # Intel, from a message and written; teammates weigh it; gives.
        from_message = await handler.post(
            f"/api/sources/{source_id}/intel", {"reliability": "B", "credibility": 2, "message_id": said["id"]}
        )
        written = await handler.post(
            f"/api/sources/{source_id}/intel", {"reliability": "C", "credibility": 3, "claim": written_claim}
        )
        assert from_message.status_code == written.status_code == 201, (from_message.text, written.text)
        first, second = from_message.json()["id"], written.json()["id"]
        assessments = [
            (lead, first, {"verdict": "corroborated", "by_entry_id": second}),
            (member, second, {"verdict": "contradicted", "note": table_note}),
            (owner, first, {"verdict": "corroborated", "by_entry_id": second, "known": True}),
        ]
        for who, entry_id, body in assessments:
            assessed = await who.put(f"/api/intel/{entry_id}/assessment", body)
            assert assessed.status_code == 200, assessed.text
        gave = await handler.post(f"/api/sources/{source_id}/gives", {"what": given})
        assert gave.status_code == 201, gave.text

        # A meeting runs and ends; the team talks among itself.
        meeting = await lead.post(f"/api/teams/{team_id}/meetings", {"title": meeting_title, "counterpart": "Acme"})
        assert meeting.status_code == 201, meeting.text
        meeting_id = meeting.json()["id"]
        assert (await lead.post(f"/api/meetings/{meeting_id}/start")).status_code == 200
        for person, place in ((member, "room"), (handler, "call")):
            seated = await person.post(f"/api/meetings/{meeting_id}/join", {"place": place, "role": "speaking"})
            assert seated.status_code == 200, seated.text
        cue = (await member.send(everyone, cue="let_me_talk")).json()
        assert (await handler.post(f"/api/messages/{cue['id']}/ack")).status_code == 200
        await handler.send(everyone, text=f"{team_chat}: the source says they walk above 2.4M")
        await lead.send(leads_channel, text=f"{team_chat}: hold at 2.3M")
        assert (await lead.post(f"/api/meetings/{meeting_id}/end")).status_code == 200

        ids = Ids(
            team_id=team_id,
            channel_ids=[everyone, leads_channel, conversation],
            meeting_id=meeting_id,
            source_id=source_id,
            invite_token=invite.json()["token"],
            searches=[notes_word, edited_word, chat_word, "walk", "Dana"],
        )

        async def checkpoint(label: str) -> None:
            for name, watcher in teammates.items():
                for key, text in (await every_get(watcher.person, ids)).items():
                    collected[name][f"{label}: {key}"] = text

        await checkpoint("open")

        # Renamed; a new link made (the first is used); the guest's view on the way.
        renamed_to = await handler.patch(f"/api/sources/{source_id}", {"pseudonym": renamed})
        assert renamed_to.status_code == 200, renamed_to.text
        second_link = (await handler.post(f"/api/sources/{source_id}/link")).json()["token"]
        guest_seen["history"] = text_of(await guest.get(f"/api/channels/{conversation}/messages"))
        guest_seen["sync before the handover"] = json.dumps(await sync_all(guest))
        guest_seen["subscriptions"] = text_of(await guest.get("/api/push/subscriptions"))

        # Handed over: the heir reads the notes and talks; the source hears its new handler's name only.
        handed = await handler.post(f"/api/sources/{source_id}/handover", {"user_id": heir.id})
        assert handed.status_code == 200, handed.text
        heir_view = (await heir.get(f"/api/sources/{source_id}")).json()
        assert heir_view["notes"] == edited, "the notes went with the source"
        await heir.send(conversation, text=f"Hello, I take over from here ({chat_word})")
        await guest.send(conversation, text=f"Fine ({chat_word})")
        contact_after = (await guest.get("/api/contact")).json()
        assert contact_after["handler_id"] == heir.id
        guest_seen["contact after the handover"] = json.dumps(contact_after)
        guest_seen["sync before the end"] = json.dumps(await sync_all(guest))
        guest_seen["history after the handover"] = text_of(await guest.get(f"/api/channels/{conversation}/messages"))
        await checkpoint("handed over")

        # Ended: the guest is signed out.
        ended = await heir.delete(f"/api/sources/{source_id}")
        assert ended.status_code == 200 and ended.json()["state"] == "ended", ended.text
        assert guest_side.task is not None
        await asyncio.wait_for(guest_side.task, 5)  # its socket closed (4401)
        assert (await guest.get("/api/contact")).status_code == 401
        await checkpoint("ended")

        # The last push, and every push before it, has reached the teammates' devices.
        sentinel = marker("lastword")
        await heir.send(everyone, text=sentinel)
        for watcher in teammates.values():
            await until_pushed(service, watcher.device, sentinel)
        await asyncio.sleep(0.5)

    # Sockets closed: every frame is in.
    secrets |= {"first link": first_link, "second link": second_link, "the source's session token": guest.token}
    for name, watcher in teammates.items():
        outputs = {
            **collected[name],
            "socket frames": "\n".join(watcher.frames),
            "pushes": "\n".join(pushes_of(service, watcher)),
        }
        assert_nowhere(outputs, secrets, name)
        # The search looked in the right places: the pseudonym, the intel and the team's own words are there.
        assert any(f"/api/teams/{team_id}/sources" in key for key in where(outputs, pseudonym)), name
        assert any(f"/api/teams/{team_id}/sources" in key for key in where(outputs, renamed)), name
        if name != "member":  # what was given is for leads and the owner
            assert any(f"/api/sources/{source_id}/exchange" in key for key in where(outputs, given))
        assert any(f"/api/teams/{team_id}/intel" in key for key in where(outputs, written_claim))
        assert any(f"/api/teams/{team_id}/intel" in key for key in where(outputs, "walk away above 2.4M"))
        assert any("debrief.md" in key for key in where(outputs, meeting_title))
        assert any("debrief.csv" in key for key in where(outputs, names_of[member.id][1]))
        assert renamed in "\n".join(watcher.frames), f"{name}: the source's events came live"
        assert any(team_chat in push for push in pushes_of(service, watcher)), f"{name}: full pushes were read"
    # ...and the notes would have been found: they are in the handler's own answers.
    assert notes_word in json.dumps(source) and edited_word in json.dumps(heir_view)

    guest_seen["socket frames"] = "\n".join(guest_side.frames)
    guest_seen["pushes"] = "\n".join(pushes_of(service, guest_side))
    never_for_the_guest = {
        "team name": team_name,
        "pseudonym": pseudonym,
        "new pseudonym": renamed,
        "notes": notes_word,
        "edited notes": edited_word,
        "team chat": team_chat,
        "meeting": meeting_title,
        "written claim": written_claim.split()[-1],
        "table note": table_note.split()[-1],
        "given": given.split()[-1],
    }
    for person_id, (username, shown_as) in names_of.items():
        if person_id not in (handler.id, heir.id):  # the handlers' names are what the guest sees of the team
            never_for_the_guest[f"username of {person_id}"] = username
            never_for_the_guest[f"name of {person_id}"] = shown_as
    for handled_by in (handler, heir):  # their usernames (half of what signs them in) are theirs alone
        never_for_the_guest[f"username of handler {handled_by.id}"] = handled_by.username
    assert_nowhere(guest_seen, never_for_the_guest, "the source's phone")
    assert chat_word in guest_seen["history after the handover"], "the guest's outputs were read"
    assert names_of[heir.id][1] in guest_seen["contact after the handover"]
    frames = [json.loads(frame) for frame in guest_side.frames]
    # Of its conversation's events only these (docs/sources.md), and those addressed to it: its contact, and on the
    # end the conversation's removal (ids only), just before the socket closes.
    allowed = {"message", "ack", "message_recalled", "history_cleared", "contact", "channel_removed"}
    frame_types = {frame["type"] for frame in frames} - {"ready", "ping", "delivered"}
    assert frame_types <= allowed, f"the guest got {frame_types - allowed} frames"
    for frame in frames:
        if frame["type"] == "channel_removed":
            assert set(frame["data"]) == {"team_id", "channel_id", "user_id"}, frame
    for push in service.received(guest_side.device):
        assert (push.payload["title"], push.payload["body"]) == ("New message", ""), push.payload
    return secrets
