"""Invite links: made by the owner and leads, used by anyone holding one, checked again at every use.

An invite carries its maker's authority only while the maker has it (api/access.py, may_invite), and a member
removed by someone else cannot come back by a link made before the removal.
"""

from __future__ import annotations

import msgspec

from api.access import is_member, may_invite, team_role
from api.actions.membership import join_team
from api.actions.teams import Team, require_room_for_team, team
from api.clock import now_ms
from api.db import accounts as accounts_sql
from api.db import teams as sql
from api.db.connection import Rows, Tx
from api.db.teams import InviteRow
from api.errors import ApiError, forbidden, not_found
from api.names import skeleton

MAX_MEMBERS_PER_TEAM = 200
MAX_OPEN_INVITES_PER_TEAM = 50


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


class InvitePreview(msgspec.Struct, omit_defaults=True):
    """What the holder of an invite link learns before signing up: whose team, who invited, whether it still
    works. Nothing else (no members, no ids): the link's token is the only key to it."""

    team_name: str
    invited_by: str
    role: str
    usable: bool
    # Why not, in plain words, when it is not usable.
    reason: str | None = None


class NewInvite(msgspec.Struct, frozen=True):
    """An invite to make: its token drawn on the loop (the database keeps its hash)."""

    token: str
    token_hash: bytes
    role: str
    expires_in_seconds: int
    max_uses: int


def _open(row: InviteRow) -> bool:
    return not row.revoked and row.expires_at > now_ms() and row.uses < row.max_uses


def _shown(row: InviteRow) -> Invite:
    """An invite as its team's leads see it: its link while it is open (to copy it again), and not after."""
    token = row.token if _open(row) else None
    return Invite(
        id=row.id,
        team_id=row.team_id,
        role=row.role,
        expires_at=row.expires_at,
        max_uses=row.max_uses,
        uses=row.uses,
        revoked=bool(row.revoked),
        token=token,
        path=f"/join/{token}" if token else None,
    )


def create_invite(tx: Tx, user_id: int, team_id: int, new: NewInvite) -> Invite:
    """A new invite link; its token is shown to the team's leads while it is open."""
    team_role(tx, team_id, user_id)
    if not may_invite(tx, team_id, user_id, new.role):
        raise forbidden(f"Your role does not allow inviting a {new.role}.")
    now = now_ms()
    if sql.count_open_invites(tx, team_id, now) >= MAX_OPEN_INVITES_PER_TEAM:
        raise ApiError(409, "limit_reached", f"A team may have {MAX_OPEN_INVITES_PER_TEAM} open invites.")
    expires_at = now + new.expires_in_seconds * 1000
    row = sql.insert_invite(tx, team_id, new.token, new.token_hash, new.role, user_id, now, expires_at, new.max_uses)
    return _shown(row)


def invites(rows: Rows, user_id: int, team_id: int) -> list[Invite]:
    team_role(rows, team_id, user_id, lead=True)
    return [_shown(row) for row in sql.invites_of(rows, team_id)]


def revoke_invite(tx: Tx, user_id: int, team_id: int, invite_id: int) -> None:
    team_role(tx, team_id, user_id, lead=True)
    if not sql.revoke_invite(tx, team_id, invite_id):
        raise not_found("invite")


def accept_invite(tx: Tx, user_id: int, token_hash: bytes) -> tuple[Team, bool]:
    """Join the invite's team; a member already is answered the team unchanged. Returns (team, joined)."""
    invite = sql.invite_by_token_hash(tx, token_hash)
    if invite is None:
        raise not_found("invite")
    if is_member(tx, invite.team_id, user_id):
        return team(tx, user_id, invite.team_id), False
    _require_usable(tx, invite, user_id)
    _require_distinct_name(tx, invite.team_id, user_id)
    if sql.count_members(tx, invite.team_id) >= MAX_MEMBERS_PER_TEAM:
        raise ApiError(409, "limit_reached", f"A team may have {MAX_MEMBERS_PER_TEAM} members.")
    require_room_for_team(tx, user_id)
    sql.use_invite(tx, invite.id)
    join_team(tx, invite.team_id, user_id, invite.role)
    return team(tx, user_id, invite.team_id), True


def preview(rows: Rows, token_hash: bytes) -> InvitePreview:
    """The invite page's look before signing up (404 for a token that was never an invite)."""
    invite = sql.invite_by_token_hash(rows, token_hash)
    found = sql.team(rows, invite.team_id) if invite is not None else None
    maker = accounts_sql.user(rows, invite.created_by) if invite is not None else None
    if invite is None or found is None or maker is None:
        raise not_found("invite")
    reason = None
    if invite.revoked:
        reason = "This invite was withdrawn."
    elif invite.expires_at <= now_ms():
        reason = "This invite has expired."
    elif invite.uses >= invite.max_uses:
        reason = "This invite has been used up."
    elif not may_invite(rows, invite.team_id, invite.created_by, invite.role):
        reason = f"{maker.display_name} can no longer invite to this team."
    return InvitePreview(
        team_name=found.name, invited_by=maker.display_name, role=invite.role, usable=reason is None, reason=reason
    )


def _require_usable(rows: Rows, invite: InviteRow, user_id: int) -> None:
    """410 when the invite no longer lets this user in: spent, its maker's authority gone, or made before they
    were removed from the team."""
    if invite.revoked or invite.expires_at <= now_ms() or invite.uses >= invite.max_uses:
        raise ApiError(410, "invite_expired", "This invite has expired, was revoked or is used up.")
    if not may_invite(rows, invite.team_id, invite.created_by, invite.role):
        raise ApiError(410, "invite_expired", "Whoever made this invite can no longer invite to this team.")
    removed = sql.removed_at(rows, invite.team_id, user_id)
    if removed is not None and invite.created_at <= removed:
        raise ApiError(
            410, "invite_expired", "You were removed from this team after this invite was made; ask for a new one."
        )


def _require_distinct_name(rows: Rows, team_id: int, user_id: int) -> None:
    """409 when the user's display name looks the same as a member's: teammates must tell who sent a cue."""
    user = accounts_sql.user(rows, user_id)
    assert user is not None
    looks = skeleton(user.display_name)
    for other in sql.members_of(rows, team_id):
        if skeleton(other.display_name) == looks:
            raise ApiError(
                409,
                "display_name_taken",
                f"Someone in this team is already called {other.display_name}; names in a team must look different.",
                {"display_name": "looks the same as a team member's"},
            )
