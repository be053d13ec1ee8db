"""The outbox outlives the page: the service worker's Background Sync sends it; a revoked session asks to log in."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.conftest import Api, Phone
from tests.server import ServerProcess


def test_background_sync_sends_the_outbox_after_the_app_is_closed(
    api: Api, phone: Callable[[], Phone], server: ServerProcess
) -> None:
    team = api.team()
    me = phone()
    me.context.grant_permissions(["notifications", "background-sync"])
    me.login(team.owner)
    me.open_channel("Everyone")
    page = me.page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    me.context.set_offline(True)
    page.get_by_role("textbox", name="Message").fill("Sent by the service worker")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator('li.msg.mine[data-state="queued"]')).to_have_count(1)
    page.close()  # the app is gone; only the service worker is left

    me.context.set_offline(False)
    # Chromium fires the sync event when it sees the network again; on a loaded machine (the whole suite on two
    # cores) that took over 10 s once. Polled, so it costs nothing when it is quick.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _texts(server, team.channels["Everyone"]):
        time.sleep(0.2)
    assert _texts(server, team.channels["Everyone"]) == ["Sent by the service worker"]


def test_a_revoked_session_goes_back_to_the_login_screen_and_leaves_nothing_behind(
    api: Api, phone: Callable[[], Phone]
) -> None:
    """The owner signs out a lost phone from another device: its cached history goes with the session."""
    team = api.team()
    secret = "Our walk-away is 4.0"
    api.call(
        team.owner,
        "POST",
        f"/api/channels/{team.channels['Everyone']}/messages",
        {"client_id": str(uuid.uuid4()), "kind": "text", "text": secret},
    )
    me = phone()
    me.login(team.owner)
    me.open_channel("Everyone")
    expect(me.page.locator("ol.messages")).to_contain_text(secret)
    sessions = api.call(team.owner, "GET", "/api/sessions")
    browser_session = next(s for s in sessions if not s["current"])
    api.call(team.owner, "DELETE", f"/api/sessions/{browser_session['id']}")  # closes the live socket with 4401
    expect(me.page.get_by_role("button", name="Log in")).to_be_visible()
    expect(me.page.get_by_role("status").filter(has_text="Please log in again")).to_be_visible()
    assert me.forgets(team.channels["Everyone"], secret)
    me.context.set_offline(True)  # what the phone alone still shows
    me.page.goto(f"{me.base}/")
    expect(me.page.get_by_role("button", name="Log in")).to_be_visible()
    assert secret not in me.page.content()
    me.context.set_offline(False)
    # Requests in flight at the revocation are answered 401 (the browser logs those); nothing else may fail.
    assert [e for e in me.errors if "status of 401" not in e] == []


def _texts(server: ServerProcess, channel_id: int) -> list[str]:
    with sqlite3.connect(server.database) as db:
        rows = db.execute("SELECT text FROM messages WHERE channel_id = ? ORDER BY id", (channel_id,)).fetchall()
    return [str(text) for (text,) in rows]
