"""Many tabs of one browser share its session: past the session's socket bound, they do not fight over sockets."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Page

from api.live import MAX_SOCKETS_PER_SESSION
from tests.e2e.conftest import Api, Phone
from tests.server import ServerProcess


def replaced(server: ServerProcess) -> int:
    return server.log_path.read_text().count("live_closed code=4410")


def waiting_elsewhere(tabs: list[Page]) -> Page:
    """The one tab whose socket another tab took (its close frame may come a moment after the other's ready)."""
    for _ in range(50):
        paused = [tab for tab in tabs if tab.locator(".live").first.get_attribute("data-state") == "elsewhere"]
        if paused:
            return paused[0]
        time.sleep(0.1)
    raise AssertionError("no tab gave up its socket")


def test_one_tab_too_many_takes_a_socket_once_and_the_others_stay_quiet(
    api: Api, phone: Callable[[], Phone], server: ServerProcess
) -> None:
    team = api.team()
    first = phone()
    first.login(team.owner)
    first.wait_live()
    tabs = [first.page]
    for _ in range(MAX_SOCKETS_PER_SESSION):  # one more tab than the session may hold sockets
        tab = first.context.new_page()
        tab.goto(f"{first.base}/")
        tab.locator('.live[data-state="live"]').first.wait_for(state="attached")
        tabs.append(tab)
    before = replaced(server)
    time.sleep(3)  # a tab that retried at once would have replaced another a few times by now
    assert replaced(server) - before == 0
    states = [tab.locator(".live").first.get_attribute("data-state") for tab in tabs]
    assert states.count("live") == MAX_SOCKETS_PER_SESSION, states
    # The tab whose socket was taken says where the live connection is, not "Offline".
    assert states.count("elsewhere") == 1, states
    paused = tabs[states.index("elsewhere")]
    assert paused.locator(".live").first.inner_text() == "Live in another tab"
    # A live tab that closes frees its socket: the paused tab takes it by itself.
    tabs.remove(paused)
    tabs.pop().close()
    paused.locator('.live[data-state="live"]').first.wait_for(state="attached")
    tabs.append(first.context.new_page())  # one too many again: the newest takes the oldest's socket
    tabs[-1].goto(f"{first.base}/")
    tabs[-1].locator('.live[data-state="live"]').first.wait_for(state="attached")
    paused = waiting_elsewhere([paused, *tabs])
    paused.bring_to_front()
    paused.evaluate("() => dispatchEvent(new Event('focus'))")  # headless tabs get no real focus event
    paused.locator('.live[data-state="live"]').first.wait_for(state="attached")
