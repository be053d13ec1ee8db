"""The cue set's rules beyond its schema: unique codes, one distinct rhythm per cue, rhythms that alternate
vibrate and pause, start and end on a vibration, and stay short."""

from __future__ import annotations

import pytest

from api.cueset import DEFAULT_CUES, RHYTHM_TOTAL_MAX_MS, Cue, validate_set
from api.errors import ApiError


def cue(code: str, rhythm: list[int]) -> Cue:
    return Cue(code=code, label=code.replace("_", " ").capitalize(), rhythm=rhythm)


def problem(cues: list[Cue]) -> dict[str, str]:
    with pytest.raises(ApiError) as error:
        validate_set(cues)
    assert (error.value.status, error.value.code) == (400, "invalid_request")
    return error.value.fields


def test_the_defaults_are_a_valid_set() -> None:
    validate_set(list(DEFAULT_CUES))


def test_codes_are_unique() -> None:
    assert problem([cue("wrap_up", [100]), cue("wrap_up", [300])]) == {"cues[1].code": "duplicate code 'wrap_up'"}


def test_a_rhythm_ends_on_a_vibration() -> None:
    assert problem([cue("wrap_up", [100, 100])]) == {
        "cues[0].rhythm": "must alternate vibrate and pause and end on a vibration (odd length)"
    }


def test_a_rhythm_is_short() -> None:
    assert problem([cue("wrap_up", [2000, 2000, 1001])]) == {"cues[0].rhythm": f"lasts over {RHYTHM_TOTAL_MAX_MS} ms"}
    validate_set([cue("wrap_up", [2000, 2000, 1000])])


def test_each_cue_has_its_own_rhythm() -> None:
    assert problem([cue("wrap_up", [100]), cue("slow_down", [300]), cue("let_me_talk", [100])]) == {
        "cues[2].rhythm": "is the same as another cue's; each cue needs its own rhythm"
    }


def test_the_first_broken_rule_is_the_one_reported() -> None:
    assert list(problem([cue("a", [100]), cue("a", [100, 100])])) == ["cues[1].code"]
