"""Teams, roles and invites. The creator owns the team; the owner and leads run it."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter

from api.actions import invites, sources
from api.actions import membership as members
from api.actions import teams as actions
from api.actions.invites import Invite, InvitePreview, NewInvite
from api.actions.teams import Team
from api.auth import Auth, hash_token
from api.db import teams as sql
from api.db.connection import Database
from api.db.teams import TeamSummary
from api.events import Member
from api.throttle import Throttles
from api.wire import Body, Name, PathId, Role

INVITE_MAX_USES = 100
INVITE_TTL_SECONDS = (60, 30 * 24 * 3600)
InviteToken = Annotated[str, PathParameter(max_length=100)]


class TeamIn(Body):
    name: Name


class InviteIn(Body):
    role: Literal["lead", "member"] = "member"
    expires_in_seconds: Annotated[int, msgspec.Meta(ge=INVITE_TTL_SECONDS[0], le=INVITE_TTL_SECONDS[1])] = 7 * 86400
    max_uses: Annotated[int, msgspec.Meta(ge=1, le=INVITE_MAX_USES)] = 10


class RoleIn(Body):
    role: Role


@post("/teams", summary="Create a team: you own it; it starts with Everyone, Leads and the default cues")
async def create_team(
    data: JSONBody[TeamIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Response[Team]:
    return Response(await db.write(actions.create_team, auth.user_id, data.name), status_code=201)


@get("/teams", summary="My teams and my role in each")
async def list_teams(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[TeamSummary]:
    return await db.read(sql.teams_of, auth.user_id)


@get("/teams/{team_id:int}", summary="A team with its members")
async def get_team(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Team:
    return await db.read(actions.team, auth.user_id, team_id)


@post("/teams/{team_id:int}/invites", summary="Create an invite link; its leads see the link while it is open")
async def create_invite(
    team_id: PathId, data: JSONBody[InviteIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Response[Invite]:
    token = secrets.token_urlsafe(18)
    new = NewInvite(
        token=token,
        token_hash=hash_token(token),
        role=data.role,
        expires_in_seconds=data.expires_in_seconds,
        max_uses=data.max_uses,
    )
    return Response(await db.write(invites.create_invite, auth.user_id, team_id, new), status_code=201)


@get("/teams/{team_id:int}/invites", summary="The team's invites, with the links of the open ones; leads only")
async def list_invites(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Invite]:
    return await db.read(invites.invites, auth.user_id, team_id)


@delete("/teams/{team_id:int}/invites/{invite_id:int}", summary="Revoke an invite; leads only")
async def revoke_invite(
    team_id: PathId, invite_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> None:
    await db.write(invites.revoke_invite, auth.user_id, team_id, invite_id)


@get(
    "/invites/{token:str}",
    summary="What an invite link is before signing up: team, who invited, whether it still works (no sign-in)",
)
async def preview_invite(
    request: Request[Any, Any, Any],
    token: InviteToken,
    db: NamedDependency[Database],
    throttles: NamedDependency[Throttles],
) -> InvitePreview:
    address = request.client.host if request.client else "unknown"
    throttles.invite_address.take(address, "invite look-ups from this address")
    return await db.read(invites.preview, hash_token(token))


@post(
    "/invites/{token:str}/accept",
    summary="Join the team of an invite (already a member: no change)",
    responses={200: ResponseSpec(Team, description="Already a member: the team, unchanged")},
)
async def accept_invite(
    token: InviteToken, auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Response[Team]:
    team, joined = await db.write(invites.accept_invite, auth.user_id, hash_token(token))
    return Response(team, status_code=201 if joined else 200)


@patch("/teams/{team_id:int}/members/{user_id:int}", summary="Change a member's role; owner and leads")
async def set_member_role(
    team_id: PathId, user_id: PathId, data: JSONBody[RoleIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Member:
    return await db.write(members.set_member_role, auth.user_id, team_id, user_id, data.role)


@delete("/teams/{team_id:int}/members/{user_id:int}", summary="Remove a member, or leave the team yourself")
async def remove_member(
    team_id: PathId, user_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> None:
    if await db.write(sources.remove_member, auth.user_id, team_id, user_id):
        await db.scrub()  # a group went with its last member: its deleted history leaves the files too


route_handlers = [
    create_team,
    list_teams,
    get_team,
    create_invite,
    list_invites,
    revoke_invite,
    preview_invite,
    accept_invite,
    set_member_role,
    remove_member,
]
