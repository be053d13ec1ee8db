"""Web security in real Chromium: hostile text from a teammate renders as text and runs nothing; a page of another
origin cannot write with the victim's cookies or open their live socket; the session cookie is new at every log-in.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.client import PASSWORD, fake_address
from tests.e2e.conftest import PHONE, Api, Phone, watch_console
from tests.server import ServerProcess

# Each would run `alert(1)` (or load something) if it reached the DOM as markup, a URL or a template.
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    "'><img src=x onerror=alert(1)>",
    "</p></li></ul><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<a href=javascript:alert(1)>tap here</a>",
    "<details open ontoggle=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<style>*{display:none}</style>",
    "<base href=//127.0.0.2/>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "&lt;b&gt;entities stay entities&lt;/b&gt; &amp; <b>tags stay tags</b>",
    "${alert(1)} {{constructor.constructor('alert(1)')()}}",
    "\u202e<img src=x onerror=alert(1)>",
]
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_CHANNEL = '"><svg onload=alert(1)>'
HOSTILE_LABEL = "<script>alert(1)</script>"


def _phone(browser: Browser, server: ServerProcess, *, bypass_csp: bool = False) -> Phone:
    """Like the `phone` fixture's phones, optionally with the Content-Security-Policy switched off."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        base_url=server.url,
        bypass_csp=bypass_csp,
        extra_http_headers={"X-Forwarded-For": fake_address()},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    phone = Phone(context, page, server.url)
    watch_console(page, phone.errors)
    return phone


def _watch(page: Page) -> tuple[list[str], list[str]]:
    """The dialogs the page opened (dismissed at once) and every URL it requested."""
    dialogs: list[str] = []
    requests: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda request: requests.append(request.url))
    return dialogs, requests


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with CSP", "CSP switched off"])
def test_hostile_text_renders_as_text_and_runs_nothing(
    api: Api, browser: Browser, server: ServerProcess, bypass_csp: bool
) -> None:
    """With the CSP off too: the CSP is the second line; the first is that the app only ever sets text."""
    team = api.team(owner="Olivia Owner", members=(HOSTILE_NAME,))
    owner, mallory = team.owner, team.members[0]
    cues = api.call(owner, "GET", f"/api/teams/{team.id}/cues")["cues"]
    hostile_cue = {"code": "xss", "label": HOSTILE_LABEL, "rhythm": [90, 70, 90, 70, 90, 70, 500], "ttl_seconds": 60}
    api.call(owner, "PUT", f"/api/teams/{team.id}/cues", {"cues": [*cues, hostile_cue]})
    api.call(owner, "POST", f"/api/teams/{team.id}/channels", {"name": HOSTILE_CHANNEL, "members": [mallory.id]})

    phone = _phone(browser, server, bypass_csp=bypass_csp)
    try:
        dialogs, requests = _watch(phone.page)
        phone.login(owner)
        page = phone.page
        nav = page.get_by_role("navigation", name="Channels")
        expect(nav).to_contain_text(HOSTILE_CHANNEL)
        phone.open_channel("Everyone")
        expect(page.get_by_role("group", name="Cue pad")).to_contain_text(HOSTILE_LABEL)

        everyone = team.channels["Everyone"]
        sends = [{"kind": "text", "text": text} for text in PAYLOADS] + [{"kind": "cue", "cue": "xss"}]
        for send in sends:
            api.call(mallory, "POST", f"/api/channels/{everyone}/messages", {"client_id": str(uuid.uuid4()), **send})

        alert = page.get_by_role("alertdialog")  # the app's own cue alert, not window.alert
        expect(alert.get_by_role("heading")).to_have_text(HOSTILE_LABEL)
        _assert_rendered_as_text(page)
        page.goto(f"/c/{everyone}")  # again from history, not from the live socket
        _assert_rendered_as_text(page)
        page.goto("/team")
        expect(page.locator("main")).to_contain_text(HOSTILE_NAME)

        assert dialogs == []
        assert not [url for url in requests if url.endswith("/x")], requests  # no <img src=x> was ever made
        assert not [url for url in requests if not url.startswith(server.url)], requests
        assert phone.errors == []
    finally:
        phone.context.close()


def _assert_rendered_as_text(page: Page) -> None:
    texts = page.locator("li.msg.theirs p.text")
    expect(texts).to_have_count(len(PAYLOADS))
    assert sorted(texts.all_text_contents()) == sorted(PAYLOADS)
    expect(page.locator("li.msg.theirs p.who").first).to_have_text(HOSTILE_NAME)
    # No element came out of any of it: only the app's own markup is in the list.
    assert page.locator("li.msg p.text *, li.msg p.who *, li.msg p.cue-label *").count() == 0
    assert (
        page.locator("main img, main iframe, main script, main style, main details, main base, main meta").count() == 0
    )


# --- another site, the victim's cookies ---------------------------------------------------------------------------


class _Attacker(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        page = self.pages.get(self.path)
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write((page or "").encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _attacker_site(host: str, app: str, channel_id: int) -> Iterator[str]:
    """A page of another origin, on loopback, that tries to act on the app with whatever the browser attaches."""
    form = """<form method="post" action="{app}{path}" enctype="{enctype}">
      <input name='{{"name": "pwned-form", "x": "' value='"}}'></form><script>document.forms[0].submit()</script>"""
    pages = {
        "/": "<!doctype html><title>Totally unrelated</title>",
        "/form-text": form.format(app=app, path="/api/teams", enctype="text/plain"),
        "/form-urlencoded": form.format(app=app, path="/api/teams", enctype="application/x-www-form-urlencoded"),
        "/form-message": form.format(app=app, path=f"/api/channels/{channel_id}/messages", enctype="text/plain"),
    }
    handler = type("Attacker", (_Attacker,), {"pages": pages})
    site = ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{site.server_address[1]}"
    finally:
        site.shutdown()
        site.server_close()


ATTACKS = """async ([app, channelId]) => {
  const results = {};
  const team = JSON.stringify({name: 'pwned-fetch'});
  const json = {'Content-Type': 'application/json'};
  const message = JSON.stringify({client_id: crypto.randomUUID(), kind: 'text', text: 'pwned-message'});
  const attempts = {
    'no-cors text/plain': () => fetch(app + '/api/teams',
      {method: 'POST', mode: 'no-cors', credentials: 'include', headers: {'Content-Type': 'text/plain'}, body: team}),
    'no-cors claiming JSON': () => fetch(app + '/api/teams',
      {method: 'POST', mode: 'no-cors', credentials: 'include', headers: json, body: team}),
    'no-cors message': () => fetch(app + `/api/channels/${channelId}/messages`,
      {method: 'POST', mode: 'no-cors', credentials: 'include', body: message}),
    'cors JSON (needs a preflight)': () => fetch(app + '/api/teams',
      {method: 'POST', mode: 'cors', credentials: 'include', headers: json, body: team}),
    'cors read of my teams': () => fetch(app + '/api/teams', {credentials: 'include'}).then((r) => r.text()),
    'beacon': async () => navigator.sendBeacon(app + '/api/teams', new Blob([team], {type: 'text/plain'})),
  };
  for (const [name, attempt] of Object.entries(attempts)) {
    try { results[name] = ['went', String(await attempt())]; } catch (e) { results[name] = ['blocked', String(e)]; }
  }
  return results;
}"""
SOCKET = """(url) => new Promise((resolve) => {
  const frames = [];
  const ws = new WebSocket(url);
  ws.onmessage = (e) => frames.push(e.data);
  ws.onclose = (e) => resolve({code: e.code, frames});
})"""


def _pwned(server: ServerProcess) -> list[Any]:
    with sqlite3.connect(f"file:{server.database}?mode=ro", uri=True) as db:
        teams = db.execute("SELECT name FROM teams WHERE name LIKE 'pwned%'").fetchall()
        messages = db.execute("SELECT text FROM messages WHERE text LIKE 'pwned%'").fetchall()
    return [*teams, *messages]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2"], ids=["same site, other origin", "other site"])
def test_another_site_cannot_act_with_the_victims_cookies(
    api: Api, phone: Callable[[], Phone], server: ServerProcess, host: str
) -> None:
    """127.0.0.1 on another port is the same *site* (so SameSite=Lax cookies go along): only the JSON-only rule and
    the CSRF token stop it. 127.0.0.2 is another site, where the browser also holds the cookies back."""
    team = api.team(owner="Victor Victim")
    victim = phone()
    victim.login(team.owner)
    everyone = team.channels["Everyone"]
    assert _pwned(server) == []

    with _attacker_site(host, server.url, everyone) as attacker:
        page = victim.context.new_page()
        dialogs, _ = _watch(page)
        page.goto(f"{attacker}/")
        results = page.evaluate(ATTACKS, [server.url, everyone])
        assert results["cors JSON (needs a preflight)"][0] == "blocked", results
        assert results["cors read of my teams"][0] == "blocked", results  # no CORS: not even a read
        assert results["no-cors text/plain"][0] == "went", results  # sent, and refused by the server

        for form in ("/form-text", "/form-urlencoded", "/form-message"):
            page.goto(f"{attacker}{form}")
            page.wait_for_url(f"{server.url}/api/**")
            answer = json.loads(page.locator("body").inner_text())
            assert answer["error"] in {"unsupported_media_type", "csrf_failed", "unauthenticated"}, (form, answer)

        page.goto(f"{attacker}/")
        socket = page.evaluate(SOCKET, f"{server.ws_url}/api/live")
        # Same site: the cookie went along, the session was valid, the origin was not: 4403. Other site: no cookie.
        assert socket["code"] == (4403 if host == "127.0.0.1" else 4401), socket
        assert socket["frames"] == []
        assert dialogs == []

    assert _pwned(server) == []
    # The same request from the app's own page, with the CSRF token it can read, does work: the check above is real.
    control = f"control {uuid.uuid4().hex[:8]}"
    created = victim.page.evaluate(
        """async (name) => {
          const csrf = document.cookie.match(/bc_csrf=([^;]+)/)[1];
          const r = await fetch('/api/teams', {method: 'POST', headers: {'Content-Type': 'application/json',
            'x-csrf-token': csrf}, body: JSON.stringify({name})});
          return r.status;
        }""",
        control,
    )
    assert created == 201
    with sqlite3.connect(f"file:{server.database}?mode=ro", uri=True) as db:
        assert db.execute("SELECT count(*) FROM teams WHERE name = ?", (control,)).fetchone() == (1,)


# --- session cookies -----------------------------------------------------------------------------------------------


def test_the_session_cookie_is_new_at_every_log_in(api: Api, phone: Callable[[], Phone], server: ServerProcess) -> None:
    user = api.team(owner="Sam Session").owner
    device = phone()
    # A cookie planted before log-in (session fixation) is replaced, never adopted.
    device.context.add_cookies([{"name": "bc_session", "value": "planted-by-mallory", "url": server.url}])

    def session_cookie() -> dict[str, Any]:
        return next(dict(c) for c in device.context.cookies(server.url) if c["name"] == "bc_session")

    device.login(user)
    first = session_cookie()
    assert first["value"] != "planted-by-mallory"
    assert first["httpOnly"] and first["sameSite"] == "Lax" and first["path"] == "/"

    status = device.page.evaluate(
        """async ([username, password]) => (await fetch('/api/sessions', {method: 'POST',
          headers: {'Content-Type': 'application/json'}, body: JSON.stringify({username, password})})).status""",
        [user.username, PASSWORD],
    )
    assert status == 201
    second = session_cookie()
    assert second["value"] not in {first["value"], "planted-by-mallory"}
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/api/me", headers={"Authorization": f"Bearer {first['value']}"}).status_code == 401
        assert http.get("/api/me", headers={"Authorization": f"Bearer {second['value']}"}).status_code == 200
    device.page.reload()
    expect(device.page.get_by_role("navigation", name="Channels").or_(device.page.locator("main"))).to_be_visible()
    assert [e for e in device.errors if re.search(r"\b401\b", e) is None] == []
