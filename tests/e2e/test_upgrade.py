"""A phone that installed the app when its worker was classic (/sw.js) moves to the module worker (/worker.js).

Its browser checks /sw.js for updates as a classic script, so that address holds a classic bridge (pwa/sw.js): it
drops the old shell caches and reopens the open windows from the network, whose app registers /worker.js.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from tests.e2e.conftest import Api, Phone
from tests.server import ROOT, ServerProcess

# The last app with the classic worker at /sw.js (its cache: bc-shell-v4), as phones installed it.
CLASSIC_APP = "8e085cb"
CONTROLLER = "navigator.serviceWorker.controller?.scriptURL ?? null"
CACHES = "caches.keys()"
CACHED = "async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname)"

# What makes the browser check the worker's script with the old app installed: a launch (a navigation, served by
# the old worker from its cache, whose app registers /sw.js again), or the daily check with the app open.
CHECKS = {
    "launch": lambda page: page.reload(),
    "check while open": lambda page: page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())"),
}


def _classic_app(into: Path) -> None:
    """The PWA's files as they were at CLASSIC_APP, from the repository's history."""
    archive = subprocess.run(["git", "archive", f"{CLASSIC_APP}:pwa"], cwd=ROOT, capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")


def _serve(pwa: Path, files: Callable[[Path], None]) -> None:
    """Swap the files the server serves (it reads them at each request)."""
    shutil.rmtree(pwa, ignore_errors=True)
    files(pwa)


def _current_app(into: Path) -> None:
    shutil.copytree(ROOT / "pwa", into)


@pytest.fixture
def pwa(tmp_path: Path) -> Path:
    root = tmp_path / "pwa"
    _serve(root, _classic_app)
    return root


@pytest.fixture
def server(tmp_path: Path, pwa: Path) -> Iterator[ServerProcess]:
    """This test's own server, serving the PWA from a folder the test swaps (the phone and api fixtures use it)."""
    process = ServerProcess(tmp_path / "data", BACKCHANNEL_PWA_DIR=str(pwa)).start()
    yield process
    process.stop()


def _settled(page: Page, script: str, expected: Any, timeout: float = 20) -> None:
    """Wait for script to give expected, across the navigations the workers make meanwhile."""
    deadline = time.monotonic() + timeout
    seen: Any = None
    while time.monotonic() < deadline:
        try:
            seen = page.evaluate(script)
            if seen == expected:
                return
        except PlaywrightError:  # the page navigated while evaluating
            pass
        time.sleep(0.2)
    raise AssertionError(f"{script} gave {seen!r}, not {expected!r}")


@pytest.mark.parametrize("check", CHECKS)
def test_a_phone_with_the_classic_worker_moves_to_the_module_worker(
    api: Api, phone: Callable[[], Phone], server: ServerProcess, pwa: Path, check: str
) -> None:
    team = api.team()
    me = phone()
    page = me.page
    me.login(team.owner)
    _settled(page, CONTROLLER, f"{server.url}/sw.js")
    assert page.evaluate(CACHES) == ["bc-shell-v4"]

    _serve(pwa, _current_app)
    version = re.search(r'VERSION = "(\w+)"', httpx.get(f"{server.url}/shell.js").text)
    assert version
    cache = f"bc-shell-{version[1]}"
    CHECKS[check](page)
    _settled(page, CONTROLLER, f"{server.url}/worker.js")
    _settled(page, CACHES, [cache])
    registered = "navigator.serviceWorker.getRegistrations().then((rs) => rs.map((r) => r.active.scriptURL))"
    assert page.evaluate(registered) == [f"{server.url}/worker.js"]
    cached = page.evaluate(CACHED, cache)
    assert {"/index.html", "/js/app.js", "/js/screens/home.js"} <= set(cached)
    page.get_by_role("navigation", name="Channels").wait_for()  # still signed in, on the new app's home screen

    # The new worker serves the new shell: offline, the app opens signed in.
    me.context.set_offline(True)
    page.reload()
    page.get_by_role("navigation", name="Channels").wait_for()
    assert page.evaluate(CONTROLLER) == f"{server.url}/worker.js"
    assert me.errors == []
