"""Issue 12, meeting mode, on three phones (a lead and two teammates; the owner has no phone here): a lead plans and
starts a meeting; teammates see it on home and join it in one tap, each saying where they are and what they do
(an observer's pad puts the observer cues first); the lead's roster shows who joined, where, whether their phone is
ready, and who has not. The floor: "Let me talk" queues a request the lead grants or declines; the granted phone
buzzes its "go" rhythm; release, withdraw, take back. An urgent cue insists on the phone that has not answered it,
and stops when it is answered; its sender sees it per person. Quick hide. The debrief, its exports, its deletion."""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Api, Phone

GO = [60, 60, 60, 60, 400]
ASKED = [40, 90, 40]
STOP_CALL_ME = [600, 200, 600, 200, 600]
NOT_NOW = [200, 100, 60]


def _buzzes(p: Phone, rhythm: list[int]) -> int:
    return sum(1 for v in p.vibrations() if v == rhythm)


def _wait_buzzes(p: Phone, rhythm: list[int], n: int, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while _buzzes(p, rhythm) < n:
        assert time.monotonic() < end, f"{n} buzzes of {rhythm} expected, got {p.vibrations()}"
        time.sleep(0.2)


def _floor(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("status", name="Floor")


def _join(p: Phone, place: str, role: str) -> None:
    card = p.page.get_by_role("region", name="Pricing round 2")
    card.get_by_label("Where I am").select_option(label=place)
    card.get_by_label("What I do").select_option(label=role)
    card.get_by_role("button", name="Join").click()
    expect(p.page).to_have_url(re.compile(r"/meetings/\d+/table$"))


def test_a_live_meeting_from_join_to_debrief(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", leads=("Lena Lead",), members=("Sam Speaker", "Oscar Observer"))
    api.call(team.owner, "PUT", f"/api/teams/{team.id}/escalation", {"every_seconds": 10, "times": 4})
    lena, sam, oscar = phone(), phone(), phone()
    lena.login(team.leads[0])
    sam.login(team.members[0])
    oscar.login(team.members[1])

    # The lead plans the meeting on the Meetings screen, then starts it: table mode for it.
    lena.page.get_by_role("link", name="Meetings").click()
    lena.page.get_by_role("button", name="Plan meeting").click()
    expect(lena.page.get_by_text("Enter a title.")).to_be_visible()
    lena.page.get_by_label("Title").fill("Pricing round 2")
    lena.page.get_by_label("Counterpart").fill("Acme")
    lena.page.get_by_role("button", name="Plan meeting").click()
    start = lena.page.get_by_role("button", name="Start Pricing round 2")
    expect(start).to_be_visible()
    lena.shots("meetings-planned")
    start.click()
    expect(lena.page).to_have_url(re.compile(r"/meetings/\d+/table$"))
    meeting_id = int(lena.page.url.split("/")[-2])
    expect(lena.page.get_by_role("heading", level=1)).to_have_text("Pricing round 2 · Acme")
    lead = lena.page.get_by_role("region", name="Lead")
    expect(lead).to_contain_text("No one is waiting for the floor.")
    # A lead who has not joined sees a small "Join the table" (the form on tap), and all of her part on a phone.
    bar = lena.page.get_by_role("region", name="Meeting")
    expect(bar.get_by_label("Where I am")).to_have_count(0)
    expect(lead.get_by_role("button", name="End meeting")).to_be_in_viewport()
    expect(lead.get_by_text(re.compile(r"^Roster · "))).to_be_in_viewport()
    lena.shots("meeting-table-lead-unseated")
    bar.get_by_role("button", name="Join the table").click()
    expect(bar.get_by_label("Where I am")).to_be_visible()
    # She closes table mode: home and Meetings take her back to the lead's controls.
    lena.page.get_by_role("link", name="Leave table mode").click()
    lena_card = lena.page.get_by_role("region", name="Pricing round 2")
    expect(lena_card.get_by_role("button", name="Join")).to_be_visible()
    expect(lena_card.get_by_role("link", name="Lead the table")).to_be_visible()
    lena.shots("meeting-home-card-lead")
    lena.page.get_by_role("link", name="Meetings").click()
    lena_card.get_by_role("link", name="Lead the table").click()
    expect(lena.page).to_have_url(re.compile(f"/meetings/{meeting_id}/table$"))
    expect(lead).to_contain_text("No one is waiting for the floor.")

    # Teammates see it live on home, with how long it has run, and join in one tap.
    card = sam.page.get_by_role("region", name="Pricing round 2")
    expect(card).to_contain_text("Live meeting · just started")
    expect(card).to_contain_text("With Acme")
    sam.shots("meeting-home-card")
    expect(card.get_by_role("link", name="Lead the table")).to_have_count(0)  # a member's card: Join only
    # "Start table mode" during the meeting opens its table mode, where one not seated may join.
    sam.page.get_by_role("link", name="Start table mode").click()
    expect(sam.page).to_have_url(re.compile(f"/meetings/{meeting_id}/table$"))
    expect(sam.page.get_by_role("region", name="Meeting")).to_contain_text("Not joined yet: join to ask for the floor.")
    # Not seated, "Let me talk" asks him to join: it is never sent to everyone as a plain cue.
    sam.page.get_by_role("group", name="Cue pad").get_by_role("button", name="Let me talk").click()
    expect(sam.page.get_by_text("Join the table first to ask for the floor.")).to_be_visible()
    expect(lead).to_contain_text("No one is waiting for the floor.")
    sam.page.get_by_role("link", name="Leave table mode").click()
    _join(sam, "In the room", "Speaking")
    _join(oscar, "On the call", "Observing the other side")
    sam_pad = sam.page.get_by_role("group", name="Cue pad").get_by_role("button")
    oscar_pad = oscar.page.get_by_role("group", name="Cue pad").get_by_role("button")
    expect(sam_pad.first).to_have_text("Let me talk")
    expect(oscar_pad.nth(0)).to_have_text("They're nervous")
    expect(oscar_pad.nth(1)).to_have_text("Watch their lead")
    expect(oscar_pad.nth(2)).to_have_text("They're bluffing")
    expect(_floor(oscar.page)).to_have_text("The floor is open")
    oscar.shots("meeting-table-observer")
    # Joining again from home is one tap: the place and role chosen last time on this phone are preselected.
    oscar.page.get_by_role("link", name="Leave table mode").click()
    card = oscar.page.get_by_role("region", name="Pricing round 2")
    expect(card.get_by_role("link", name="Back to the table")).to_be_visible()
    card.get_by_role("link", name="Back to the table").click()

    # The lead's roster: who joined, where, doing what, whether the phone is ready; who has not joined.
    lead.get_by_text(re.compile(r"^Roster · 2 of 4 joined")).click()
    roster = lead.get_by_role("list").last
    expect(roster).to_contain_text("Sam Speaker · In the room · Speaking")
    expect(roster).to_contain_text("Oscar Observer · On the call · Observing the other side")
    sam_row = roster.get_by_role("listitem").filter(has_text="Sam Speaker")
    expect(sam_row).to_contain_text("Ready · App open · connected")
    expect(roster).to_contain_text("Olivia Owner · Not joined")
    expect(roster).to_contain_text("You · Not joined")
    lena.shots("meeting-table-lead-roster")

    # "Let me talk" in the live meeting asks for the floor; the lead's phone knocks and shows the queue in order.
    asked_before = _buzzes(lena, ASKED)
    sam_pad.filter(has_text="Let me talk").click()
    expect(_floor(sam.page)).to_contain_text("You are 1st in line")
    queue = lena.page.get_by_role("list", name="Floor queue")
    expect(queue.get_by_role("listitem")).to_have_count(1)
    expect(queue).to_contain_text(re.compile(r"1st · Sam Speaker\s*waited 0:0\d"))
    _wait_buzzes(lena, ASKED, asked_before + 1)
    oscar_pad.filter(has_text="Let me talk").click()
    expect(queue.get_by_role("listitem")).to_have_count(2)
    expect(queue.get_by_role("listitem").nth(1)).to_contain_text("2nd · Oscar Observer")
    expect(_floor(oscar.page)).to_contain_text("You are 2nd in line")
    lena.shots("meeting-table-lead-queue")
    everyone = api.call(team.owner, "GET", f"/api/channels/{team.channels['Everyone']}/messages")
    assert everyone["messages"] == []  # a request, not a cue

    # Withdrawing is one tap.
    oscar.page.get_by_role("button", name="Withdraw my request").click()
    expect(queue.get_by_role("listitem")).to_have_count(1)
    expect(_floor(oscar.page)).to_have_text("1 waiting for the floor")

    # The lead grants: the granted phone buzzes "go" and says so; the others see who has it.
    lena.page.get_by_role("button", name="Grant the floor to Sam Speaker").click()
    expect(_floor(sam.page)).to_contain_text("You have the floor")
    _wait_buzzes(sam, GO, 1)
    assert _buzzes(oscar, GO) == 0
    expect(_floor(oscar.page)).to_have_text("Sam Speaker has the floor")
    expect(lead).to_contain_text(re.compile(r"Sam Speaker has the floor · 0:0\d"))
    sam.shots("meeting-floor-mine")
    sam.page.get_by_role("button", name="Release the floor").click()
    expect(_floor(oscar.page)).to_have_text("The floor is open")
    expect(lead).not_to_contain_text("has the floor")

    # Declined; then granted and taken back.
    oscar_pad.filter(has_text="Let me talk").click()
    lena.page.get_by_role("button", name="Decline Oscar Observer").click()
    expect(_floor(oscar.page)).to_have_text("The floor is open")
    expect(oscar.page.locator("#toast")).to_have_text("The lead declined your request for the floor.")
    expect(oscar.page.locator("#toast")).to_have_css("background-color", "rgb(16, 20, 23)")  # dark at the table
    _wait_buzzes(oscar, NOT_NOW, 1)
    oscar.shots("meeting-floor-declined")
    oscar.page.wait_for_timeout(1000)  # a second tap on a cue within a second is the same tap
    oscar_pad.filter(has_text="Let me talk").click()
    lena.page.get_by_role("button", name="Grant the floor to Oscar Observer").click()
    expect(_floor(oscar.page)).to_contain_text("You have the floor")
    lena.page.get_by_role("button", name="Take the floor back from Oscar Observer").click()
    expect(_floor(oscar.page)).to_have_text("The floor is open")
    expect(oscar.page.locator("#toast")).to_have_text("The lead took the floor back.")
    _wait_buzzes(oscar, NOT_NOW, 2)
    assert _buzzes(sam, NOT_NOW) == 0 and _buzzes(lena, NOT_NOW) == 0

    # An urgent cue insists on the phone that has not answered it, every 10 s, and stops once it is answered.
    lena_pad = lena.page.get_by_role("group", name="Cue pad")
    lena_pad.get_by_role("button", name="Send cue: Stop — call me on my other line").click()
    _wait_buzzes(sam, STOP_CALL_ME, 1)
    _wait_buzzes(oscar, STOP_CALL_ME, 1)
    sam_last = sam.page.get_by_role("region", name="Last cue received")
    expect(sam_last.get_by_role("button", name="Got it")).to_be_visible()
    expect(sam_last.get_by_role("button", name="Dismiss")).to_have_count(0)  # it will insist: from its first buzz
    sam_last.get_by_role("button", name="Got it").click()
    mine = lena.page.get_by_role("status", name="My last cue")
    expect(mine).to_contain_text("Sam Speaker: got it · Oscar Observer: 2nd buzz", timeout=15_000)
    assert _buzzes(oscar, STOP_CALL_ME) == 2 and _buzzes(sam, STOP_CALL_ME) == 1
    oscar_last = oscar.page.get_by_role("region", name="Last cue received")
    expect(oscar_last).to_contain_text("Stop — call me on my other line")  # shown again
    # While it insists, "Dismiss" would not stop it: "Got it" only.
    expect(oscar_last.get_by_role("button", name="Got it")).to_be_visible()
    expect(oscar_last.get_by_role("button", name="Dismiss")).to_have_count(0)
    oscar.shots("meeting-cue-insisting")
    lena.shots("meeting-escalation")
    _wait_buzzes(oscar, STOP_CALL_ME, 3, timeout=15)
    expect(mine).to_contain_text("Oscar Observer: 3rd buzz")
    oscar.page.get_by_role("region", name="Last cue received").get_by_role("button", name="Got it").click()
    expect(mine).to_contain_text("Oscar Observer: got it")
    # The owner (no phone open here) is buzzed again, the two who answered are not; the sender stops it.
    expect(mine).to_contain_text("Olivia Owner: 4th buzz", timeout=15_000)
    assert _buzzes(oscar, STOP_CALL_ME) == 3 and _buzzes(sam, STOP_CALL_ME) == 1
    lena.page.get_by_role("button", name="Stop buzzing").click()
    expect(mine).to_contain_text("Stopped buzzing")
    expect(lena.page.get_by_role("button", name="Stop buzzing")).to_have_count(0)

    # Quick hide: the button (or a two-finger tap) shows the neutral clock at once and closes the notifications.
    sam.context.grant_permissions(["notifications"])
    sam.page.evaluate("navigator.serviceWorker.ready.then(r => r.showNotification('New cue', {tag: 'x'}))")
    _wait_notifications(sam, 1)
    sam.page.get_by_role("button", name="Hide screen").click()
    clock = sam.page.get_by_role("button", name=re.compile("^Clock"))
    expect(clock).to_be_visible()
    _wait_notifications(sam, 0)
    sam.page.keyboard.press("Escape")
    expect(clock).to_be_hidden()
    cdp = oscar.context.new_cdp_session(oscar.page)
    points = [{"x": 120, "y": 400}, {"x": 260, "y": 420}]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    expect(oscar.page.get_by_role("button", name=re.compile("^Clock"))).to_be_visible()
    expect(oscar.page.get_by_text(re.compile("two-finger tap anywhere"))).to_be_attached()

    # The lead ends the meeting (confirmed); everyone's table mode says so and links to the debrief.
    lena.page.once("dialog", lambda d: d.accept())
    lena.page.get_by_role("button", name="End meeting").click()
    expect(lena.page).to_have_url(re.compile(f"/meetings/{meeting_id}/debrief$"))  # as its confirmation says
    expect(sam.page.get_by_role("region", name="Meeting")).to_contain_text("Pricing round 2 · Ended")
    sam.page.get_by_role("region", name="Meeting").get_by_role("link", name="Debrief").click()
    expect(sam.page).to_have_url(re.compile(f"/meetings/{meeting_id}/debrief$"))
    main = sam.page.get_by_role("main")
    unacked = main.get_by_role("region", name="Urgent cues not acknowledged")
    expect(unacked).to_contain_text("Lena Lead sent “Stop — call me on my other line”: no answer from Olivia Owner")
    expect(main.get_by_role("region", name="Slowest acknowledgements")).to_contain_text(
        re.compile(r"Oscar Observer: 2\d s for “Stop — call me on my other line”")
    )
    floor = main.get_by_role("region", name="Floor time")
    expect(floor).to_contain_text(re.compile(r"You: (under )?\d+ s"))
    expect(floor).to_contain_text(re.compile(r"Oscar Observer: (under )?\d+ s"))
    timeline = main.get_by_role("region", name="Timeline").get_by_role("listitem")
    expect(timeline.first).to_have_text("+00:00 The meeting started")
    for line in (
        r"\+00:\d\d You joined \(in the room, speaking\)",
        r"\+00:\d\d You asked for the floor",
        r"\+00:\d\d Oscar Observer withdrew their request",
        r"\+00:\d\d You got the floor",
        r"\+00:\d\d You released the floor",
        r"\+00:\d\d Oscar Observer's request was declined",
        r"\+00:\d\d The floor was taken back from Oscar Observer",
        r"\+0\d:\d\d Lena Lead sent “Stop — call me on my other line”",
        r"\+0\d:\d\d Oscar Observer buzzed again for “Stop — call me on my other line” \(2nd buzz\)",
    ):
        expect(timeline.filter(has_text=re.compile(line))).to_have_count(1)
    expect(timeline.last).to_contain_text("The meeting ended")
    sam.shots("meeting-debrief", full_page=True)

    # The exports are the same debrief: one CSV row per timeline entry; the Markdown names the same people.
    md_link = main.get_by_role("link", name="Export Markdown")
    csv_link = main.get_by_role("link", name="Export CSV")
    expect(md_link).to_have_attribute("href", f"/api/meetings/{meeting_id}/debrief.md")
    expect(csv_link).to_have_attribute("href", f"/api/meetings/{meeting_id}/debrief.csv")
    with sam.page.expect_download() as download:
        csv_link.click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == timeline.count()
    markdown = api.http.get(f"/api/meetings/{meeting_id}/debrief.md", headers=team.members[0].headers).text
    for name in ("Pricing round 2", "Sam Speaker", "Oscar Observer", "Olivia Owner", "Stop — call me on my other line"):
        assert name in markdown
    # Not the owner: no Delete.
    expect(main.get_by_role("button", name="Delete meeting and timeline")).to_have_count(0)

    # The owner deletes the timeline (confirmed): gone for everyone.
    olivia = phone()
    olivia.login(team.owner)
    # The urgent cue she never answered still asks (within its time-to-live); it no longer insists: she may dismiss it.
    olivia.page.get_by_role("alertdialog").get_by_role("button", name="Dismiss").click()
    olivia.page.goto(f"/meetings/{meeting_id}/debrief")
    asked: list[str] = []
    olivia.page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    olivia.page.get_by_role("button", name="Delete meeting and timeline").click()
    expect(olivia.page.get_by_role("heading", level=1)).to_have_text("Meetings")
    expect(olivia.page.get_by_role("main")).to_contain_text("No meetings yet")
    assert asked == ["Delete the meeting Pricing round 2 and its timeline for everyone? It cannot be brought back."]
    lena.page.goto("/meetings")
    expect(lena.page.get_by_role("main")).to_contain_text("No meetings yet")
    assert api.http.get(f"/api/meetings/{meeting_id}", headers=team.owner.headers).status_code == 404
    for p in (lena, sam, oscar, olivia):
        assert p.errors == []


def _wait_notifications(p: Phone, n: int) -> None:
    script = "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.length)"
    for _ in range(50):
        if p.page.evaluate(script) == n:
            return
        time.sleep(0.1)
    raise AssertionError(f"{n} notifications expected")


def test_a_meeting_in_a_channel_i_am_not_in_shows_but_offers_no_seat_and_no_debrief(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", leads=("Lena Lead",), members=("Sam Speaker",))
    leads = next(c["id"] for c in api.call(team.owner, "GET", f"/api/teams/{team.id}/channels") if c["kind"] == "leads")
    body = {"title": "Pricing round 2", "counterpart": "Acme", "channel_id": leads}
    meeting = api.call(team.leads[0], "POST", f"/api/teams/{team.id}/meetings", body)
    api.call(team.leads[0], "POST", f"/api/meetings/{meeting['id']}/start")
    sam = phone()
    sam.login(team.members[0])
    card = sam.page.get_by_role("region", name="Pricing round 2")
    expect(card).to_contain_text("Its cues go to a channel you are not in.")
    expect(card.get_by_role("button", name="Join")).to_have_count(0)
    api.call(team.leads[0], "POST", f"/api/meetings/{meeting['id']}/end")
    sam.page.get_by_role("link", name="Meetings").click()
    expect(sam.page.get_by_text("Ended")).to_be_visible()
    expect(sam.page.get_by_role("link", name="Debrief of Pricing round 2")).to_have_count(0)


def test_a_lead_runs_a_meeting_unseated_and_a_teammate_removed_midway(api: Api, phone: Callable[[], Phone]) -> None:
    """The words a person reads in their own debrief ("You withdrew your request"), a teammate removed mid-meeting
    (the roster recounts; "Kim Kite left the table", named though no longer in the team), floor time in whole
    seconds as the exports count it, "Stop buzzing" gone once everyone answered, and End meeting opening the debrief."""
    team = api.team(owner="Olivia Owner", leads=("Lena Lead",), members=("Sam Speaker", "Kim Kite"))
    api.call(team.owner, "PUT", f"/api/teams/{team.id}/escalation", {"every_seconds": 10, "times": 2})
    body = {"title": "Pricing round 2", "counterpart": "Acme"}
    meeting_id = api.call(team.leads[0], "POST", f"/api/teams/{team.id}/meetings", body)["id"]
    api.call(team.leads[0], "POST", f"/api/meetings/{meeting_id}/start")
    kim = team.members[1]
    api.call(kim, "POST", f"/api/meetings/{meeting_id}/join", {"place": "remote", "role": "notes"})
    lena, sam = phone(), phone()
    lena.login(team.leads[0])
    sam.login(team.members[0])
    _join(sam, "In the room", "Speaking")
    lena.page.get_by_role("region", name="Pricing round 2").get_by_role("link", name="Lead the table").click()
    lead = lena.page.get_by_role("region", name="Lead")
    lead.get_by_text(re.compile(r"^Roster · 2 of 4 joined")).click()
    expect(lead.get_by_role("list").last).to_contain_text("Kim Kite · Supporting remotely · Taking notes")

    # Sam asks, withdraws, asks again and is declined; then holds the floor a moment.
    sam_pad = sam.page.get_by_role("group", name="Cue pad").get_by_role("button")
    sam_pad.filter(has_text="Let me talk").click()
    sam.page.get_by_role("button", name="Withdraw my request").click()
    expect(_floor(sam.page)).to_have_text("The floor is open")
    sam.page.wait_for_timeout(1000)
    sam_pad.filter(has_text="Let me talk").click()
    lena.page.get_by_role("button", name="Decline Sam Speaker").click()
    expect(sam.page.locator("#toast")).to_have_text("The lead declined your request for the floor.")
    sam.page.wait_for_timeout(1000)
    sam_pad.filter(has_text="Let me talk").click()
    lena.page.get_by_role("button", name="Grant the floor to Sam Speaker").click()
    expect(_floor(sam.page)).to_contain_text("You have the floor")
    sam.page.wait_for_timeout(1700)
    sam.page.get_by_role("button", name="Release the floor").click()
    expect(_floor(sam.page)).to_have_text("The floor is open")

    # An urgent cue: "Stop buzzing" while it insists, gone once everyone has answered.
    lena.page.get_by_role("group", name="Cue pad").get_by_role(
        "button", name="Send cue: Stop — call me on my other line"
    ).click()
    sam.page.get_by_role("region", name="Last cue received").get_by_role("button", name="Got it").click()
    stop = lena.page.get_by_role("button", name="Stop buzzing")
    expect(stop).to_be_visible(timeout=15_000)
    assert stop.bounding_box()["height"] >= 44  # type: ignore[index]
    message_id = api.call(team.owner, "GET", f"/api/channels/{team.channels['Everyone']}/messages")["messages"][-1][
        "id"
    ]
    for user in (team.owner, kim):
        api.call(user, "POST", f"/api/messages/{message_id}/ack")
    expect(lena.page.get_by_role("status", name="My last cue")).to_contain_text("Kim Kite: got it")
    expect(stop).to_have_count(0)

    # Kim is removed from the team: her seat goes and the roster recounts.
    api.call(team.owner, "DELETE", f"/api/teams/{team.id}/members/{kim.id}")
    expect(lead.get_by_text(re.compile(r"^Roster · 1 of 3 joined"))).to_be_visible()
    expect(lead.get_by_role("list").last).not_to_contain_text("Kim Kite")

    # The lead ends it from the Meetings screen: its debrief opens, as the confirmation says.
    lena.page.get_by_role("link", name="Leave table mode").click()
    lena.page.get_by_role("link", name="Meetings").click()
    asked: list[str] = []
    lena.page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    lena.page.get_by_role("button", name="End meeting").click()
    expect(lena.page).to_have_url(re.compile(f"/meetings/{meeting_id}/debrief$"))
    assert asked == ["End Pricing round 2 for everyone? Its debrief opens here."]
    expect(lena.page.get_by_role("main")).to_contain_text("Kim Kite left the table")

    sam.page.goto(f"/meetings/{meeting_id}/debrief")
    main = sam.page.get_by_role("main")
    timeline = main.get_by_role("region", name="Timeline").get_by_role("listitem")
    for line in (
        r"\+00:\d\d You withdrew your request",
        r"\+00:\d\d Your request was declined",
        r"\+00:\d\d Kim Kite joined \(supporting remotely, taking notes\)",
        r"\+0\d:\d\d Kim Kite left the table",
    ):
        expect(timeline.filter(has_text=re.compile(line))).to_have_count(1)
    expect(main).not_to_contain_text("A teammate")
    expect(main.get_by_role("region", name="Urgent cues not acknowledged")).to_contain_text(
        "Every urgent cue was acknowledged."
    )
    # Floor time in whole seconds, floored, as the Markdown counts it.
    d = api.call(team.members[0], "GET", f"/api/meetings/{meeting_id}/debrief")
    seconds = next(f["ms"] for f in d["floor_time"] if f["user_id"] == team.members[0].id) // 1000
    expect(main.get_by_role("region", name="Floor time")).to_contain_text(f"You: {seconds} s")
    markdown = api.http.get(f"/api/meetings/{meeting_id}/debrief.md", headers=team.members[0].headers).text
    assert f"Sam Speaker: 00:{seconds:02d} over 1 turn" in markdown
    sam.shots("meeting-debrief-left", full_page=True)
    for p in (lena, sam):
        assert p.errors == []


def test_an_insisting_cue_comes_before_a_routine_one_waiting_with_it(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", leads=("Lena Lead",), members=("Sam Speaker",))
    everyone = next(
        c["id"] for c in api.call(team.owner, "GET", f"/api/teams/{team.id}/channels") if c["kind"] == "everyone"
    )
    meeting = api.call(
        team.leads[0], "POST", f"/api/teams/{team.id}/meetings", {"title": "Round 2", "counterpart": "Acme"}
    )
    api.call(team.leads[0], "POST", f"/api/meetings/{meeting['id']}/start")
    sam = phone()
    sam.login(team.members[0])
    sam.wait_live()
    for cue in ("slow_down", "stop_call_me"):
        api.call(
            team.leads[0],
            "POST",
            f"/api/channels/{everyone}/messages",
            {"client_id": str(uuid.uuid4()), "kind": "cue", "cue": cue},
        )
    alert = sam.page.get_by_role("alertdialog")
    expect(alert).to_contain_text("2 cues")
    expect(alert).to_contain_text("Stop — call me on my other line")
    expect(alert.get_by_role("button", name="Dismiss")).to_have_count(0)
    alert.get_by_role("button", name="Got it").click()
    expect(alert).to_contain_text("Slow down")  # the routine one, answered next
