"""Who is in which team and channel, and the events that tell clients when that changes.

The rules live here once: joining a team puts you in Everyone (and Leads for leads and the owner), a role change
keeps Leads in step, leaving a team takes you out of every channel of it. Each is a step of an action, run in its
transaction; the events it records reach their audience after COMMIT.
"""

from __future__ import annotations

from api.access import LEAD_ROLES, team_role
from api.actions import meetings
from api.clock import now_ms
from api.db import channels as channels_sql
from api.db import messages as messages_sql
from api.db import push as push_sql
from api.db import teams as sql
from api.db.connection import Rows, Tx
from api.errors import ApiError, forbidden, not_found
from api.events import (
    ChannelEvent,
    ChannelInfo,
    ChannelRemovedEvent,
    Member,
    MemberEvent,
    MemberRemovedEvent,
    Removed,
    TeamRemovedEvent,
    ToChannel,
    ToTeam,
    ToUser,
    record,
)


def channel_info(rows: Rows, channel_id: int) -> ChannelInfo:
    head = channels_sql.channel(rows, channel_id)
    assert head is not None
    members = channels_sql.member_ids(rows, channel_id)
    return ChannelInfo(id=head.id, team_id=head.team_id, kind=head.kind, name=head.name, member_ids=members)


def announce_channel(tx: Tx, team_id: int, channel_id: int) -> None:
    """Tell the channel's members (as of now) its name and who is in it: their apps add or update it."""
    record(tx, ChannelEvent, ToChannel(team_id=team_id, channel_id=channel_id), channel_info(tx, channel_id))


def tell_removed(tx: Tx, team_id: int, channel_id: int, user_id: int) -> None:
    """Tell one user they are out of the channel (their apps drop it)."""
    gone = Removed(team_id=team_id, channel_id=channel_id, user_id=user_id)
    record(tx, ChannelRemovedEvent, ToUser(team_id=team_id, user_id=user_id, channel_id=channel_id), gone)


def add_to_channel(tx: Tx, team_id: int, channel_id: int, user_ids: list[int]) -> None:
    channels_sql.add_members(tx, channel_id, user_ids)
    announce_channel(tx, team_id, channel_id)


def remove_from_channel(tx: Tx, team_id: int, channel_id: int, user_id: int) -> None:
    if not channels_sql.remove_member(tx, channel_id, user_id):
        return
    push_sql.delete_member_jobs(tx, channel_id, user_id)  # a retried push must not reach them
    tell_removed(tx, team_id, channel_id, user_id)
    announce_channel(tx, team_id, channel_id)


def leave_channel(tx: Tx, team_id: int, channel_id: int, user_id: int) -> bool:
    """Take someone out of a channel. A group nobody is in any more goes with its history, as nobody could reach it
    (the caller scrubs the WAL after the commit); returns whether it went."""
    remove_from_channel(tx, team_id, channel_id, user_id)
    head = channels_sql.channel(tx, channel_id)
    if head is None or head.kind != "group" or channels_sql.member_ids(tx, channel_id):
        return False
    erase_channel(tx, team_id, channel_id)
    return True


def erase_channel(tx: Tx, team_id: int, channel_id: int) -> None:
    """A channel goes for everyone in it: each is told, its history goes as "delete history" deletes it (the caller
    scrubs the WAL after the commit), then the channel itself."""
    for member_id in channels_sql.member_ids(tx, channel_id):
        tell_removed(tx, team_id, channel_id, member_id)
    meetings.hand_channel_over(tx, team_id, channel_id)
    messages_sql.delete_history(tx, channel_id)
    channels_sql.delete_channel(tx, channel_id)


def member(rows: Rows, team_id: int, user_id: int) -> Member:
    found = sql.member(rows, team_id, user_id)
    if found is None:
        raise not_found("member")
    return found


def join_team(tx: Tx, team_id: int, user_id: int, role: str) -> Member:
    sql.add_member(tx, team_id, user_id, role, now_ms())
    joined = record(tx, MemberEvent, ToTeam(team_id=team_id), member(tx, team_id, user_id))
    add_to_channel(tx, team_id, channels_sql.builtin_channel_id(tx, team_id, "everyone"), [user_id])
    if role in LEAD_ROLES:
        add_to_channel(tx, team_id, channels_sql.builtin_channel_id(tx, team_id, "leads"), [user_id])
    return joined


def change_role(tx: Tx, team_id: int, user_id: int, role: str) -> Member:
    sql.set_role(tx, team_id, user_id, role)
    changed = record(tx, MemberEvent, ToTeam(team_id=team_id), member(tx, team_id, user_id))
    leads = channels_sql.builtin_channel_id(tx, team_id, "leads")
    if role in LEAD_ROLES:
        add_to_channel(tx, team_id, leads, [user_id])
    else:
        remove_from_channel(tx, team_id, leads, user_id)
    return changed


def leave_team(tx: Tx, team_id: int, user_id: int) -> bool:
    """Out of every channel of the team, then the team; returns whether a group went with them (see leave_channel)."""
    meetings.leave_team_meetings(tx, team_id, user_id)
    channel_ids = channels_sql.channel_ids_in_team(tx, team_id, user_id)
    erased = [leave_channel(tx, team_id, channel_id, user_id) for channel_id in channel_ids]
    sql.delete_member(tx, team_id, user_id)
    gone = Removed(team_id=team_id, user_id=user_id)
    record(tx, MemberRemovedEvent, ToTeam(team_id=team_id), gone)
    record(tx, TeamRemovedEvent, ToUser(team_id=team_id, user_id=user_id), gone)
    return any(erased)


def set_member_role(tx: Tx, actor_id: int, team_id: int, user_id: int, role: str) -> Member:
    """Change a member's role (the owner and leads; a lead's, the owner's alone); handing over ownership makes
    the old owner a lead."""
    actor = team_role(tx, team_id, actor_id, lead=True)
    target = member(tx, team_id, user_id)
    if target.role == role:
        return target
    if target.role == "owner":
        raise ApiError(409, "team_needs_owner", "Hand ownership to someone else first (set their role to owner).")
    if target.role == "lead" and actor != "owner" and user_id != actor_id:
        raise forbidden("Only the owner can change another lead's role.")
    if role == "owner":
        if actor != "owner":
            raise forbidden("Only the owner can hand over ownership.")
        change_role(tx, team_id, actor_id, "lead")
    return change_role(tx, team_id, user_id, role)


def remove_member(tx: Tx, actor_id: int, team_id: int, user_id: int) -> bool:
    """Take a member out of the team (the owner and leads; a lead, the owner alone), or leave it oneself; returns
    whether a group went with them (the caller scrubs the WAL).

    A removal by someone else is remembered: invites made before it no longer let that member back in.
    """
    actor = team_role(tx, team_id, actor_id)
    target = member(tx, team_id, user_id)
    if user_id != actor_id:
        if actor == "member":
            raise forbidden("Only the team's owner and leads can remove members.")
        if target.role == "lead" and actor != "owner":
            raise forbidden("Only the owner can remove a lead.")
    if target.role == "owner":
        raise ApiError(409, "team_needs_owner", "The owner cannot leave or be removed; hand over ownership first.")
    if user_id != actor_id:
        sql.record_removal(tx, team_id, user_id, now_ms())
    return leave_team(tx, team_id, user_id)
