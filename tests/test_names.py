"""Names (display names, team and channel names, cue labels): one rule for all, in api/names.py.

Stored NFC-normalised and trimmed; never blank; no control or invisible characters; no combining mark without a
character to sit on; two display names in a team never look the same (nor two channel names: tests/test_channels.py).
The pure rule is tested in process, every name field through the real server.
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
from api.names import (
    FORBIDDEN_CATEGORIES,
    INVISIBLE_LETTERS,
    MARK_CATEGORIES,
    NAME_PATTERN,
    PLAIN_WORDS,
    clean,
    skeleton,
)
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


# Each draws as "Dana Scully" (the attacker's list: all of these joined a team beside a "Dana Lee"): a character
# Unicode says to draw as nothing when there is no glyph for it, or a mark stacked on a letter.
INVISIBLE_ADDITIONS = {
    "combining grapheme joiner": "Dana\u034f Scully",
    "variation selector 16 at the end": "Dana Scully\ufe0f",
    "variation selector 1 inside a word": "Dan\ufe00a Scully",
    "variation selector 17": "Dana Scully\U000e0100",
    "Mongolian free variation selector": "Dana\u180b Scully",
    "Khmer inherent vowel": "Dana\u17b4 Scully",
    "combining acute on a letter": "Da\u0301na Scully",
    "enclosing circle": "Dana\u20dd Scully",
}


def allowed(char: str) -> bool:
    return unicodedata.category(char) not in FORBIDDEN_CATEGORIES and char not in INVISIBLE_LETTERS


def every_character() -> list[str]:
    """Every code point of Unicode but the lone surrogates, which are not text (JSON decoding refuses them)."""
    return [chr(point) for point in range(sys.maxunicode + 1) if not 0xD800 <= point <= 0xDFFF]


def python_and_ecma() -> tuple[Any, Any]:
    """The name pattern as msgspec's Python re and as a client's ECMA regex (jsonschema_rs) see it."""
    ecma = jsonschema_rs.validator_for({"type": "string", "pattern": json.loads(json.dumps(NAME_PATTERN))})
    return re.compile(NAME_PATTERN), ecma


# --- The rule, in process ------------------------------------------------------------------------------------------


def test_the_name_pattern_refuses_exactly_the_forbidden_characters_to_python_and_to_ecma_clients() -> None:
    """Every character of Unicode, inside a name: refused by the pattern (msgspec's Python re and a client's ECMA
    regex, jsonschema_rs here, alike) exactly when it is a control, format, line or paragraph separator or a filler."""
    python, ecma = python_and_ecma()
    wrong = []
    for char in every_character():
        name = f"Dana{char}"
        if not (python.search(name) is not None) == ecma.is_valid(name) == allowed(char):
            wrong.append(f"U+{ord(char):04X}")
    assert not wrong, wrong[:20]


# Where a mark goes in a name ({}), and whether it may go there.
MARK_PLACES = [
    ("{}", False),
    ("{}Dana", False),
    ("Dana {}", False),
    (" {}Dana", False),
    ("Dana{}", True),
    ("7{}", True),
    ("\u2764{}", True),
    ("Da\u0301{}", True),
]


def test_a_combining_mark_needs_a_character_to_sit_on_to_python_and_to_ecma_clients() -> None:
    """Every combining mark of Unicode (accents, vowel signs, variation selectors, enclosing circles): refused at the
    start of a name and right after a space, where it has no base and draws on nothing or on a blank; allowed after
    a letter, a digit, an emoji or another mark."""
    python, ecma = python_and_ecma()
    marks = [char for char in every_character() if unicodedata.category(char) in MARK_CATEGORIES]
    assert len(marks) > 2000
    wrong = []
    for mark in marks:
        for place, ok in MARK_PLACES:
            name = place.format(mark)
            if not (python.search(name) is not None) == ecma.is_valid(name) == ok:
                wrong.append((f"U+{ord(mark):04X}", name))
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


@pytest.mark.parametrize("lookalike", INVISIBLE_ADDITIONS.values(), ids=INVISIBLE_ADDITIONS.keys())
def test_invisible_characters_and_stacked_marks_leave_the_skeleton_as_it_was(lookalike: str) -> None:
    assert re.search(NAME_PATTERN, lookalike), "allowed as a name (so the skeleton must see through it)"
    assert skeleton(lookalike) == skeleton("Dana Scully")


def test_every_nonspacing_or_enclosing_mark_leaves_the_skeleton_as_it_was() -> None:
    """On a letter or on a space, anywhere in a name: a mark that only draws on what is before it is not a way to
    make a name look different (Mc, spacing marks, take room of their own: they do)."""
    marks = [char for char in every_character() if unicodedata.category(char) in {"Mn", "Me"}]
    changed = [
        f"U+{ord(mark):04X}"
        for mark in marks
        for name in (f"Dana{mark} Scully", f"Dana {mark}Scully", f"Dana Scully{mark}")
        if skeleton(name) != skeleton("Dana Scully")
    ]
    assert not changed, changed[:20]


def test_an_emoji_with_its_variation_selector_is_a_name_with_the_emojis_skeleton() -> None:
    assert re.search(NAME_PATTERN, "Sam \u2764\ufe0f")
    assert skeleton("Sam \u2764\ufe0f") == skeleton("Sam \u2764") == "sam \u2764"


@pytest.mark.parametrize(
    "other",
    [
        "Dana Scully 2",
        "Dana Sculley",
        "Dan Ascully",
        "Fox Mulder",
        "Dana Scu\u0399\u0399y",  # Greek capital iota for l: letters of another script are not folded
        "Dana ScuIIy",  # capital I for l: look-alike letters of one script are not folded either (no confusables)
    ],
)
def test_names_that_look_different_keep_different_skeletons(other: str) -> None:
    assert skeleton(other) != skeleton("Dana Scully")


def _name_fields() -> set[tuple[str, str]]:
    """The body fields held to the name pattern, optional ones ({"anyOf": [{...}, {"type": "null"}]}) included."""
    fields = set()
    for cls in _bodies():
        for name, kind in msgspec.json.schema_components([cls])[1][cls.__name__]["properties"].items():
            if NAME_PATTERN in {branch.get("pattern") for branch in (kind, *kind.get("anyOf", []))}:
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
    # A device's new name (PATCH /api/sessions/{id}) is a name too, though its field is called "device"; so are a
    # meeting's title and counterpart, and a source's pseudonym (what the team calls it, docs/sources.md).
    also = {("DeviceName", "device"), ("MeetingIn", "title"), ("MeetingIn", "counterpart")}
    also |= {("SourceIn", "pseudonym"), ("SourceEdit", "pseudonym")}
    assert (
        named | also
        == _name_fields()
        == {
            ("SignUp", "display_name"),
            ("Rename", "display_name"),
            ("DeviceName", "device"),
            ("TeamIn", "name"),
            ("GroupIn", "name"),
            ("GroupNameIn", "name"),
            ("Cue", "label"),
            ("MeetingIn", "title"),
            ("MeetingIn", "counterpart"),
            ("SourceIn", "pseudonym"),
            ("SourceEdit", "pseudonym"),
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
    """Use the name for a new team, a new channel, a cue label, a new source's pseudonym and another source's new
    pseudonym; the answers by field."""
    other = await person.post(f"/api/teams/{team.id}/sources", {"pseudonym": f"Source {uuid.uuid4().hex[:8]}"})
    assert other.status_code == 201, other.text
    return {
        "name": await person.post("/api/teams", {"name": name}),
        "channel": await person.post(f"/api/teams/{team.id}/channels", {"name": name, "members": []}),
        "cues[0].label": await person.put(f"/api/teams/{team.id}/cues", cues_with(name)),
        "pseudonym": await person.post(f"/api/teams/{team.id}/sources", {"pseudonym": name}),
        "renamed pseudonym": await person.patch(f"/api/sources/{other.json()['id']}", {"pseudonym": name}),
    }


async def assert_every_name_field_refuses(name: str, team: Team, http: httpx.AsyncClient) -> None:
    """Sign-up's display name, the team name, a channel name and a cue label all refuse the name."""
    body = {"username": f"user{uuid.uuid4().hex[:10]}", "password": PASSWORD, "display_name": name}
    refused = await http.post("/api/accounts", json=body, headers={"X-Forwarded-For": fake_address()})
    assert_refused(refused, "display_name")
    answers = await name_of_each_field(team.owner, team, name)
    assert_refused(answers["name"], "name")
    assert_refused(answers["channel"], "name")
    assert_refused(answers["cues[0].label"], "cues[0].label")
    assert_refused(answers["pseudonym"], "pseudonym")
    assert_refused(answers["renamed pseudonym"], "pseudonym")


@pytest.mark.parametrize("kind", BAD)
async def test_every_name_field_refuses_control_and_invisible_characters(
    kind: str, team: Team, http: httpx.AsyncClient
) -> None:
    name = f"Dana{BAD[kind]} Scully"
    await assert_every_name_field_refuses(name, team, http)


@pytest.mark.parametrize("name", ["\u0301", "\u0301Dana", "Dana Scully \u0301", "Dana \u20ddScully", " \ufe0fDana"])
async def test_every_name_field_refuses_a_mark_with_nothing_to_sit_on(
    name: str, team: Team, http: httpx.AsyncClient
) -> None:
    await assert_every_name_field_refuses(name, team, http)


async def test_every_name_field_stores_the_name_nfc_and_trimmed(team: Team, http: httpx.AsyncClient) -> None:
    sent, stored = "  Cafe\u0301 Cre\u0300me\xa0", "Caf\xe9 Cr\xe8me"
    person = await sign_up(http, team.owner.ws_base, display_name=sent)
    assert (await person.get("/api/me")).json()["user"]["display_name"] == stored
    answers = await name_of_each_field(team.owner, team, sent)
    assert answers["name"].status_code == 201 and answers["name"].json()["name"] == stored
    assert answers["channel"].status_code == 201 and answers["channel"].json()["name"] == stored
    assert answers["cues[0].label"].json()["cues"][0]["label"] == stored
    assert answers["pseudonym"].status_code == 201 and answers["pseudonym"].json()["pseudonym"] == stored
    # The second source may not take the pseudonym the first one has now (they look the same): 409, stored as sent.
    assert answers["renamed pseudonym"].status_code == 409, answers["renamed pseudonym"].text
    listed = (await team.members[0].get(f"/api/teams/{team.id}/sources")).json()
    assert stored in [source["pseudonym"] for source in listed]
    assert (await team.members[0].get(f"/api/teams/{team.id}/cues")).json()["cues"][0]["label"] == stored


# --- Display names in a team ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lookalike",
    [
        "Dana Scully",
        "dana scully",
        "DANA  SCULLY",
        fullwidth("Dana") + " Scully",
        "Dana\xa0Scully",
        *INVISIBLE_ADDITIONS.values(),
    ],
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
