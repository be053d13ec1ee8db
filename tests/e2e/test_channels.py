"""Channels as a lead makes them and a member meets them: the new-channel form, and a channel that is not yours."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.conftest import Api, Phone


def test_a_lead_makes_a_group_and_its_member_sees_it_live_with_its_kind(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(leads=("Lena Lead",), members=("Marc Member", "Nina Member"))
    lead, marc, nina = phone(), phone(), phone()
    lead.login(team.leads[0])
    marc.login(team.members[0])
    nina.login(team.members[1])
    marc.wait_live()
    nina.wait_live()

    lead.page.get_by_role("button", name="New channel").click()
    name = lead.page.get_by_role("textbox", name="Name")
    create = lead.page.get_by_role("button", name="Create channel")

    # The form says what is wrong next to the field, in plain words, before and after asking the server.
    create.click()
    expect(lead.page.get_by_text("Enter a name.")).to_be_visible()
    name.fill("Q" * 70)  # never cut silently: the person shortens it
    create.click()
    expect(lead.page.get_by_text("Names are at most 60 characters; this one has 70.")).to_be_visible()
    expect(name).to_have_value("Q" * 70)
    lead.shot("channel-form-too-long")
    name.fill("Pricing")
    create.click()
    expect(lead.page.get_by_role("alert").filter(has_text="Pick at least one teammate.")).to_be_visible()
    name.fill("EVERYONE")
    lead.page.get_by_role("checkbox", name="Marc Member").check()
    create.click()
    expect(lead.page.get_by_text("Name looks the same as another channel's.")).to_be_visible()
    expect(name).to_be_focused()

    name.fill("Pricing")
    create.click()
    expect(lead.page.get_by_role("heading", name="Pricing")).to_be_visible()

    # Marc sees it appear, marked as a group; Nina, not in it, never does.
    marc_nav = marc.page.get_by_role("navigation", name="Channels")
    expect(marc_nav.get_by_role("link", name="Pricing Group · 2 people")).to_be_visible()
    expect(marc_nav.get_by_role("link", name="Everyone Whole team")).to_be_visible()
    expect(nina.page.get_by_role("navigation", name="Channels").get_by_role("link", name="Pricing")).to_have_count(0)
    lead.shot("channel-created")
    marc.shot("home-with-group")
    assert [e for e in lead.errors if "409 (Conflict)" not in e] == []  # the browser logs the refused lookalike
    assert marc.errors == nina.errors == []
