"""A channel's people, as users meet them: a lead renames a group, adds and removes people and deletes it; a member
sees who is in a channel and why, and leaves a group. The others' apps follow live."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextlib import nullcontext

from playwright.sync_api import Dialog, Locator, Page, expect

from tests.e2e import a11y
from tests.e2e.conftest import Api, ApiTeam, Phone, User


def group_of(api: Api, team: ApiTeam, lead: User, name: str, *members: User) -> int:
    """A group made through the API (setup), with a first message from its maker."""
    body = {"name": name, "members": [m.id for m in members]}
    group = int(api.call(lead, "POST", f"/api/teams/{team.id}/channels", body)["id"])
    text = {"client_id": str(uuid.uuid4()), "kind": "text", "text": "Our floor is 3.9"}
    api.call(lead, "POST", f"/api/channels/{group}/messages", text)
    return group


def channels_of(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Channels")


def open_people(p: Phone, channel: str, unread: bool = True) -> None:
    """Opens the channel, then its People. With messages there, first the app reports them read (400 ms after the
    channel settles): a report racing a removal would be a 404 in the console."""
    with p.page.expect_response(lambda r: r.url.endswith("/read")) if unread else nullcontext():
        p.open_channel(channel)
    p.page.get_by_role("link", name="People").click()
    p.page.get_by_role("heading", name="in this channel").wait_for()


def answer_dialogs(page: Page, accept: list[bool]) -> list[str]:
    """Answers each confirm() in turn (accept or cancel); returns what they asked."""
    asked: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept.pop(0) else dialog.dismiss()

    page.on("dialog", on_dialog)
    return asked


def test_a_lead_renames_a_group_adds_and_removes_people_and_their_apps_follow(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team = api.team(leads=("Lena Lead",), members=("Marc Member", "Nina Member"))
    lena, marc_user, nina_user = team.leads[0], *team.members
    group = group_of(api, team, lena, "Pricing", marc_user)
    lead, marc, nina = phone(), phone(), phone()
    for p, user in ((lead, lena), (marc, marc_user), (nina, nina_user)):
        p.login(user)
        p.wait_live()
    marc.open_channel("Pricing")
    expect(marc.page.get_by_role("link", name="People")).to_be_visible()
    marc.shot("channel-bar-with-people")

    open_people(lead, "Pricing")
    people = lead.page.get_by_role("list").first
    me_and_marc = [re.compile(r"^Lena Lead \(you\)\s*lead$"), re.compile("^Marc Member")]
    expect(people.get_by_role("listitem")).to_have_text(me_and_marc)
    a11y.check(lead.page)  # every control named, text AA
    lead.shot("people-group-lead")

    # Rename: the new-channel form's checks, next to the field; then the new name everywhere, live.
    name = lead.page.get_by_role("textbox", name="Name")
    name.fill("everyone")
    lead.page.get_by_role("button", name="Rename group").click()
    expect(lead.page.get_by_text("Name looks the same as another channel's.")).to_be_visible()
    lead.shot("people-rename-lookalike")
    name.fill("")
    lead.page.get_by_role("button", name="Rename group").click()
    expect(lead.page.get_by_text("Enter a name.")).to_be_visible()
    name.fill("Walk-away")
    lead.page.get_by_role("button", name="Rename group").click()
    expect(lead.page.get_by_role("heading", name="Walk-away")).to_be_visible()
    expect(marc.page.get_by_role("heading", level=1)).to_have_text("Walk-away")  # his open channel, at once
    marc.page.get_by_role("link", name="Back").click()
    expect(channels_of(marc.page).get_by_role("link", name="Walk-away Group · 2 people")).to_be_visible()
    marc.open_channel("Walk-away")

    # Add Nina: her app gets the group, with what was said before she came.
    expect(channels_of(nina.page).get_by_role("link", name="Walk-away")).to_have_count(0)
    lead.page.get_by_role("button", name="Add Nina Member").click()
    expect(people.get_by_role("listitem")).to_have_count(3)
    nina.open_channel("Walk-away")
    expect(nina.page.get_by_role("log", name="Messages").get_by_text("Our floor is 3.9")).to_be_visible()

    # Remove Marc, after saying yes: his app, open on the group, says so, goes home without it and forgets its history.
    cached = "async (key) => JSON.stringify(await (await import('/js/db.js')).kv.get(key))"
    assert "Our floor is 3.9" in marc.page.evaluate(cached, f"m:{group}")  # so that forgetting it means something
    asked = answer_dialogs(lead.page, [True])
    lead.page.get_by_role("button", name="Remove Marc Member").click()
    expect(people.get_by_role("listitem")).to_have_count(2)
    assert asked == [
        "Remove Marc Member from Walk-away? It leaves their devices, with its history; a lead can add them back."
    ]
    expect(channels_of(marc.page)).to_be_visible()
    expect(marc.page.locator("#toast")).to_have_text("You are no longer in Walk-away.")
    expect(channels_of(marc.page).get_by_role("link", name="Walk-away")).to_have_count(0)
    assert marc.forgets(group, "Our floor is 3.9")
    expect(lead.page.get_by_role("button", name="Add Marc Member")).to_be_visible()
    lead.shot("people-group-after-changes")
    marc.shot("home-after-removal")
    assert [e for e in lead.errors if "409 (Conflict)" not in e] == []  # the browser logs the refused lookalike
    assert marc.errors == nina.errors == []


def test_a_member_sees_who_is_in_a_channel_and_why_and_leaves_a_group(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(leads=("Lena Lead",), members=("Marc Member",))
    group_of(api, team, team.leads[0], "Pricing", team.members[0])
    marc = phone()
    marc.login(team.members[0])

    open_people(marc, "Everyone", unread=False)
    expect(marc.page.get_by_text("The whole team is in it.")).to_be_visible()
    expect(marc.page.get_by_role("button")).to_have_count(0)  # nothing to manage in a built-in channel
    marc.shot("people-everyone")
    marc.page.get_by_role("link", name="Back").click()
    marc.page.get_by_role("link", name="Back").click()

    open_people(marc, "Pricing")
    for lead_only in ("Rename group", "Delete group", "Remove Lena Lead"):
        expect(marc.page.get_by_role("button", name=lead_only)).to_have_count(0)
    expect(marc.page.get_by_role("heading", name="Add people")).to_have_count(0)
    a11y.check(marc.page)
    marc.shot("people-group-member")
    asked = answer_dialogs(marc.page, [False, True])
    marc.page.get_by_role("button", name="Leave group").click()
    expect(marc.page.get_by_role("button", name="Leave group")).to_be_visible()  # said no: still in it
    marc.page.get_by_role("button", name="Leave group").click()
    expect(channels_of(marc.page).get_by_role("link", name="Everyone")).to_be_visible()
    expect(channels_of(marc.page).get_by_role("link", name="Pricing")).to_have_count(0)
    assert asked == ["Leave Pricing? It leaves your devices; a lead can add you back."] * 2
    assert marc.errors == []


def test_a_lead_deletes_a_group_for_everyone_only_after_confirming(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(leads=("Lena Lead",), members=("Marc Member",))
    group_of(api, team, team.leads[0], "Pricing", team.members[0])
    lead, marc = phone(), phone()
    lead.login(team.leads[0])
    marc.login(team.members[0])
    marc.wait_live()
    expect(channels_of(marc.page).get_by_role("link", name="Pricing")).to_be_visible()

    open_people(lead, "Pricing")
    asked = answer_dialogs(lead.page, [False, True])
    lead.page.get_by_role("button", name="Delete group").click()
    expect(lead.page.get_by_role("heading", name="Pricing")).to_be_visible()  # cancelled: nothing happened
    lead.page.get_by_role("button", name="Delete group").click()
    expect(channels_of(lead.page).get_by_role("link", name="Everyone")).to_be_visible()
    for p in (lead, marc):
        expect(channels_of(p.page).get_by_role("link", name="Pricing")).to_have_count(0)
    assert asked == ["Delete Pricing and its history for everyone? This cannot be undone."] * 2
    lead.shot("home-after-delete")
    assert lead.errors == marc.errors == []
