"""Who may do what: every authorization read, spelled once, run inside the action's transaction (or a query).

Outsiders get a 404 naming the thing, never a 403: a team's, channel's or message's existence is private to those
in it. A 403 is for members whose role does not allow the action.
"""

from __future__ import annotations

from api.db import access as sql
from api.db.access import ChannelRef, MessageRef
from api.db.connection import Rows
from api.errors import forbidden, not_found

LEAD_ROLES = frozenset({"owner", "lead"})
# Which invites each role may hand out. An invite carries its maker's authority only while the maker has it:
# it is checked again when the invite is used, so a removed or demoted lead's invites stop working.
MAY_INVITE: dict[str, frozenset[str]] = {
    "owner": frozenset({"lead", "member"}),
    "lead": frozenset({"lead", "member"}),
}

__all__ = [
    "LEAD_ROLES",
    "MAY_INVITE",
    "ChannelRef",
    "MessageRef",
    "channel_of_member",
    "is_member",
    "may_invite",
    "message_in_reach",
    "team_role",
]


def team_role(rows: Rows, team_id: int, user_id: int, *, lead: bool = False, owner: str | None = None) -> str:
    """The user's role in the team: 404 for outsiders; 403 when `lead` and they are not a lead or the owner, or
    when `owner` (what only the owner may do, as "delete a channel's history") and they are not the owner."""
    role = sql.role_of(rows, team_id, user_id)
    if role is None:
        raise not_found("team")
    if lead and role not in LEAD_ROLES:
        raise forbidden("Only the team's owner and leads can do this.")
    if owner is not None and role != "owner":
        raise forbidden(f"Only the team's owner can {owner}.")
    return role


def is_member(rows: Rows, team_id: int, user_id: int) -> bool:
    return sql.role_of(rows, team_id, user_id) is not None


def may_invite(rows: Rows, team_id: int, user_id: int, invite_role: str) -> bool:
    """Whether the user, as of now, may hand out an invite to the team for that role (outsiders may not)."""
    role = sql.role_of(rows, team_id, user_id)
    return role is not None and invite_role in MAY_INVITE.get(role, frozenset())


def channel_of_member(rows: Rows, channel_id: int, user_id: int) -> ChannelRef:
    """The channel when the user is in it; 404 otherwise, so outsiders learn nothing about it."""
    channel = sql.channel_of_member(rows, channel_id, user_id)
    if channel is None:
        raise not_found("channel")
    return channel


def message_in_reach(rows: Rows, message_id: int, user_id: int) -> MessageRef:
    """The message when the user is in its channel now; 404 otherwise."""
    message = sql.message_of_member(rows, message_id, user_id)
    if message is None:
        raise not_found("message")
    return message
