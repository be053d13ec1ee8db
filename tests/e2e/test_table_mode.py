"""Issue 11, table mode and never missing a cue: the team and channel named in the URL and header (from a team's home,
that team); where my last cue stands and the connection; cues stacking oldest first until answered or expired; the
cue overlay as a real dialog; the neutral clock's ways back; a removed member's table mode stops."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.conftest import Api, Phone


def test_table_mode_names_its_team_and_channel_and_starts_on_the_homes_team(
    api: Api, phone: Callable[[], Phone]
) -> None:
    acme = api.team(owner="Olivia Owner", members=("Marc Member",))
    marc_user = acme.members[0]
    beta_id = api.call(marc_user, "POST", "/api/teams", {"name": "Beta board"})["id"]
    marc = phone()
    marc.login(marc_user)
    page = marc.page
    marc.open_channel("Everyone")  # Acme's: the last channel visited
    page.get_by_role("link", name="Back").click()
    page.get_by_role("combobox", name="Team").select_option(label="Beta board")
    expect(page.get_by_role("combobox", name="Team")).to_have_value(str(beta_id))
    page.get_by_role("link", name="Start table mode").click()
    expect(page).to_have_url(re.compile(f"/table/{beta_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Beta board · Everyone")
    # A cue from here goes to Beta's Everyone, not to Acme's.
    page.get_by_role("button", name="Send cue: Let me talk").click()
    expect(page.get_by_role("status", name="My last cue")).to_contain_text("You: Let me talk · Sent")
    beta_everyone = next(
        c["id"] for c in api.call(marc_user, "GET", f"/api/teams/{beta_id}/channels") if c["kind"] == "everyone"
    )
    assert len(api.call(marc_user, "GET", f"/api/channels/{beta_everyone}/messages")["messages"]) == 1
    assert api.call(marc_user, "GET", f"/api/channels/{acme.channels['Everyone']}/messages")["messages"] == []

    # From a channel, table mode is for that channel, and the URL carries team and channel.
    page.get_by_role("link", name="Leave table mode").click()
    page.get_by_role("link", name="Back").click()
    page.get_by_role("combobox", name="Team").select_option(label="Acme acquisition")
    marc.open_channel("Everyone")
    page.get_by_role("link", name="Table mode", exact=True).click()
    expect(page).to_have_url(re.compile(f"/table/{acme.id}/{acme.channels['Everyone']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme acquisition · Everyone")
    marc.shots("table-mode-header")
    assert marc.errors == []


def test_the_sender_sees_where_the_last_cue_stands_and_the_connection(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    olivia, marc = phone(), phone()
    olivia.login(team.owner)
    marc.login(team.members[0])
    marc.open_channel("Everyone")
    olivia.open_channel("Everyone")
    olivia.page.get_by_role("link", name="Table mode", exact=True).click()
    state = olivia.page.get_by_role("status", name="My last cue")
    expect(state).to_contain_text("Online")

    olivia.page.get_by_role("button", name="Send cue: Slow down").click()
    expect(state).to_contain_text("You: Slow down · Delivered 1/1")
    alert = marc.page.get_by_role("alertdialog")
    alert.get_by_role("button", name="Got it").click()
    expect(state).to_contain_text("Got it: Marc Member")
    olivia.shots("table-mode-last-cue")

    olivia.context.set_offline(True)
    expect(state).to_contain_text("Offline")
    olivia.page.get_by_role("button", name="Send cue: Wrap up").click()
    expect(state).to_contain_text("You: Wrap up · Queued")
    olivia.shots("table-mode-offline")
    olivia.context.set_offline(False)
    expect(state).to_contain_text("Online")
    # Sent once back online (a "delivered" frame sent while this socket was still reconnecting is not replayed).
    expect(state).to_contain_text(re.compile("You: Wrap up · (Sent|Delivered)"))
    assert olivia.errors == []


def test_cues_stack_oldest_first_in_a_real_dialog_and_an_expired_one_stops_asking(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    cues = api.call(team.owner, "GET", f"/api/teams/{team.id}/cues")["cues"]
    for cue in cues:
        if cue["code"] == "slow_down":
            cue["ttl_seconds"] = 10  # the shortest time-to-live a cue may have
    api.call(team.owner, "PUT", f"/api/teams/{team.id}/cues", {"cues": cues})
    olivia, marc = phone(), phone()
    olivia.login(team.owner)
    marc.login(team.members[0])
    olivia.open_channel("Everyone")
    marc.open_channel("Everyone")
    table_link = marc.page.get_by_role("link", name="Table mode", exact=True)
    table_link.focus()

    olivia.page.get_by_role("button", name="Send cue: Let me talk").click()
    alert = marc.page.get_by_role("alertdialog")
    expect(alert.get_by_role("heading")).to_have_text("Let me talk")
    olivia.page.get_by_role("button", name="Send cue: Wrap up").click()
    expect(alert).to_contain_text("2 cues")
    expect(alert.get_by_role("heading")).to_have_text("Let me talk")  # the oldest first, not replaced
    marc.shots("cue-stack")
    # A real dialog: focus went in, Tab stays inside.
    expect(alert.locator(".alert-card")).to_be_focused()
    for _ in range(4):
        marc.page.keyboard.press("Tab")
        assert marc.page.evaluate("document.getElementById('alert').contains(document.activeElement)")
    marc.page.wait_for_timeout(10_500)  # past the 10 s a cue used to stay on screen
    expect(alert.get_by_role("heading")).to_have_text("Let me talk")
    alert.get_by_role("button", name="Got it").click()
    expect(alert.get_by_role("heading")).to_have_text("Wrap up")
    expect(alert).not_to_contain_text("2 cues")
    marc.page.keyboard.press("Escape")
    expect(alert).to_be_hidden()
    expect(table_link).to_be_focused()  # focus went back

    # In table mode, a cue past its time-to-live stops asking for "Got it".
    table_link.click()
    olivia.page.get_by_role("button", name="Send cue: Slow down").click()
    last = marc.page.get_by_role("region", name="Last cue received")
    expect(last.get_by_role("button", name="Got it")).to_be_visible()
    expect(last).to_contain_text("Expired, no answer needed", timeout=15_000)
    expect(last.get_by_role("button", name="Got it")).to_have_count(0)
    marc.shots("table-mode-expired")
    assert marc.errors == [] and olivia.errors == []


def test_a_removed_members_table_mode_stops_and_says_so(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    marc = phone()
    marc.login(team.members[0])
    marc.page.get_by_role("link", name="Start table mode").click()
    expect(marc.page.get_by_role("heading", level=1)).to_have_text("Acme acquisition · Everyone")
    expect(marc.page.locator('.conn[data-state="live"]')).to_be_attached()
    api.call(team.owner, "DELETE", f"/api/teams/{team.id}/members/{team.members[0].id}")
    main = marc.page.get_by_role("main")
    expect(main.get_by_role("alert")).to_have_text(re.compile("You are no longer in Acme acquisition"))
    expect(main.get_by_role("group", name="Cue pad")).to_have_count(0)
    marc.shots("table-mode-removed")
    assert marc.errors == []


def test_a_double_tap_sends_one_cue_and_a_recall_retracts_it_everywhere(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    olivia, marc = phone(), phone()
    olivia.login(team.owner)
    marc.login(team.members[0])
    marc.open_channel("Everyone")
    olivia.open_channel("Everyone")
    olivia.page.get_by_role("link", name="Table mode", exact=True).click()
    olivia.page.get_by_role("button", name="Send cue: Wrap up").dblclick()
    alert = marc.page.get_by_role("alertdialog")
    expect(alert.get_by_role("heading")).to_have_text("Wrap up")
    expect(alert).not_to_contain_text("2 cues")
    everyone = f"/api/channels/{team.channels['Everyone']}/messages"
    assert len(api.call(team.owner, "GET", everyone)["messages"]) == 1  # one cue, not two

    state = olivia.page.get_by_role("status", name="My last cue")
    state.get_by_role("button", name="Recall").click()
    expect(state).to_contain_text("You: Wrap up · Recalled")
    expect(alert).to_be_hidden()  # gone from the teammate's screen
    item = marc.page.locator("li.msg.theirs").filter(has_text="Wrap up")
    expect(item).to_contain_text("Recalled")
    expect(item.get_by_role("button", name=re.compile("Got it"))).to_have_count(0)
    assert api.call(team.owner, "GET", everyone)["messages"][0]["recalled_at"] is not None
    marc.shots("recalled-in-history")
    assert olivia.errors == [] and marc.errors == []


def test_discreet_by_default_and_the_neutral_clock_says_how_to_return(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    olivia, marc = phone(), phone()
    olivia.login(team.owner)
    marc.login(team.members[0])
    olivia.open_channel("Everyone")
    marc.page.get_by_role("link", name="Start table mode").click()
    expect(marc.page.locator('.conn[data-state="live"]')).to_be_attached()
    flashes = "document.getElementById('flash').className"
    olivia.page.get_by_role("button", name="Send cue: Slow down").click()
    expect(marc.page.locator(".last-label")).to_have_text("Slow down")
    assert [500, 300, 500] in marc.vibrations()
    assert marc.page.evaluate(flashes) == "flash"  # a vibrating device: no flash by default

    # The flash is this device's opt-in.
    marc.page.get_by_role("region", name="Last cue received").get_by_role("button", name="Got it").click()
    marc.page.get_by_role("link", name="Leave table mode").click()
    marc.page.get_by_role("link", name="Back").click()
    marc.page.get_by_role("link", name="Settings", exact=True).click()
    marc.page.get_by_role("checkbox", name=re.compile("Flash the whole screen")).check()
    marc.page.get_by_role("link", name="Back").click()
    marc.page.get_by_role("link", name="Start table mode").click()
    olivia.page.get_by_role("button", name="Send cue: Wrap up").click()
    expect(marc.page.locator("#flash.flash.on")).to_be_attached()

    # The neutral clock says how to return; Escape and a press-and-hold both work (not a double tap only).
    page = marc.page
    page.get_by_role("button", name="Hide screen").click()
    neutral = page.get_by_role("button", name=re.compile("Clock"))
    expect(neutral).to_be_visible()
    expect(neutral).to_contain_text("Hold to return")
    page.wait_for_timeout(1300)  # the opted-in flash fades
    marc.shots("table-mode-neutral")
    page.keyboard.press("Escape")
    expect(neutral).to_be_hidden()
    page.get_by_role("button", name="Hide screen").click()
    expect(neutral).to_be_visible()
    neutral.click()  # a single tap does not return
    expect(neutral).to_be_visible()
    box = neutral.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(800)
    expect(neutral).to_contain_text("Release to return")  # still the clock while the finger is down
    page.mouse.up()
    expect(neutral).to_be_hidden()

    # Held over a cue: the lift, and a phone's late tap where the finger was, send nothing.
    sent = len(api.call(team.owner, "GET", f"/api/channels/{team.channels['Everyone']}/messages")["messages"])
    page.get_by_role("button", name="Hide screen").click()
    cue = page.get_by_role("button", name="Send cue: Let me talk").bounding_box()
    assert cue
    page.mouse.move(cue["x"] + cue["width"] / 2, cue["y"] + cue["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(800)
    page.mouse.up()
    expect(neutral).to_be_hidden()
    page.mouse.click(cue["x"] + cue["width"] / 2, cue["y"] + cue["height"] / 2)
    page.wait_for_timeout(700)
    assert len(api.call(team.owner, "GET", f"/api/channels/{team.channels['Everyone']}/messages")["messages"]) == sent
    assert marc.errors == [] and olivia.errors == []


def test_a_long_team_name_never_pushes_table_modes_controls_off_a_phone(api: Api, phone: Callable[[], Phone]) -> None:
    """Found by hands-on testing: a 60-letter name without spaces made the page 726 px wide on a 390 px phone and put
    "Hide screen" off the screen, under the title."""
    owner = api.sign_up("Olivia Owner")
    team_id = api.call(owner, "POST", "/api/teams", {"name": "X" * 60})["id"]
    olivia = phone()
    olivia.login(owner)
    page = olivia.page
    page.goto(f"{olivia.base}/table/{team_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("X" * 10)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Hide screen").click()  # a real click: fails if anything covers it
    expect(page.get_by_text("Hold to return")).to_be_visible()
    assert olivia.errors == []
