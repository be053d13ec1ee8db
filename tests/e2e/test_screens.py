"""Acceptance 5 and 7: every screen, at 390x844 and 1280x800, without console errors, with named controls, AA text
and none of axe-core's findings that Lighthouse's accessibility category counts (tests/e2e/a11y.py).

The screenshots land in test-artifacts/ (gitignored), NN-name-390.png and NN-name-1280.png, for people to look at.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import expect

from tests.client import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, Api, Phone, User

CSS = Path(__file__).resolve().parents[2] / "pwa" / "css" / "app.css"


def test_every_screen_at_both_sizes_is_clean_named_and_readable(api: Api, phone: Callable[[], Phone]) -> None:
    me = phone()
    page = me.page
    page.goto("/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    me.shots("01-login")

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Username").fill(f"dana{uuid.uuid4().hex[:8]}")
    page.get_by_label("Your name").fill("Dana Deal")
    page.get_by_label("Password").fill(PASSWORD)
    me.shots("02-signup")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Start a team")).to_be_visible()
    me.shots("03-onboarding")
    page.get_by_label("Team name").fill("Acme acquisition")
    page.get_by_role("button", name="Create team").click()
    nav = page.get_by_role("navigation", name="Channels")
    expect(nav.get_by_role("link", name=re.compile("Leads"))).to_be_visible()
    me.wait_live()

    # A teammate joins through an invite link made on the team screen.
    page.get_by_role("link", name="Team", exact=True).click()
    page.get_by_role("button", name="Create invite link").click()
    link = page.get_by_role("textbox", name="Invite link").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/join/[\w-]+", link)
    sam = api.sign_up("Sam Second")
    api.call(sam, "POST", f"/api/invites/{link.rsplit('/', 1)[1]}/accept")
    expect(page.get_by_role("listitem").filter(has_text="Sam Second")).to_be_visible()
    me.shots("04-team", full_page=True)

    page.get_by_role("link", name="Back").click()
    expect(nav.get_by_role("link", name=re.compile("Everyone"))).to_be_visible()
    leads = _channel_id(str(nav.get_by_role("link", name=re.compile("Leads")).first.get_attribute("href")))
    expect(page.locator("#toast.on")).to_have_count(0)  # "Link copied" has gone
    me.shots("05-home")

    # A conversation: mine with their receipts, theirs.
    me.open_channel("Everyone")
    everyone = _channel_id(page.url)
    page.get_by_role("textbox", name="Message").fill("Morning. They open at 4.6, we hold at 4.2.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_role("button", name="Send cue: Let me talk").click()
    expect(page.locator('li.msg.mine[data-state="sent"]')).to_have_count(2)
    _send(api, sam, everyone, text="Agreed. I'll watch their CFO.")
    expect(page.locator("li.msg.theirs")).to_have_count(1)
    cue = next(m for m in api.call(sam, "GET", f"/api/channels/{everyone}/messages")["messages"] if m["kind"] == "cue")
    api.call(sam, "POST", f"/api/messages/{cue['id']}/ack")
    expect(page.locator("li.msg.mine.cue")).to_contain_text("Got it: Sam Second")
    me.shots("06-channel")

    # A wide screen: the list beside two open channels.
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Open Leads beside").click()
    expect(page.locator(".panes > .pane")).to_have_count(2)
    me.shots("07-side-by-side")
    page.set_viewport_size(PHONE)  # one channel at a time again: the first of the path, Everyone
    expect(page.get_by_role("heading", level=1, name="Everyone")).to_be_visible()

    _send(api, sam, everyone, cue="take_break")
    alert = page.get_by_role("alertdialog")
    expect(alert).to_contain_text("Take a break")
    me.shots("08-incoming-cue")
    alert.get_by_role("button", name="Got it").click()

    page.get_by_role("link", name="Table mode", exact=True).click()
    expect(page.get_by_text("Waiting for cues").or_(page.locator(".last-label"))).to_be_visible()
    _send(api, sam, everyone, cue="dont_concede")
    expect(page.locator(".last-label")).to_have_text("Don't concede")
    assert [100, 80, 100, 80, 100, 80, 100] in me.vibrations()
    page.wait_for_timeout(1300)  # the flash fades
    me.shots("09-table-mode")
    page.get_by_role("button", name="Hide screen").click()
    neutral = page.get_by_role("button", name=re.compile("Clock"))
    expect(neutral).to_be_visible()
    me.shots("10-neutral-clock")
    neutral.dblclick()
    expect(neutral).to_be_hidden()
    page.get_by_role("button", name="Got it").click()
    page.get_by_role("link", name="Leave table mode").click()

    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Settings", exact=True).click()
    expect(page.get_by_role("heading", name="Devices")).to_be_visible()
    expect(page.get_by_text("This device")).to_be_visible()
    me.shots("11-settings", full_page=True)

    # The invite link, opened by someone not signed in.
    newcomer = phone()
    newcomer.page.goto(link)
    expect(newcomer.page.get_by_role("heading", name="Join Acme acquisition")).to_be_visible()
    newcomer.shots("12-invite")

    # A plain member at the Leads channel's address.
    member = phone()
    member.login(sam)
    member.page.goto(f"/c/{leads}")
    expect(member.page.get_by_role("heading", name="Channel not available")).to_be_visible()
    member.shots("13-channel-not-available")

    assert me.errors == [] and newcomer.errors == [] and member.errors == []


def test_an_expired_cue_waits_for_a_decision(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team()
    me = phone()
    me.login(team.owner)
    me.open_channel("Everyone")
    page = me.page
    # A cue queued 5 minutes ago (its time-to-live is 60 s) must not go out by itself.
    page.evaluate(
        """async (channelId) => {
          const outbox = await import('/js/outbox.js');
          await outbox.enqueue({ client_id: crypto.randomUUID(), channel_id: channelId, kind: 'cue',
                                 cue: 'let_me_talk', created_at: Date.now() - 300000, ttl: 60 });
        }""",
        team.channels["Everyone"],
    )
    expired = page.locator('li.msg.mine[data-state="expired"]')
    expect(expired).to_contain_text("Expired, not sent")
    me.shots("14-expired-cue")
    expired.get_by_role("button", name="Send anyway").click()
    expect(page.locator('li.msg.mine[data-state="sent"]')).to_contain_text("Let me talk")

    page.evaluate(
        """async (channelId) => {
          const outbox = await import('/js/outbox.js');
          await outbox.enqueue({ client_id: crypto.randomUUID(), channel_id: channelId, kind: 'cue',
                                 cue: 'wrap_up', created_at: Date.now() - 300000, ttl: 60 });
        }""",
        team.channels["Everyone"],
    )
    expect(expired).to_have_count(1)
    expired.get_by_role("button", name="Discard").click()
    expect(expired).to_have_count(0)
    assert len(api.call(team.owner, "GET", f"/api/channels/{team.channels['Everyone']}/messages")["messages"]) == 1
    assert me.errors == []


def test_the_theme_colours_meet_wcag_aa() -> None:
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS.read_text()))
    pairs = [
        ("text", "bg"), ("text", "surface"), ("text", "surface-2"), ("muted", "bg"), ("muted", "surface"),
        ("muted", "surface-2"), ("accent", "bg"), ("accent", "surface"), ("accent-ink", "accent"),
        ("urgent", "bg"), ("urgent", "surface"), ("danger", "bg"), ("danger", "surface"),
        ("alert-text", "alert-normal"), ("alert-text", "alert-high"), ("bg", "text"),
    ]  # fmt: skip
    low = {f"{fg} on {bg}": round(_ratio(colours[fg], colours[bg]), 2) for fg, bg in pairs}
    assert {k: v for k, v in low.items() if v < 4.5} == {}


def _ratio(a: str, b: str) -> float:
    def luminance(hex_colour: str) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _channel_id(url: str) -> int:
    match = re.search(r"/c/(\d+)", url)
    assert match, url
    return int(match.group(1))


def _send(api: Api, user: User, channel_id: int, text: str | None = None, cue: str | None = None) -> None:
    body = {"client_id": str(uuid.uuid4()), "kind": "cue" if cue else "text", "cue" if cue else "text": cue or text}
    api.call(user, "POST", f"/api/channels/{channel_id}/messages", body)
