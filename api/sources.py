"""Sources (docs/sources.md): add one and its link, read, edit, hand over and end it; the source's own side (join by
the link, its conversation); the intel log and its assessments; what was given for what was got."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.accounts import GuestSessionCreated, client_address, guest_session_created, new_guest_session
from api.actions import sources as actions
from api.actions.sources import (
    ASSESSMENT_NOTE_MAX,
    CLAIM_MAX,
    GIVE_MAX,
    NOTES_MAX,
    PSEUDONYM_MAX,
    Exchange,
    HandledSource,
    Link,
    MyContact,
    NewLink,
)
from api.auth import GUEST, Auth, hash_token, new_token, presented_tokens
from api.db.connection import Database
from api.db.sources import Give
from api.errors import ApiError
from api.events import IntelEntry, Source
from api.settings import Settings
from api.throttle import Throttles
from api.wire import Body, Id, PathId, name_meta

Reliability = Literal["A", "B", "C", "D", "E", "F"]
Credibility = Annotated[int, msgspec.Meta(ge=1, le=6)]
Notes = Annotated[str, msgspec.Meta(max_length=NOTES_MAX)]


class SourceIn(Body):
    pseudonym: Annotated[str, name_meta(PSEUDONYM_MAX)]
    notes: Notes = ""


class SourceEdit(Body):
    pseudonym: Annotated[str, name_meta(PSEUDONYM_MAX)] | None = None
    notes: Notes | None = None


class HandOverIn(Body):
    user_id: Id


class ContactIn(Body):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class IntelIn(Body):
    reliability: Reliability
    credibility: Credibility
    claim: Annotated[str, msgspec.Meta(max_length=CLAIM_MAX)] | None = None
    message_id: Id | None = None


class AssessmentIn(Body):
    verdict: Literal["corroborated", "contradicted"] | None
    by_entry_id: Id | None = None
    note: Annotated[str, msgspec.Meta(max_length=ASSESSMENT_NOTE_MAX)] | None = None
    known: bool = False


class GiveIn(Body):
    what: Annotated[str, msgspec.Meta(min_length=1, max_length=GIVE_MAX)]
    given_at: Annotated[int, msgspec.Meta(ge=0, le=2**53)] | None = None


def _new_link() -> NewLink:
    token = new_token()
    return NewLink(token=token, token_hash=hash_token(token))


@post("/teams/{team_id:int}/sources", summary="Add a source: you handle it; answers its first single-use link")
async def create_source(
    team_id: PathId,
    data: JSONBody[SourceIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    throttles: NamedDependency[Throttles],
) -> Response[HandledSource]:
    made = await db.write(
        actions.create_source, auth.user_id, team_id, data.pseudonym, data.notes, _new_link(), throttle=throttles.source
    )
    return Response(made, status_code=201)


@get("/teams/{team_id:int}/sources", summary="The team's sources by pseudonym, with their track records")
async def list_sources(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Source]:
    return await db.read(actions.sources, auth.user_id, team_id)


@get("/sources/{source_id:int}", summary="A source; its handler also reads the notes and the open link")
async def get_source(source_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Source:
    return await db.read(actions.source, auth.user_id, source_id)


@patch("/sources/{source_id:int}", summary="Edit a source's pseudonym or notes; its handler")
async def update_source(
    source_id: PathId,
    data: JSONBody[SourceEdit],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    throttles: NamedDependency[Throttles],
) -> HandledSource:
    return await db.write(
        actions.update_source, auth.user_id, source_id, data.pseudonym, data.notes, throttle=throttles.source
    )


@post("/sources/{source_id:int}/link", summary="A new single-use link for the source (the old one stops); its handler")
async def new_link(
    source_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database], throttles: NamedDependency[Throttles]
) -> Response[Link]:
    link = await db.write(actions.new_link, auth.user_id, source_id, _new_link(), throttle=throttles.source)
    return Response(link, status_code=201)


@post("/sources/{source_id:int}/handover", status_code=200, summary="Hand a source over to a teammate; its handler")
async def hand_over(
    source_id: PathId,
    data: JSONBody[HandOverIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    throttles: NamedDependency[Throttles],
) -> Source:
    return await db.write(actions.hand_over, auth.user_id, source_id, data.user_id, throttle=throttles.source)


@delete(
    "/sources/{source_id:int}",
    status_code=200,
    summary="End the contact: the source is signed out, the conversation and notes deleted; its handler",
)
async def end_source(source_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Source:
    ended = await db.write(actions.end_source, auth.user_id, source_id)
    await db.scrub()  # the conversation and the notes leave the database files too
    return ended


# The source's side


@post("/contact", summary="Open a source's link: signs the source in to its conversation (no session needed)")
async def join_contact(
    request: Request[Any, Any, State],
    data: JSONBody[ContactIn],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
    throttles: NamedDependency[Throttles],
) -> Response[GuestSessionCreated]:
    address = client_address(request)
    throttles.link_address.take(address, "links opened from this address")
    presented = [hash_token(token) for token in presented_tokens(request)]
    if await db.read(actions.signed_in_person, presented):
        raise ApiError(
            409,
            "signed_in",
            "This link is for the person you are talking to: open it on their phone, not on one signed in to a team.",
        )
    secrets_, new = new_guest_session(request)
    username = f"guest-{secrets.token_hex(12)}"
    contact, started = await db.write(actions.join, hash_token(data.token), username, new)
    return guest_session_created(request, settings, contact, secrets_, started)


@get("/contact", summary="My conversation, as a source: its handler's name", opt=GUEST)
async def get_contact(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> MyContact:
    if not auth.guest:
        raise ApiError(404, "not_found", "No such contact: this is for a source's own phone.")
    return await db.read(actions.contact, auth.user_id, auth.session_id)


# The intel log


@get("/teams/{team_id:int}/intel", summary="The team's intel log, newest first")
async def list_intel(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[IntelEntry]:
    return await db.read(actions.intel, auth.user_id, team_id)


@post("/sources/{source_id:int}/intel", summary="Log what a source said, graded A-F and 1-6; its handler")
async def log_intel(
    source_id: PathId,
    data: JSONBody[IntelIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    throttles: NamedDependency[Throttles],
) -> Response[IntelEntry]:
    entry = await db.write(
        actions.log_intel,
        auth.user_id,
        source_id,
        (data.reliability, data.credibility),
        data.claim,
        data.message_id,
        throttle=throttles.source,
    )
    return Response(entry, status_code=201)


@put("/intel/{entry_id:int}/assessment", summary="Mark an entry corroborated, contradicted or already known; members")
async def assess(
    entry_id: PathId,
    data: JSONBody[AssessmentIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    throttles: NamedDependency[Throttles],
) -> IntelEntry:
    return await db.write(
        actions.assess,
        auth.user_id,
        entry_id,
        data.verdict,
        data.by_entry_id,
        data.note,
        data.known,
        throttle=throttles.source,
    )


# Give to get


@post("/sources/{source_id:int}/gives", summary="Record what the team shared with the source; its handler")
async def give(
    source_id: PathId,
    data: JSONBody[GiveIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    throttles: NamedDependency[Throttles],
) -> Response[Give]:
    given = await db.write(actions.give, auth.user_id, source_id, data.what, data.given_at, throttle=throttles.source)
    return Response(given, status_code=201)


@get("/sources/{source_id:int}/exchange", summary="What was given beside what was got; its handler, leads, owner")
async def exchange(source_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Exchange:
    return await db.read(actions.exchange, auth.user_id, source_id)


route_handlers = [
    create_source,
    list_sources,
    get_source,
    update_source,
    new_link,
    hand_over,
    end_source,
    join_contact,
    get_contact,
    list_intel,
    log_intel,
    assess,
    give,
    exchange,
]
