"""Delivery receipts: a device says how far it has received; teammates see "delivered" on their messages.

A client reports the highest cursor it has received over its live socket. Every event reaches a
client in cursor order, so that one number stands for everything before it. The receipt is stored
per channel membership (for the channel list), as the newest event of that channel it covers, and
fanned out live to that channel's members, not logged as an event: it would otherwise add one event
per recipient per message.
"""

from __future__ import annotations

import msgspec

from api.db import channels as sql
from api.db.connection import Tx


class Delivered(msgspec.Struct, tag="delivered", omit_defaults=True):
    """Live-only, so it carries no `cursor`: that name is kept for stored events, which sockets deduplicate by.

    One frame per channel, to that channel's members only: a receipt says what the user's device received, and
    the members of one channel must not learn of the user's activity in another (another team's, say).
    """

    user_id: int
    channel_id: int
    through: int  # the newest event of this channel the user's device has
    read: int | None = None  # their read mark, when it is what moved (they read the channel); left out otherwise


_encode = msgspec.json.Encoder().encode


def record_delivered(tx: Tx, user_id: int, cursor: int) -> None:
    """Raise the user's delivered marks to the cursor; tell each channel whose mark moved, once committed."""
    reached = sql.mark_delivered(tx, user_id, cursor)
    if not reached:
        return
    members = sql.members_of_channels(tx, [channel_id for channel_id, _ in reached])
    for channel_id, through in reached:
        tx.publish(_encode(Delivered(user_id=user_id, channel_id=channel_id, through=through)), members[channel_id])


def record_read(tx: Tx, user_id: int, channel_id: int) -> None:
    """Tell the channel's members the user's read mark (with their delivered one), once committed."""
    marks = sql.marks_of(tx, channel_id, user_id)
    if marks is not None:
        frame = Delivered(user_id=user_id, channel_id=channel_id, through=marks.delivered, read=marks.last_read)
        tx.publish(_encode(frame), sql.member_ids(tx, channel_id))
