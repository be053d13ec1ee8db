"""A conversation as its people use it: receipts that say who has a message (details on tap, read too), older
history loading on scrolling up with the view kept and a way back to the latest, a multi-line composer (Enter sends
on a desktop, Shift+Enter and a phone's Enter make a new line) that counts near the limit and refuses over it, a
skip link past the cue pad, and a message written offline showing when it was written and when it was sent."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Api, Phone, User


def box(page: Page):
    return page.get_by_role("textbox", name="Message")


def mine(page: Page, text: str):
    return page.locator("li.msg.mine").filter(has_text=text)


def seed(api: Api, senders: list[User], channel_id: int, count: int) -> None:
    """Setup, not the behaviour under test: more messages than a device keeps (150), from several senders (each
    may send 120 a minute)."""
    for i in range(1, count + 1):
        body = {"client_id": str(uuid.uuid4()), "kind": "text", "text": f"Message {i}"}
        api.call(senders[i % len(senders)], "POST", f"/api/channels/{channel_id}/messages", body)


def test_receipts_say_who_has_it_got_it_and_read_it(
    api: Api, phone: Callable[[], Phone], desk: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", members=("Sam Member", "Lee Member"))
    olivia, sam = desk(), phone()
    olivia.login(team.owner)
    sam.login(team.members[0])
    sam.open_channel("Everyone")
    olivia.open_channel("Everyone")

    olivia.page.get_by_role("button", name="Send cue: Wrap up").click()
    sam.page.get_by_role("alertdialog").get_by_role("button", name=re.compile("Got it")).click()
    receipt = mine(olivia.page, "Wrap up").locator(".receipts summary")
    expect(receipt).to_have_text("Delivered 1/2 · Got it: Sam Member · Waiting: Lee Member")
    receipt.click()  # details on tap: who got it when, who is still waiting
    rows = mine(olivia.page, "Wrap up").locator(".who-list li")
    expect(rows.nth(0)).to_have_text(re.compile(r"Sam Member\s*Got it \d\d:\d\d"))
    expect(rows.nth(1)).to_have_text(re.compile(r"Lee Member\s*Waiting"))

    box(olivia.page).fill("Hold the warranty point")
    box(olivia.page).press("Enter")
    # Sam has the channel open: it is read there, and Olivia sees so without reloading.
    expect(mine(olivia.page, "warranty").locator(".receipts summary")).to_have_text(
        "Delivered 1/2 · Read: Sam Member · Waiting: Lee Member"
    )
    expect(rows.nth(0)).to_be_visible()  # the open details stayed open through the repaints
    olivia.shot("conversation-receipts-1280")
    sam.page.reload()
    sam.wait_live()
    sam.shot("conversation-receipts-receiver-390")

    # Olivia's phone: the same line from what the server keeps (after a reload too), details on a tap.
    pocket = phone()
    pocket.login(team.owner)
    pocket.open_channel("Everyone")
    line = mine(pocket.page, "warranty").locator(".receipts summary")
    expect(line).to_have_text("Delivered 1/2 · Read: Sam Member · Waiting: Lee Member")
    line.tap()
    expect(mine(pocket.page, "warranty").locator(".who-list li").nth(0)).to_have_text(re.compile(r"Sam Member\s*Read"))
    pocket.shot("conversation-receipts-390")
    assert olivia.errors == [] and sam.errors == [] and pocket.errors == []


def test_older_history_loads_on_scrolling_up_keeps_the_view_and_latest_returns(
    api: Api, phone: Callable[[], Phone], desk: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", leads=("Lea Lead",), members=("Marc Member",))
    everyone = team.channels["Everyone"]
    seed(api, [team.owner, team.leads[0]], everyone, 200)
    newest = "Message 200"
    for reader, width in ((phone(), 390), (desk(), 1280)):
        reader.login(team.members[0])
        reader.open_channel("Everyone")
        page = reader.page
        messages = page.locator("ol.messages li.msg .text")
        expect(messages.last).to_have_text(newest)
        top = messages.first.inner_text()
        assert top != "Message 1" and messages.count() <= 150, (top, messages.count())  # not all of it, at first
        latest = page.get_by_role("button", name=re.compile("Latest"))
        expect(latest).to_be_hidden()

        page.locator(".scroll").hover()
        page.mouse.wheel(0, -100_000)  # to the top of what is loaded
        older = f"Message {int(top.split()[1]) - 50}"
        expect(page.get_by_text(older, exact=True)).to_be_attached()
        # The message that was at the top is still in view: the older page went in above it.
        expect(page.get_by_text(top, exact=True)).to_be_in_viewport()
        expect(page.get_by_text(older, exact=True)).not_to_be_in_viewport()
        expect(latest).to_be_visible()
        for _ in range(5):  # on up to the first message
            page.mouse.wheel(0, -100_000)
            if page.get_by_text("Start of the conversation").is_visible():
                break
            page.wait_for_timeout(400)
        expect(page.get_by_text("Start of the conversation")).to_be_visible()
        expect(page.get_by_text("Message 1", exact=True)).to_be_in_viewport()
        reader.shot(f"conversation-history-top-{width}")

        body = {"client_id": str(uuid.uuid4()), "kind": "text", "text": f"Fresh news {width}"}
        api.call(team.owner, "POST", f"/api/channels/{everyone}/messages", body)
        expect(latest).to_have_text("1 new · Latest ↓")
        expect(page.get_by_text("Start of the conversation")).to_be_in_viewport()  # not yanked down
        latest.click()
        expect(page.get_by_text(f"Fresh news {width}")).to_be_in_viewport()
        expect(latest).to_be_hidden()
        newest = f"Fresh news {width}"
        assert reader.errors == []


def test_the_composer_sends_on_enter_on_a_desktop_and_counts_then_refuses_over_the_limit(
    api: Api, phone: Callable[[], Phone], desk: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    olivia, marc = desk(), phone()
    olivia.login(team.owner)
    marc.login(team.members[0])
    olivia.open_channel("Everyone")
    marc.open_channel("Everyone")

    page = olivia.page
    page.keyboard.press("Tab")  # the first stop is the skip link, past the bar and the cue pad
    expect(page.get_by_role("link", name="Skip to the message box")).to_be_focused()
    page.keyboard.press("Enter")
    expect(box(page)).to_be_focused()
    page.keyboard.type("Open at 5.1")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("then hold")
    expect(box(page)).to_have_value("Open at 5.1\nthen hold")
    page.keyboard.press("Enter")
    expect(marc.page.locator("li.msg.theirs .text").last).to_have_text("Open at 5.1\nthen hold")
    expect(box(page)).to_have_value("")

    # A phone: Enter is a new line, the button sends.
    box(marc.page).fill("Agreed")
    box(marc.page).press("Enter")
    box(marc.page).press_sequentially("on 5.1")
    expect(box(marc.page)).to_have_value("Agreed\non 5.1")
    marc.page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("li.msg.theirs .text").last).to_have_text("Agreed\non 5.1")

    counter = page.locator(".counter")
    box(page).fill("x" * 3400)
    expect(counter).to_be_hidden()
    box(page).fill("x" * 3990)
    expect(counter).to_have_text("3,990 / 4,000")
    box(page).press("End")
    page.keyboard.type("y" * 20)
    expect(counter).to_have_text("4,010 / 4,000: 10 too many")
    olivia.shot("conversation-composer-over-1280")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="Not sent")).to_have_text(
        "Not sent: a message can be at most 4,000 characters; this one has 4,010. Shorten it by 10."
    )
    assert len(box(page).input_value()) == 4010  # nothing cut
    page.keyboard.press("Backspace")
    for _ in range(9):
        page.keyboard.press("Backspace")
    expect(counter).to_have_text("4,000 / 4,000")
    expect(page.get_by_role("alert").filter(has_text="Not sent")).to_have_count(0)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(marc.page.locator("li.msg.theirs .text").last).to_have_text("x" * 3990 + "y" * 10)

    box(marc.page).fill("z" * 4001)
    expect(marc.page.locator(".counter")).to_have_text("4,001 / 4,000: 1 too many")
    marc.shot("conversation-composer-over-390")
    # A toast (an error, say) never covers the composer: it shows at the top.
    for person in (olivia, marc):
        person.page.evaluate("async () => (await import('/js/ui.js')).toast('Could not reach the server.')")
        toast = person.page.locator("#toast")
        expect(toast).to_have_css("opacity", "1")
        composer = person.page.locator("form.composer").bounding_box()
        shown = toast.bounding_box()
        assert composer and shown and shown["y"] + shown["height"] < composer["y"], (shown, composer)
    marc.shot("conversation-toast-390")
    assert olivia.errors == [] and marc.errors == []


def test_a_message_written_offline_shows_when_it_was_written_and_when_it_was_sent(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    writer, reader = phone(), phone()
    writer.login(team.owner)
    reader.login(team.members[0])
    reader.open_channel("Everyone")
    writer.open_channel("Everyone")

    writer.context.set_offline(True)
    box(writer.page).fill("Written in the lift")
    writer.page.get_by_role("button", name="Send", exact=True).click()
    expect(mine(writer.page, "Written in the lift")).to_have_attribute("data-state", "queued")
    written = writer.page.evaluate("async () => (await import('/js/outbox.js')).items[0].created_at")
    time.sleep(62)  # a real minute and more offline: no clock is bent
    writer.context.set_offline(False)

    stamp = re.compile(r"^written (.+) · sent (.+)$")
    for person in (reader, writer):
        shown = person.page.locator("li.msg").filter(has_text="Written in the lift").locator("time")
        expect(shown).to_have_text(stamp)
        was, sent = stamp.match(shown.inner_text()).groups()  # type: ignore[union-attr]
        assert was == person.page.evaluate(CLOCK, written) and was != sent
    (message,) = api.call(team.owner, "GET", f"/api/channels/{team.channels['Everyone']}/messages")["messages"]
    assert message["composed_at"] == written and message["created_at"] - written >= 62_000
    assert reader.page.evaluate(CLOCK, message["created_at"]) == sent
    # Sent at once, it shows one time.
    box(writer.page).fill("Right now")
    writer.page.get_by_role("button", name="Send", exact=True).click()
    expect(reader.page.locator("li.msg").filter(has_text="Right now").locator("time")).to_have_text(
        re.compile(r"^\d\d:\d\d")
    )
    reader.shot("conversation-written-sent-390")
    assert writer.errors == [] and reader.errors == []


CLOCK = "async (ms) => (await import('/js/ui.js')).clock(ms)"
