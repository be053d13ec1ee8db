"""Delivery receipts: a device says how far it has received; teammates see "delivered" on their messages.

A client reports the highest cursor it has received over its live socket. Every event reaches a
client in cursor order, so that one number stands for everything before it. The receipt is stored
per channel membership (for the channel list) and fanned out live, not logged as an event: it would
otherwise add one event per recipient per message.
"""

from __future__ import annotations

import msgspec

from api.db import channels as sql
from api.db.connection import Database
from api.hub import Hub


class Delivered(msgspec.Struct, tag="delivered"):
    """Live-only, so it carries no `cursor`: that name is kept for stored events, which sockets deduplicate by."""

    user_id: int
    through: int


_encode = msgspec.json.Encoder().encode


async def record_delivered(db: Database, hub: Hub, user_id: int, cursor: int) -> None:
    async with db.write() as tx:
        if not await sql.mark_delivered(tx.conn, user_id, cursor):
            return
        peers = await sql.peers_of(tx.conn, user_id)
        frame = _encode(Delivered(user_id=user_id, through=cursor))
        tx.on_commit(lambda: hub.publish(frame, peers))
