"""Meetings (docs/meetings.md): plan, start and end them; take a seat at the table; the floor; the roster a lead
reads; urgent cues that insist; the debrief and its exports."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api import debrief
from api.actions import escalations
from api.actions import meetings as actions
from api.actions.meetings import COUNTERPART_MAX, MEETING_TITLE_MAX, EscalationIn, Place, SeatRole
from api.auth import Auth
from api.clock import now_ms
from api.db import meetings as sql
from api.db import teams as teams_sql
from api.db.connection import Database, Rows
from api.db.meetings import EscalationSettings
from api.events import Escalation, Meeting, MeetingDeleted, Seat
from api.presence import Presence, Readiness
from api.throttle import Throttles
from api.wire import Body, Id, PathId, name_meta


class MeetingIn(Body):
    title: Annotated[str, name_meta(MEETING_TITLE_MAX)]
    counterpart: Annotated[str, name_meta(COUNTERPART_MAX)]
    planned_at: Annotated[int, msgspec.Meta(ge=0, le=2**53)] | None = None
    channel_id: Id | None = None  # where its cues go; Everyone when left out


class JoinIn(Body):
    place: Place
    role: SeatRole


class WhoIn(Body):
    user_id: Id


class Ready(Readiness):
    push: bool  # a push subscription is registered for one of their devices


class RosterSeat(Seat):
    ready: Ready


class Roster(msgspec.Struct):
    meeting_id: int
    seats: list[RosterSeat]
    absent: list[int]  # the team's members who have not joined


class _RosterRows(msgspec.Struct):
    live: bool
    seats: list[Seat]
    absent: list[int]
    with_push: list[int]


def _roster_rows(rows: Rows, user_id: int, meeting_id: int) -> _RosterRows:
    """The seats of the team's members (someone who left the team since is no one's business)."""
    row = actions.meeting_for(rows, meeting_id, user_id, lead=True)
    members = [m.user_id for m in teams_sql.members_of(rows, row.team_id)]
    seats = [seat for seat in sql.seats(rows, meeting_id) if seat.user_id in members]
    seated = {seat.user_id for seat in seats}
    return _RosterRows(
        live=row.state == "live",
        seats=seats,
        absent=[m for m in members if m not in seated],
        with_push=sql.seated_with_push(rows, meeting_id),
    )


def _debrief(rows: Rows, user_id: int, meeting_id: int) -> debrief.Debrief:
    found = actions.debrief_for(rows, user_id, meeting_id)
    names = sql.display_names(rows, found.team_id, meeting_id)
    return debrief.build(found, sql.timeline(rows, meeting_id), now_ms(), names)


@post("/teams/{team_id:int}/meetings", summary="Plan a meeting (its cues go to Everyone unless said); leads only")
async def create_meeting(
    team_id: PathId, data: JSONBody[MeetingIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Response[Meeting]:
    created = await db.write(
        actions.create_meeting, auth.user_id, team_id, data.title, data.counterpart, data.planned_at, data.channel_id
    )
    return Response(created, status_code=201)


@get("/teams/{team_id:int}/meetings", summary="The team's meetings: live, then planned (soonest), then ended")
async def list_meetings(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Meeting]:
    return await db.read(actions.meetings, auth.user_id, team_id)


@get("/meetings/{meeting_id:int}", summary="A meeting: its state, who is at the table, the floor queue")
async def get_meeting(meeting_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Meeting:
    return await db.read(actions.meeting, auth.user_id, meeting_id)


@post("/meetings/{meeting_id:int}/start", status_code=200, summary="Start a planned meeting (one live per team); leads")
async def start_meeting(meeting_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Meeting:
    return await db.write(actions.start_meeting, auth.user_id, meeting_id)


@post("/meetings/{meeting_id:int}/end", status_code=200, summary="End the live meeting (its urgent cues stop); leads")
async def end_meeting(meeting_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Meeting:
    return await db.write(actions.end_meeting, auth.user_id, meeting_id, escalations.meeting_ended)


@delete("/meetings/{meeting_id:int}", status_code=200, summary="Delete a meeting and its timeline; the owner only")
async def delete_meeting(
    meeting_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> MeetingDeleted:
    """Its timeline and events go with secure_delete, and the WAL is folded in: nothing of it stays in the files."""
    gone = await db.write(actions.delete_meeting, auth.user_id, meeting_id)
    await db.scrub()
    return gone


@post("/meetings/{meeting_id:int}/join", status_code=200, summary="Take a seat at the live meeting's table (or move)")
async def join_meeting(
    meeting_id: PathId,
    data: JSONBody[JoinIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    throttles: NamedDependency[Throttles],
) -> Meeting:
    return await db.write(
        actions.join_meeting, auth.user_id, meeting_id, data.place, data.role, throttle=throttles.meeting
    )


@get("/meetings/{meeting_id:int}/roster", summary="Who is at the table and whether their phone is ready; leads")
async def roster(
    meeting_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database], presence: NamedDependency[Presence]
) -> Roster:
    found = await db.read(_roster_rows, auth.user_id, meeting_id)
    pushes = set(found.with_push)

    def ready(user_id: int) -> Ready:
        # A phone is ready for a live meeting; once it ended, how its people's phones are is no longer the lead's.
        known = presence.readiness(user_id) if found.live else Readiness(live=False, visible=False, last_heard=None)
        return Ready(live=known.live, visible=known.visible, last_heard=known.last_heard, push=user_id in pushes)

    seats = [RosterSeat(**msgspec.structs.asdict(seat), ready=ready(seat.user_id)) for seat in found.seats]
    return Roster(meeting_id=meeting_id, seats=seats, absent=found.absent)


@post("/meetings/{meeting_id:int}/floor", status_code=200, summary='Ask for the floor ("Let me talk"); at the table')
async def request_floor(
    meeting_id: PathId,
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    throttles: NamedDependency[Throttles],
) -> Meeting:
    return await db.write(actions.request_floor, auth.user_id, meeting_id, throttle=throttles.meeting)


@delete("/meetings/{meeting_id:int}/floor", status_code=200, summary="Withdraw my request for the floor")
async def withdraw_floor(
    meeting_id: PathId,
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    throttles: NamedDependency[Throttles],
) -> Meeting:
    return await db.write(actions.withdraw_floor, auth.user_id, meeting_id, throttle=throttles.meeting)


@post("/meetings/{meeting_id:int}/floor/grant", status_code=200, summary="Give someone at the table the floor; leads")
async def grant_floor(
    meeting_id: PathId, data: JSONBody[WhoIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Meeting:
    return await db.write(actions.grant_floor, auth.user_id, meeting_id, data.user_id)


@post("/meetings/{meeting_id:int}/floor/decline", status_code=200, summary="Decline a request for the floor; leads")
async def decline_floor(
    meeting_id: PathId, data: JSONBody[WhoIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Meeting:
    return await db.write(actions.decline_floor, auth.user_id, meeting_id, data.user_id)


@post("/meetings/{meeting_id:int}/floor/release", status_code=200, summary="Give the floor back; its holder")
async def release_floor(meeting_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Meeting:
    return await db.write(actions.release_floor, auth.user_id, meeting_id)


@post("/meetings/{meeting_id:int}/floor/take", status_code=200, summary="Take the floor back from its holder; leads")
async def take_floor(meeting_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Meeting:
    return await db.write(actions.take_floor, auth.user_id, meeting_id)


@get("/meetings/{meeting_id:int}/debrief", summary="The meeting's timeline and what to learn from it")
async def get_debrief(
    meeting_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> debrief.Debrief:
    return await db.read(_debrief, auth.user_id, meeting_id)


def _attachment(body: str, media_type: str, meeting_id: int, ext: str) -> Response[str]:
    disposition = f'attachment; filename="debrief-{meeting_id}.{ext}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


# Litestar adds the charset to a text/ type (given here too, it said "charset=utf-8; charset=utf-8").
@get(
    "/meetings/{meeting_id:int}/debrief.md", media_type="text/markdown", summary="The debrief as Markdown (a download)"
)
async def debrief_markdown(
    meeting_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Response[str]:
    found = await db.read(_debrief, auth.user_id, meeting_id)
    return _attachment(debrief.markdown(found), "text/markdown", meeting_id, "md")


@get(
    "/meetings/{meeting_id:int}/debrief.csv",
    media_type="text/csv",
    summary="The debrief's timeline as CSV (a download)",
)
async def debrief_csv(meeting_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Response[str]:
    found = await db.read(_debrief, auth.user_id, meeting_id)
    return _attachment(debrief.csv_text(found), "text/csv", meeting_id, "csv")


@put("/teams/{team_id:int}/escalation", summary="How an urgent cue insists in a live meeting; leads only")
async def set_escalation(
    team_id: PathId, data: JSONBody[EscalationIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> EscalationSettings:
    return await db.write(actions.set_escalation, auth.user_id, team_id, data.every_seconds, data.times)


@delete("/messages/{message_id:int}/escalation", status_code=200, summary="Stop my urgent cue buzzing again")
async def cancel_escalation(
    message_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Escalation:
    return await db.write(escalations.cancel, auth.user_id, message_id)


route_handlers = [
    create_meeting,
    list_meetings,
    get_meeting,
    start_meeting,
    end_meeting,
    delete_meeting,
    join_meeting,
    roster,
    request_floor,
    withdraw_floor,
    grant_floor,
    decline_floor,
    release_floor,
    take_floor,
    get_debrief,
    debrief_markdown,
    debrief_csv,
    set_escalation,
    cancel_escalation,
]
