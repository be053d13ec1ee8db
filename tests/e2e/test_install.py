"""Acceptance 1 (installability, the service worker) and 6 (the shell stays small)."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import httpx
from playwright.sync_api import Playwright, expect

from tests.e2e.conftest import ARGS, CHROMIUM, PHONE
from tests.server import ROOT, ServerProcess

PWA = ROOT / "pwa"
# 40 KiB before one module per screen and component (~300 B gzip each) and JSDoc types (52); then issue 11's
# screens (table mode's stack, recall and status; receipts by name; history paging; the composer; the invite page;
# account settings; field errors): about 12 KB; then the wide screen's channels side by side (deck.js, panes.js,
# their CSS: about 1.5 KB), search (its screen, a channel opening at a result: about 3 KB) and a channel's people
# (who is in it; rename, add, remove, leave, delete: about 2 KB); then issue 12's meeting mode (the live card and
# Join, the Meetings screen and its form, table mode's meeting bar, floor queue and roster, escalations, quick hide,
# the debrief screen, their rules and reducers and CSS: about 12 KB; then what two hands-on passes asked of it: the
# lead's way back, refusals said, an insisting cue first and "Got it" only, the debrief's words: about 1 KB, with
# comments trimmed elsewhere to make room); then issue 13's team side: the Sources screen and a source's page (add,
# link, notes, hand over, end, give and get), the intel log (graded entries, assessments), their reducers and CSS,
# a source's conversation without a pad and its "Log as intel": about 10 KB (10,249 bytes); and its source side:
# the link's page, the guest's one conversation (its screen, guest boot, the `contact` reducer, notifications and
# leaving) and the wipe at its end: about 5 KB.
SHELL_BUDGET = 104 * 1024


def test_the_app_is_installable_and_the_service_worker_controls_it(
    playwright: Playwright, server: ServerProcess, tmp_path: Path
) -> None:
    # Installability is only reported outside incognito, so this one needs a persistent profile.
    context = playwright.chromium.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, headless=True, args=ARGS, viewport=PHONE
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(server.url)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{server.url}/worker.js"
        cdp = context.new_cdp_session(page)
        for _ in range(20):  # the manifest and icons are fetched in the background
            errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
            if not errors:
                break
            page.wait_for_timeout(250)
        assert errors == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["errors"] == []

        # Offline, the shell still opens, deep links included, and /api/ is never served from a cache.
        context.set_offline(True)
        page.goto(f"{server.url}/join/some-invite-token")
        expect(page.get_by_role("heading", name="Backchannel")).to_be_visible()
        cached = page.evaluate(
            "caches.keys().then(ks => Promise.all(ks.map(k => caches.open(k).then(c => c.keys()))))"
            ".then(all => all.flat().map(r => new URL(r.url).pathname))"
        )
        assert "/index.html" in cached and not [p for p in cached if p.startswith("/api/")]
    finally:
        context.close()


def test_the_manifest_has_what_an_install_needs() -> None:
    manifest = json.loads((PWA / "manifest.webmanifest").read_text())
    assert manifest["display"] == "standalone" and manifest["orientation"] == "portrait"
    assert manifest["id"] == manifest["start_url"] == manifest["scope"] == "/"
    icons = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= icons
    for icon in manifest["icons"]:
        png = (PWA / icon["src"].lstrip("/")).read_bytes()
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and f"{width}x{height}" == icon["sizes"]


def test_every_shell_file_is_precached(server: ServerProcess) -> None:
    """The service worker precaches the SHELL of the module the server generates (/shell.js): every file but itself
    and the bridge at its old address (sw.js). The worker's script as served ends with the shell's VERSION, so a
    changed shell file updates it."""
    assert "import * as shell from './shell.js';" in (PWA / "worker.js").read_text()
    module = httpx.get(f"{server.url}/shell.js")
    assert module.headers["content-type"].startswith("text/javascript")
    shell = re.search(r'^export const VERSION = "(\w+)";\nexport const SHELL = (\[.*\]);$', module.text, re.M)
    assert shell, module.text
    files = {"/" + p.relative_to(PWA).as_posix() for p in PWA.rglob("*") if p.is_file()} - {"/worker.js", "/sw.js"}
    assert files == set(json.loads(shell[2]))
    worker = httpx.get(f"{server.url}/worker.js")
    assert worker.headers["service-worker-allowed"] == "/"
    assert worker.text == (PWA / "worker.js").read_text() + f"// shell {shell[1]}\n"
    bridge = httpx.get(f"{server.url}/sw.js")
    assert bridge.headers["content-type"].startswith("text/javascript")
    assert bridge.text == (PWA / "sw.js").read_text()


def test_the_shell_stays_within_its_budget_compressed() -> None:
    shell = [p for p in PWA.rglob("*") if p.suffix in {".html", ".js", ".css", ".webmanifest"}]
    total = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in shell)
    print(f"shell: {len(shell)} files, {total} bytes gzip")
    assert total <= SHELL_BUDGET
