"""Searching message text: only my channels of the team, FTS syntax in the query is plain text, deleted history
leaves the index and the database files."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.client import Person, Team, make_team
from tests.routes import assert_error_shape
from tests.server import ServerProcess
from tests.test_privacy import files_of


async def search(me: Person, team_id: int, q: str, **params: Any) -> httpx.Response:
    return await me.get(f"/api/teams/{team_id}/search", params={"q": q, **params})


def word() -> str:
    return "w" + uuid.uuid4().hex[:12]  # a word no other test's message has (the server is shared)


async def test_a_word_and_a_prefix_are_found_newest_first(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    secret = word()
    first = (await team.members[0].send(everyone, text=f"the walk-away {secret} is firm")).json()
    second = (await team.owner.send(everyone, text=f"{secret.upper()} again")).json()
    found = await search(team.members[1], team.id, secret)
    assert found.status_code == 200
    results = found.json()["results"]
    assert [r["id"] for r in results] == [second["id"], first["id"]]
    hit = results[1]
    assert hit["channel_id"] == everyone and hit["sender_id"] == team.members[0].id
    assert hit["cursor"] == first["cursor"] and hit["created_at"] == first["created_at"]
    assert hit["text"] == f"the walk-away {secret} is firm" and f"\x02{secret}\x03" in hit["snippet"]
    prefix = (await search(team.members[1], team.id, f"walk {secret[:6]}")).json()["results"]
    assert [r["id"] for r in prefix] == [first["id"]]


async def test_a_word_is_found_however_its_letters_are_encoded(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    secret = word()
    sent = (await team.owner.send(everyone, text=f"café {secret}")).json()
    for q in (f"cafe\u0301 {secret}", f"ｃａｆé {secret}", f"café {secret.upper()}"):  # decomposed, full-width, case
        assert [r["id"] for r in (await search(team.members[0], team.id, q)).json()["results"]] == [sent["id"]], q


async def test_nothing_from_a_channel_not_mine_nor_another_team(
    team: Team, http: httpx.AsyncClient, server: ServerProcess
) -> None:
    secret = word()
    made = await team.owner.post(
        f"/api/teams/{team.id}/channels", {"name": f"Pricing {secret}", "members": [team.members[0].id]}
    )
    assert made.status_code == 201, made.text
    await team.owner.send(made.json()["id"], text=f"group {secret}")
    assert len((await search(team.members[0], team.id, secret)).json()["results"]) == 1
    assert (await search(team.members[1], team.id, secret)).json()["results"] == []
    assert (await search(team.leads[0], team.id, secret)).json()["results"] == []

    other = await make_team(http, server.ws_url, leads=0, members=0)
    everyone = (await other.owner.channels(other.id))["Everyone"]["id"]
    await other.owner.send(everyone, text=f"other team {secret}")
    assert len((await search(team.members[0], team.id, secret)).json()["results"]) == 1


async def test_an_outsider_gets_404(team: Team, http: httpx.AsyncClient, server: ServerProcess) -> None:
    other = await make_team(http, server.ws_url, leads=0, members=0)
    refused = await search(other.owner, team.id, "price")
    assert refused.status_code == 404
    assert_error_shape(refused.json())


async def test_fts_syntax_in_the_query_is_plain_text(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    secret = word()
    await team.owner.send(everyone, text=f"near {secret} or not")
    for q in [
        '"',
        '""',
        "*",
        f"{secret}*",
        "NEAR(",
        f"NEAR({secret}",
        "OR",
        f"{secret} OR",
        "-",
        f"-{secret}",
        "a AND",
        "NOT",
        "^x",
        "col:x",
        "(",
        ")",
        "'",
        "\\",
        "🙂",
        "é",
    ]:
        answer = await search(team.owner, team.id, q)
        assert answer.status_code in (200, 400), (q, answer.text)
    assert len((await search(team.owner, team.id, f'"{secret}" OR')).json()["results"]) == 1


async def test_an_empty_or_punctuation_query_is_a_400_naming_q(team: Team) -> None:
    for q in ["", "   ", '"*-()', "( - *"]:
        answer = await search(team.owner, team.id, q)
        assert answer.status_code == 400, (q, answer.text)
        assert_error_shape(answer.json())
        assert "q" in answer.json()["fields"]
    assert (await search(team.owner, team.id, "x" * 201)).status_code == 400


async def test_the_limit_is_respected(team: Team) -> None:
    everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
    secret = word()
    for n in range(3):
        await team.owner.send(everyone, text=f"{secret} {n}")
    assert len((await search(team.owner, team.id, secret, limit=2)).json()["results"]) == 2
    assert len((await search(team.owner, team.id, secret)).json()["results"]) == 3
    assert (await search(team.owner, team.id, secret, limit=51)).status_code == 400
    assert (await search(team.owner, team.id, secret, limit=0)).status_code == 400


async def test_deleted_history_is_not_found_and_leaves_the_database_files(fresh_server: ServerProcess) -> None:
    fresh_server.start()
    secret = word()
    async with httpx.AsyncClient(base_url=fresh_server.url) as http:
        team = await make_team(http, fresh_server.ws_url, leads=0, members=1)
        everyone = (await team.owner.channels(team.id))["Everyone"]["id"]
        for n in range(3):
            await team.members[0].send(everyone, text=f"walk-away {secret} {n}")
        assert len((await search(team.members[0], team.id, secret)).json()["results"]) == 3
        assert secret.encode() in files_of(fresh_server)
        deleted = await team.owner.request("DELETE", f"/api/channels/{everyone}/messages")
        assert deleted.status_code == 200
        assert (await search(team.members[0], team.id, secret)).json()["results"] == []
        assert (await search(team.members[0], team.id, secret[:5])).json()["results"] == []
        assert secret.encode() not in files_of(fresh_server)
        await team.owner.send(everyone, text="fresh start")
        assert len((await search(team.owner, team.id, "fresh")).json()["results"]) == 1
