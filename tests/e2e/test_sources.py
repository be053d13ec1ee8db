"""Issue 13, the team's side of sources (docs/sources.md), in four browsers: a handler adds a source in the app and
reads its single-use link off the screen; the source joins from it and they talk (a text-only conversation: no cue
pad); the handler logs two graded entries (one from the source's message, "Log as intel"); a lead marks one
corroborated and sees what was given beside what was got; a plain member sees the pseudonym and its track record,
never the notes, the link or the conversation; the handler ends the contact. Each checks what a person sees."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _shot(p: Phone, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    p.page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _accept(page: Page, asked: list[str]) -> None:
    def on_dialog(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", on_dialog)


class Guest:
    """The source's own side, through the guest routes (its screen is the guest branch's)."""

    def __init__(self, http: httpx.Client, token: str) -> None:
        self.http, self.address = http, fake_address()
        answer = http.post("/api/contact", json={"token": token}, headers={"X-Forwarded-For": self.address})
        assert answer.status_code == 201, answer.text
        http.cookies.clear()
        self.headers = {"Authorization": f"Bearer {answer.json()['token']}", "X-Forwarded-For": self.address}
        self.contact = self.get("/api/contact").json()

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path, headers=self.headers)

    def say(self, text: str) -> Any:
        body = {"kind": "text", "client_id": str(uuid.uuid4()), "text": text}
        sent = self.http.post(f"/api/channels/{self.contact['channel_id']}/messages", json=body, headers=self.headers)
        assert sent.status_code == 201, sent.text
        return sent.json()

    def texts(self) -> list[str]:
        page = self.get(f"/api/channels/{self.contact['channel_id']}/messages").json()
        return [m["text"] for m in page["messages"]]


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
    guest = Guest(api.http, link.rsplit("/", 1)[1])
    assert guest.contact["handler_name"] == "Hana Handler"
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
    for _ in range(50):
        if "Thanks. Who else is in the room?" in guest.texts():
            break
        hana.page.wait_for_timeout(100)
    assert guest.texts()[-1] == "Thanks. Who else is in the room?"
    _shot(hana, "2-handler-conversation")

    # "Log as intel" on the source's message: the entry form, prefilled; graded B2.
    hana.page.locator(".msg.theirs").get_by_role("link", name="Log as intel").click()
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
    expect(pete.page.get_by_role("heading", name="Log an entry")).to_have_count(0)  # not a handler
    _shot(pete, "7-member-intel-log")
    assert NOTES not in pete.page.content()

    # The handler ends the contact: asked first; the source is signed out, the conversation gone; the intel stays.
    asked: list[str] = []
    _accept(hana.page, asked)
    hana.page.get_by_role("button", name="End contact").click()
    expect(hana.page.get_by_text("You handle it · " + RECORD.replace("in contact", "contact ended"))).to_be_visible()
    assert asked == ["End contact with Nightingale? The conversation is deleted for good; the source is signed out."]
    assert guest.get("/api/contact").status_code == 401
    hana.page.get_by_role("link", name="Back").click()
    hana.page.get_by_role("link", name="Back").click()
    expect(hana.page.get_by_role("navigation", name="Channels").get_by_text("Nightingale")).to_have_count(0)
    _shot(hana, "8-handler-after-the-end")
    pete.page.goto(f"{pete.base}/intel")
    expect(pete.page.locator("li.entry .claim")).to_have_text([CFO, CAP])
    expect(pete.page.locator("li.entry .entry-head b").first).to_have_text("Nightingale")
    for p in (hana, lena, pete):
        assert not [e for e in p.errors if "Failed to load resource" not in e], p.errors
