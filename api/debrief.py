"""A meeting's debrief: its timeline read back so a team can learn from it in two minutes, and its exports.

Pure functions of the stored timeline (`api/db/meetings.py` `LogEntry`), so the rules are unit-tested in process:
the cues nobody (or not everyone) acknowledged, the slowest acknowledgements, who held the floor and for how long.
Times are ms after the start. The Markdown and CSV exports are the same debrief, written out with names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

import msgspec

from api.db.meetings import LogEntry
from api.events import Meeting

SLOWEST_SHOWN = 5
_AUDIENCE = msgspec.json.Decoder(list[int]).decode


class Unacknowledged(msgspec.Struct):
    message_id: int
    at: int
    sender_id: int
    label: str
    missing: list[int]  # who it went to and never acknowledged it


class SlowAck(msgspec.Struct):
    message_id: int
    label: str
    user_id: int
    ms: int


class FloorTime(msgspec.Struct):
    user_id: int
    ms: int
    turns: int


class Debrief(msgspec.Struct):
    meeting: Meeting
    timeline: list[LogEntry]  # `at` in ms after the start; the cue's audience is in `unacknowledged`
    unacknowledged: list[Unacknowledged]
    slowest: list[SlowAck]
    floor_time: list[FloorTime]
    names: dict[int, str]  # everyone on the timeline, as they are called now (those who left the team too)


def build(meeting: Meeting, log: list[LogEntry], now: int, names: dict[int, str]) -> Debrief:
    start = meeting.started_at or meeting.created_at
    timeline = [msgspec.structs.replace(e, at=e.at - start, audience=None) for e in log]
    return Debrief(
        meeting=meeting,
        timeline=timeline,
        unacknowledged=_unacknowledged(log, start),
        slowest=_slowest(log),
        floor_time=_floor_time(log, meeting.ended_at or now),
        names=names,
    )


def _unacknowledged(log: list[LogEntry], start: int) -> list[Unacknowledged]:
    acked: dict[int, set[int]] = {}
    for e in log:
        if e.kind == "ack" and e.message_id is not None and e.user_id is not None:
            acked.setdefault(e.message_id, set()).add(e.user_id)
    recalled = {e.message_id for e in log if e.kind == "recalled"}
    found = []
    for e in log:
        # Only an urgent cue waits for an answer: a normal one expires with "no answer needed".
        if e.kind != "cue" or e.urgency != "high" or e.message_id is None or e.user_id is None:
            continue
        if e.message_id in recalled:
            continue
        missing = [u for u in _AUDIENCE(e.audience or "[]") if u not in acked.get(e.message_id, set())]
        if missing:
            label = e.label or e.cue or ""
            found.append(Unacknowledged(e.message_id, e.at - start, e.user_id, label, missing))
    return found


def _slowest(log: list[LogEntry]) -> list[SlowAck]:
    labels = {e.message_id: e.label or e.cue or "" for e in log if e.kind == "cue"}
    acks = [e for e in log if e.kind == "ack" and e.message_id is not None and e.user_id is not None and e.ms]
    acks.sort(key=lambda e: e.ms or 0, reverse=True)
    return [SlowAck(e.message_id or 0, labels.get(e.message_id, ""), e.user_id or 0, e.ms or 0) for e in acks][
        :SLOWEST_SHOWN
    ]


def _floor_time(log: list[LogEntry], end: int) -> list[FloorTime]:
    """Each holder's time with the floor: from a grant to its release, its taking back, or the meeting's end."""
    held: dict[int, FloorTime] = {}
    holder: tuple[int, int] | None = None  # (user, since)

    def close(at: int) -> None:
        nonlocal holder
        if holder is not None:
            user, since = holder
            total = held.setdefault(user, FloorTime(user, 0, 0))
            total.ms += at - since
            total.turns += 1
        holder = None

    for e in log:
        if e.kind == "granted" and e.user_id is not None:
            close(e.at)
            holder = (e.user_id, e.at)
        elif e.kind in ("released", "taken", "ended") or (e.kind == "left" and holder and holder[0] == e.user_id):
            close(e.at)
    close(end)
    return sorted(held.values(), key=lambda t: t.ms, reverse=True)


# Exports


def clock(ms: int) -> str:
    """+mm:ss (or +h:mm:ss) after the start."""
    seconds = max(0, ms) // 1000
    hours, rest = divmod(seconds, 3600)
    return f"+{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"+{rest // 60:02d}:{rest % 60:02d}"


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.1f} s"


PLACES = {"room": "in the room", "call": "on the call", "remote": "supporting remotely"}
ROLES = {"speaking": "speaking", "observing": "observing the other side", "notes": "taking notes"}


def say(entry: LogEntry, name: Mapping[int, str]) -> str:
    """One timeline line in words, as the debrief screen and the exports say it."""
    who = name.get(entry.user_id or 0, "Someone")
    by = name.get(entry.other_id or 0, "a lead")
    match entry.kind:
        case "started":
            return f"{who} started the meeting"
        case "ended":
            return f"{who} ended the meeting"
        case "joined":
            return f"{who} joined {PLACES.get(entry.place or '', '')}, {ROLES.get(entry.role or '', '')}"
        case "cue":
            return f"{who} sent “{entry.label or entry.cue}”"
        case "ack":
            return f"{who}: got it ({_seconds(entry.ms or 0)})"
        case "left":
            return f"{who} left the table"
        case "recalled":
            return f"{who} recalled their cue"
        case "escalated":
            return f"{who} buzzed again ({_ordinal(entry.ms or 0)} buzz)"
        case "requested":
            return f"{who} asked for the floor"
        case "withdrawn":
            return f"{who} withdrew their request"
        case "granted":
            return f"{who} got the floor from {by}"
        case "declined":
            return f"{by} declined {who}'s request"
        case "released":
            return f"{who} gave the floor back"
        case "taken":
            return f"{by} took the floor back from {who}"
    return entry.kind


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def markdown(debrief: Debrief) -> str:
    m, name = debrief.meeting, debrief.names
    lines = [f"# Debrief: {_md(m.title)} with {_md(m.counterpart)}", ""]
    if m.started_at is not None and m.ended_at is not None:
        lines += [f"Lasted {clock(m.ended_at - m.started_at)[1:]} (minutes:seconds).", ""]
    lines += ["## Urgent cues not acknowledged", ""]
    lines += [
        "- "
        + _md(
            f"{clock(u.at)} “{u.label}” from {name.get(u.sender_id, 'Someone')}: "
            + ", ".join(name.get(x, "Someone") for x in u.missing)
        )
        for u in debrief.unacknowledged
    ] or ["None."]
    lines += ["", "## Slowest acknowledgements", ""]
    lines += [
        "- " + _md(f"{name.get(s.user_id, 'Someone')}: {_seconds(s.ms)} for “{s.label}”") for s in debrief.slowest
    ] or ["None."]
    lines += ["", "## The floor", ""]
    lines += [
        "- " + _md(f"{name.get(f.user_id, 'Someone')}: {clock(f.ms)[1:]} over {f.turns} turn{'s' * (f.turns != 1)}")
        for f in debrief.floor_time
    ] or ["Nobody held the floor."]
    lines += ["", "## Timeline", "", "| Time | What happened |", "|---|---|"]
    lines += [f"| {clock(e.at)} | {_md(say(e, name))} |" for e in debrief.timeline]
    return "\n".join(lines) + "\n"


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|!~"})


def _md(text: str) -> str:
    """People's words as Markdown text, never markup: a name cannot become a link, an image, HTML or a table cell
    (with [ escaped no ( ) can make a link; each line starts with our own words, so - + . never start a list)."""
    return text.translate(_MARKDOWN)


CSV_COLUMNS = ("time", "at_ms", "kind", "who", "by", "cue", "label", "ms", "place", "role", "message_id", "said")


def csv_text(debrief: Debrief) -> str:
    name = debrief.names
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in debrief.timeline:
        row = (
            clock(e.at)[1:],  # without its "+", which a spreadsheet reads as a formula
            e.at,
            e.kind,
            name.get(e.user_id, "") if e.user_id else "",
            name.get(e.other_id, "") if e.other_id else "",
            e.cue or "",
            e.label or "",
            "" if e.ms is None else e.ms,
            e.place or "",
            e.role or "",
            e.message_id or "",
            say(e, name),
        )
        writer.writerow([_safe(value) for value in row])
    return out.getvalue()


def _safe(value: object) -> object:
    """A cell a spreadsheet would run as a formula (=, +, -, @ first) is quoted as text: names are people's."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
