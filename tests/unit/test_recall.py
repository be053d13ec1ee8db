"""Recalling a mis-tapped cue: its sender only, within RECALL_SECONDS, once; the event goes to the channel, history
marks it, unsent pushes go and the other devices get a push that closes the notification."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from api.actions import messages as actions
from api.actions.messages import RECALL_SECONDS, CueIn, TextIn, history, recall_message
from api.db.connection import Database
from api.push.payload import build
from tests.unit import test_messages
from tests.unit.teammates import told
from tests.unit.test_messages import Room, refused

room = test_messages.room  # the fixture


def recall(room: Room, user_id: int, message_id: int) -> object:
    return room.db.write(recall_message, user_id, message_id, showing=frozenset(), wake_push=room.wake)


async def test_the_sender_recalls_a_cue_once_and_the_channel_is_told(room: Room) -> None:
    sent = await room.send(room.ana, CueIn(client_id=uuid.uuid4(), cue="wrap_up"))
    told(room.published)
    recalled = await recall(room, room.ana, sent.message.id)
    [event] = told(room.published)
    assert event.type == "message_recalled"
    assert event.data == msgspec.to_builtins(recalled)
    assert event.to == sorted([room.ana, room.max])
    page = await room.db.read(history, room.max, room.everyone, None, 50)
    assert page.messages[0].recalled_at is not None
    assert await refused(recall(room, room.ana, sent.message.id)) == (409, "already_recalled")


async def test_others_texts_late_recalls_and_outsiders_are_refused(
    room: Room, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    cue = await room.send(room.ana, CueIn(client_id=uuid.uuid4(), cue="wrap_up"))
    assert await refused(recall(room, room.max, cue.message.id)) == (403, "forbidden")
    assert await refused(recall(room, room.out, cue.message.id)) == (404, "not_found")
    words = await room.send(room.ana, TextIn(client_id=uuid.uuid4(), text="hello"))
    assert await refused(recall(room, room.ana, words.message.id)) == (409, "not_a_cue")
    later = cue.message.created_at + RECALL_SECONDS * 1000 + 1
    monkeypatch.setattr(actions, "now_ms", lambda: later)
    assert await refused(recall(room, room.ana, cue.message.id)) == (409, "recall_too_late")


def test_a_recall_push_closes_the_notification_and_names_no_cue() -> None:
    from api.db.push import DueJob

    job = DueJob(
        id=1, subscription_id=1, attempts=0, message_id=7, ttl_seconds=60, urgency="normal", topic=None,
        expires_at=0, shrink=0, endpoint="e", p256dh="p", auth="a", push_level="hidden", channel_id=3, kind="cue",
        text=None, cue="wrap_up", sender_id=1, team_id=2, channel_name="Everyone", sender_name="Ana",
        cue_label="Wrap up", cue_rhythm="[200]", recalled_at=5,
    )  # fmt: skip
    payload = msgspec.json.decode(build(job))
    assert payload["kind"] == "recall" and payload["tag"] == "channel-3" and payload["message_id"] == 7
    assert "Wrap up" not in str(payload) and "wrap_up" not in str(payload)
