"""Browser fixtures: Debian's chromium driven by Playwright (sync API), against a real server process."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.client import PASSWORD, fake_address
from tests.e2e import a11y
from tests.server import ROOT, ServerProcess

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
ARTIFACTS = ROOT / "test-artifacts"
# Records every navigator.vibrate() call, then lets the real one run.
VIBRATION_SPY = """
(() => {
  window.__vibrations = [];
  const real = Navigator.prototype.vibrate;
  Navigator.prototype.vibrate = function (pattern) {
    window.__vibrations.push(pattern);
    return real ? real.call(this, pattern) : true;
  };
})();
"""


@dataclass
class User:
    id: int
    username: str
    display_name: str
    token: str
    csrf: str
    address: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Forwarded-For": self.address}


@dataclass
class ApiTeam:
    id: int
    owner: User
    leads: list[User]
    members: list[User]
    channels: dict[str, int] = field(default_factory=dict)


class Api:
    """Sync helpers over the public API for arranging a test (the browser does the acting)."""

    def __init__(self, server: ServerProcess) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=10)

    def sign_up(self, display_name: str) -> User:
        username = f"{re.sub(r'[^a-z]', '', display_name.lower())[:12]}{uuid.uuid4().hex[:6]}"
        address = fake_address()
        body = {"username": username, "password": PASSWORD, "display_name": display_name}
        response = self.http.post("/api/accounts", json=body, headers={"X-Forwarded-For": address})
        assert response.status_code == 201, response.text
        data = response.json()
        self.http.cookies.clear()
        return User(data["user"]["id"], username, display_name, data["token"], data["csrf_token"], address)

    def call(self, user: User, method: str, path: str, json: Any = None) -> Any:
        response = self.http.request(method, path, json=json, headers=user.headers)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def team(self, owner: str = "Olivia Owner", leads: tuple[str, ...] = (), members: tuple[str, ...] = ()) -> ApiTeam:
        boss = self.sign_up(owner)
        team_id = self.call(boss, "POST", "/api/teams", {"name": "Acme acquisition"})["id"]
        team = ApiTeam(team_id, boss, [], [])
        for role, names, bucket in (("lead", leads, team.leads), ("member", members, team.members)):
            for name in names:
                person = self.sign_up(name)
                invite = self.call(boss, "POST", f"/api/teams/{team_id}/invites", {"role": role, "max_uses": 1})
                self.call(person, "POST", f"/api/invites/{invite['token']}/accept")
                bucket.append(person)
        channels = self.call(boss, "GET", f"/api/teams/{team_id}/channels")
        team.channels = {c["name"]: c["id"] for c in channels}
        return team


@dataclass
class Phone:
    """One person's browser context and page, with the console errors it logged."""

    context: BrowserContext
    page: Page
    base: str
    errors: list[str] = field(default_factory=list)

    def login(self, user: User) -> None:
        page = self.page
        page.goto(f"{self.base}/login")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("navigation", name="Channels").wait_for()

    def open_channel(self, name: str) -> None:
        self.page.get_by_role("navigation", name="Channels").get_by_role("link", name=re.compile(name)).click()
        self.page.get_by_role("group", name="Cue pad").get_by_role("button").first.wait_for()
        self.wait_live()

    def wait_live(self) -> None:
        self.page.locator('.live[data-state="live"]').first.wait_for(state="attached")

    def forgets(self, channel_id: int, text: str) -> bool:
        """Whether the device's cache of a channel's history (IndexedDB) is without the text, once the app has
        saved: it saves a moment after a change."""
        script = "async (key) => JSON.stringify(await (await import('/js/db.js')).kv.get(key))"
        for _ in range(50):
            if text not in str(self.page.evaluate(script, f"m:{channel_id}")):
                return True
            time.sleep(0.1)
        return False

    def vibrations(self) -> list[Any]:
        return list(self.page.evaluate("window.__vibrations"))

    def shot(self, name: str, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=path, full_page=full_page)
        return path

    def shots(self, name: str, full_page: bool = False) -> None:
        """The screen as it is, at 390x844 then 1280x800 (NAME-390.png, NAME-1280.png), each checked for named
        controls, AA contrast and axe-core's rules (tests/e2e/a11y.py); then back at the size it had. Across
        1024 px, home and channels are drawn anew: the wide layout, the list beside the open channels."""
        size = self.page.viewport_size
        for viewport in (PHONE, DESKTOP):
            self.page.set_viewport_size(viewport)
            self.page.wait_for_timeout(350)  # a layout drawn anew
            a11y.settle(self.page)
            self.shot(f"{name}-{viewport['width']}", full_page)  # first: axe may scroll what it looks at
            a11y.check(self.page)
        if size and size != DESKTOP:
            self.page.set_viewport_size(size)
            self.page.wait_for_timeout(350)  # drawn anew before the test goes on


def watch_console(page: Page, errors: list[str]) -> None:
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
    yield browser
    browser.close()


@pytest.fixture
def api(server: ServerProcess) -> Iterator[Api]:
    helper = Api(server)
    yield helper
    helper.http.close()


@contextmanager
def _windows(browser: Browser, server: ServerProcess, **screen: Any) -> Iterator[Callable[[], Phone]]:
    """A factory of fresh browser contexts of one kind of screen, each with the vibration spy and a console watch,
    closed at the end."""
    made: list[Phone] = []

    def make() -> Phone:
        context = browser.new_context(
            **screen, base_url=server.url, extra_http_headers={"X-Forwarded-For": fake_address()}
        )
        context.add_init_script(VIBRATION_SPY)
        context.set_default_timeout(10_000)
        page = context.new_page()
        result = Phone(context, page, server.url)
        watch_console(page, result.errors)
        made.append(result)
        return result

    yield make
    for p in made:
        p.context.close()


@pytest.fixture
def phone(browser: Browser, server: ServerProcess) -> Iterator[Callable[[], Phone]]:
    """A factory of phones (fresh browser contexts at 390x844), closed after the test."""
    with _windows(browser, server, viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True) as make:
        yield make


@pytest.fixture
def desk(browser: Browser, server: ServerProcess) -> Iterator[Callable[[], Phone]]:
    """A factory of desktop windows (1280x800, a mouse, no touch), closed after the test."""
    with _windows(browser, server, viewport=DESKTOP) as make:
        yield make
