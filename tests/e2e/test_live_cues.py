"""Acceptance 2: a cue tapped by one teammate buzzes the other with its rhythm; "Got it" climbs the sender's ladder."""

from __future__ import annotations

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
    expect(mine).to_have_attribute("data-state", "sent")
    alert.get_by_role("button", name="Got it").click()
    expect(alert).to_be_hidden()

    expect(mine).to_have_attribute("data-state", "acked")
    expect(mine).to_contain_text("Got it · Marc Member")
    expect(receiver.page.locator("li.msg.theirs").filter(has_text="Change direction")).to_contain_text("You: got it")
    assert sender.errors == [] and receiver.errors == []
