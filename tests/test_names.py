"""Names (display names, team and channel names, cue labels): one rule for all, in api/names.py.

Stored NFC-normalised and trimmed; never blank; no control or invisible characters; two display names in a team
never look the same. The pure rule is tested in process, every name field through the real server.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
import uuid
from typing import Any

import httpx
import jsonschema_rs
import msgspec
import pytest

import api.app  # noqa: F401  (imports every module, so every request body class exists)
from api.names import FORBIDDEN_CATEGORIES, INVISIBLE_LETTERS, NAME_PATTERN, PLAIN_WORDS, clean, skeleton
from api.wire import Body
from tests.client import PASSWORD, Person, Team, fake_address, join, sign_up

REFUSED = PLAIN_WORDS[NAME_PATTERN]
# One of each kind the rule refuses, inside an otherwise good name.
BAD = {
    "NUL": "\x00",
    "bell": "\x07",
    "line break": "\n",
    "C1 control": "\x85",
    "soft hyphen": "\xad",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "right-to-left override": "\u202e",
    "right-to-left isolate": "\u2067",
    "byte-order mark": "\ufeff",
    "line separator": "\u2028",
    "Hangul filler": "\u3164",
    "invisible tag": "\U000e0041",
}


def fullwidth(text: str) -> str:
    """ASCII letters as their fullwidth forms (U+FF01-U+FF5E), which look the same in wider type."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def allowed(char: str) -> bool:
    return unicodedata.category(char) not in FORBIDDEN_CATEGORIES and char not in INVISIBLE_LETTERS


# --- The rule, in process ------------------------------------------------------------------------------------------


def test_the_name_pattern_refuses_exactly_the_forbidden_characters_to_python_and_to_ecma_clients() -> None:
    """Every character of Unicode, inside a name: refused by the pattern (msgspec's Python re and a client's ECMA
    regex, jsonschema_rs here, alike) exactly when it is a control, format, line or paragraph separator or a filler."""
    python = re.compile(NAME_PATTERN)
    ecma = jsonschema_rs.validator_for({"type": "string", "pattern": json.loads(json.dumps(NAME_PATTERN))})
    wrong = []
    for point in range(sys.maxunicode + 1):
        if 0xD800 <= point <= 0xDFFF:
            continue  # lone surrogates are not text (JSON decoding refuses them)
        name = f"Dana{chr(point)}"
        if not (python.search(name) is not None) == ecma.is_valid(name) == allowed(chr(point)):
            wrong.append(f"U+{point:04X}")
    assert not wrong, wrong[:20]


@pytest.mark.parametrize("blank", ["", " ", "   ", "\xa0", "\u3000", "\u2003 \u2009", "\u200b", " \ufeff "])
def test_a_name_of_nothing_but_spaces_or_invisible_characters_is_refused(blank: str) -> None:
    assert re.search(NAME_PATTERN, blank) is None


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("  Dana Scully  ", "Dana Scully"),
        ("Cafe\u0301", "Caf\xe9"),  # one spelling of é
        ("\xa0\u3000Dana\u2009", "Dana"),
        ("Dana  Scully", "Dana  Scully"),  # inner spaces are the user's
        (fullwidth("Dana"), fullwidth("Dana")),  # NFC leaves fullwidth letters alone (the skeleton folds them)
    ],
)
def test_a_name_is_stored_nfc_and_trimmed(sent: str, stored: str) -> None:
    assert clean(sent) == stored


@pytest.mark.parametrize(
    "lookalike",
    [
        "Dana Scully",
        "dana scully",
        "DANA SCULLY",
        "Dana   Scully",
        "Dana\xa0Scully",
        "Dana\u2003Scully",
        fullwidth("Dana Scully"),
    ],
)
def test_names_that_look_the_same_have_one_skeleton(lookalike: str) -> None:
    assert skeleton(lookalike) == skeleton("Dana Scully")


@pytest.mark.parametrize("other", ["Dana Scully 2", "Dana Sculley", "Dan Ascully", "Fox Mulder"])
def test_names_that_look_different_keep_different_skeletons(other: str) -> None:
    assert skeleton(other) != skeleton("Dana Scully")


def _name_fields() -> set[tuple[str, str]]:
    fields = set()
    for cls in _bodies():
        for name, kind in msgspec.json.schema_components([cls])[1][cls.__name__]["properties"].items():
            if kind.get("pattern") == NAME_PATTERN:
                fields.add((cls.__name__, name))
    return fields


def _bodies(cls: type[Body] = Body) -> list[type[Body]]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_bodies(direct))]


def test_every_name_field_of_every_request_body_follows_the_rule() -> None:
    """A new name field (anything called a name or a label) cannot slip past the rule."""
    named = {
        (cls.__name__, field)
        for cls in _bodies()
        for field in cls.__struct_fields__
        if (field.endswith("name") or field.endswith("label")) and field != "username"
    }
    assert (
        named
        == _name_fields()
        == {
            ("SignUp", "display_name"),
            ("TeamIn", "name"),
            ("GroupIn", "name"),
            ("Cue", "label"),
        }
    )


# --- Every name field, through the server --------------------------------------------------------------------------


def assert_refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert response.json()["fields"] == {field: REFUSED}  # in plain words, not the regex


def cues_with(label: str) -> dict[str, Any]:
    return {"cues": [{"code": "hold", "label": label, "rhythm": [300]}]}


async def name_of_each_field(person: Person, team: Team, name: str) -> dict[str, httpx.Response]:
    """Use the name for a new team, a new channel and a cue label; the answers by field."""
    return {
        "name": await person.post("/api/teams", {"name": name}),
        "channel": await person.post(f"/api/teams/{team.id}/channels", {"name": name, "members": []}),
        "cues[0].label": await person.put(f"/api/teams/{team.id}/cues", cues_with(name)),
    }


@pytest.mark.parametrize("kind", BAD)
async def test_every_name_field_refuses_control_and_invisible_characters(
    kind: str, team: Team, http: httpx.AsyncClient
) -> None:
    name = f"Dana{BAD[kind]} Scully"
    body = {"username": f"user{uuid.uuid4().hex[:10]}", "password": PASSWORD, "display_name": name}
    refused = await http.post("/api/accounts", json=body, headers={"X-Forwarded-For": fake_address()})
    assert_refused(refused, "display_name")
    answers = await name_of_each_field(team.owner, team, name)
    assert_refused(answers["name"], "name")
    assert_refused(answers["channel"], "name")
    assert_refused(answers["cues[0].label"], "cues[0].label")


async def test_every_name_field_stores_the_name_nfc_and_trimmed(team: Team, http: httpx.AsyncClient) -> None:
    sent, stored = "  Cafe\u0301 Cre\u0300me\xa0", "Caf\xe9 Cr\xe8me"
    person = await sign_up(http, team.owner.ws_base, display_name=sent)
    assert (await person.get("/api/me")).json()["user"]["display_name"] == stored
    answers = await name_of_each_field(team.owner, team, sent)
    assert answers["name"].status_code == 201 and answers["name"].json()["name"] == stored
    assert answers["channel"].status_code == 201 and answers["channel"].json()["name"] == stored
    assert answers["cues[0].label"].json()["cues"][0]["label"] == stored
    assert (await team.members[0].get(f"/api/teams/{team.id}/cues")).json()["cues"][0]["label"] == stored


# --- Display names in a team ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lookalike", ["Dana Scully", "dana scully", "DANA  SCULLY", fullwidth("Dana") + " Scully", "Dana\xa0Scully"]
)
async def test_a_newcomer_cannot_join_under_a_name_that_looks_like_a_members(
    lookalike: str, team: Team, http: httpx.AsyncClient
) -> None:
    await join(await sign_up(http, team.owner.ws_base, display_name="Dana Scully"), team.id, team.owner)
    copycat = await sign_up(http, team.owner.ws_base, display_name=lookalike)
    created = (await team.owner.post(f"/api/teams/{team.id}/invites", {"max_uses": 5})).json()
    refused = await copycat.post(f"/api/invites/{created['token']}/accept")
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "display_name_taken"
    assert refused.json()["fields"] == {"display_name": "looks the same as a team member's"}
    assert (await copycat.get(f"/api/teams/{team.id}")).status_code == 404
    listed = (await team.owner.get(f"/api/teams/{team.id}/invites")).json()
    assert next(i for i in listed if i["id"] == created["id"])["uses"] == 0  # a refused join uses nothing up


async def test_a_newcomer_with_a_different_name_joins(team: Team, http: httpx.AsyncClient) -> None:
    await join(await sign_up(http, team.owner.ws_base, display_name="Dana Scully"), team.id, team.owner)
    await join(await sign_up(http, team.owner.ws_base, display_name="Dana Scully 2"), team.id, team.owner)
    names = [m["display_name"] for m in (await team.owner.get(f"/api/teams/{team.id}")).json()["members"]]
    assert "Dana Scully" in names and "Dana Scully 2" in names


async def test_the_same_name_may_be_in_two_different_teams(team: Team, http: httpx.AsyncClient) -> None:
    """The rule is about telling teammates apart: another team's members are not teammates."""
    await join(await sign_up(http, team.owner.ws_base, display_name="Dana Scully"), team.id, team.owner)
    other = await sign_up(http, team.owner.ws_base, display_name="Dana Scully")
    created = await other.post("/api/teams", {"name": "Other deal"})
    assert created.status_code == 201, created.text
