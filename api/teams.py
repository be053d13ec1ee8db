"""Teams, roles and invites. The creator owns the team; the owner and leads run it."""

from __future__ import annotations

import secrets
import sqlite3
from typing import Annotated, Literal

import aiosqlite
import msgspec
from litestar import Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, PathParameter

from api.auth import Auth, hash_token
from api.clock import now_ms
from api.cues import store_set
from api.cueset import DEFAULT_CUES
from api.db import accounts as accounts_sql
from api.db import channels as channels_sql
from api.db import teams as sql
from api.db.connection import Database
from api.errors import ApiError, forbidden, not_found
from api.events import Member
from api.hub import Hub
from api.membership import change_role, join_team, leave_team, member, member_from_row, require_role
from api.names import skeleton
from api.wire import Body, Name, PathId, Role

MAX_TEAMS_PER_USER = 50
MAX_MEMBERS_PER_TEAM = 200
MAX_OPEN_INVITES_PER_TEAM = 50
INVITE_MAX_USES = 100
INVITE_TTL_SECONDS = (60, 30 * 24 * 3600)
# Which invites each role may hand out. An invite carries its maker's authority only while the maker has it:
# it is checked again when the invite is used, so a removed or demoted lead's invites stop working.
MAY_INVITE: dict[str, frozenset[str]] = {
    "owner": frozenset({"lead", "member"}),
    "lead": frozenset({"lead", "member"}),
}


def may_invite(role: str | None, invite_role: str) -> bool:
    """Whether someone of this role in the team (None: not in it) may hand out an invite for that role."""
    return role is not None and invite_role in MAY_INVITE.get(role, frozenset())


class TeamIn(Body):
    name: Name


class TeamSummary(msgspec.Struct):
    id: int
    name: str
    role: str


class Team(msgspec.Struct):
    id: int
    name: str
    role: str
    created_at: int
    members: list[Member]


class InviteIn(Body):
    role: Literal["lead", "member"] = "member"
    expires_in_seconds: Annotated[int, msgspec.Meta(ge=INVITE_TTL_SECONDS[0], le=INVITE_TTL_SECONDS[1])] = 7 * 86400
    max_uses: Annotated[int, msgspec.Meta(ge=1, le=INVITE_MAX_USES)] = 10


class Invite(msgspec.Struct, omit_defaults=True):
    id: int
    team_id: int
    role: str
    expires_at: int
    max_uses: int
    uses: int
    revoked: bool
    token: str | None = None
    path: str | None = None


class RoleIn(Body):
    role: Role


async def load_team(db: Database, team_id: int, user_id: int) -> Team:
    async with db.legacy_read() as conn:
        role = await require_role(conn, team_id, user_id)
        row = await sql.team_by_id(conn, team_id)
        members = await sql.members_of(conn, team_id)
    assert row is not None
    return Team(
        id=row["id"],
        name=row["name"],
        role=role,
        created_at=row["created_at"],
        members=[member_from_row(m) for m in members],
    )


@post("/teams", summary="Create a team: you own it; it starts with Everyone, Leads and the default cues")
async def create_team(
    data: JSONBody[TeamIn], auth: NamedDependency[Auth], db: NamedDependency[Database], hub: NamedDependency[Hub]
) -> Response[Team]:
    async with db.legacy_write() as tx:
        if await sql.count_teams_of(tx.conn, auth.user_id) >= MAX_TEAMS_PER_USER:
            raise ApiError(409, "limit_reached", f"You are in {MAX_TEAMS_PER_USER} teams, the most allowed.")
        now = now_ms()
        team_id = await sql.insert_team(tx.conn, data.name, now)
        await channels_sql.insert_channel(tx.conn, team_id, "everyone", "Everyone", None, now)
        await channels_sql.insert_channel(tx.conn, team_id, "leads", "Leads", None, now)
        await store_set(tx, hub, team_id, list(DEFAULT_CUES))
        await join_team(tx, hub, team_id, auth.user_id, "owner")
    return Response(await load_team(db, team_id, auth.user_id), status_code=201)


@get("/teams", summary="My teams and my role in each")
async def list_teams(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[TeamSummary]:
    async with db.legacy_read() as conn:
        rows = await sql.teams_of(conn, auth.user_id)
    return [TeamSummary(id=row["id"], name=row["name"], role=row["role"]) for row in rows]


@get("/teams/{team_id:int}", summary="A team with its members")
async def get_team(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Team:
    return await load_team(db, team_id, auth.user_id)


def _invite(r: sqlite3.Row, token: str | None = None) -> Invite:
    return Invite(
        id=r["id"],
        team_id=r["team_id"],
        role=r["role"],
        expires_at=r["expires_at"],
        max_uses=r["max_uses"],
        uses=r["uses"],
        revoked=bool(r["revoked"]),
        token=token,
        path=f"/join/{token}" if token else None,
    )


@post("/teams/{team_id:int}/invites", summary="Create an invite link; the token is shown only once")
async def create_invite(
    team_id: PathId, data: JSONBody[InviteIn], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> Response[Invite]:
    token = secrets.token_urlsafe(18)
    async with db.legacy_write() as tx:
        role = await require_role(tx.conn, team_id, auth.user_id)
        if not may_invite(role, data.role):
            raise forbidden(f"Your role does not allow inviting a {data.role}.")
        now = now_ms()
        if await sql.count_open_invites(tx.conn, team_id, now) >= MAX_OPEN_INVITES_PER_TEAM:
            raise ApiError(409, "limit_reached", f"A team may have {MAX_OPEN_INVITES_PER_TEAM} open invites.")
        invite_id = await sql.insert_invite(
            tx.conn,
            team_id,
            hash_token(token),
            data.role,
            auth.user_id,
            now,
            now + data.expires_in_seconds * 1000,
            data.max_uses,
        )
        rows = await sql.invites_of(tx.conn, team_id)
    row = next(r for r in rows if r["id"] == invite_id)
    return Response(_invite(row, token), status_code=201)


@get("/teams/{team_id:int}/invites", summary="The team's invites (without their tokens); leads only")
async def list_invites(team_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Invite]:
    async with db.legacy_read() as conn:
        await require_role(conn, team_id, auth.user_id, lead=True)
        rows = await sql.invites_of(conn, team_id)
    return [_invite(row) for row in rows]


@delete("/teams/{team_id:int}/invites/{invite_id:int}", summary="Revoke an invite; leads only")
async def revoke_invite(
    team_id: PathId, invite_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> None:
    async with db.legacy_write() as tx:
        await require_role(tx.conn, team_id, auth.user_id, lead=True)
        if not await sql.revoke_invite(tx.conn, team_id, invite_id):
            raise not_found("invite")


@post(
    "/invites/{token:str}/accept",
    summary="Join the team of an invite (already a member: no change)",
    responses={200: ResponseSpec(Team, description="Already a member: the team, unchanged")},
)
async def accept_invite(
    token: Annotated[str, PathParameter(max_length=100)],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
) -> Response[Team]:
    async with db.legacy_write() as tx:
        invite = await sql.invite_by_token_hash(tx.conn, hash_token(token))
        if invite is None:
            raise not_found("invite")
        team_id = int(invite["team_id"])
        joined = await sql.role_of(tx.conn, team_id, auth.user_id) is None
        if joined:
            if invite["revoked"] or invite["expires_at"] <= now_ms() or invite["uses"] >= invite["max_uses"]:
                raise ApiError(410, "invite_expired", "This invite has expired, was revoked or is used up.")
            maker_role = await sql.role_of(tx.conn, team_id, int(invite["created_by"]))
            if not may_invite(maker_role, str(invite["role"])):
                raise ApiError(410, "invite_expired", "Whoever made this invite can no longer invite to this team.")
            removed = await sql.removed_at(tx.conn, team_id, auth.user_id)
            if removed is not None and int(invite["created_at"]) <= removed:
                raise ApiError(
                    410,
                    "invite_expired",
                    "You were removed from this team after this invite was made; ask for a new one.",
                )
            await _require_distinct_name(tx.conn, team_id, auth.user_id)
            if await sql.count_members(tx.conn, team_id) >= MAX_MEMBERS_PER_TEAM:
                raise ApiError(409, "limit_reached", f"A team may have {MAX_MEMBERS_PER_TEAM} members.")
            if await sql.count_teams_of(tx.conn, auth.user_id) >= MAX_TEAMS_PER_USER:
                raise ApiError(409, "limit_reached", f"You are in {MAX_TEAMS_PER_USER} teams, the most allowed.")
            await sql.use_invite(tx.conn, int(invite["id"]))
            await join_team(tx, hub, team_id, auth.user_id, str(invite["role"]))
    return Response(await load_team(db, team_id, auth.user_id), status_code=201 if joined else 200)


async def _require_distinct_name(conn: aiosqlite.Connection, team_id: int, user_id: int) -> None:
    """409 when the user's display name looks the same as a member's: teammates must tell who sent a cue."""
    user = await accounts_sql.user_by_id(conn, user_id)
    assert user is not None
    looks = skeleton(str(user["display_name"]))
    for other in await sql.members_of(conn, team_id):
        if skeleton(str(other["display_name"])) == looks:
            raise ApiError(
                409,
                "display_name_taken",
                f"Someone in this team is already called {other['display_name']}; names in a team must look different.",
                {"display_name": "looks the same as a team member's"},
            )


@patch("/teams/{team_id:int}/members/{user_id:int}", summary="Change a member's role; owner and leads")
async def set_member_role(
    team_id: PathId,
    user_id: PathId,
    data: JSONBody[RoleIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
) -> Member:
    async with db.legacy_write() as tx:
        actor = await require_role(tx.conn, team_id, auth.user_id, lead=True)
        target = await member(tx, team_id, user_id)
        if target.role == data.role:
            return target
        if target.role == "owner":
            raise ApiError(409, "team_needs_owner", "Hand ownership to someone else first (set their role to owner).")
        if target.role == "lead" and actor != "owner" and user_id != auth.user_id:
            raise forbidden("Only the owner can change another lead's role.")
        if data.role == "owner":
            if actor != "owner":
                raise forbidden("Only the owner can hand over ownership.")
            await change_role(tx, hub, team_id, auth.user_id, "lead")
        return await change_role(tx, hub, team_id, user_id, data.role)


@delete("/teams/{team_id:int}/members/{user_id:int}", summary="Remove a member, or leave the team yourself")
async def remove_member(
    team_id: PathId,
    user_id: PathId,
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
) -> None:
    async with db.legacy_write() as tx:
        actor = await require_role(tx.conn, team_id, auth.user_id)
        target = await member(tx, team_id, user_id)
        if user_id != auth.user_id:
            if actor == "member":
                raise forbidden("Only the team's owner and leads can remove members.")
            if target.role == "lead" and actor != "owner":
                raise forbidden("Only the owner can remove a lead.")
        if target.role == "owner":
            raise ApiError(409, "team_needs_owner", "The owner cannot leave or be removed; hand over ownership first.")
        if user_id != auth.user_id:
            await sql.record_removal(tx.conn, team_id, user_id, now_ms())
        await leave_team(tx, hub, team_id, user_id)


route_handlers = [
    create_team,
    list_teams,
    get_team,
    create_invite,
    list_invites,
    revoke_invite,
    accept_invite,
    set_member_role,
    remove_member,
]
