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

DESKTOP = {"width": 1280, "height": 800}


def _both(me: Phone, name: str) -> None:
    me.shot(f"{name}-390")
    me.page.set_viewport_size(DESKTOP)
    me.shot(f"{name}-1280")
    me.page.set_viewport_size({"width": 390, "height": 844})


def test_a_field_error_shows_next_to_its_field_in_plain_words(phone: Callable[[], Phone]) -> None:
    me = phone()
    page = me.page
    page.goto("/signup")
    page.get_by_label("Username").fill("ab")
    page.get_by_label("Your name").fill("Dana Deal")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    username = page.locator(".field").filter(has=page.get_by_label("Username"))
    expect(username.locator(".field-error")).to_have_text(
        "Usernames are 3 to 32 letters, digits, dots, dashes or underscores."
    )
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field").filter(has=page.get_by_label("Password")).locator(".field-error")).to_have_text(
        "Passwords are at least 8 characters."
    )
    expect(page.locator(".field").filter(has=page.get_by_label("Your name")).locator(".field-error")).to_have_count(0)
    assert "regex" not in page.content() and "[A-Za-z" not in page.content()
    _both(me, "11-field-errors")

    # Fixed, the errors go; the account is made; the team name stops at the server's limit (60).
    page.get_by_label("Username").fill(f"dana{uuid.uuid4().hex[:8]}")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Start a team")).to_be_visible()
    page.get_by_label("Team name").press_sequentially("x" * 80)
    assert len(page.get_by_label("Team name").input_value()) == 60
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
    expect(page.locator(".item").filter(has_text="Sam Second").locator(".role")).to_have_text("owner")
    assert api.call(sam, "GET", f"/api/teams/{team.id}")["role"] == "owner"
    assert not me.errors
