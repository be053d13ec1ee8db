"""Acceptance 4: the Leads channel exists for leads only."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.conftest import Api, Phone


def test_a_member_never_sees_the_leads_channel_and_a_lead_does(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(leads=("Lena Lead",), members=("Marc Member",))
    lead, member = phone(), phone()
    lead.login(team.leads[0])
    member.login(team.members[0])

    lead_nav = lead.page.get_by_role("navigation", name="Channels")
    member_nav = member.page.get_by_role("navigation", name="Channels")
    expect(lead_nav.get_by_role("link", name="Leads")).to_be_visible()
    expect(member_nav.get_by_role("link", name="Everyone")).to_be_visible()
    expect(member_nav.get_by_role("link", name="Leads")).to_have_count(0)

    # Not by a deep link either: the member's device has no such channel, and the screen says why in plain words.
    lead.open_channel("Leads")
    lead.page.get_by_role("textbox", name="Message").fill("Floor is 3.9")
    lead.page.get_by_role("button", name="Send", exact=True).click()
    member.page.goto(f"/c/{team.channels['Leads']}")
    expect(member.page.get_by_role("heading", name="Channel not available")).to_be_visible()
    expect(member.page.get_by_text("You are not in this channel")).to_be_visible()
    expect(member.page.get_by_text("Floor is 3.9")).to_have_count(0)
    member.shot("channel-not-yours")
    member.wait_live()

    # Promotion brings the channel: the screen that said no opens it, history and all; demotion takes it away, live.
    api.call(team.owner, "PATCH", f"/api/teams/{team.id}/members/{team.members[0].id}", {"role": "lead"})
    expect(member.page.get_by_role("heading", name="Leads")).to_be_visible()
    expect(member.page.get_by_text("Floor is 3.9")).to_be_visible()
    member.page.goto("/")
    member.wait_live()
    expect(member_nav.get_by_role("link", name="Leads")).to_be_visible()
    api.call(team.owner, "PATCH", f"/api/teams/{team.id}/members/{team.members[0].id}", {"role": "member"})
    expect(member_nav.get_by_role("link", name="Leads")).to_have_count(0)
    assert lead.errors == []
    assert [e for e in member.errors if "404" not in e] == []


def test_an_owner_alone_in_leads_is_told_that_nothing_sent_there_reaches_anyone(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    olivia = phone()
    olivia.login(team.owner)
    olivia.open_channel("Leads")
    alone = olivia.page.get_by_text("Only you are in this channel: what you send here reaches no one.")
    expect(alone).to_be_visible()
    api.call(team.owner, "PATCH", f"/api/teams/{team.id}/members/{team.members[0].id}", {"role": "lead"})
    expect(alone).to_have_count(0)  # a second lead came: it goes, live
    assert olivia.errors == []
