"""Issue 13, the source's side (docs/sources.md): a source opens its single-use link on its own phone, talks with its
handler only (offline sends queued and sent once), sees nothing of the team, and once the handler ends the contact
its phone keeps nothing of it."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Request, expect

from tests.e2e.conftest import Api, ApiTeam, Phone, User
from tests.e2e.test_push import FAKE_PUSH, NOTIFICATIONS, _registration
from tests.push_service import PUSH_ENV, PushService
from tests.server import ServerProcess

SHOTS = Path("/tmp/guest-shots")
# Never on a guest's screen.
TEAM_WORDS = re.compile(r"Acme|Kestrel|Backchannel|team|channel|\bcues?\b|intel|Finance", re.I)
GUEST_ROUTES = re.compile(r"/api/(contact|channels/\d+/(messages|read)|live|sync|push/)")


def kept(page: Page, key: str) -> str:
    """What the app keeps on the device under `key` (IndexedDB), as JSON ("null" when nothing)."""
    script = "async (k) => JSON.stringify((await (await import('/js/db.js')).kv.get(k)) ?? null)"
    return str(page.evaluate(script, key))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, push_service: PushService) -> Iterator[ServerProcess]:
    """This module's own server: it may post to the local push service on loopback."""
    process = ServerProcess(tmp_path_factory.mktemp("source-e2e"), **PUSH_ENV).start()
    push_service.vapid_key = httpx.get(f"{process.url}/api/push/key").json()["key"]
    yield process
    process.stop()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")


def add_source(api: Api, team: ApiTeam, handler: User, pseudonym: str = "Kestrel") -> dict[str, Any]:
    body = {"pseudonym": pseudonym, "notes": "Finance deputy; met at the Lyon round"}
    source: dict[str, Any] = api.call(handler, "POST", f"/api/teams/{team.id}/sources", body)
    assert source["link"]["token"]
    return source


def say(api: Api, user: User, channel_id: int, text: str) -> None:
    body = {"client_id": str(uuid.uuid4()), "kind": "text", "text": text}
    api.call(user, "POST", f"/api/channels/{channel_id}/messages", body)


def texts(api: Api, user: User, channel_id: int) -> list[str]:
    page = api.call(user, "GET", f"/api/channels/{channel_id}/messages?limit=50")
    return [m["text"] for m in page["messages"]]


def clean(page: Page) -> None:
    """Nothing of the team on the guest's screen: not its name, the pseudonym, the notes, nor its words."""
    shown = page.locator("body").inner_text()
    assert not TEAM_WORDS.search(shown), shown
    assert not TEAM_WORDS.search(page.title()), page.title()


def test_a_source_joins_talks_offline_and_keeps_nothing_once_it_ends(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(members=("Alex Handler",))
    handler = team.members[0]
    source = add_source(api, team, handler)
    guest = phone()
    page = guest.page
    team_calls: list[str] = []

    def watch(request: Request) -> None:
        path = request.url.split(guest.base, 1)[-1]
        if path.startswith("/api/") and not GUEST_ROUTES.match(path):
            team_calls.append(path)

    page.on("request", watch)
    refused: list[str] = []
    page.on("response", lambda r: refused.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto(f"/contact/{source['link']['token']}")
    expect(page.get_by_role("heading", name="A private conversation")).to_be_visible()
    clean(page)
    shot(page, "1-link")
    guest.shots("source-link")  # named controls, contrast, axe: at 390 and 1280 px
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name="Alex Handler")).to_be_visible()
    assert page.url == f"{guest.base}/"  # the token leaves the address bar
    guest.wait_live()
    channel_id = api.call(handler, "GET", f"/api/sources/{source['id']}")["channel_id"]

    composer = page.get_by_role("textbox", name="Message")
    composer.fill("They will move on price by Friday")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("li.msg.mine", has_text="move on price")).to_be_visible()
    expect(page.locator('li.msg.mine[data-state="queued"]')).to_have_count(0)
    assert texts(api, handler, channel_id) == ["They will move on price by Friday"]

    say(api, handler, channel_id, "Thanks. Who decides?")
    reply = page.locator("li.msg.theirs", has_text="Who decides?")
    expect(reply).to_be_visible()
    expect(reply.locator(".who")).to_have_text("Alex Handler")

    # Offline: queued on the phone, sent once when back.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    guest.context.set_offline(True)
    expect(page.locator('.live[data-state="offline"]')).to_be_attached()
    composer.fill("The CFO, not the CEO")
    page.get_by_role("button", name="Send", exact=True).click()
    queued = page.locator('li.msg.mine[data-state="queued"]')
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text("Queued")
    shot(page, "3-offline-queued")
    guest.context.set_offline(False)
    expect(queued).to_have_count(0)
    expect(page.locator("li.msg.mine", has_text="The CFO")).to_be_visible()
    guest.wait_live()
    page.wait_for_timeout(500)  # any second send would be in by now
    assert texts(api, handler, channel_id).count("The CFO, not the CEO") == 1
    clean(page)
    shot(page, "2-conversation")
    guest.shots("source-conversation")

    # Reopened, it paints from the phone and catches up, still with no team route.
    page.reload()
    expect(page.locator("li.msg.theirs", has_text="Who decides?")).to_be_visible()
    guest.wait_live()
    page.get_by_role("button", name="Options").click()
    expect(page.get_by_role("button", name="Leave this conversation on this phone")).to_be_visible()
    clean(page)
    shot(page, "4-options")
    assert team_calls == [], team_calls
    assert refused == [], refused  # every guest route it called answered
    assert "Who decides?" in kept(page, f"m:{channel_id}")

    # The handler ends it: the phone says so, calmly, and keeps nothing.
    api.call(handler, "DELETE", f"/api/sources/{source['id']}")
    expect(page.get_by_role("heading", name="This conversation has ended.")).to_be_visible()
    expect(page.locator("li.msg")).to_have_count(0)
    clean(page)
    shot(page, "5-ended")
    guest.shots("source-ended")
    page.wait_for_timeout(300)  # a save still pending would be in by now
    assert kept(page, f"m:{channel_id}") == "null" and kept(page, "csrf") == "null"
    state = kept(page, "state")  # nothing, or a state of no one
    assert state == "null" or ('"me":null' in state and '"contact":null' in state and "Alex" not in state), state
    assert page.evaluate("async () => (await (await import('/js/db.js')).outbox.all()).length") == 0
    assert page.evaluate("() => Object.keys(localStorage)") == ["bc-gone"]

    # Opened again: a neutral page, no log-in, no links.
    page.reload()
    expect(page.get_by_role("heading", name="Nothing here.")).to_be_visible()
    expect(page.get_by_role("link")).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_count(0)
    clean(page)
    shot(page, "6-reopened")
    assert team_calls == [], team_calls
    assert [e for e in guest.errors if e.startswith("page error")] == []


def test_a_link_that_no_longer_works_says_why_in_words(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(members=("Alex Handler",))
    handler = team.members[0]
    source = add_source(api, team, handler)
    token = source["link"]["token"]
    first = phone()
    first.page.goto(f"/#/contact/{token}")  # the contract's form of the link
    first.page.get_by_role("button", name="Open").click()
    expect(first.page.get_by_role("heading", name="Alex Handler")).to_be_visible()
    first.wait_live()

    used = phone().page
    used.goto(f"/contact/{token}")
    used.get_by_role("button", name="Open").click()
    expect(used.get_by_role("alert")).to_have_text(re.compile("already used or never existed"))
    expect(used.get_by_role("button", name="Open")).to_be_enabled()
    clean(used)
    shot(used, "7-used-link")

    # A phone signed in to a team is refused, with the server's reason.
    other = add_source(api, team, handler, "Osprey")
    teammate = phone()
    teammate.login(team.owner)
    teammate.page.goto(f"/contact/{other['link']['token']}")
    teammate.page.get_by_role("button", name="Open").click()
    expect(teammate.page.get_by_role("alert")).to_have_text(re.compile("not on one signed in to a team"))
    shot(teammate.page, "8-signed-in")

    # The link tapped again where it was joined (say, in the message it came in) opens the conversation.
    first.page.goto(f"/#/contact/{token}")
    expect(first.page.get_by_role("heading", name="Alex Handler")).to_be_visible()
    assert first.page.url == f"{first.base}/"

    # Ended while the app was closed: opened again, it shows the cached conversation a moment, then the end.
    first.page.goto("about:blank")
    api.call(handler, "DELETE", f"/api/sources/{source['id']}")
    first.page.goto("/")
    expect(first.page.get_by_role("heading", name="This conversation has ended.")).to_be_visible()
    first.page.reload()
    expect(first.page.get_by_role("heading", name="Nothing here.")).to_be_visible()
    assert [e for e in first.errors if e.startswith("page error")] == []


def test_leaving_on_this_phone_signs_it_out_and_wipes_it(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(members=("Alex Handler",))
    handler = team.members[0]
    source = add_source(api, team, handler)
    guest = phone()
    page = guest.page
    page.goto(f"/contact/{source['link']['token']}")
    page.get_by_role("button", name="Open").click()
    guest.wait_live()
    channel_id = api.call(handler, "GET", f"/api/sources/{source['id']}")["channel_id"]
    say(api, handler, channel_id, "Are you there?")
    expect(page.locator("li.msg.theirs", has_text="Are you there?")).to_be_visible()

    # Handed over: the header names the new handler; the earlier one's messages keep their name.
    api.call(handler, "POST", f"/api/sources/{source['id']}/handover", {"user_id": team.owner.id})
    expect(page.get_by_role("heading", name="Olivia Owner")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="answers here")).to_have_text(
        "Olivia Owner answers here now, in place of Alex Handler."
    )
    say(api, team.owner, channel_id, "I take over from Alex")
    expect(page.locator("li.msg.theirs", has_text="I take over").locator(".who")).to_have_text("Olivia Owner")
    expect(page.locator("li.msg.theirs", has_text="Are you there?").locator(".who")).to_have_text("Alex Handler")
    shot(page, "11-handed-over")

    # A new link moves the conversation to a new phone: the old one is signed out and keeps nothing; the new one
    # names the earlier handler too (its `contact` events replay), and shows no team tool.
    link = api.call(team.owner, "POST", f"/api/sources/{source['id']}/link")
    old, guest = guest, phone()
    page = guest.page
    page.goto(f"/#/contact/{link['token']}")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name="Olivia Owner")).to_be_visible()
    guest.wait_live()
    expect(page.locator("li.msg.theirs", has_text="Are you there?").locator(".who")).to_have_text("Alex Handler")
    expect(page.locator("li.msg.theirs", has_text="I take over").locator(".who")).to_have_text("Olivia Owner")
    expect(page.get_by_role("link")).to_have_count(0)
    clean(page)
    shot(page, "12-new-phone")
    expect(old.page.get_by_role("heading", name="This conversation has ended.")).to_be_visible()
    assert kept(old.page, f"m:{channel_id}") == "null"

    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Options").click()
    page.get_by_role("button", name="Leave this conversation on this phone").click()
    expect(page.get_by_role("heading", name="You left this conversation.")).to_be_visible()
    shot(page, "9-left")
    assert page.evaluate("() => Object.keys(localStorage)") == ["bc-gone"]
    assert kept(page, f"m:{channel_id}") == "null" and "Alex" not in kept(page, "state")
    # Its session is gone: the handler can still write, nothing reaches this phone.
    say(api, team.owner, channel_id, "Hello?")
    page.reload()
    expect(page.get_by_role("heading", name="Nothing here.")).to_be_visible()
    assert page.get_by_text("Hello?").count() == 0


def test_a_source_turns_on_notifications_that_say_nothing_and_make_no_sound(
    api: Api, phone: Callable[[], Phone], push_service: PushService
) -> None:
    team = api.team(members=("Alex Handler",))
    handler = team.members[0]
    source = add_source(api, team, handler)
    device, subscription = push_service.new_device()
    guest = phone()
    guest.context.grant_permissions(["notifications", "background-sync"])
    guest.context.add_init_script(FAKE_PUSH % json.dumps(subscription))
    page = guest.page
    page.goto(f"/contact/{source['link']['token']}")
    page.get_by_role("button", name="Open").click()
    guest.wait_live()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    cdp, registration_id = _registration(guest.context, page)
    page.get_by_role("button", name="Options").click()
    page.get_by_role("button", name="Turn on notifications").click()
    expect(page.get_by_role("button", name="Turn off notifications")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Notifications never show what was written.")).to_be_visible()
    clean(page)
    shot(page, "10-notifications-on")
    channel_id = api.call(handler, "GET", f"/api/sources/{source['id']}")["channel_id"]

    page.goto("about:blank")  # the app is closed: no live socket, so the server pushes
    for _ in range(3):  # for a moment the server may still see the open app and skip the push: send again
        say(api, handler, channel_id, "Meet at the usual place")
        try:
            push = push_service.wait_for(device, 1, timeout=3)[0]
            break
        except AssertionError:
            continue
    else:
        raise AssertionError("no push reached the closed app")
    payload = push.payload
    assert (payload["title"], payload["body"]) == ("New message", "")
    assert not re.search("usual place|Kestrel|Alex|Acme", json.dumps(payload)), payload
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": guest.base, "registrationId": registration_id, "data": json.dumps(payload)},
    )
    shown: list[dict[str, Any]] = []
    for _ in range(50):
        cdp.send("ServiceWorker.startWorker", {"scopeURL": f"{guest.base}/"})
        workers = guest.context.service_workers
        try:
            shown = list(workers[-1].evaluate(NOTIFICATIONS)) if workers else []
        except PlaywrightError:  # the worker was idle and stopped: it comes back as a new one
            shown = []
        if shown:
            break
        guest.page.wait_for_timeout(100)
    assert [(n["title"], n["body"], n["silent"]) for n in shown] == [("New message", "", True)]
