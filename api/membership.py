"""Who is in which team and channel, and the events that tell clients when that changes.

The rules live here once: joining a team puts you in Everyone (and Leads for leads and the owner),
a role change keeps Leads in step, leaving a team takes you out of every channel of it.
"""

from __future__ import annotations

import sqlite3

import aiosqlite

from api.clock import now_ms
from api.db import channels as channels_sql
from api.db import push as push_sql
from api.db import teams as teams_sql
from api.db.connection import LegacyTransaction
from api.errors import forbidden, not_found
from api.events import ChannelInfo, Member, Removed
from api.events import legacy_record as record
from api.hub import Hub

LEAD_ROLES = frozenset({"owner", "lead"})


async def require_role(conn: aiosqlite.Connection, team_id: int, user_id: int, *, lead: bool = False) -> str:
    """The caller's role in the team; 404 for outsiders (a team's existence is private), 403 if not a lead."""
    role = await teams_sql.role_of(conn, team_id, user_id)
    if role is None:
        raise not_found("team")
    if lead and role not in LEAD_ROLES:
        raise forbidden("Only the team's owner and leads can do this.")
    return role


async def channel_info(tx: LegacyTransaction, channel_id: int) -> ChannelInfo:
    row = await channels_sql.channel_row(tx.conn, channel_id)
    assert row is not None
    members = await channels_sql.member_ids(tx.conn, channel_id)
    return ChannelInfo(id=row["id"], team_id=row["team_id"], kind=row["kind"], name=row["name"], member_ids=members)


async def add_to_channel(tx: LegacyTransaction, hub: Hub, team_id: int, channel_id: int, user_ids: list[int]) -> None:
    await channels_sql.add_members(tx.conn, channel_id, user_ids)
    info = await channel_info(tx, channel_id)
    await record(tx, hub, "channel", info, team_id=team_id, channel_id=channel_id)


async def remove_from_channel(tx: LegacyTransaction, hub: Hub, team_id: int, channel_id: int, user_id: int) -> None:
    if not await channels_sql.remove_member(tx.conn, channel_id, user_id):
        return
    await push_sql.delete_jobs_of_member(tx.conn, channel_id, user_id)  # a retried push must not reach them
    gone = Removed(team_id=team_id, channel_id=channel_id, user_id=user_id)
    await record(tx, hub, "channel_removed", gone, team_id=team_id, channel_id=channel_id, user_id=user_id)
    info = await channel_info(tx, channel_id)
    await record(tx, hub, "channel", info, team_id=team_id, channel_id=channel_id)


def member_from_row(row: sqlite3.Row) -> Member:
    return Member(user_id=row["user_id"], username=row["username"], display_name=row["display_name"], role=row["role"])


async def member(tx: LegacyTransaction, team_id: int, user_id: int) -> Member:
    row = await teams_sql.member_row(tx.conn, team_id, user_id)
    if row is None:
        raise not_found("member")
    return member_from_row(row)


async def join_team(tx: LegacyTransaction, hub: Hub, team_id: int, user_id: int, role: str) -> Member:
    await teams_sql.add_member(tx.conn, team_id, user_id, role, now_ms())
    joined = await member(tx, team_id, user_id)
    await record(tx, hub, "member", joined, team_id=team_id)
    await add_to_channel(
        tx, hub, team_id, await channels_sql.builtin_channel_id(tx.conn, team_id, "everyone"), [user_id]
    )
    if role in LEAD_ROLES:
        await add_to_channel(
            tx, hub, team_id, await channels_sql.builtin_channel_id(tx.conn, team_id, "leads"), [user_id]
        )
    return joined


async def change_role(tx: LegacyTransaction, hub: Hub, team_id: int, user_id: int, role: str) -> Member:
    await teams_sql.set_role(tx.conn, team_id, user_id, role)
    changed = await member(tx, team_id, user_id)
    await record(tx, hub, "member", changed, team_id=team_id)
    leads = await channels_sql.builtin_channel_id(tx.conn, team_id, "leads")
    if role in LEAD_ROLES:
        await add_to_channel(tx, hub, team_id, leads, [user_id])
    else:
        await remove_from_channel(tx, hub, team_id, leads, user_id)
    return changed


async def leave_team(tx: LegacyTransaction, hub: Hub, team_id: int, user_id: int) -> None:
    for channel_id in await channels_sql.channel_ids_in_team(tx.conn, team_id, user_id):
        await remove_from_channel(tx, hub, team_id, channel_id, user_id)
    await teams_sql.delete_member(tx.conn, team_id, user_id)
    gone = Removed(team_id=team_id, user_id=user_id)
    await record(tx, hub, "member_removed", gone, team_id=team_id)
    await record(tx, hub, "team_removed", gone, team_id=team_id, user_id=user_id)
