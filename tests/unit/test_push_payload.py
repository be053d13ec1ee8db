"""What a push says, by the recipient's privacy level: nothing by default, the sender (and cue) or the text when
they chose so, and nothing optional after a push service refused the payload as too large."""

from __future__ import annotations

from typing import Any

import msgspec

from api.db.push import DueJob
from api.push.payload import TEXT_PREVIEW_MAX, build


def job(level: str, kind: str = "text", **change: Any) -> DueJob:
    fields: dict[str, Any] = {
        "id": 7,
        "subscription_id": 3,
        "attempts": 0,
        "message_id": 41,
        "ttl_seconds": 60,
        "urgency": "high" if kind == "cue" else "normal",
        "topic": None,
        "expires_at": 0,
        "shrink": 0,
        "endpoint": "https://push.example/x",
        "p256dh": "k",
        "auth": "a",
        "push_level": level,
        "channel_id": 5,
        "kind": kind,
        "text": "Hold at 4.2" if kind == "text" else None,
        "cue": "wrap_up" if kind == "cue" else None,
        "sender_id": 2,
        "team_id": 1,
        "channel_name": "Everyone",
        "sender_name": "Ana",
        "cue_label": "Wrap up" if kind == "cue" else None,
        "cue_rhythm": "[200,200,600]" if kind == "cue" else None,
    }
    return msgspec.convert(fields | change, DueJob)


def said(job: DueJob, *, shrink: bool = False) -> dict[str, Any]:
    payload: dict[str, Any] = msgspec.json.decode(build(job, shrink=shrink))
    return payload


def test_hidden_names_no_sender_no_cue_and_no_text() -> None:
    assert said(job("hidden")) == {
        "title": "New message",
        "body": "",
        "tag": "channel-5",
        "url": "/channels/5",
        "message_id": 41,
        "channel_id": 5,
        "team_id": 1,
        "kind": "text",
        "urgency": "normal",
        "renotify": False,
    }
    cue = said(job("hidden", "cue"))
    assert (cue["title"], cue["body"], cue["renotify"], cue["rhythm"]) == ("New cue", "", True, [200, 200, 600])
    assert "cue" not in cue


def test_sender_names_who_sent_it_and_which_cue() -> None:
    assert (said(job("sender"))["title"], said(job("sender"))["body"]) == ("Ana", "sent a message")
    cue = said(job("sender", "cue"))
    assert (cue["title"], cue["body"], cue["cue"]) == ("Ana", "Wrap up", "wrap_up")


def test_full_shows_the_text_up_to_its_preview_length() -> None:
    assert said(job("full"))["body"] == "Hold at 4.2"
    assert said(job("full", text="x" * 5000))["body"] == "x" * TEXT_PREVIEW_MAX
    assert said(job("full", "cue"))["body"] == "Wrap up"  # a cue's text is its label


def test_a_cue_without_a_label_is_named_by_its_code() -> None:
    assert said(job("sender", "cue", cue_label=None))["body"] == "wrap_up"


def test_shrinking_drops_everything_optional_whatever_the_level() -> None:
    assert said(job("full"), shrink=True) == said(job("hidden"))
    shrunk = said(job("full", "cue"), shrink=True)
    assert "rhythm" not in shrunk and "cue" not in shrunk and shrunk["title"] == "New cue"
