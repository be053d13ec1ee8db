"""Issue 13, the team's side of sources (docs/sources.md), in four browsers: a handler adds a source in the app and
reads its single-use link off the screen; the source joins from it and they talk (a text-only conversation: no cue
pad); the handler logs two graded entries (one from the source's message, "Log as intel"); a lead marks one
corroborated and sees what was given beside what was got; a plain member sees the pseudonym and its track record,
never the notes, the link or the conversation; the handler ends the contact. Each checks what a person sees."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Dialog, Page, expect

from tests.client import fake_address
from tests.e2e.conftest import Api, Phone

SHOTS = Path("/tmp/team-shots")
NOTES = "Jane Roe, deputy CFO at Acme; met at the Lisbon fair"
CAP = "The board meets Thursday; the cap is 40 M."
CFO = "Their CFO leaves in March."
RECORD = "in contact · 2 entries · 1 corroborated · 1 known"
TABLE = "They opened at 40 M in round 2"
LATER = "Also: legal wants a 30-day exit clause."


def _shot(p: Phone, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    p.page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _accept(page: Page, asked: list[str]) -> None:
    def on_dialog(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", on_dialog)


class ApiGuest:
    """The source on its own device, through the guest routes (where only the handler's screens are under test)."""

    def __init__(self, http: httpx.Client, link: str) -> None:
        self.http, self.address = http, fake_address()
        token = link.rsplit("/", 1)[1]
        answer = http.post("/api/contact", json={"token": token}, headers={"X-Forwarded-For": self.address})
        assert answer.status_code == 201, answer.text
        http.cookies.clear()
        self.headers = {"Authorization": f"Bearer {answer.json()['token']}", "X-Forwarded-For": self.address}
        self.contact = self.get("/api/contact").json()
        assert self.contact["handler_name"] == "Hana Handler"

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path, headers=self.headers)

    def say(self, text: str) -> None:
        body = {"kind": "text", "client_id": str(uuid.uuid4()), "text": text}
        sent = self.http.post(f"/api/channels/{self.contact['channel_id']}/messages", json=body, headers=self.headers)
        assert sent.status_code == 201, sent.text

    def sees(self, text: str) -> None:
        for _ in range(50):
            page = self.get(f"/api/channels/{self.contact['channel_id']}/messages").json()
            if text in [m["text"] for m in page["messages"]]:
                return
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never reached the source")

    def ended(self) -> None:
        assert self.get("/api/contact").status_code == 401  # signed out


class ScreenGuest:
    """The source on its own phone, in the guest screen (screens/contact.js)."""

    def __init__(self, p: Phone, link: str) -> None:
        self.phone, self.page = p, p.page
        self.page.goto(link)
        self.page.get_by_role("button", name="Open").click()
        expect(self.page.get_by_role("heading", name="Hana Handler")).to_be_visible()

    def say(self, text: str) -> None:
        self.page.get_by_role("textbox", name="Message").fill(text)
        self.page.get_by_role("button", name="Send", exact=True).click()

    def say_offline(self, text: str) -> None:
        """Written with no signal: it waits in the outbox ("Queued"), then goes out once the phone is back."""
        self.phone.context.set_offline(True)
        expect(self.page.locator('.live[data-state="offline"]')).to_be_attached()
        self.say(text)
        queued = self.page.locator('li.msg.mine[data-state="queued"]')
        expect(queued).to_contain_text("Queued")
        self.phone.context.set_offline(False)
        expect(queued).to_have_count(0)

    def sees(self, text: str) -> None:
        expect(self.page.get_by_role("log", name="Messages").get_by_text(text)).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / "0-source-phone.png")

    def ended(self) -> None:
        expect(self.page.get_by_role("heading", name="This conversation has ended.")).to_be_visible()


def _log(page: Page, reliability: str, credibility: str, claim: str | None = None) -> None:
    form = page.locator("form#log")
    form.get_by_label("Reliability of the source").select_option(reliability)
    form.get_by_label("Credibility of what it said").select_option(credibility)
    if claim is not None:
        form.get_by_label("Claim").fill(claim)
    form.get_by_role("button", name="Log entry").click()


def _entry(page: Page, claim: str):  # type: ignore[no-untyped-def]
    return page.locator("li.entry").filter(has=page.locator(".claim", has_text=claim))


def test_a_source_from_its_link_to_the_end_of_contact(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", leads=("Lena Lead",), members=("Hana Handler", "Pete Plain"))
    hana, lena, pete = phone(), phone(), phone()
    hana.login(team.members[0])
    lena.login(team.leads[0])
    pete.login(team.members[1])

    # The handler adds a source: pseudonym and private notes; the single-use link shows, with its expiry.
    hana.page.get_by_role("link", name="Sources").click()
    hana.page.get_by_label("Pseudonym").fill("Nightingale")
    hana.page.get_by_label("Private notes").fill(NOTES)
    hana.page.get_by_role("button", name="Add source").click()
    box = hana.page.get_by_label("Contact link for Nightingale")
    expect(box).to_have_value(re.compile(r"/contact/[\w-]{16,}$"))
    expect(hana.page.get_by_text("It works once, until")).to_be_visible()
    link = box.input_value()
    assert link.startswith(hana.base)
    expect(hana.page.locator(".list").get_by_text("You handle it · link not used yet · 0 entries")).to_be_visible()
    _shot(hana, "1-handler-added-a-source")
    hana.shots("sources-added")  # named controls, contrast and axe's rules, phone and desktop

    # A plain member sees it live: the pseudonym and who handles it.
    pete.page.get_by_role("link", name="Sources").click()
    expect(pete.page.get_by_text("Handled by Hana Handler · link not used yet · 0 entries")).to_be_visible()

    # The source opens the link (its own device) and writes; the handler's list has the conversation, under Sources.
    guest = ScreenGuest(phone(), link)
    guest.say(CAP)
    hana.page.get_by_role("link", name="Back").click()
    channels = hana.page.get_by_role("navigation", name="Channels")
    expect(channels.get_by_role("heading", name="Sources")).to_be_visible()
    channels.get_by_role("link", name=re.compile("Nightingale")).click()
    expect(hana.page.locator(".msg.theirs .who")).to_have_text("Nightingale")
    expect(hana.page.locator(".msg.theirs .text")).to_have_text(CAP)
    expect(hana.page.get_by_role("group", name="Cue pad")).to_have_count(0)  # text only: the server refuses cues
    expect(hana.page.get_by_role("link", name="Table mode")).to_have_count(0)
    hana.page.get_by_role("textbox", name="Message").fill("Thanks. Who else is in the room?")
    hana.page.get_by_role("button", name="Send").click()
    expect(hana.page.locator(".msg.mine .text")).to_have_text("Thanks. Who else is in the room?")
    expect(hana.page.locator(".msg.mine .ladder")).to_contain_text("Nightingale")  # who has it: the source, by name
    guest.sees("Thanks. Who else is in the room?")
    # The source, with no signal for a while: its message waits in its outbox, then reaches the handler once.
    guest.say_offline(LATER)
    expect(hana.page.locator(".msg.theirs .text")).to_have_text([CAP, LATER])
    _shot(hana, "2-handler-conversation")

    # "Log as intel" on the source's message: the entry form, prefilled; graded B2.
    hana.page.locator(".msg.theirs", has_text=CAP).get_by_role("link", name="Log as intel").click()
    expect(hana.page).to_have_url(re.compile(r"/intel\?"))
    expect(hana.page.locator("form#log").get_by_label("Claim")).to_have_value(CAP)
    expect(hana.page.locator("form#log select[name=source] option:checked")).to_have_text("Nightingale")
    hana.page.locator("form#log").get_by_role("button", name="Log entry").click()  # not graded yet: refused here
    expect(hana.page.get_by_text("Grade the source.")).to_be_visible()
    _log(hana.page, "B", "2")
    cap = _entry(hana.page, CAP)
    expect(cap.locator(".grade")).to_have_text("B2 usually reliable · probably true")
    expect(cap.locator(".entry-head")).to_contain_text("Nightingale")
    expect(cap.locator(".entry-head")).to_contain_text("said ")
    # A second one by hand.
    _log(hana.page, "C", "3", CFO)
    expect(_entry(hana.page, CFO).locator(".grade")).to_have_text("C3 fairly reliable · possibly true")
    expect(hana.page.locator("li.entry .claim")).to_have_text([CFO, CAP])  # newest first
    _shot(hana, "3-handler-intel-log")

    # A lead marks the cap corroborated, at the table; everyone's log says so, live.
    lena.page.get_by_role("link", name="Intel log").click()
    cap = _entry(lena.page, CAP)
    cap.locator("summary", has_text="Assess").click()
    cap.get_by_label("Verdict on entry").select_option("corroborated")
    cap.get_by_role("button", name="Save assessment").click()
    expect(cap.get_by_text("A verdict needs its evidence")).to_be_visible()
    cap.get_by_label("Evidence for entry").select_option("table")
    cap.get_by_label("What happened at the table").fill(TABLE)
    cap.get_by_role("button", name="Save assessment").click()
    expect(_entry(lena.page, CAP).locator(".verdicts")).to_have_text(
        "corroborated at the table: They opened at 40 M in round 2"
    )
    expect(_entry(hana.page, CAP).locator(".verdict")).to_have_text("corroborated")
    # And the CFO news was already known, by that entry.
    cfo = _entry(lena.page, CFO)
    cfo.locator("summary", has_text="Assess").click()
    cfo.get_by_label("Already known").check()
    cfo.get_by_role("button", name="Save assessment").click()
    expect(_entry(lena.page, CFO).locator(".verdicts")).to_have_text("already known")
    _shot(lena, "4-lead-intel-log")
    lena.shots("intel-log-assessing")

    # The handler records a give; the lead sees given beside got, never the notes.
    hana.page.goto(f"{hana.base}/sources")
    hana.page.get_by_role("link", name=re.compile("^Nightingale")).click()
    expect(hana.page.get_by_label("Private notes")).to_have_value(NOTES)
    hana.page.get_by_label("What we gave").fill("Our due-diligence timeline")
    hana.page.get_by_role("button", name="Record it").click()
    gave = hana.page.locator(".exchange > div").first
    expect(gave).to_contain_text("Our due-diligence timeline")
    _shot(hana, "5-handler-source-page")
    hana.page.wait_for_timeout(300)  # the state is saved a moment after a change
    kept = hana.page.evaluate("async () => JSON.stringify(await (await import('/js/db.js')).kv.get('state'))")
    assert "Nightingale" in kept and NOTES not in kept and "/contact/" not in kept  # never on the device: notes, link
    hana.shots("source-page-handler")
    lena.page.goto(f"{lena.base}/sources")
    expect(lena.page.get_by_text(f"Handled by Hana Handler · {RECORD}")).to_be_visible()
    lena.page.get_by_role("link", name=re.compile("^Nightingale")).click()
    exchange = lena.page.locator(".exchange")
    expect(exchange).to_contain_text("Our due-diligence timeline")
    expect(exchange).to_contain_text(CAP)
    expect(exchange).to_contain_text(CFO)
    expect(lena.page.get_by_role("button", name="End contact")).to_have_count(0)
    assert NOTES not in lena.page.content()
    _shot(lena, "6-lead-source-page")

    # A plain member: the pseudonym, handler, state and record; no notes, link, conversation or exchange.
    expect(pete.page.get_by_text(f"Handled by Hana Handler · {RECORD}")).to_be_visible()
    pete.page.get_by_role("link", name=re.compile("^Nightingale")).click()
    expect(pete.page.get_by_role("heading", name="Nightingale").first).to_be_visible()
    expect(pete.page.get_by_text("Give and get")).to_have_count(0)
    for absent in ("Private notes", "New link", "Open the conversation", "Hand over", "End contact"):
        expect(pete.page.get_by_text(absent)).to_have_count(0)
    assert NOTES not in pete.page.content()
    pete.shots("source-page-member")
    pete.page.get_by_role("link", name="Back").click()
    pete.page.get_by_role("link", name="Back").click()
    expect(pete.page.get_by_role("navigation", name="Channels").get_by_text("Nightingale")).to_have_count(0)
    pete.page.get_by_role("link", name="Intel log").click()
    expect(pete.page.locator("li.entry .claim")).to_have_text([CFO, CAP])
    expect(pete.page.locator("form#log")).to_have_count(0)  # not a handler
    _shot(pete, "7-member-intel-log")
    assert NOTES not in pete.page.content()

    # The handler ends the contact: asked first; the source is signed out, the conversation gone; the intel stays.
    asked: list[str] = []
    _accept(hana.page, asked)
    hana.page.get_by_role("button", name="End contact").click()
    expect(hana.page.get_by_text("You handle it · " + RECORD.replace("in contact", "contact ended"))).to_be_visible()
    assert asked == ["End contact with Nightingale? The conversation is deleted for good; the source is signed out."]
    guest.ended()
    hana.page.get_by_role("link", name="Back").click()
    hana.page.get_by_role("link", name="Back").click()
    expect(hana.page.get_by_role("navigation", name="Channels").get_by_text("Nightingale")).to_have_count(0)
    _shot(hana, "8-handler-after-the-end")
    pete.page.goto(f"{pete.base}/intel")
    expect(pete.page.locator("li.entry .claim")).to_have_text([CFO, CAP])
    expect(pete.page.locator("li.entry .entry-head b").first).to_have_text("Nightingale")
    # Any teammate assesses, here by another entry: the CFO news is contradicted by the cap's entry.
    cfo = _entry(pete.page, CFO)
    cfo.locator("summary", has_text="Assess").click()
    cfo.get_by_label("Verdict on entry").select_option("contradicted")
    by = cfo.locator("select[name=by_entry_id] option", has_text="By entry #").filter(has_text="The board meets")
    cfo.get_by_label("Evidence for entry").select_option(by.get_attribute("value"))
    cfo.get_by_role("button", name="Save assessment").click()
    expect(_entry(pete.page, CFO).locator(".verdicts")).to_have_text(
        re.compile(r"^contradicted by entry #\d+ already known$")
    )
    expect(_entry(pete.page, CFO).get_by_role("button", name="Save assessment")).to_have_count(0)  # saved: closed
    _shot(pete, "10-member-assessed-by-entry")
    for p in (hana, lena, pete):
        assert not [e for e in p.errors if "Failed to load resource" not in e], p.errors


def test_a_new_link_replaces_the_old_one_and_a_handover_moves_notes_and_conversation(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", leads=("Lena Lead",), members=("Hana Handler",))
    hana, lena = phone(), phone()
    hana.login(team.members[0])
    lena.login(team.leads[0])
    made = api.call(team.members[0], "POST", f"/api/teams/{team.id}/sources", {"pseudonym": "Heron", "notes": NOTES})
    old = made["link"]["token"]

    # Not used yet: a new link shows at once (no question), and the old one stops working.
    hana.page.goto(f"{hana.base}/sources/{made['id']}")
    expect(hana.page.get_by_text("A link is out until")).to_be_visible()
    hana.page.get_by_role("button", name="New link").click()
    box = hana.page.get_by_label("Contact link for Heron")
    expect(box).to_have_value(re.compile(r"/#/contact/[\w-]{16,}$"))
    link = box.input_value()
    assert old not in link
    gone = api.http.post("/api/contact", json={"token": old}, headers={"X-Forwarded-For": fake_address()})
    assert gone.status_code == 404, gone.text
    guest = ApiGuest(api.http, link)
    guest.say("Hello from Heron")
    expect(hana.page.get_by_text("You handle it · in contact · 0 entries")).to_be_visible()  # joined: drawn anew

    # Handed over to the lead: asked first; it leaves the handler's screens, the lead has the notes and the talk.
    asked: list[str] = []
    _accept(hana.page, asked)
    hana.page.get_by_label("Hand over to").select_option(label="Lena Lead")
    hana.page.get_by_role("button", name="Hand over", exact=True).click()
    expect(hana.page.get_by_text("Handled by Lena Lead · in contact · 0 entries")).to_be_visible()
    expect(hana.page.get_by_label("Private notes")).to_have_count(0)
    assert asked == ["Hand Heron over to Lena Lead? Your notes and the conversation go to them."]
    channels = lena.page.get_by_role("navigation", name="Channels")  # live: the lead's list has it now
    channels.get_by_role("link", name=re.compile("Heron")).click()
    expect(lena.page.locator(".msg.theirs .who")).to_have_text("Heron")
    expect(lena.page.locator(".msg.theirs .text")).to_have_text("Hello from Heron")
    lena.page.goto(f"{lena.base}/sources/{made['id']}")
    expect(lena.page.get_by_label("Private notes")).to_have_value(NOTES)
    hana.page.reload()
    expect(hana.page.get_by_text("Handled by Lena Lead")).to_be_visible()
    assert NOTES not in hana.page.content()
    hana.page.goto(f"{hana.base}/")
    expect(hana.page.get_by_role("navigation", name="Channels").get_by_text("Heron")).to_have_count(0)
    _shot(lena, "9-lead-after-handover")
    # The new handler logs from now on: on the intel log, the form is folded under its title until opened.
    lena.page.goto(f"{lena.base}/intel")
    expect(lena.page.locator("form#log")).to_be_hidden()
    lena.page.get_by_role("heading", name="Log an entry").click()
    expect(lena.page.locator("form#log select[name=source] option:checked")).to_have_text("Heron")
