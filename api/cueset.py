"""The cue set's rules: what a cue is, the defaults a new team starts with, and what a set must satisfy.

Pure: no database, no routes, so the rules are unit-tested in process (tests/unit/test_cueset.py).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from api.errors import invalid
from api.names import END
from api.wire import Body, name_meta

MAX_CUES = 24
LABEL_MAX = 40
# A rhythm alternates vibrate and pause (ms), starting and ending with a vibration.
RHYTHM_MAX_STEPS = 15
RHYTHM_STEP_MS = (20, 2000)
RHYTHM_TOTAL_MAX_MS = 5000
TTL_SECONDS = (10, 3600)

Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9_]{1,32}" + END, description="lowercase letters, digits, _")]
Step = Annotated[int, msgspec.Meta(ge=RHYTHM_STEP_MS[0], le=RHYTHM_STEP_MS[1])]


class Cue(Body):
    code: Code
    label: Annotated[str, name_meta(LABEL_MAX)]
    rhythm: Annotated[list[Step], msgspec.Meta(min_length=1, max_length=RHYTHM_MAX_STEPS)]
    urgency: Literal["normal", "high"] = "normal"
    ttl_seconds: Annotated[int, msgspec.Meta(ge=TTL_SECONDS[0], le=TTL_SECONDS[1])] = 120


class CueSetIn(Body):
    cues: Annotated[list[Cue], msgspec.Meta(min_length=1, max_length=MAX_CUES)]


class CueSet(msgspec.Struct):
    team_id: int
    cues: list[Cue]


DEFAULT_CUES = (
    Cue(code="let_me_talk", label="Let me talk", rhythm=[300], ttl_seconds=60),
    Cue(code="drive_home", label="Drive that point home", rhythm=[100, 100, 100], ttl_seconds=90),
    Cue(code="change_direction", label="Change direction", rhythm=[300, 150, 300], ttl_seconds=90),
    Cue(
        code="stop_call_me",
        label="Stop — call me on my other line",
        urgency="high",
        rhythm=[600, 200, 600, 200, 600],
        ttl_seconds=120,
    ),
    Cue(code="take_break", label="Take a break", urgency="high", rhythm=[800, 300, 200], ttl_seconds=180),
    Cue(code="slow_down", label="Slow down", rhythm=[500, 300, 500], ttl_seconds=60),
    Cue(
        code="dont_concede",
        label="Don't concede",
        urgency="high",
        rhythm=[100, 80, 100, 80, 100, 80, 100],
        ttl_seconds=60,
    ),
    Cue(code="wrap_up", label="Wrap up", rhythm=[200, 200, 600], ttl_seconds=180),
    Cue(code="they_nervous", label="They're nervous", rhythm=[80, 120, 300], ttl_seconds=45),
    Cue(code="watch_lead", label="Watch their lead", rhythm=[300, 120, 80], ttl_seconds=45),
    Cue(code="bluffing", label="They're bluffing", rhythm=[80, 80, 80, 200, 400], ttl_seconds=45),
)


def validate_set(cues: list[Cue]) -> None:
    """Rules a schema cannot state: unique codes, one distinct rhythm per cue, rhythms of sane shape."""
    codes: set[str] = set()
    rhythms: set[tuple[int, ...]] = set()
    for index, cue in enumerate(cues):
        where = f"cues[{index}]"
        if cue.code in codes:
            raise invalid(f"{where}.code", f"duplicate code {cue.code!r}")
        if len(cue.rhythm) % 2 == 0:
            raise invalid(f"{where}.rhythm", "must alternate vibrate and pause and end on a vibration (odd length)")
        if sum(cue.rhythm) > RHYTHM_TOTAL_MAX_MS:
            raise invalid(f"{where}.rhythm", f"lasts over {RHYTHM_TOTAL_MAX_MS} ms")
        if tuple(cue.rhythm) in rhythms:
            raise invalid(f"{where}.rhythm", "is the same as another cue's; each cue needs its own rhythm")
        codes.add(cue.code)
        rhythms.add(tuple(cue.rhythm))
