"""Delivery receipts: a device says how far it has received; teammates see "delivered" on their messages.

A client reports the highest cursor it has received over its live socket. Every event reaches a
client in cursor order, so that one number stands for everything before it. The receipt is stored
per channel membership (for the channel list), as the newest event of that channel it covers, and
fanned out live to that channel's members, not logged as an event: it would otherwise add one event
per recipient per message.
"""

from __future__ import annotations

import functools

import msgspec

from api.db import channels as sql
from api.db.connection import Database
from api.hub import Hub


class Delivered(msgspec.Struct, tag="delivered"):
    """Live-only, so it carries no `cursor`: that name is kept for stored events, which sockets deduplicate by.

    One frame per channel, to that channel's members only: a receipt says what the user's device received, and
    the members of one channel must not learn of the user's activity in another (another team's, say).
    """

    user_id: int
    channel_id: int
    through: int  # the newest event of this channel the user's device has


_encode = msgspec.json.Encoder().encode


async def record_delivered(db: Database, hub: Hub, user_id: int, cursor: int) -> None:
    async with db.legacy_write() as tx:
        reached = await sql.mark_delivered(tx.conn, user_id, cursor)
        if not reached:
            return
        members = await sql.members_of_channels(tx.conn, [channel_id for channel_id, _ in reached])
        for channel_id, through in reached:
            frame = _encode(Delivered(user_id=user_id, channel_id=channel_id, through=through))
            tx.on_commit(functools.partial(hub.publish, frame, members[channel_id]))
