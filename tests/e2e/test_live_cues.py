"""Acceptance 2: a cue tapped by one teammate buzzes the other with its rhythm; the sender's ladder climbs
from sent to delivered (the receiver's device reported it) to "Got it"."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from playwright.sync_api import expect

from tests.e2e.conftest import Api, Phone


def test_a_cue_reaches_a_teammate_with_its_rhythm_and_the_ack_returns(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    sender, receiver = phone(), phone()
    sender.login(team.owner)
    receiver.login(team.members[0])
    sender.open_channel("Everyone")
    receiver.open_channel("Everyone")

    sender.page.get_by_role("button", name="Send cue: Change direction").click()

    alert = receiver.page.get_by_role("alertdialog")
    expect(alert).to_be_visible()
    expect(alert.get_by_role("heading")).to_have_text("Change direction")
    expect(alert).to_contain_text("Olivia Owner")
    assert [300, 150, 300] in receiver.vibrations()  # the cue's own rhythm
    assert sender.vibrations() == [12]  # the sender's short tick, not the rhythm

    mine = sender.page.locator("li.msg.mine").filter(has_text="Change direction")
    # The receiver's device sends a "received" receipt; the sender hears it as a live "delivered" frame.
    expect(mine).to_have_attribute("data-state", "delivered")
    # It names who: Marc's device has it (and, the channel open there, Marc has read it).
    expect(mine.locator(".ladder summary")).to_have_text(re.compile(r"^Delivered 1/1( · Read: Marc Member)?$"))
    expect(mine.locator(".ladder.step-3")).to_be_attached()
    # After a reload (channel receipts fetched again once live) the ladder still says delivered.
    sender.page.reload()
    sender.wait_live()
    expect(mine.locator(".ladder summary")).to_have_text("Delivered 1/1 · Read: Marc Member")

    alert.get_by_role("button", name="Got it").click()
    expect(alert).to_be_hidden()

    expect(mine).to_have_attribute("data-state", "acked")
    expect(mine).to_contain_text("Got it: Marc Member")
    expect(receiver.page.locator("li.msg.theirs").filter(has_text="Change direction")).to_contain_text("You: got it")
    assert sender.errors == [] and receiver.errors == []


def test_a_cue_arriving_while_typing_neither_takes_the_keys_nor_gets_acknowledged(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    sender, typist = phone(), phone()
    sender.login(team.owner)
    typist.login(team.members[0])
    sender.open_channel("Everyone")
    typist.open_channel("Everyone")
    box = typist.page.get_by_role("textbox", name="Message")
    box.click()
    box.press_sequentially("hel")
    sender.page.get_by_role("button", name="Send cue: Wrap up").click()
    expect(typist.page.get_by_role("alertdialog")).to_be_visible()
    typist.page.keyboard.type("lo there")
    typist.page.keyboard.press("Enter")  # on a phone, a new line in the box: not a "Got it"
    expect(box).to_have_value("hello there\n")
    mine = sender.page.locator("li.msg.mine").filter(has_text="Wrap up")
    expect(mine).not_to_have_attribute("data-state", "acked")
    assert (
        api.call(team.owner, "GET", f"/api/channels/{team.channels['Everyone']}/messages")["messages"][0]["acks"] == []
    )


def test_a_cue_whose_history_is_deleted_stops_asking_and_a_removed_member_is_told(
    api: Api, phone: Callable[[], Phone]
) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    marc = phone()
    marc.login(team.members[0])
    marc.open_channel("Everyone")
    api.call(
        team.owner,
        "POST",
        f"/api/channels/{team.channels['Everyone']}/messages",
        {"client_id": str(uuid.uuid4()), "kind": "cue", "cue": "slow_down"},
    )
    alert = marc.page.get_by_role("alertdialog")
    expect(alert).to_be_visible()
    api.call(team.owner, "DELETE", f"/api/channels/{team.channels['Everyone']}/messages")
    expect(alert).to_be_hidden()

    # Taken out of the team: what he saw of it leaves his device too.
    api.call(
        team.owner,
        "POST",
        f"/api/channels/{team.channels['Everyone']}/messages",
        {"client_id": str(uuid.uuid4()), "kind": "text", "text": "Our floor is 3.9"},
    )
    expect(marc.page.get_by_role("log", name="Messages")).to_contain_text("Our floor is 3.9")
    api.call(team.owner, "DELETE", f"/api/teams/{team.id}/members/{team.members[0].id}")
    expect(marc.page.get_by_role("status").filter(has_text="You are no longer in Acme acquisition")).to_be_visible()
    assert marc.forgets(team.channels["Everyone"], "Our floor is 3.9")
    marc.shot("removed-member-told")
