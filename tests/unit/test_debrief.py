"""The debrief's rules, in process: what went unanswered, the slowest acknowledgements, floor time, the exports."""

from __future__ import annotations

import csv
import io

from api.db.meetings import LogEntry
from api.debrief import build, clock, csv_text, markdown
from api.events import Change, Meeting

START = 1_000_000
NAMES = {1: "Lena Lead", 2: "Sam", 3: "Lee", 4: "=cmd()"}


def meeting(ended_at: int | None = START + 600_000) -> Meeting:
    return Meeting(
        id=9,
        team_id=1,
        channel_id=5,
        title="Pricing round 2",
        counterpart="Acme",
        planned_at=None,
        state="ended",
        created_by=1,
        created_at=START - 5000,
        started_at=START,
        ended_at=ended_at,
        seats=[],
        queue=[],
        floor=None,
        change=Change("ended", 1),
    )


def entry(at: int, kind: str, **fields: object) -> LogEntry:
    return LogEntry(at=START + at, kind=kind, **fields)  # type: ignore[arg-type]


def test_an_urgent_cue_is_unanswered_by_whoever_it_reached_and_never_acknowledged_it() -> None:
    log = [
        entry(
            1000, "cue", user_id=1, message_id=70, cue="slow_down", label="Slow down", urgency="high", audience="[2, 3]"
        ),
        entry(3000, "ack", user_id=2, message_id=70, ms=2000),
        entry(4000, "cue", user_id=2, message_id=71, cue="wrap_up", label="Wrap up", urgency="high", audience="[1, 3]"),
        entry(4500, "ack", user_id=1, message_id=71, ms=500),
        entry(5000, "ack", user_id=3, message_id=71, ms=1000),
        entry(
            6000,
            "cue",
            user_id=3,
            message_id=72,
            cue="bluffing",
            label="They're bluffing",
            urgency="high",
            audience="[1]",
        ),
        entry(6500, "recalled", user_id=3, message_id=72),
        entry(7000, "cue", user_id=1, message_id=73, cue="drive_home", label="Drive", urgency="normal", audience="[2]"),
    ]
    debrief = build(meeting(), log, START + 10_000, NAMES)
    assert [(u.message_id, u.missing, u.at) for u in debrief.unacknowledged] == [(70, [3], 1000)]
    assert [(s.user_id, s.ms, s.label) for s in debrief.slowest] == [
        (2, 2000, "Slow down"),
        (3, 1000, "Wrap up"),
        (1, 500, "Wrap up"),
    ]


def test_floor_time_runs_from_a_grant_to_its_release_its_taking_back_or_the_end() -> None:
    log = [
        entry(0, "started", user_id=1),
        entry(1000, "granted", user_id=2, other_id=1),
        entry(4000, "released", user_id=2),
        entry(5000, "granted", user_id=3, other_id=1),
        entry(6000, "taken", user_id=3, other_id=1),  # the lead hands it on: Lee's turn ends
        entry(6000, "granted", user_id=2, other_id=1),
        entry(9000, "ended", user_id=1, other_id=2),
    ]
    debrief = build(meeting(), log, START + 20_000, NAMES)
    assert [(f.user_id, f.ms, f.turns) for f in debrief.floor_time] == [(2, 6000, 2), (3, 1000, 1)]
    live = build(meeting(ended_at=None), log[:-1], START + 10_000, NAMES)  # a live meeting counts up to now
    assert [(f.user_id, f.ms) for f in live.floor_time] == [(2, 7000), (3, 1000)]


def test_times_are_said_after_the_start() -> None:
    assert [clock(ms) for ms in (0, 59_999, 61_000, 3_725_000, -5)] == [
        "+00:00",
        "+00:59",
        "+01:01",
        "+1:02:05",
        "+00:00",
    ]


def test_the_exports_write_each_line_once_with_names_and_quote_formulas() -> None:
    log = [
        entry(0, "started", user_id=1),
        entry(2000, "joined", user_id=4, place="call", role="observing"),
        entry(
            3000,
            "cue",
            user_id=4,
            message_id=70,
            cue="they_nervous",
            label="They're | nervous",
            urgency="high",
            audience="[1]",
        ),
    ]
    debrief = build(meeting(), log, START, NAMES)
    text = markdown(debrief)
    assert "| +00:02 | =cmd() joined on the call, observing the other side |" in text
    assert "They're \\| nervous" in text  # a pipe stays inside its cell
    assert "- +00:03 “They're \\| nervous” from =cmd(): Lena Lead" in text
    rows = list(csv.reader(io.StringIO(csv_text(debrief))))
    assert rows[0][:3] == ["time", "at_ms", "kind"] and len(rows) == 1 + len(log)
    assert rows[2][:4] == ["00:02", "2000", "joined", "'=cmd()"]
    assert rows[2][-1] == "'=cmd() joined on the call, observing the other side"


def test_peoples_words_are_never_markup_in_the_markdown() -> None:
    names = {1: "<img src=x onerror=alert(1)> [pay](javascript:x)", 2: "*Sam* `x` # h"}
    log = [entry(0, "started", user_id=1), entry(1000, "joined", user_id=2, place="room", role="speaking")]
    text = markdown(build(meeting(), log, START, names))
    assert "\\<img src=x onerror=alert(1)\\> \\[pay\\](javascript:x) started the meeting" in text
    assert "\\*Sam\\* \\`x\\` \\# h joined in the room" in text
    assert "<img" not in text.replace("\\<img", "")
