"""Sending, acknowledging and deleting messages, as actions against a temporary database: what is stored, what is
answered, and which event goes to whom."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from pathlib import Path

import msgspec
import pytest

from api.actions.channels import create_group, mark_read
from api.actions.messages import (
    COMPOSED_MAX_AGE_MS,
    TEXT_MAX,
    CueIn,
    Sent,
    TextIn,
    ack_message,
    composed_time,
    delete_history,
    history,
    send_message,
)
from api.clock import now_ms
from api.db import accounts as accounts_sql
from api.db import channels as channels_sql
from api.db import push as push_sql
from api.db.connection import Database, Rows, Tx
from api.errors import ApiError
from api.throttle import Throttle
from tests.unit.conftest import Published
from tests.unit.teammates import people, team_of, told


class Room:
    """Ana owns a team with Max in it; Out is in no team. `everyone` is the team's Everyone channel."""

    def __init__(self, db: Database, published: Published, ids: list[int], team_id: int, everyone: int) -> None:
        self.db, self.published = db, published
        self.ana, self.max, self.out = ids
        self.team_id, self.everyone = team_id, everyone
        self.throttle = Throttle(100, 60)
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1

    def send(self, sender: int, body: TextIn | CueIn, showing: frozenset[int] = frozenset()) -> Awaitable[Sent]:
        return self.db.write(
            send_message,
            sender,
            self.everyone,
            body,
            throttle=self.throttle,
            showing=showing,
            wake_push=self.wake,
            wake_escalator=self.wake,
        )


@pytest.fixture
async def room(db: Database, published: Published) -> Room:
    ids = await people(db, "Ana", "Max", "Out")
    team_id = await team_of(db, ids[0], ids[1])
    everyone = await db.read(channels_sql.builtin_channel_id, team_id, "everyone")
    told(published)
    return Room(db, published, ids, team_id, everyone)


def text(words: str, client_id: uuid.UUID | None = None) -> TextIn:
    return TextIn(client_id=client_id or uuid.uuid4(), text=words)


async def refused(attempt: Awaitable[object]) -> tuple[int, str]:
    with pytest.raises(ApiError) as error:
        await attempt
    return error.value.status, error.value.code


async def test_a_text_is_stored_with_its_cursor_and_told_to_the_channel(room: Room) -> None:
    sent = await room.send(room.ana, text("Hold at 4.2"))
    assert sent.created and sent.message.text == "Hold at 4.2" and sent.message.kind == "text"
    [event] = told(room.published)
    assert event.type == "message" and event.to == sorted([room.ana, room.max])
    assert event.data["cursor"] == sent.message.cursor and event.data["id"] == sent.message.id


async def test_a_retry_answers_the_stored_message_and_tells_nobody_again(room: Room) -> None:
    client_id = uuid.uuid4()
    first = await room.send(room.ana, text("once", client_id))
    told(room.published)
    again = await room.send(room.ana, text("once", client_id))
    assert not again.created and again.message == first.message
    assert told(room.published) == []


async def test_a_client_id_cannot_be_reused_for_another_message(room: Room) -> None:
    client_id = uuid.uuid4()
    await room.send(room.ana, text("one", client_id))
    assert await refused(room.send(room.ana, text("two", client_id))) == (409, "client_id_reused")
    assert await refused(room.send(room.ana, CueIn(client_id=client_id, cue="wrap_up"))) == (409, "client_id_reused")


async def test_a_retry_of_a_deleted_message_is_gone(room: Room) -> None:
    client_id = uuid.uuid4()
    await room.send(room.max, text("secret", client_id))
    await room.db.write(delete_history, room.ana, room.everyone)
    assert await refused(room.send(room.max, text("secret", client_id))) == (410, "message_deleted")


async def test_blank_text_an_unknown_cue_and_an_outsider_are_refused(room: Room) -> None:
    assert await refused(room.send(room.ana, text("  \n "))) == (400, "invalid_request")
    assert await refused(room.send(room.ana, CueIn(client_id=uuid.uuid4(), cue="sing"))) == (400, "invalid_request")
    assert await refused(room.send(room.out, text("hi"))) == (404, "not_found")
    assert told(room.published) == []


async def test_a_cue_of_the_team_set_is_sent(room: Room) -> None:
    sent = await room.send(room.max, CueIn(client_id=uuid.uuid4(), cue="wrap_up"))
    assert (sent.message.kind, sent.message.cue, sent.message.text) == ("cue", "wrap_up", None)


async def test_the_rate_limit_refuses_a_flood_but_never_a_retry(room: Room) -> None:
    room.throttle = Throttle(2, 60)
    first = await room.send(room.ana, text("a"))
    await room.send(room.ana, text("b"))
    assert await refused(room.send(room.ana, text("c"))) == (429, "rate_limited")
    retry = await room.send(room.ana, text("a", uuid.UUID(first.message.client_id)))
    assert not retry.created


def _device(tx: Tx, user_id: int) -> int:
    """A session of the user's with a push subscription: its id."""
    session_id = accounts_sql.insert_session(tx, user_id, uuid.uuid4().bytes, "csrf", "phone", 0)
    push_sql.upsert_subscription(tx, session_id, user_id, f"https://push.example/{session_id}", "k", "a", 0)
    return session_id


def _queued(rows: Rows, message_id: int) -> list[int]:
    return rows.all(int, "SELECT subscription_id FROM push_jobs WHERE message_id = ? ORDER BY id", (message_id,))


async def test_pushes_are_queued_for_the_other_members_devices_not_those_showing_the_app(room: Room) -> None:
    phone, laptop = await room.db.write(_device, room.max), await room.db.write(_device, room.max)
    await room.db.write(_device, room.ana)  # the sender's own device: never
    sent = await room.send(room.ana, text("ping"), showing=frozenset({laptop}))
    assert len(await room.db.read(_queued, sent.message.id)) == 1 and room.wakes == 1
    quiet = await room.send(room.ana, text("seen"), showing=frozenset({phone, laptop}))
    assert await room.db.read(_queued, quiet.message.id) == [] and room.wakes == 1


async def test_an_ack_is_recorded_once_and_told_to_the_channel(room: Room) -> None:
    sent = await room.send(room.ana, CueIn(client_id=uuid.uuid4(), cue="wrap_up"))
    told(room.published)
    first = await room.db.write(ack_message, room.max, sent.message.id)
    [event] = told(room.published)
    assert (event.type, event.data["user_id"], event.to) == ("ack", room.max, sorted([room.ana, room.max]))
    again = await room.db.write(ack_message, room.max, sent.message.id)
    assert again.at == first.at and told(room.published) == []
    assert await refused(room.db.write(ack_message, room.ana, sent.message.id)) == (409, "own_message")
    assert await refused(room.db.write(ack_message, room.out, sent.message.id)) == (404, "not_found")


async def test_history_pages_backwards_with_each_message_acks(room: Room) -> None:
    ids = [(await room.send(room.ana, text(f"m{i}"))).message.id for i in range(5)]
    await room.db.write(ack_message, room.max, ids[-1])
    page = await room.db.read(history, room.max, room.everyone, None, 2)
    assert [m.id for m in page.messages] == ids[-2:] and page.more
    assert [a.user_id for a in page.messages[-1].acks] == [room.max] and page.messages[0].acks == []
    older = await room.db.read(history, room.max, room.everyone, ids[-2], 10)
    assert [m.id for m in older.messages] == ids[:3] and not older.more
    assert await refused(room.db.read(history, room.out, room.everyone, None, 10)) == (404, "not_found")


async def test_only_the_owner_deletes_a_channel_history(room: Room) -> None:
    await room.send(room.max, text("one"))
    await room.send(room.max, text("two"))
    told(room.published)
    assert await refused(room.db.write(delete_history, room.max, room.everyone)) == (403, "forbidden")
    cleared = await room.db.write(delete_history, room.ana, room.everyone)
    assert cleared.deleted == 2
    [event] = told(room.published)
    assert (event.type, event.data, event.to) == (
        "history_cleared",
        {"channel_id": room.everyone, "deleted": 2},
        sorted([room.ana, room.max]),
    )
    assert (await room.db.read(history, room.ana, room.everyone, None, 10)).messages == []


async def test_reading_a_channel_tells_its_members_the_read_mark_live(db: Database, published: Published) -> None:
    ana, ben, cy = await people(db, "Ana", "Ben", "Cy")
    team_id = await team_of(db, ana, ben, cy)
    group = await db.write(create_group, ana, team_id, "Pricing", [ben])
    published.frames.clear()
    newest = (await db.write(mark_read, ben, group.id, 10**6)).last_read
    frames = [(msgspec.json.decode(frame), sorted(users)) for frame, users in published.frames]
    assert frames == [
        ({"type": "delivered", "user_id": ben, "channel_id": group.id, "through": 0, "read": newest}, [ana, ben])
    ]


def test_the_written_time_is_clamped_to_the_outbox_age_and_now_and_the_limits_agree_with_the_app() -> None:
    now = 10**13
    assert composed_time(None, now) is None
    assert composed_time(now - 60_000, now) == now - 60_000
    assert composed_time(now + 5_000, now) == now  # a clock ahead: never in the future
    assert composed_time(0, now) == now - COMPOSED_MAX_AGE_MS  # older than the outbox keeps: its oldest
    root = Path(__file__).resolve().parents[2] / "pwa" / "js"
    assert "export const MAX_AGE_MS = 7 * 86400000;" in (root / "outbox.js").read_text()
    assert COMPOSED_MAX_AGE_MS == 7 * 86400000
    assert f"export const TEXT_MAX = {TEXT_MAX};" in (root / "screens" / "channel.js").read_text()


async def test_a_send_keeps_when_it_was_written_in_its_reply_its_event_and_the_history(room: Room) -> None:
    written = now_ms() - 5 * 60_000
    sent = await room.send(room.ana, TextIn(client_id=uuid.uuid4(), text="Written in the lift", composed_at=written))
    assert sent.message.composed_at == written and sent.message.created_at - written >= 5 * 60_000
    (event,) = [t for t in told(room.published) if t.type == "message"]
    assert event.data["composed_at"] == written
    page = await room.db.read(history, room.max, room.everyone, None, 50)
    assert [m.composed_at for m in page.messages] == [written]
    unsaid = await room.send(room.ana, CueIn(client_id=uuid.uuid4(), cue="wrap_up"))
    assert unsaid.message.composed_at is None  # an older client says nothing: the app shows the sent time
