"""Channels: list them, create a custom one (leads), open a one-to-one, move one's read mark."""

from __future__ import annotations

import msgspec

from api.access import ChannelRef, channel_of_member, is_member, team_role
from api.actions import receipts
from api.actions.membership import add_to_channel, announce_channel, erase_channel, leave_channel
from api.clock import now_ms
from api.db import channels as sql
from api.db import sources as sources_sql
from api.db.channels import MemberChannel
from api.db.connection import Rows, Tx
from api.errors import ApiError, invalid, not_found
from api.names import looks_like_any

MAX_CHANNELS_PER_TEAM = 200
MAX_CHANNEL_MEMBERS = 200


class Receipt(msgspec.Struct):
    """How far a member has got: the last cursor delivered to one of their devices, and read."""

    user_id: int
    delivered: int
    read: int


class Channel(msgspec.Struct):
    id: int
    team_id: int
    kind: str
    name: str
    member_ids: list[int]
    unread: int
    last_read: int
    receipts: list[Receipt]


def _shown(row: MemberChannel) -> Channel:
    receipts = sorted(
        (Receipt(*map(int, mark.split(":"))) for mark in row.marks.split(",")), key=lambda receipt: receipt.user_id
    )
    return Channel(
        id=row.id,
        team_id=row.team_id,
        kind=row.kind,
        name=row.name,
        member_ids=[receipt.user_id for receipt in receipts],
        unread=row.unread,
        last_read=row.last_read,
        receipts=receipts,
    )


def channel(rows: Rows, user_id: int, channel_id: int) -> Channel:
    """The channel as the user sees it when they are in it; 404 otherwise, so outsiders learn nothing about it.

    A source's guest (who reaches its conversation's read mark, which answers with this) never sees the channel's
    name, the pseudonym the team gave it (docs/sources.md): to the guest it is named by its handler."""
    row = sql.channel_for_member(rows, channel_id, user_id)
    if row is None:
        raise not_found("channel")
    shown = _shown(row)
    if shown.kind == "source":
        contact = sources_sql.contact_of(rows, user_id)
        if contact is not None and contact.channel_id == channel_id:
            return msgspec.structs.replace(shown, name=contact.handler_name)
    return shown


def channels(rows: Rows, user_id: int, team_id: int) -> list[Channel]:
    team_role(rows, team_id, user_id)
    return [_shown(row) for row in sql.channels_of(rows, team_id, user_id)]


def _require_room(rows: Rows, team_id: int) -> None:
    if sql.count_channels(rows, team_id) >= MAX_CHANNELS_PER_TEAM:
        raise ApiError(409, "limit_reached", f"A team may have {MAX_CHANNELS_PER_TEAM} channels.")


def _require_distinct_name(rows: Rows, team_id: int, name: str, renaming: int = 0) -> None:
    """409 when the name looks the same as one of the team's channels (Everyone and Leads too): a message meant for
    a few, typed into a lookalike of Everyone, would reach the whole team. The detail does not name the channel,
    which may be a group the caller is not in. A channel being renamed (`renaming`) is not its own lookalike."""
    if looks_like_any(name, sql.shown_names(rows, team_id, renaming)):
        raise ApiError(
            409,
            "channel_name_taken",
            "This team already has a channel whose name looks the same; channel names in a team must look different.",
            {"name": "looks the same as another channel's"},
        )


def create_group(tx: Tx, user_id: int, team_id: int, name: str, member_ids: list[int]) -> Channel:
    """A custom channel of chosen teammates (the lead who makes it is in it): leads only."""
    team_role(tx, team_id, user_id, lead=True)
    members = sorted({user_id, *member_ids})
    for member_id in members:
        if not is_member(tx, team_id, member_id):
            raise invalid("members", f"user {member_id} is not in this team")
    _require_room(tx, team_id)
    _require_distinct_name(tx, team_id, name)
    channel_id = sql.insert_channel(tx, team_id, "group", name, None, now_ms())
    add_to_channel(tx, team_id, channel_id, members)
    return channel(tx, user_id, channel_id)


def open_direct(tx: Tx, user_id: int, team_id: int, other_id: int) -> tuple[Channel, bool]:
    """The one-to-one channel of two teammates, made on first use. Returns (channel, created)."""
    if other_id == user_id:
        raise invalid("user_id", "pick a teammate, not yourself")
    team_role(tx, team_id, user_id)
    if not is_member(tx, team_id, other_id):
        raise invalid("user_id", "is not in this team")
    key = "{}:{}".format(*sorted((user_id, other_id)))
    channel_id = sql.direct_channel_id(tx, team_id, key)
    created = channel_id is None
    if channel_id is None:
        _require_room(tx, team_id)
        channel_id = sql.insert_channel(tx, team_id, "direct", "Direct", key, now_ms())
    if created or len(sql.member_ids(tx, channel_id)) < 2:
        # New, or one side left the team and came back: (re)seat both people.
        add_to_channel(tx, team_id, channel_id, [user_id, other_id])
    return channel(tx, user_id, channel_id), created


def mark_read(tx: Tx, user_id: int, channel_id: int, cursor: int) -> Channel:
    """Move the user's read mark forward (never back, never past the channel's newest event)."""
    channel_of_member(tx, channel_id, user_id)
    sql.set_last_read(tx, channel_id, user_id, cursor)
    receipts.record_read(tx, user_id, channel_id)  # the senders' read receipts, live
    return channel(tx, user_id, channel_id)


# Managing a custom group: only its own members reach it (leads and the owner too; a group is private to those in
# it, as its history is); leads rename it, add and remove people and delete it; any member may leave it.


def _group(rows: Rows, channel_id: int, user_id: int, *, lead: bool) -> ChannelRef:
    """The custom group the user is in (404 otherwise); 409 for Everyone, Leads and one-to-one channels, whose
    names and members follow the team; 403 when `lead` and the user is not a lead or the owner."""
    group = channel_of_member(rows, channel_id, user_id)
    if group.kind != "group":
        raise ApiError(
            409,
            "not_a_group",
            "Only custom groups are managed here: Everyone, Leads and one-to-one channels follow the team.",
        )
    if lead:
        team_role(rows, group.team_id, user_id, lead=True)
    return group


def rename_group(tx: Tx, user_id: int, channel_id: int, name: str) -> Channel:
    """A new name for a group (leads), under the same lookalike rule as a new channel's."""
    group = _group(tx, channel_id, user_id, lead=True)
    _require_distinct_name(tx, group.team_id, name, renaming=channel_id)
    sql.rename_channel(tx, channel_id, name)
    announce_channel(tx, group.team_id, channel_id)
    return channel(tx, user_id, channel_id)


def add_to_group(tx: Tx, user_id: int, channel_id: int, member_id: int) -> Channel:
    """Seat a teammate in a group (leads); they get the channel and, from then on, its history. Idempotent."""
    group = _group(tx, channel_id, user_id, lead=True)
    if not is_member(tx, group.team_id, member_id):
        raise invalid("user_id", "is not in this team")
    seated = sql.member_ids(tx, channel_id)
    if member_id not in seated:
        if len(seated) >= MAX_CHANNEL_MEMBERS:
            raise ApiError(409, "limit_reached", f"A channel may have {MAX_CHANNEL_MEMBERS} members.")
        add_to_channel(tx, group.team_id, channel_id, [member_id])
    return channel(tx, user_id, channel_id)


def remove_from_group(tx: Tx, actor_id: int, channel_id: int, user_id: int) -> bool:
    """Take someone out of a group (leads), or leave it oneself (anyone in it). Returns whether the group went
    with them: a group nobody is in is deleted with its history, as nobody could reach it any more."""
    group = _group(tx, channel_id, actor_id, lead=user_id != actor_id)
    if user_id not in sql.member_ids(tx, channel_id):
        raise not_found("member")
    return leave_channel(tx, group.team_id, channel_id, user_id)


def delete_group(tx: Tx, user_id: int, channel_id: int) -> None:
    """Delete a group (leads): every member is told, its history goes as "delete history" deletes it (the caller
    scrubs the WAL after the commit), then the channel itself."""
    group = _group(tx, channel_id, user_id, lead=True)
    erase_channel(tx, group.team_id, group.id)
