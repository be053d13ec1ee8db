"""Searching messages as a member does it: from the team's home, results from their channels only with the match
marked, a result older than the latest page opening its channel there, and the states that say something."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from tests.e2e import a11y
from tests.e2e.conftest import Api, ApiTeam, Phone, User

OLD = "Hold the warranty point until they move on price"
AFTER = 170  # messages after it: more than a device keeps of a channel it is not viewing (150), so it pages back


def post(api: Api, user: User, channel_id: int, text: str) -> int:
    body = {"client_id": str(uuid.uuid4()), "kind": "text", "text": text}
    return int(api.call(user, "POST", f"/api/channels/{channel_id}/messages", body)["id"])


def group(api: Api, team: ApiTeam, name: str, members: list[User]) -> int:
    body = {"name": name, "members": [m.id for m in members]}
    return int(api.call(team.owner, "POST", f"/api/teams/{team.id}/channels", body)["id"])


def arrange(api: Api) -> tuple[ApiTeam, int]:
    """Marc is in Everyone and Pricing, not in Board; each has a message about the warranty. Everyone's is followed
    by AFTER others, so it is neither in the latest page of 50 nor on Marc's device. Returns the team and Everyone's
    warranty message."""
    team = api.team(owner="Olivia Owner", leads=("Lena Lead",), members=("Marc Member",))
    olivia, lena, marc = team.owner, team.leads[0], team.members[0]
    pricing = group(api, team, "Pricing", [marc])
    board = group(api, team, "Board", [lena])
    old = post(api, olivia, team.channels["Everyone"], OLD)
    for i in range(AFTER):
        post(api, (olivia, lena)[i % 2], team.channels["Everyone"], f"Update {i}: nothing new on their side")
    post(api, olivia, pricing, "Warranty cap at two years is our «floor»")  # its own « » are text, not marks
    post(api, olivia, board, "The board says the warranty can go if we must")
    return team, old


def marc_searching(api: Api, window: Callable[[], Phone], screen: str) -> tuple[ApiTeam, int, Phone]:
    """The arranged team, Everyone's warranty message, and Marc on the search screen, opened from his home."""
    team, old = arrange(api)
    marc = window()
    marc.login(team.members[0])
    marc.shot(f"search-entry-on-home-{screen}")
    marc.page.get_by_role("link", name="Search messages").click()
    expect(marc.page.get_by_role("searchbox", name="Search messages")).to_be_focused()
    return team, old, marc


def status_of(page: Page) -> Locator:
    """The line above the results (the page has other status lines: the live dot's)."""
    return page.get_by_role("status").filter(has_text=re.compile("word|match|connection"))


def test_a_member_finds_a_word_in_their_channels_only_and_opens_an_old_one_where_it_is(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team, old, marc = marc_searching(api, phone, "phone")
    page = marc.page
    status = status_of(page)
    expect(status).to_have_text("Type a word to find the messages that hold it, in every channel of yours.")

    page.get_by_role("searchbox", name="Search messages").press_sequentially("warr", delay=40)  # as one types
    expect(status).to_have_text("2 messages match “warr”.")
    results = page.get_by_role("list", name="Results").get_by_role("listitem")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text("Pricing")  # newest first
    expect(results.nth(0)).to_contain_text("Olivia Owner")
    expect(results.nth(0).locator("mark")).to_have_text("Warranty")
    expect(results.nth(0)).to_contain_text("is our «floor»")
    expect(results.nth(1)).to_contain_text("Everyone")
    expect(results.nth(1).locator("mark")).to_have_text("warranty")
    expect(page.get_by_text("The board says")).to_have_count(0)  # Board is not Marc's
    page.wait_for_timeout(350)
    a11y.check(page)
    marc.shot("search-results-phone")

    # The Everyone one is older than the latest 50 messages: the channel opens there, the message marked.
    results.nth(1).get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/c/{team.channels['Everyone']}\?at={old}$"))
    found = page.locator("li.msg.found")
    expect(found).to_contain_text(OLD)
    expect(found).to_be_in_viewport()
    assert page.locator("li.msg").count() > 150  # an older page came
    marc.shot("search-opened-at-message-phone")
    expect(page.locator("li.msg.found")).to_have_count(0, timeout=5000)  # only a moment
    expect(page.locator("li.msg", has_text=OLD)).to_be_in_viewport()

    # Back comes to the same results.
    page.go_back()
    expect(page.get_by_role("searchbox", name="Search messages")).to_have_value("warr")
    expect(status).to_have_text("2 messages match “warr”.")
    assert marc.errors == []


def test_no_match_no_word_and_offline_say_so_in_words(api: Api, phone: Callable[[], Phone]) -> None:
    _, _, marc = marc_searching(api, phone, "phone")
    page = marc.page
    box = page.get_by_role("searchbox", name="Search messages")
    status = status_of(page)

    box.fill("zebra")
    box.press("Enter")
    expect(status).to_have_text("No messages match “zebra” in your channels.")
    marc.shot("search-no-results")

    box.fill("?!")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("Search for at least one word: letters or digits.")).to_be_visible()
    expect(box).to_have_attribute("aria-invalid", "true")
    marc.shot("search-no-word")

    box.fill("warranty " * 23)  # 207 characters: told, never cut
    box.press("Enter")
    expect(page.get_by_text("Searches are at most 200 characters; this one has 206.")).to_be_visible()
    expect(box).to_have_value("warranty " * 23)

    box.fill("")
    box.press("Enter")
    expect(status).to_have_text("Type a word to find the messages that hold it, in every channel of yours.")
    expect(box).not_to_have_attribute("aria-invalid", "true")

    marc.context.set_offline(True)
    box.fill("floor")
    box.press("Enter")
    expect(page.get_by_text("Search needs a connection.")).to_be_visible()
    marc.shot("search-offline")
    marc.context.set_offline(False)  # back online, the search runs again by itself
    expect(status).to_have_text("1 message matches “floor”.")
    assert [e for e in marc.errors if "400 (Bad Request)" not in e] == []  # the browser logs the refused query


def test_search_reads_well_on_a_desktop(api: Api, desk: Callable[[], Phone]) -> None:
    _, _, marc = marc_searching(api, desk, "desktop")
    page = marc.page
    page.get_by_role("searchbox", name="Search messages").fill("warranty")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("list", name="Results").get_by_role("listitem")).to_have_count(2)
    marc.shot("search-results-desktop")
    page.emulate_media(reduced_motion="reduce")
    page.get_by_role("link", name=re.compile("Everyone")).click()
    found = page.locator("li.msg.found")
    expect(found).to_be_in_viewport()
    # Asked for less motion, the mark is an outline that does not fade in or out.
    style = found.evaluate("el => { const s = getComputedStyle(el); return [s.animationName, s.boxShadow]; }")
    assert style[0] == "none" and style[1] != "none", style
    marc.shot("search-opened-at-message-desktop")
    assert marc.errors == []
