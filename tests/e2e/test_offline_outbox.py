"""Acceptance 3: sends made offline survive a reload and arrive exactly once, in order, when back online."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.conftest import Api, Phone
from tests.server import ServerProcess

SENDS = [
    ("text", "Hold at 4.2 until they blink"),
    ("cue", "Slow down"),
    ("text", "Their CFO keeps checking her phone"),
    ("cue", "Wrap up"),
    ("text", "Ask about the escrow"),
]


def test_offline_sends_survive_a_reload_and_arrive_once_in_order(
    api: Api, phone: Callable[[], Phone], server: ServerProcess
) -> None:
    team = api.team(members=("Marc Member",))
    everyone = team.channels["Everyone"]
    sender, receiver = phone(), phone()
    sender.login(team.members[0])
    receiver.login(team.owner)
    sender.open_channel("Everyone")
    receiver.open_channel("Everyone")
    page = sender.page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    sender.context.set_offline(True)
    expect(page.locator('.live[data-state="offline"]')).to_be_attached()
    composer = page.get_by_role("textbox", name="Message")
    for kind, body in SENDS:
        if kind == "text":
            composer.fill(body)
            page.get_by_role("button", name="Send", exact=True).click()
        else:
            page.get_by_role("button", name=f"Send cue: {body}").click()
    queued = page.locator('li.msg.mine[data-state="queued"]')
    expect(queued).to_have_count(5)

    page.reload()  # offline: the shell comes from the service worker, the outbox from IndexedDB
    expect(queued).to_have_count(5)
    expect(queued.first).to_contain_text(SENDS[0][1])
    expect(queued.last).to_contain_text(SENDS[-1][1])
    assert _stored(server, everyone) == []

    sender.context.set_offline(False)
    mine = page.locator('li.msg.mine[data-state="sent"], li.msg.mine[data-state="delivered"]')
    expect(mine).to_have_count(5)

    theirs = receiver.page.locator("li.msg.theirs")
    expect(theirs).to_have_count(5)
    expect(page.locator('li.msg.mine[data-state="delivered"]')).to_have_count(5)  # the receiver's receipt
    time.sleep(1.0)  # a duplicate would arrive late: give it the chance
    expect(theirs).to_have_count(5)
    shown = [re.sub(r"\s+", " ", t) for t in theirs.locator(".text, .cue-label").all_inner_texts()]
    assert shown == [body for _, body in SENDS]

    stored = _stored(server, everyone)
    assert [(kind, text or cue) for kind, text, cue in stored] == [
        ("text", SENDS[0][1]),
        ("cue", "slow_down"),
        ("text", SENDS[2][1]),
        ("cue", "wrap_up"),
        ("text", SENDS[4][1]),
    ]
    assert receiver.errors == [] and sender.errors == []  # offline, the app makes no doomed requests


def _stored(server: ServerProcess, channel_id: int) -> list[tuple[str, str | None, str | None]]:
    with sqlite3.connect(server.database) as db:
        rows = db.execute("SELECT kind, text, cue FROM messages WHERE channel_id = ? ORDER BY id", (channel_id,))
        return [(str(k), t, c) for k, t, c in rows.fetchall()]
