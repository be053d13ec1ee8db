"""A wide screen: the channel list beside up to three open channels, each with its own messages, cue pad and
composer (the first article's "several chat windows": Everyone beside Leads); a phone: one screen at a time, and a
cue pad that shows it scrolls."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, Api, Phone


def test_a_lead_keeps_everyone_beside_leads_and_writes_in_each(
    api: Api, desk: Callable[[], Phone], phone: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", leads=("Lena Lead",), members=("Marc Member",))
    api.call(team.owner, "POST", f"/api/teams/{team.id}/channels", {"name": "Pricing", "members": [team.members[0].id]})
    olivia, lena, marc = desk(), phone(), phone()
    olivia.login(team.owner)
    lena.login(team.leads[0])
    marc.login(team.members[0])
    lena.open_channel("Leads")
    marc.open_channel("Everyone")
    page = olivia.page
    channels = page.get_by_role("navigation", name="Channels")
    expect(page.get_by_text("Choose a channel to open it here.")).to_be_visible()
    olivia.shot("desktop-home")

    channels.get_by_role("link", name=re.compile("Everyone")).click()
    everyone = page.get_by_role("region", name="Everyone", exact=True)
    expect(everyone.get_by_role("group", name="Cue pad")).to_be_visible()
    expect(channels).to_be_visible()  # the list stays beside the conversation
    page.get_by_role("link", name="Open Leads beside").click()
    leads = page.get_by_role("region", name="Leads", exact=True)
    expect(leads.get_by_role("textbox", name="Message")).to_be_visible()
    expect(everyone.get_by_role("textbox", name="Message")).to_be_visible()
    olivia.wait_live()

    # Each pane writes to its own channel.
    leads.get_by_role("textbox", name="Message").fill("Floor is 3.9")
    leads.get_by_role("textbox", name="Message").press("Enter")
    everyone.get_by_role("textbox", name="Message").fill("Hello all")
    everyone.get_by_role("textbox", name="Message").press("Enter")
    expect(lena.page.get_by_role("log", name="Messages")).to_contain_text("Floor is 3.9")
    expect(marc.page.get_by_role("log", name="Messages")).to_contain_text("Hello all")
    expect(marc.page.get_by_role("log", name="Messages")).not_to_contain_text("Floor is 3.9")
    expect(everyone.get_by_role("log", name="Messages")).not_to_contain_text("Floor is 3.9")

    # A teammate's answer shows in its pane at once and is not unread: it is on screen.
    marc.page.get_by_role("textbox", name="Message").fill("Ready when you are")
    marc.page.get_by_role("button", name="Send", exact=True).click()
    expect(everyone.get_by_role("log", name="Messages")).to_contain_text("Ready when you are")
    expect(channels.get_by_role("link", name=re.compile("Everyone"))).not_to_contain_text("unread")
    expect(channels.get_by_role("link", name=re.compile("Everyone"))).to_have_attribute("aria-current", "page")

    # A third channel beside the two; what was typed and not sent waits in its composer.
    leads.get_by_role("textbox", name="Message").fill("Hold at 4.1")
    page.get_by_role("link", name="Open Pricing beside").click()
    expect(page.get_by_role("region", name="Pricing", exact=True).get_by_role("group", name="Cue pad")).to_be_visible()
    expect(leads.get_by_role("textbox", name="Message")).to_have_value("Hold at 4.1")
    expect(everyone.locator("li.msg").last).to_be_in_viewport()  # the open panes keep their newest in view
    olivia.shot("desktop-three-channels")

    # The path keeps all three through a reload; closing a pane leaves the others; a narrow window shows one at a time.
    leads.get_by_role("textbox", name="Message").fill("")
    page.reload()
    open_panes = page.get_by_role("main").get_by_role("region", name=re.compile("^(Everyone|Leads|Pricing)$"))
    expect(open_panes).to_have_count(3)
    expect(page).to_have_title(re.compile("Everyone"))
    page.get_by_role("link", name="Close Pricing").click()
    expect(page.get_by_role("region", name="Pricing", exact=True)).to_have_count(0)
    expect(leads).to_contain_text("Floor is 3.9")
    expect(channels.get_by_role("link", name=re.compile("Everyone"))).not_to_contain_text("unread")
    olivia.shot("desktop-two-channels")
    # Every screen of its own opened from here goes back to both panes.
    both = page.get_by_role("main").get_by_role("region", name=re.compile("^(Everyone|Leads)$"))
    for opener, back in (
        (leads.get_by_role("link", name="People"), "Back"),
        (page.get_by_role("link", name="Search messages"), "Back"),
        (page.get_by_role("link", name="Team", exact=True), "Back"),
        (page.get_by_role("link", name="Settings"), "Back"),
        (leads.get_by_role("link", name="Table mode"), "Leave table mode"),
    ):
        opener.click()
        page.get_by_role("link", name=back).click()
        expect(both).to_have_count(2)
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Everyone")
    expect(page.get_by_role("link", name="Back")).to_be_visible()
    assert olivia.errors == [] and lena.errors == [] and marc.errors == []


def test_a_path_naming_a_channel_that_is_not_mine_opens_only_mine(api: Api, desk: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    marc = desk()
    marc.login(team.members[0])
    marc.page.goto(f"{marc.base}/c/{team.channels['Everyone']}/{team.channels['Leads']}")
    expect(marc.page.get_by_role("region", name="Everyone", exact=True)).to_be_visible()
    expect(marc.page.get_by_role("region", name="Leads", exact=True)).to_have_count(0)
    expect(marc.page).to_have_url(re.compile(f"/c/{team.channels['Everyone']}$"))
    marc.page.goto(f"{marc.base}/c/{team.channels['Everyone']}/{team.channels['Everyone']}")  # twice: once
    expect(marc.page).to_have_url(re.compile(f"/c/{team.channels['Everyone']}$"))
    marc.page.goto(f"{marc.base}/c/0")
    expect(marc.page.get_by_text("Choose a channel to open it here.")).to_be_visible()
    assert marc.errors == []


def test_a_phone_pad_with_more_cues_than_fit_says_so_until_its_last_row_shows(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner")
    cues = api.call(team.owner, "GET", f"/api/teams/{team.id}/cues")["cues"]
    extra = [
        {**cues[0], "code": f"extra_{i}", "label": f"Extra cue {i}", "rhythm": [90 + 10 * i, 70, 90 + 10 * i]}
        for i in range(14 - len(cues))
    ]
    api.call(team.owner, "PUT", f"/api/teams/{team.id}/cues", {"cues": cues + extra})
    olivia = phone()
    olivia.login(team.owner)
    olivia.open_channel("Everyone")
    pad = olivia.page.get_by_role("group", name="Cue pad")
    expect(pad).to_have_attribute("data-more", "")
    assert "More cues" in olivia.page.evaluate("getComputedStyle(document.querySelector('.pad'), '::after').content")
    olivia.shot("pad-scrolls")
    pad.evaluate("(el) => el.scrollTo(0, el.scrollHeight)")
    expect(pad).not_to_have_attribute("data-more", "")
    expect(pad.get_by_role("button").last).to_be_in_viewport()
    assert olivia.errors == []
