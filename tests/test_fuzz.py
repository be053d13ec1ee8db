"""Fuzzing: schemathesis drives every operation of the OpenAPI document the server serves (/schema/openapi.json)
against a real server process, signed in as the owner of a team, with valid and invalid input (its positive and
negative generation modes, its coverage phase of boundary values, wrong types, missing fields and undeclared
methods). Every answer must be as documented: never a 5xx, a status code the operation declares, a body matching
the declared schema (errors included: the one error shape), the declared content type, an accurate Allow header.

The run is bounded (EXAMPLES_PER_OPERATION) and derandomized, so CI sends the same requests every time. Each request
comes from its own client address (X-Forwarded-For, trusted from loopback), so the per-address sign-up and log-in
throttles never turn the run into 429s, and the fuzz server allows many messages per minute.
"""

from __future__ import annotations

import asyncio
import functools
import re
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case

from api.app import create_app
from api.settings import Settings
from tests.client import PASSWORD, fake_address, make_team, open_link
from tests.routes import API_ROUTES
from tests.server import ServerProcess

EXAMPLES_PER_OPERATION = 100  # about 40 s for the whole run on two cores

# Bodies that also obey rules no JSON schema states: for these a schema-valid body may still get a 400 (for all
# other operations schemathesis expects 2xx, 401, 403, 404, 409 or 429 for schema-valid input). Everything the
# decoder itself refuses is in the document (test_web.py checks that for every body).
RULES_BEYOND_THE_SCHEMA = {
    "PUT /api/teams/{team_id}/cues": "codes unique, rhythms odd-length, distinct and at most 5 s",
    "POST /api/channels/{channel_id}/messages": "text or cue as the kind says, non-blank text, a cue of the team's set",
    "POST /api/teams/{team_id}/direct": "a teammate, not yourself",
    "POST /api/teams/{team_id}/channels": "members who are in the team",
    "POST /api/channels/{channel_id}/members": "a member of the team",
    "GET /api/teams/{team_id}/search": "a q holding at least one word (letters or digits)",
    "POST /api/push/subscriptions": "keys of a P-256 point and 16 bytes, an https endpoint on a public host",
    "POST /api/teams/{team_id}/meetings": "a channel_id of the team's Everyone, Leads or one of its groups",
    # Sources (docs/sources.md): what depends on other rows, or on one field given with another.
    "POST /api/sources/{source_id}/handover": "a teammate, not yourself",
    "POST /api/sources/{source_id}/intel": "a non-blank claim unless message_id names a message the source sent in "
    "its conversation",
    "PUT /api/intel/{entry_id}/assessment": "a verdict has its evidence: by_entry_id another entry of the team's log, "
    "or a non-blank note",
    "POST /api/sources/{source_id}/gives": "a non-blank what; given_at not in the future",
}
CONFIG = schemathesis.Config.from_dict(
    {
        "operations": [
            {
                "include-name": sorted(RULES_BEYOND_THE_SCHEMA),
                "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", 400, 401, 403, 404, 409, 429]}},
            }
        ]
    }
)


def _openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document, built here so that pytest makes one test per operation when it collects them
    (schemathesis' fixture-loaded schemas fail under this pytest); a test below checks the server serves the same."""
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), password_time_cost=1, password_memory_kib=1024))
    return app.openapi_schema.to_schema()


DOCUMENT = _openapi_document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)


@dataclass(frozen=True)
class World:
    """The owner the fuzzer acts as (one spare session of theirs may be logged out), a member, their team."""

    token: str
    session_id: int
    spare_session_id: int
    username: str
    member_token: str
    member_id: int
    team_id: int
    everyone: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Forwarded-For": fake_address()}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("fuzz"), BACKCHANNEL_MESSAGES_PER_MINUTE="100000").start()
    yield process
    process.stop()


async def _arrange(server: ServerProcess) -> World:
    """A team (owner, a lead, a member), a message from the member and an invite: real ids for the fuzzer to hit
    (a fresh server numbers them from 1, where the generated integers cluster)."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        team = await make_team(http, server.ws_url, leads=1, members=1)
        owner, member = team.owner, team.members[0]
        everyone = (await owner.channels(team.id))["Everyone"]["id"]
        assert (await member.send(everyone, text="hello")).status_code == 201
        assert (await owner.post(f"/api/teams/{team.id}/invites", {"role": "member"})).status_code == 201
        # A source of the owner's (id 1) whose guest joined and said something, with an entry (id 1): the source
        # routes' own rules are reached, not only their 404s.
        source = await owner.post(f"/api/teams/{team.id}/sources", {"pseudonym": "Source K", "notes": "Who"})
        assert source.status_code == 201, source.text
        guest = await open_link(http, server.ws_url, source.json()["link"]["token"])
        conversation = (await guest.get("/api/contact")).json()["channel_id"]
        said = await guest.send(conversation, text="They walk at 2.4M")
        grade = {"reliability": "B", "credibility": 2, "message_id": said.json()["id"]}
        entry = await owner.post(f"/api/sources/{source.json()['id']}/intel", grade)
        assert entry.status_code == 201, entry.text
        body = {"username": owner.username, "password": PASSWORD}
        spare = await http.post("/api/sessions", json=body, headers={"X-Forwarded-For": fake_address()})
        assert spare.status_code == 201, spare.text
        return World(
            owner.token,
            owner.session_id,
            spare.json()["session_id"],
            owner.username,
            member.token,
            member.id,
            team.id,
            everyone,
        )


@pytest.fixture(scope="module")
def world(fuzz_server: ServerProcess) -> World:
    return asyncio.run(_arrange(fuzz_server))


def test_the_fuzzed_document_is_the_one_the_server_serves_and_has_every_route(fuzz_server: ServerProcess) -> None:
    served = httpx.get(f"{fuzz_server.url}/schema/openapi.json").json()
    assert served == DOCUMENT
    fuzzed = {(result.ok().method.upper(), result.ok().path) for result in schema.get_all_operations()}
    routes = {(method, re.sub(r":\w+\}", "}", path)) for method, path in API_ROUTES}  # from the app's route table
    assert fuzzed == routes


def _call(base: str, path: str, method: str, token: str | None = None, **parts: Any) -> Any:
    """One request the document describes, its answer validated against it; a 2xx, its JSON (or text) returned."""
    case = schema[path][method].Case(**parts)
    headers = {"X-Forwarded-For": fake_address()} | ({"Authorization": f"Bearer {token}"} if token else {})
    response = case.call_and_validate(base_url=base, headers=headers, timeout=10)
    assert response.status_code < 300, response.text
    if response.headers.get("content-type", [""])[0].startswith("application/json"):  # each header: its values
        return response.json() if response.content else None
    return response.text


def test_successful_answers_match_the_document(fuzz_server: ServerProcess, world: World) -> None:
    """The 2xx answers random input seldom reaches (a valid send, its retry, an ack, a log-in) are checked too."""
    call = functools.partial(_call, fuzz_server.url)

    messages = "/api/channels/{channel_id}/messages"
    send = {"client_id": str(uuid.uuid4()), "kind": "text", "text": "<b>hold</b> on"}
    sent = call(messages, "POST", world.token, path_parameters={"channel_id": world.everyone}, body=send)
    again = call(messages, "POST", world.token, path_parameters={"channel_id": world.everyone}, body=send)
    assert again["id"] == sent["id"]
    cue = {"client_id": str(uuid.uuid4()), "kind": "cue", "cue": "wrap_up"}
    call(messages, "POST", world.token, path_parameters={"channel_id": world.everyone}, body=cue)
    call("/api/messages/{message_id}/ack", "POST", world.member_token, path_parameters={"message_id": sent["id"]})
    call("/api/channels/{channel_id}/read", "POST", world.token, path_parameters={"channel_id": world.everyone},
         body={"cursor": sent["cursor"]})  # fmt: skip
    call("/api/teams/{team_id}/direct", "POST", world.token, path_parameters={"team_id": world.team_id},
         body={"user_id": world.member_id})  # fmt: skip
    group = call("/api/teams/{team_id}/channels", "POST", world.token, path_parameters={"team_id": world.team_id},
                 body={"name": "Fuzzed group", "members": []})  # fmt: skip
    in_group = {"channel_id": group["id"]}
    call("/api/channels/{channel_id}", "PATCH", world.token, path_parameters=in_group, body={"name": "Renamed group"})
    call("/api/channels/{channel_id}/members", "POST", world.token, path_parameters=in_group,
         body={"user_id": world.member_id})  # fmt: skip
    call("/api/channels/{channel_id}/members/{user_id}", "DELETE", world.member_token,
         path_parameters={**in_group, "user_id": world.member_id})  # fmt: skip
    call("/api/channels/{channel_id}", "DELETE", world.token, path_parameters=in_group)
    call("/api/sessions", "POST", body={"username": world.username, "password": PASSWORD, "device": "fuzz"})


def test_successful_meeting_answers_match_the_document(fuzz_server: ServerProcess, world: World) -> None:
    """A meeting from its plan to its deletion, every route answering 2xx once: the shapes, the exports' types."""

    def call(path: str, method: str, token: str | None = None, **parts: Any) -> Any:
        return _call(fuzz_server.url, path, method, token or world.token, **parts)

    team = {"team_id": world.team_id}
    made = call("/api/teams/{team_id}/meetings", "POST", path_parameters=team,
                body={"title": "Fuzzed meeting", "counterpart": "Acme", "planned_at": 1_900_000_000_000})  # fmt: skip
    call("/api/teams/{team_id}/meetings", "GET", path_parameters=team)
    meeting = {"meeting_id": made["id"]}
    for listed in call("/api/teams/{team_id}/meetings", "GET", path_parameters=team):
        if listed["state"] == "live":  # one the fuzzer started: one live meeting per team
            call("/api/meetings/{meeting_id}/end", "POST", path_parameters={"meeting_id": listed["id"]})
    call("/api/meetings/{meeting_id}/start", "POST", path_parameters=meeting)
    call("/api/meetings/{meeting_id}", "GET", world.member_token, path_parameters=meeting)
    call("/api/meetings/{meeting_id}/join", "POST", world.member_token, path_parameters=meeting,
         body={"place": "call", "role": "speaking"})  # fmt: skip
    call("/api/meetings/{meeting_id}/roster", "GET", path_parameters=meeting)
    member = {"user_id": world.member_id}
    floor = "/api/meetings/{meeting_id}/floor"
    call(floor, "POST", world.member_token, path_parameters=meeting)
    call(floor, "DELETE", world.member_token, path_parameters=meeting)
    call(floor, "POST", world.member_token, path_parameters=meeting)
    call(floor + "/decline", "POST", path_parameters=meeting, body=member)
    call(floor + "/grant", "POST", path_parameters=meeting, body=member)
    call(floor + "/release", "POST", world.member_token, path_parameters=meeting)
    call(floor + "/grant", "POST", path_parameters=meeting, body=member)
    call(floor + "/take", "POST", path_parameters=meeting)
    call("/api/teams/{team_id}/escalation", "PUT", path_parameters=team, body={"every_seconds": 60, "times": 2})
    urgent = {"client_id": str(uuid.uuid4()), "kind": "cue", "cue": "stop_call_me"}
    cue = call("/api/channels/{channel_id}/messages", "POST", path_parameters={"channel_id": world.everyone},
               body=urgent)  # fmt: skip
    stopped = call("/api/messages/{message_id}/escalation", "DELETE", path_parameters={"message_id": cue["id"]})
    assert (stopped["state"], stopped["reason"]) == ("stopped", "cancelled")
    call("/api/meetings/{meeting_id}/end", "POST", path_parameters=meeting)
    debrief = call("/api/meetings/{meeting_id}/debrief", "GET", world.member_token, path_parameters=meeting)
    assert debrief["meeting"]["state"] == "ended"
    assert call("/api/meetings/{meeting_id}/debrief.md", "GET", path_parameters=meeting).startswith("# Debrief")
    assert call("/api/meetings/{meeting_id}/debrief.csv", "GET", path_parameters=meeting).startswith("time,at_ms,kind")
    call("/api/meetings/{meeting_id}", "DELETE", path_parameters=meeting)


def test_successful_source_answers_match_the_document(fuzz_server: ServerProcess, world: World) -> None:
    """A source from its adding to its end, every route answering 2xx once (the guest's too): their shapes."""

    def call(path: str, method: str, token: str | None = None, **parts: Any) -> Any:
        return _call(fuzz_server.url, path, method, token or world.token, **parts)

    team = {"team_id": world.team_id}
    made = call("/api/teams/{team_id}/sources", "POST", path_parameters=team,
                body={"pseudonym": f"Fuzzed {uuid.uuid4().hex[:8]}", "notes": "Who they are"})  # fmt: skip
    source = {"source_id": made["id"]}
    assert made["notes"] == "Who they are" and made["link"]["token"]
    call("/api/teams/{team_id}/sources", "GET", path_parameters=team)
    call("/api/sources/{source_id}", "GET", path_parameters=source)
    call("/api/sources/{source_id}", "GET", world.member_token, path_parameters=source)
    call("/api/sources/{source_id}", "PATCH", path_parameters=source, body={"notes": "Who they really are"})
    link = call("/api/sources/{source_id}/link", "POST", path_parameters=source)
    joined = _call(fuzz_server.url, "/api/contact", "POST", body={"token": link["token"]})
    guest = joined["token"]
    contact = call("/api/contact", "GET", guest)
    conversation = {"channel_id": contact["channel_id"]}
    said = call("/api/channels/{channel_id}/messages", "POST", guest, path_parameters=conversation,
                body={"client_id": str(uuid.uuid4()), "kind": "text", "text": "They walk at 2.4M"})  # fmt: skip
    grade = {"reliability": "B", "credibility": 2}
    got = call("/api/sources/{source_id}/intel", "POST", path_parameters=source,
               body={**grade, "message_id": said["id"]})  # fmt: skip
    written = call("/api/sources/{source_id}/intel", "POST", path_parameters=source, body={**grade, "claim": "Legal"})
    call("/api/intel/{entry_id}/assessment", "PUT", world.member_token, path_parameters={"entry_id": got["id"]},
         body={"verdict": "corroborated", "by_entry_id": written["id"], "known": True})  # fmt: skip
    call("/api/teams/{team_id}/intel", "GET", path_parameters=team)
    call("/api/sources/{source_id}/gives", "POST", path_parameters=source, body={"what": "Our Q3 dates"})
    call("/api/sources/{source_id}/exchange", "GET", path_parameters=source)
    call("/api/sources/{source_id}/handover", "POST", path_parameters=source, body={"user_id": world.member_id})
    ended = call("/api/sources/{source_id}", "DELETE", world.member_token, path_parameters=source)
    assert ended["state"] == "ended"


def _reaches(value: object, number: int) -> bool:
    """Whether a generated path value names the row `number` ("1", "01" and "+1" all do)."""
    try:
        return int(str(value)) == number
    except ValueError:
        return False


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Case, fuzz_server: ServerProcess, world: World) -> None:
    if case.path_parameters and _reaches(case.path_parameters.get("session_id"), world.session_id):
        # Logging the fuzzer's own session out would turn the rest of the run into 401s.
        case.path_parameters["session_id"] = world.spare_session_id
    case.call_and_validate(base_url=fuzz_server.url, headers=world.headers, timeout=10)


def test_the_fuzzer_stayed_signed_in(fuzz_server: ServerProcess, world: World) -> None:
    """The run above meant something: its session was never logged out (or every answer would have been a 401)."""
    me = httpx.get(f"{fuzz_server.url}/api/me", headers={"Authorization": f"Bearer {world.token}"})
    assert me.status_code == 200, me.text
