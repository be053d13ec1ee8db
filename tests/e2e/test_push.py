"""Issue 4 in the browser: buzz me when the app is closed (Web Push), "Got it" from the notification.

The pushes are real: the server encrypts them for a local push service (tests/push_service.py), which
verifies and decrypts them; the decrypted payload is then handed to the service worker with CDP
`ServiceWorker.deliverPushMessage`, as a phone's push service would. Chromium cannot subscribe to a
real push service here, so where a test needs a subscription the page's `PushManager` answers with the
local push service's device (FAKE_PUSH); the tests of a failing subscribe use the real one.
Headless Chromium cannot click a notification (web-platform-tests/wpt#51125): the tests run the
service worker's own `notificationClicked(notification, action)`, which its `notificationclick`
listener forwards to, with a real notification from `registration.getNotifications()`.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, CDPSession, Page, Playwright, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e import a11y
from tests.e2e.conftest import ARGS, CHROMIUM, PHONE, Api, Phone, User, watch_console
from tests.push_service import PUSH_ENV, Device, PushService
from tests.server import ServerProcess

SWITCH = "Buzz me when the app is closed"
# Chromium's own line when a page in an incognito context subscribes; no page can prevent or detect it.
INCOGNITO_PUSH = "does not support the Push API in incognito mode"
# The page's PushManager, answering with a subscription of the local push service. It lives in
# localStorage, as a browser keeps its subscription across reloads.
FAKE_PUSH = """
(() => {
  const SUB = %s;
  const KEY = '__fakePushSubscription';
  window.__push = [];
  const make = () => ({
    endpoint: SUB.endpoint,
    expirationTime: null,
    options: { userVisibleOnly: true, applicationServerKey: null },
    toJSON: () => ({ endpoint: SUB.endpoint, expirationTime: null, keys: SUB.keys }),
    unsubscribe: async () => { localStorage.removeItem(KEY); window.__push.push('unsubscribe'); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    const b64 = btoa(String.fromCharCode(...key)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    window.__push.push('subscribe ' + b64 + ' ' + options.userVisibleOnly);
    localStorage.setItem(KEY, '1');
    return make();
  };
  PushManager.prototype.getSubscription = async function () { return localStorage.getItem(KEY) ? make() : null; };
})();
"""
NOTIFICATIONS = """async () => {
  return (await self.registration.getNotifications()).map((n) => ({
    title: n.title, body: n.body, tag: n.tag, vibrate: [...n.vibrate], data: n.data, renotify: n.renotify,
    silent: n.silent, actions: n.actions.map((a) => ({ action: a.action, title: a.title })),
  }));
}"""
# What the notificationclick listener does, run in the service worker on a shown notification (not
# awaited: offline, "Got it" keeps the worker busy retrying, as event.waitUntil() would).
CLICK = """async ({ tag, action }) => {
  const [notification] = await self.registration.getNotifications({ tag });
  notificationClicked(notification, action).catch(() => {});
}"""
# The outbox as the service worker sees it (its own IndexedDB helpers).
OUTBOX = """async () => {
  const db = await idb();
  try { return await op(db, 'outbox', 'readonly', (s) => s.getAll()); } finally { db.close(); }
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, push_service: PushService) -> Iterator[ServerProcess]:
    """This module's own server: it may post to the local push service on loopback."""
    process = ServerProcess(tmp_path_factory.mktemp("push-e2e"), **PUSH_ENV).start()
    push_service.vapid_key = httpx.get(f"{process.url}/api/push/key").json()["key"]
    yield process
    process.stop()


@dataclass
class Buzzing:
    """A member's phone with buzzing turned on in settings, and what it takes to push to it."""

    phone: Phone
    me: User
    owner: User
    everyone: int
    device: Device
    subscription: dict[str, Any]
    cdp: CDPSession
    registration_id: str
    delivered: list[dict[str, Any]] = field(default_factory=list)  # the payloads handed to its service worker


def buzzing_phone(api: Api, phone: Callable[[], Phone], push_service: PushService) -> Buzzing:
    team = api.team(members=("Marc Member",))
    device, subscription = push_service.new_device()
    me = phone()
    me.context.grant_permissions(["notifications", "background-sync"])
    me.context.add_init_script(FAKE_PUSH % json.dumps(subscription))
    me.login(team.members[0])
    page = me.page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp, registration_id = _registration(me.context, page)

    _open_settings(page)
    switch = page.get_by_role("switch", name=SWITCH)
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    expect(page.get_by_role("status").filter(has_text="On: cues reach this phone")).to_be_visible()
    return Buzzing(
        me, team.members[0], team.owner, team.channels["Everyone"], device, subscription, cdp, registration_id
    )


def test_a_pushed_cue_shows_a_notification_with_its_tag_rhythm_and_data(
    api: Api, phone: Callable[[], Phone], server: ServerProcess, push_service: PushService
) -> None:
    b = buzzing_phone(api, phone, push_service)
    page = b.phone.page
    key = api.call(b.me, "GET", "/api/push/key")["key"]
    assert page.evaluate("window.__push") == [f"subscribe {key} true"]  # the server's key, user-visible only
    assert _subscriptions(server, b.me) == [b.subscription["endpoint"]]

    push = _push_cue(b, api, push_service, "stop_call_me")
    sent_id, rhythm = push["message_id"], [600, 200, 600, 200, 600]
    (shown,) = _wait_notifications(b)
    assert shown == {
        "title": "New cue",  # the default level names nothing
        "body": "",
        "tag": f"channel-{b.everyone}",
        "vibrate": rhythm,  # the cue's own rhythm, as the server sent it
        "data": {"url": f"/channels/{b.everyone}", "message_id": sent_id, "channel_id": b.everyone, "kind": "cue"},
        "renotify": True,
        "silent": False,
        "actions": [{"action": "ack", "title": "Got it"}],
    }
    assert push["rhythm"] == rhythm and push_service.errors == []

    # A text push replaces the channel's notification (same tag) and offers no "Got it".
    before = len(push_service.received(b.device))
    api.call(b.owner, "POST", f"/api/channels/{b.everyone}/messages", _body(text="Their CFO left"))
    text_push = push_service.wait_for(b.device, before + 1)[before]
    _deliver(b, text_push.payload)
    (shown,) = _wait_notifications(b, lambda notifications: [n["title"] for n in notifications] == ["New message"])
    assert shown["tag"] == f"channel-{b.everyone}" and shown["actions"] == [] and shown["vibrate"] == []
    assert shown["data"]["kind"] == "text" and "CFO" not in json.dumps(shown)

    # Opening the channel in the app clears its notification.
    page.goto(f"/c/{b.everyone}")
    expect(page.locator("li.msg.theirs").filter(has_text="Their CFO left")).to_be_visible()
    _wait_for(lambda: _notifications(b) == [])
    assert b.phone.errors == []


def test_got_it_on_the_notification_acks_the_cue_online_and_later_when_offline(
    api: Api, phone: Callable[[], Phone], server: ServerProcess, push_service: PushService
) -> None:
    b = buzzing_phone(api, phone, push_service)
    page, context = b.phone.page, b.phone.context
    tag = f"channel-{b.everyone}"

    first = _push_cue(b, api, push_service, "let_me_talk")["message_id"]
    _wait_notifications(b)
    _in_worker(b, CLICK, {"tag": tag, "action": "ack"})
    assert _notifications(b) == []  # the action closes it
    _wait_for(lambda: _acks(server, first) == [b.me.id])
    listed = api.call(b.owner, "GET", f"/api/channels/{b.everyone}/messages")["messages"]
    assert [a["user_id"] for m in listed if m["id"] == first for a in m["acks"]] == [b.me.id]
    assert _in_worker(b, OUTBOX) == []

    # Offline, "Got it" waits in the outbox (once, however often it is tapped) and goes on reconnect.
    payload = _push_cue(b, api, push_service, "wrap_up")
    second = payload["message_id"]
    _wait_notifications(b)
    context.set_offline(True)
    _in_worker(b, CLICK, {"tag": tag, "action": "ack"})
    _wait_for(lambda: _in_worker(b, OUTBOX) != [])
    _deliver(b, payload)  # the same cue shown again, and "Got it" tapped again
    _wait_notifications(b)
    _in_worker(b, CLICK, {"tag": tag, "action": "ack"})
    _wait_for(lambda: _notifications(b) == [])
    page.wait_for_timeout(500)
    queued = _in_worker(b, OUTBOX)
    assert [(i["kind"], i["message_id"], i["state"], i["uid"]) for i in queued] == [("ack", second, "queued", b.me.id)]
    assert _acks(server, second) == []
    context.set_offline(False)  # the service worker sends it on reconnect, with no app open
    _wait_for(lambda: _acks(server, second) == [b.me.id])
    _wait_for(lambda: _in_worker(b, OUTBOX) == [])
    with sqlite3.connect(server.database) as db:
        events = db.execute("SELECT COUNT(*) FROM events WHERE type = 'ack' AND channel_id = ?", (b.everyone,))
        assert events.fetchone()[0] == 2  # one event per ack: nothing sent twice

    # The app shows both acks when it opens.
    page.goto(f"/c/{b.everyone}")
    expect(page.locator("li.msg.theirs").filter(has_text="You: got it")).to_have_count(2)
    expect(page.get_by_role("alertdialog")).to_be_hidden()  # nothing left to answer
    assert b.phone.errors == []


def test_a_tap_on_the_notification_opens_its_channel(
    api: Api, phone: Callable[[], Phone], push_service: PushService
) -> None:
    b = buzzing_phone(api, phone, push_service)
    page = b.phone.page
    page.goto("/")
    b.phone.wait_live()
    payload = {
        "title": "New cue", "body": "", "tag": f"channel-{b.everyone}", "url": f"/channels/{b.everyone}",
        "message_id": 1, "channel_id": b.everyone, "team_id": 1, "kind": "cue", "urgency": "normal",
        "renotify": True, "rhythm": [300],
    }  # fmt: skip
    _deliver(b, payload)
    _wait_notifications(b)
    _in_worker(b, CLICK, {"tag": payload["tag"], "action": ""})
    expect(page).to_have_url(re.compile(rf"/c/{b.everyone}$"))
    expect(page.get_by_role("group", name="Cue pad")).to_be_visible()
    # The payload's link also works as a deep link of its own.
    page.goto(f"/channels/{b.everyone}")
    expect(page).to_have_url(re.compile(rf"/c/{b.everyone}$"))
    assert b.phone.errors == []


def test_the_app_re_registers_a_subscription_the_server_forgot_and_off_unsubscribes(
    api: Api, phone: Callable[[], Phone], server: ServerProcess, push_service: PushService
) -> None:
    b = buzzing_phone(api, phone, push_service)
    page = b.phone.page
    endpoint = b.subscription["endpoint"]
    api.call(b.me, "DELETE", "/api/push/subscriptions", {"endpoint": endpoint})
    assert _subscriptions(server, b.me) == []
    page.reload()  # launch: the browser still has it, the server does not: register it again
    _wait_for(lambda: _subscriptions(server, b.me) == [endpoint])
    switch = page.get_by_role("switch", name=SWITCH)
    expect(switch).to_have_attribute("aria-checked", "true")

    switch.click()
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(page.get_by_role("status").filter(has_text="Off: cues buzz only while the app is open")).to_be_visible()
    assert _subscriptions(server, b.me) == []
    assert page.evaluate("window.__push") == ["unsubscribe"]  # the log restarted with the reload

    # The service worker's pushsubscriptionchange path: the new subscription reaches the server.
    _, renewed = push_service.new_device()
    _in_worker(
        b,
        "async (sub) => resubscribed({ oldSubscription: null, newSubscription: { toJSON: () => sub } })",
        renewed,
    )
    assert _subscriptions(server, b.me) == [renewed["endpoint"]]
    assert b.phone.errors == []


def test_a_subscribe_that_hangs_says_so_calmly(
    playwright: Playwright, server: ServerProcess, api: Api, tmp_path: Path
) -> None:
    # A real profile (not incognito): Chromium's subscribe() waits for a push service it cannot reach.
    team = api.team()
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, headless=True, args=ARGS, viewport=PHONE, base_url=server.url
    )
    try:
        context.grant_permissions(["notifications", "background-sync"])
        me = Phone(context, context.pages[0] if context.pages else context.new_page(), server.url)
        watch_console(me.page, me.errors)
        me.login(team.owner)
        page = me.page
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        _open_settings(page)
        page.evaluate("import('/js/push.js').then((m) => { m.limits.subscribeMs = 1500; })")  # 10 s in the app
        _expect_calm_failure(page)
        a11y.check(page)
        me.shot("12-settings-push-unreachable")
        assert _subscriptions(server, team.owner) == []
        assert me.errors == []
    finally:
        context.close()


def test_a_subscribe_that_fails_says_so_calmly(api: Api, phone: Callable[[], Phone], server: ServerProcess) -> None:
    # An ordinary (incognito) context: Chromium's subscribe() rejects at once (AbortError).
    team = api.team()
    me = phone()
    me.context.grant_permissions(["notifications", "background-sync"])
    me.login(team.owner)
    me.page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    _open_settings(me.page)
    _expect_calm_failure(me.page)
    assert _subscriptions(server, team.owner) == []
    assert [e for e in me.errors if INCOGNITO_PUSH not in e] == []  # nothing from the app


def test_the_notification_level_round_trips_through_the_server(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team()
    me = phone()
    me.login(team.owner)
    page = me.page
    _open_settings(page)
    levels = page.get_by_role("group", name="What a notification shows")
    expect(levels.get_by_role("radio", name=re.compile("^Nothing sensitive"))).to_be_checked()

    levels.get_by_role("radio", name=re.compile("^Sender and cue")).check()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    assert api.call(team.owner, "GET", "/api/push/level") == {"level": "sender"}

    api.call(team.owner, "PUT", "/api/push/level", {"level": "full"})  # from another device
    page.reload()
    expect(levels.get_by_role("radio", name=re.compile("^Full text"))).to_be_checked()

    # Offline the choice cannot be saved: it snaps back and says why.
    me.wait_live()
    page.wait_for_load_state("networkidle")  # no request of the launch left in flight to fail
    me.context.set_offline(True)
    levels.get_by_role("radio", name=re.compile("^Nothing sensitive")).click()
    expect(page.get_by_role("status").filter(has_text="You are offline")).to_be_visible()
    expect(levels.get_by_role("radio", name=re.compile("^Full text"))).to_be_checked()
    me.context.set_offline(False)
    assert api.call(team.owner, "GET", "/api/push/level") == {"level": "full"}
    page.wait_for_timeout(350)
    a11y.check(page)
    page.screenshot(path=me.shot("13-settings-push").with_name("13-settings-push-full.png"), full_page=True)
    assert me.errors == []


# --- helpers ---------------------------------------------------------------------------------------
def _open_settings(page: Page) -> None:
    page.get_by_role("link", name="Settings", exact=True).first.click()
    expect(page.get_by_role("heading", name="When the app is closed")).to_be_visible()


def _expect_calm_failure(page: Page) -> None:
    switch = page.get_by_role("switch", name=SWITCH)
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(switch).to_be_enabled()
    switch.click()
    calm = page.get_by_role("status").filter(has_text="push service did not answer")
    expect(calm).to_have_text(re.compile("buzzes stay off for now.*Cues still buzz while the app is open"))
    expect(page.get_by_role("alert")).to_have_count(0)  # a note, not an alarm
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(switch).to_be_enabled()  # try again later


def _registration(context: BrowserContext, page: Page) -> tuple[CDPSession, str]:
    cdp = context.new_cdp_session(page)
    seen: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: seen.extend(e["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # CDP events arrive while Playwright runs, not during time.sleep
        if any(not r["isDeleted"] for r in seen):
            break
        page.wait_for_timeout(100)
    return cdp, next(r["registrationId"] for r in seen if not r["isDeleted"])


def _body(text: str | None = None, cue: str | None = None) -> dict[str, Any]:
    body = {"client_id": str(uuid.uuid4()), "kind": "cue" if cue else "text"}
    body["cue" if cue else "text"] = cue or text or ""
    return body


def _push_cue(b: Buzzing, api: Api, service: PushService, cue: str) -> dict[str, Any]:
    """The teammate sends a cue while this phone's app is closed; its push reaches the service worker."""
    b.phone.page.goto("about:blank")  # the app is closed: no live socket, so the server pushes
    before = len(service.received(b.device))
    for _ in range(3):
        # For a moment the server may still see the open app and, by design, skip the push: send again.
        sent = api.call(b.owner, "POST", f"/api/channels/{b.everyone}/messages", _body(cue=cue))
        try:
            push = service.wait_for(b.device, before + 1, timeout=3)[before]
            break
        except AssertionError:
            continue
    else:
        raise AssertionError("no push reached the closed app")
    assert push.payload["message_id"] == sent["id"] and service.errors == []
    _deliver(b, push.payload)
    return push.payload


def _deliver(b: Buzzing, payload: dict[str, Any]) -> None:
    b.delivered.append(payload)
    b.cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": b.phone.base, "registrationId": b.registration_id, "data": json.dumps(payload)},
    )


def _notifications(b: Buzzing) -> list[dict[str, Any]]:
    return list(_in_worker(b, NOTIFICATIONS))


def _wait_notifications(
    b: Buzzing, shown: Callable[[list[dict[str, Any]]], bool] = lambda notifications: notifications != []
) -> list[dict[str, Any]]:
    """The notifications shown once the last push was handed over. CDP's deliverPushMessage now and then drops a
    push handed to a service worker that is starting (about 1 run in 8 here, before any of this app's code runs);
    handing the same push over once more is what a push service's redelivery would do, and its tag replaces."""
    try:
        _wait_for(lambda: shown(_notifications(b)), timeout=5)
    except AssertionError:
        _deliver(b, b.delivered[-1])
        _wait_for(lambda: shown(_notifications(b)), timeout=5)
    return _notifications(b)


def _in_worker(b: Buzzing, expression: str, arg: Any = None) -> Any:
    """Run in the service worker, started first if idle (it then comes back as a new worker)."""
    for _ in range(5):
        b.cdp.send("ServiceWorker.startWorker", {"scopeURL": f"{b.phone.base}/"})
        workers = b.phone.context.service_workers
        if workers:
            try:
                return workers[-1].evaluate(expression, arg)
            except PlaywrightError:
                pass
        b.phone.page.wait_for_timeout(200)
    raise AssertionError("the service worker did not answer")


def _wait_for(check: Callable[[], Any], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def _subscriptions(server: ServerProcess, user: User) -> list[str]:
    with sqlite3.connect(server.database) as db:
        rows = db.execute("SELECT endpoint FROM push_subscriptions WHERE user_id = ? ORDER BY id", (user.id,))
        return [str(endpoint) for (endpoint,) in rows.fetchall()]


def _acks(server: ServerProcess, message_id: int) -> list[int]:
    with sqlite3.connect(server.database) as db:
        rows = db.execute("SELECT user_id FROM acks WHERE message_id = ?", (message_id,)).fetchall()
        return [int(user_id) for (user_id,) in rows]
