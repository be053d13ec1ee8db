"""What a person sees of a channel's history: messages in the order they were sent, newest at the bottom (after a
reload too), a ladder that climbs in order, and history the owner deleted gone from every open screen and cache."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Api, Phone

# Records the data-state of every rendered "mine" message, by client id, in the order the screen showed them.
LADDER_SPY = """
(() => {
  window.__ladder = {};
  new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes) {
      if (!(node instanceof HTMLElement) || !node.matches('li.msg.mine')) continue;
      const seen = (window.__ladder[node.dataset.clientId] ||= []);
      if (seen.at(-1) !== node.dataset.state) seen.push(node.dataset.state);
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""


def texts(phone: Phone) -> list[str]:
    return phone.page.locator("ol.messages li.msg .text").all_inner_texts()


def send_text(phone: Phone, text: str) -> None:
    phone.page.get_by_role("textbox", name="Message").fill(text)
    phone.page.get_by_role("button", name="Send", exact=True).click()


def test_new_messages_appear_at_the_bottom_in_send_order_and_stay_there(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    sender, receiver = phone(), phone()
    sender.context.add_init_script(LADDER_SPY)
    sender.login(team.owner)
    receiver.login(team.members[0])
    receiver.open_channel("Everyone")
    sender.open_channel("Everyone")
    said = ["Open at 5.1", "Hold the warranty point", "They blinked"]
    for text in said:
        send_text(sender, text)
        expect(receiver.page.locator("ol.messages li.msg").last).to_contain_text(text)
    expect(sender.page.locator("li.msg.mine").last).to_have_attribute("data-state", "delivered")
    assert texts(sender) == said and texts(receiver) == said
    receiver.shot("history-order-receiver")
    order = ["queued", "sent", "delivered", "acked"]
    for states in sender.page.evaluate("window.__ladder").values():  # what the sender saw, step by step
        assert states == sorted(states, key=order.index) and states[:2] == ["queued", "sent"], states

    for person in (sender, receiver):
        person.page.reload()
        person.wait_live()
        expect(person.page.locator("ol.messages li.msg").last).to_contain_text(said[-1])
        assert texts(person) == said

    assert sender.errors == [] and receiver.errors == []


def test_history_the_owner_deletes_leaves_every_open_screen_and_cache(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    api.call(
        team.owner,
        "POST",
        f"/api/channels/{team.channels['Everyone']}/messages",
        {"client_id": str(uuid.uuid4()), "kind": "text", "text": "Our walk-away is 4.0"},
    )
    reader = phone()
    reader.login(team.members[0])
    reader.open_channel("Everyone")
    expect(reader.page.locator("ol.messages")).to_contain_text("Our walk-away is 4.0")

    api.call(team.owner, "DELETE", f"/api/channels/{team.channels['Everyone']}/messages")
    expect(reader.page.locator("ol.messages")).not_to_contain_text("Our walk-away is 4.0")
    expect(reader.page.locator("ol.messages li.empty")).to_be_visible()
    reader.shot("history-cleared-reader")

    assert reader.forgets(team.channels["Everyone"], "walk-away")
    reader.context.set_offline(True)  # the app shell and state come from the device alone now
    reader.page.reload()
    expect(reader.page.locator("ol.messages li.empty")).to_be_visible()
    assert "walk-away" not in reader.page.locator("main").inner_text()
    reader.context.set_offline(False)


def test_an_outbox_retry_of_a_deleted_message_is_settled_not_failed(api: Api, phone: Callable[[], Phone]) -> None:
    team = api.team(owner="Olivia Owner", members=("Marc Member",))
    member, everyone = team.members[0], team.channels["Everyone"]
    client_id = str(uuid.uuid4())
    api.call(
        member,
        "POST",
        f"/api/channels/{everyone}/messages",
        {"client_id": client_id, "kind": "text", "text": "sent before the clear"},
    )
    api.call(team.owner, "DELETE", f"/api/channels/{everyone}/messages")
    person = phone()
    person.login(member)
    person.open_channel("Everyone")
    # The same send, still in the outbox (as after a lost response): the server answers 410 message_deleted.
    item: dict[str, Any] = {
        "client_id": client_id,
        "channel_id": everyone,
        "kind": "text",
        "text": "sent before the clear",
        "created_at": 0,
        "ttl": 0,
    }
    person.page.evaluate(
        "async (item) => { const outbox = await import('/js/outbox.js'); await outbox.enqueue(item); }", item
    )
    expect(person.page.locator("ol.messages li.empty")).to_be_visible()
    expect(person.page.locator(".ladder.warn")).to_have_count(0)
    remaining = person.page.evaluate(
        "async () => { const { outbox } = await import('/js/db.js'); return JSON.stringify(await outbox.all()); }"
    )
    assert json.loads(remaining) == []


def test_the_app_handles_every_event_type_and_frame_the_server_sends(
    api: Api, phone: Callable[[], Phone], server: Any
) -> None:
    catalogue = api.http.get("/api/events").json()
    team = api.team(owner="Olivia Owner")
    person = phone()
    person.login(team.owner)
    handled = person.page.evaluate(
        """async () => ({
          events: Object.keys((await import('/js/store.js')).handlers),
          frames: Object.keys((await import('/js/live.js')).frames),
        })"""
    )
    assert sorted(handled["events"]) == sorted(catalogue["events"])
    assert sorted(handled["frames"]) == sorted(catalogue["frames"])
