"""Issue 11, invites, accounts, errors: done in Chromium as people do it (clicks and typing, several contexts).

Screenshots land in test-artifacts/ at 390x844 (the phone fixture) and 1280x800.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from playwright.sync_api import Dialog, expect

from tests.client import PASSWORD
from tests.e2e.conftest import Api, Phone


def _real(errors: list[str]) -> list[str]:
    """Console errors but the browser's own line for each 4xx answer (the screens show those in words)."""
    return [e for e in errors if "Failed to load resource" not in e]


def test_a_field_error_shows_next_to_its_field_in_plain_words(api: Api, phone: Callable[[], Phone]) -> None:
    me = phone()
    page = me.page
    page.goto("/signup")
    # The server's refusal lands next to its field too.
    taken = api.sign_up("Tess Taken")
    page.get_by_label("Username").fill(taken.username)
    page.get_by_label("Your name").fill("Tess Two")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".field").filter(has=page.get_by_label("Username")).locator(".field-error")).to_have_text(
        "That username is taken. Try another."
    )
    expect(page.get_by_label("Username")).to_be_focused()
    page.get_by_label("Username").fill("d" * 40)  # over the 32 allowed: said, never cut
    page.get_by_label("Your name").fill("Dana Deal")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    username = page.locator(".field").filter(has=page.get_by_label("Username"))
    expect(username.locator(".field-error")).to_have_text(
        "Usernames are 3 to 32 letters, digits, dots, dashes or underscores."
    )
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Username")).to_have_value("d" * 40)
    expect(page.locator(".field").filter(has=page.get_by_label("Password")).locator(".field-error")).to_have_text(
        "Passwords are at least 8 characters."
    )
    expect(page.locator(".field").filter(has=page.get_by_label("Your name")).locator(".field-error")).to_have_count(0)
    assert "regex" not in page.content() and "[A-Za-z" not in page.content()
    me.shots("11-field-errors")
    me.errors.clear()  # the 409 above, as the browser logs it

    # Fixed, the errors go; the account is made; a team name over the server's limit (60) is refused in words,
    # never cut: what was typed stays for the person to shorten.
    page.get_by_label("Username").fill(f"dana{uuid.uuid4().hex[:8]}")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Start a team")).to_be_visible()
    page.get_by_label("Team name").press_sequentially("x" * 80)
    page.get_by_role("button", name="Create team").click()
    team_name = page.locator(".field").filter(has=page.get_by_label("Team name"))
    expect(team_name.locator(".field-error")).to_have_text("Names are at most 60 characters; this one has 80.")
    expect(page.get_by_label("Team name")).to_have_value("x" * 80)
    page.get_by_label("Team name").fill("x" * 60)
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("navigation", name="Channels")).to_be_visible()
    assert not me.errors


def test_handover_and_device_sign_out_ask_first(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(members=("Sam Second",))
    sam = team.members[0]
    me = phone()
    me.login(team.owner)
    elsewhere = phone()
    elsewhere.login(team.owner)
    page = me.page
    asked: list[str] = []
    answer = {"accept": False}

    def on_dialog(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", on_dialog)

    # Handing over ownership: cancelled, nothing changes; the select shows the old role again.
    page.get_by_role("link", name="Team", exact=True).click()
    role = page.get_by_label("Role of Sam Second")
    role.select_option("owner")
    assert asked and "cannot undo" in asked[-1]
    expect(role).to_have_value("member")
    assert api.call(sam, "GET", f"/api/teams/{team.id}")["role"] == "member"

    # Signing out another device: cancelled, it stays signed in.
    page.goto("/settings")
    sign_out = page.get_by_role("button", name=re.compile("^Sign out"))
    expect(sign_out).to_have_count(2)  # the other browser, and the session the test's api signed up with
    sign_out.first.click()
    assert "Sign out" in asked[-1]
    page.wait_for_timeout(300)
    expect(sign_out).to_have_count(2)
    assert len(api.call(team.owner, "GET", "/api/sessions")) == 3
    # Accepted: it goes.
    answer["accept"] = True
    sign_out.first.click()
    expect(sign_out).to_have_count(1)

    # Handover, accepted: Sam owns the team, the old owner is a lead.
    page.goto("/")
    page.get_by_role("link", name="Team", exact=True).click()
    page.get_by_label("Role of Sam Second").select_option("owner")
    expect(page.locator("#toast")).to_have_text("Sam Second is now the owner.")  # said, not only shown
    expect(page.locator(".item").filter(has_text="Sam Second").locator(".role")).to_have_text("owner")
    assert api.call(sam, "GET", f"/api/teams/{team.id}")["role"] == "owner"
    assert not me.errors


SHARE_SPY = """
(() => {
  window.__shares = [];
  Navigator.prototype.share = function (data) { window.__shares.push(data); return Promise.resolve(); };
})();
"""
NO_SHARE = "delete Navigator.prototype.share;"


def test_an_invite_is_shared_checked_before_sign_up_and_counted_live(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team()
    owner = phone()
    owner.context.add_init_script(SHARE_SPY)
    owner.login(team.owner)
    page = owner.page
    page.get_by_role("link", name="Team", exact=True).click()
    page.get_by_role("button", name="Create invite link").click()
    box = page.get_by_role("textbox", name="Invite link")
    expect(box).to_have_value(re.compile(r"/join/[\w-]+$"))
    link = box.input_value()
    # The system share sheet got the link (and the team's name).
    page.wait_for_function("window.__shares.length === 1")
    shared = page.evaluate("window.__shares[0]")
    assert shared["url"] == link and "Acme acquisition" in shared["title"]
    expect(page.locator(".invite").first).to_contain_text("0 of 10 used")
    owner.shots("11-invites")

    # Another of the owner's browsers, without a share sheet: the link is there again, and copied.
    laptop = phone()
    laptop.context.add_init_script(NO_SHARE)
    laptop.context.grant_permissions(["clipboard-read", "clipboard-write"])
    laptop.login(team.owner)
    laptop.page.get_by_role("link", name="Team", exact=True).click()
    expect(laptop.page.get_by_role("textbox", name="Invite link")).to_have_value(link)
    laptop.page.get_by_role("button", name=re.compile("^Share member invite")).click()
    expect(laptop.page.locator("#toast")).to_have_text("Link copied")
    assert laptop.page.evaluate("navigator.clipboard.readText()") == link

    # A newcomer opens the link: it names the team and who invited before asking them to sign up.
    newcomer = phone()
    guest = newcomer.page
    guest.goto(link)
    expect(guest.get_by_role("heading", name="Join Acme acquisition")).to_be_visible()
    expect(guest.get_by_text("Olivia Owner invited you to Acme acquisition")).to_be_visible()
    newcomer.shots("11-invite-page")
    guest.get_by_role("link", name="Create an account to join").click()
    guest.get_by_label("Username").fill(f"nina{uuid.uuid4().hex[:8]}")
    guest.get_by_label("Your name").fill("Nina Newcomer")
    guest.get_by_label("Password").fill(PASSWORD)
    guest.get_by_role("button", name="Create account").click()
    guest.get_by_role("button", name="Join Acme acquisition").click()
    expect(guest.get_by_role("navigation", name="Channels")).to_be_visible()

    # The owner's screen counts the use without a reload.
    expect(page.locator(".invite").first).to_contain_text("1 of 10 used")
    expect(page.get_by_role("listitem").filter(has_text="Nina Newcomer")).to_be_visible()

    # Revoked, the link says plainly that it is dead, and asks nobody to sign up.
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name=re.compile("^Revoke member invite")).click()
    expect(page.locator(".invite")).to_have_count(0)
    late = phone()
    late.page.goto(link)
    expect(late.page.get_by_role("heading", name="This invite to Acme acquisition no longer works")).to_be_visible()
    expect(late.page.get_by_text("This invite was withdrawn. Ask Olivia Owner for a new link.")).to_be_visible()
    expect(late.page.get_by_role("link", name=re.compile("Create an account"))).to_have_count(0)
    late.shots("11-invite-dead")
    late.page.goto("/join/not-a-real-token-at-all")
    expect(late.page.get_by_text("This invite link is not valid.")).to_be_visible()
    for p in (owner, laptop, newcomer, late):
        assert not _real(p.errors), p.errors


def test_name_password_and_devices_are_changed_on_the_settings_screen(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(members=("Sam Second",))
    sam = team.members[0]
    me = phone()
    me.login(sam)
    other = phone()
    other.login(sam)
    page = me.page
    page.goto("/settings")

    # A name that looks like a teammate's is refused next to the field; a fresh one is saved.
    name = page.get_by_label("Your name")
    name.fill("OLIVIA owner")
    page.get_by_role("button", name="Save name").click()
    error = page.locator(".field").filter(has=name).locator(".field-error")
    expect(error).to_contain_text("already called Olivia Owner")
    name.fill("Samantha Second")
    page.get_by_role("button", name="Save name").click()
    expect(error).to_have_count(0)
    expect(page.locator("#toast")).to_have_text("Name saved")
    members = api.call(team.owner, "GET", f"/api/teams/{team.id}")["members"]
    assert "Samantha Second" in [m["display_name"] for m in members]

    # Devices: when each signed in and was last seen; this one renamed.
    devices = page.locator(".item.device")
    expect(devices).to_have_count(3)  # the test's api session, the other browser, this one
    expect(devices.first).to_contain_text("Signed in")
    expect(page.locator(".item.device").filter(has_text="Last seen")).to_have_count(2)
    this_one = page.locator(".item.device").filter(has_text="this device")
    this_one.get_by_role("button", name=re.compile("^Rename")).click()
    page.get_by_label(re.compile("^New name for")).fill("D" * 121)  # a device's limit, not a person's (60)
    page.get_by_role("button", name="Save device name").click()
    expect(page.get_by_text("Names are at most 120 characters; this one has 121.")).to_be_visible()
    expect(page.get_by_label(re.compile("^New name for"))).to_have_value("D" * 121)
    page.get_by_label(re.compile("^New name for")).fill("Work phone")
    page.get_by_role("button", name="Save device name").click()
    expect(page.locator(".item.device").filter(has_text="Work phone (this device)")).to_be_visible()
    me.shots("11-settings-account")

    # A new password: the current one first, checked next to its field; then the other devices are signed out.
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill("a brand new password")
    page.get_by_role("button", name="Change password").click()
    current = page.locator(".field").filter(has=page.get_by_label("Current password")).locator(".field-error")
    expect(current).to_have_text("That is not your current password.")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#toast")).to_contain_text("Password changed")
    expect(page.locator(".item.device")).to_have_count(1)
    other.page.reload()
    expect(other.page.get_by_role("button", name="Log in")).to_be_visible()
    other.page.get_by_label("Username").fill(sam.username)
    other.page.get_by_label("Password").fill("a brand new password")
    other.page.get_by_role("button", name="Log in").click()
    expect(other.page.get_by_role("navigation", name="Channels")).to_be_visible()
    assert not _real(me.errors), me.errors


def test_a_name_like_a_teammates_is_told_at_the_invite_with_the_way_to_change_it(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team = api.team()
    link = "/join/" + api.call(team.owner, "POST", f"/api/teams/{team.id}/invites", {"role": "member"})["token"]
    twin = api.sign_up("olivia OWNER")
    me = phone()
    page = me.page
    page.goto("/login")
    page.get_by_label("Username").fill(twin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Start a team")).to_be_visible()
    page.goto(link)
    page.get_by_role("button", name="Join Acme acquisition").click()
    expect(page.get_by_role("alert")).to_contain_text("already called Olivia Owner")
    page.get_by_role("link", name="Change your name in Settings").click()
    page.get_by_label("Your name").fill("Olivia Other")
    page.get_by_role("button", name="Save name").click()
    expect(page.locator("#toast")).to_have_text("Name saved")
    page.goto(link)
    page.get_by_role("button", name="Join Acme acquisition").click()
    expect(page.get_by_role("navigation", name="Channels")).to_be_visible()
    assert not _real(me.errors), me.errors
