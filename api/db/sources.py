"""SQL for sources (docs/sources.md): the source row and its link, the guest account, intel entries and gives."""

from __future__ import annotations

from typing import Literal

import msgspec

from api.db.connection import Rows
from api.events import IntelEntry, Record

_SOURCE = (
    "SELECT id, team_id, handler_id, guest_id, channel_id, pseudonym, notes, state, link_expires_at, created_at,"
    " joined_at, ended_at FROM sources"
)


class SourceRow(msgspec.Struct):
    id: int
    team_id: int
    handler_id: int
    guest_id: int | None
    channel_id: int | None
    pseudonym: str
    notes: str
    state: Literal["invited", "open", "ended"]
    link_expires_at: int | None
    created_at: int
    joined_at: int | None
    ended_at: int | None


class Give(msgspec.Struct):
    """Something the team shared with a source (give to get)."""

    id: int
    source_id: int
    author_id: int
    what: str
    given_at: int
    created_at: int


class ContactRow(msgspec.Struct):
    """A guest's conversation, as the guest may know it."""

    source_id: int
    channel_id: int
    handler_id: int
    handler_name: str
    started_at: int


# Sources


def insert_source(rows: Rows, team_id: int, handler_id: int, pseudonym: str, notes: str, now: int) -> int:
    source_id = rows.one(
        int,
        "INSERT INTO sources (team_id, handler_id, pseudonym, notes, state, created_at)"
        " VALUES (?, ?, ?, ?, 'invited', ?) RETURNING id",
        (team_id, handler_id, pseudonym, notes, now),
    )
    assert source_id is not None
    return source_id


def source(rows: Rows, source_id: int) -> SourceRow | None:
    return rows.one(SourceRow, f"{_SOURCE} WHERE id = ?", (source_id,))


def sources_of(rows: Rows, team_id: int) -> list[SourceRow]:
    """The team's sources: open and invited ones first, then ended ones; newest first within."""
    return rows.all(SourceRow, f"{_SOURCE} WHERE team_id = ? ORDER BY state = 'ended', id DESC", (team_id,))


def count_live_sources(rows: Rows, team_id: int) -> int:
    """The team's sources that have not ended (ended ones keep only their pseudonym and intel)."""
    return rows.one(int, "SELECT count(*) FROM sources WHERE team_id = ? AND state <> 'ended'", (team_id,)) or 0


def pseudonyms(rows: Rows, team_id: int, other_than: int = 0) -> list[str]:
    return rows.all(str, "SELECT pseudonym FROM sources WHERE team_id = ? AND id <> ?", (team_id, other_than))


def handled_by(rows: Rows, team_id: int, handler_id: int) -> list[int]:
    """The ids of the sources the user handles in the team that have not ended."""
    return rows.all(
        int,
        "SELECT id FROM sources WHERE team_id = ? AND handler_id = ? AND state <> 'ended' ORDER BY id",
        (team_id, handler_id),
    )


def set_link(rows: Rows, source_id: int, link_hash: bytes, expires_at: int) -> None:
    rows.run("UPDATE sources SET link_hash = ?, link_expires_at = ? WHERE id = ?", (link_hash, expires_at, source_id))


def by_link(rows: Rows, link_hash: bytes) -> SourceRow | None:
    return rows.one(SourceRow, f"{_SOURCE} WHERE link_hash = ? AND state <> 'ended'", (link_hash,))


def use_link(rows: Rows, source_id: int) -> None:
    rows.run("UPDATE sources SET link_hash = NULL, link_expires_at = NULL WHERE id = ?", (source_id,))


def set_joined(rows: Rows, source_id: int, guest_id: int, channel_id: int, now: int) -> None:
    rows.run(
        "UPDATE sources SET guest_id = ?, channel_id = ?, state = 'open', joined_at = ? WHERE id = ?",
        (guest_id, channel_id, now, source_id),
    )


def set_pseudonym(rows: Rows, source_id: int, pseudonym: str) -> None:
    rows.run("UPDATE sources SET pseudonym = ? WHERE id = ?", (pseudonym, source_id))


def set_notes(rows: Rows, source_id: int, notes: str) -> None:
    rows.run("UPDATE sources SET notes = ? WHERE id = ?", (notes, source_id))


def set_handler(rows: Rows, source_id: int, handler_id: int) -> None:
    rows.run("UPDATE sources SET handler_id = ? WHERE id = ?", (handler_id, source_id))


def set_ended(rows: Rows, source_id: int, now: int) -> None:
    """Ended: the notes wiped, the link gone, the guest and the conversation unlinked (the caller deletes them)."""
    rows.run(
        "UPDATE sources SET state = 'ended', ended_at = ?, notes = '', link_hash = NULL, link_expires_at = NULL,"
        " guest_id = NULL, channel_id = NULL WHERE id = ?",
        (now, source_id),
    )


class _Counted(Record):
    source_id: int = 0


def records_of(rows: Rows, source_ids: list[int]) -> dict[int, Record]:
    """Each source's track record, by source id."""
    marks = ", ".join("?" * len(source_ids))
    counts = (
        "SELECT source_id, count(*) AS entries, coalesce(sum(verdict = 'corroborated'), 0) AS corroborated,"
        " coalesce(sum(verdict = 'contradicted'), 0) AS contradicted, coalesce(sum(known), 0) AS known"
        " FROM intel_entries"
    )
    where = f" WHERE source_id IN ({marks}) GROUP BY source_id"
    counted = rows.all(_Counted, counts + where, source_ids)
    gives = "SELECT source_id, count(*) AS given FROM source_gives" + where  # noqa: S608 (placeholders)
    given = {c.source_id: c.given for c in rows.all(_Counted, gives, source_ids)}
    records = {source_id: Record(given=given.get(source_id, 0)) for source_id in source_ids}
    for c in counted:
        records[c.source_id] = Record(c.entries, c.corroborated, c.contradicted, c.known, given.get(c.source_id, 0))
    return records


# The guest


def insert_guest(rows: Rows, username: str, pseudonym: str, now: int) -> int:
    """A guest account: no password (it never logs in), named by the pseudonym for the handler's pushes."""
    guest_id = rows.one(
        int,
        "INSERT INTO users (username, display_name, password_hash, created_at, kind)"
        " VALUES (?, ?, '', ?, 'guest') RETURNING id",
        (username, pseudonym, now),
    )
    assert guest_id is not None
    return guest_id


def delete_sessions(rows: Rows, user_id: int) -> None:
    rows.run("DELETE FROM sessions WHERE user_id = ?", (user_id,))


def delete_guest(rows: Rows, guest_id: int) -> None:
    """The guest account with what it holds: sessions, push subscriptions and jobs (cascades), its own events."""
    rows.run("DELETE FROM events WHERE user_id = ?", (guest_id,))
    rows.run("DELETE FROM users WHERE id = ? AND kind = 'guest'", (guest_id,))


def contact_of(rows: Rows, guest_id: int) -> ContactRow | None:
    return rows.one(
        ContactRow,
        "SELECT s.id AS source_id, s.channel_id, s.handler_id, u.display_name AS handler_name,"
        " s.joined_at AS started_at FROM sources s JOIN users u ON u.id = s.handler_id"
        " WHERE s.guest_id = ? AND s.state = 'open'",
        (guest_id,),
    )


# Intel entries


_ENTRY = (
    "SELECT id, team_id, source_id, author_id, claim, reliability, credibility, said_at, created_at, verdict,"
    " by_entry_id, note, known, assessed_by, assessed_at FROM intel_entries"
)


def insert_entry(
    rows: Rows,
    source: SourceRow,
    author_id: int,
    claim: str,
    grade: tuple[str, int],
    said_at: int | None,
    now: int,
) -> int:
    entry_id = rows.one(
        int,
        "INSERT INTO intel_entries (team_id, source_id, author_id, claim, reliability, credibility, said_at,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (source.team_id, source.id, author_id, claim, *grade, said_at, now),
    )
    assert entry_id is not None
    return entry_id


def entry(rows: Rows, entry_id: int) -> IntelEntry | None:
    return rows.one(IntelEntry, f"{_ENTRY} WHERE id = ?", (entry_id,))


def entries_of_team(rows: Rows, team_id: int) -> list[IntelEntry]:
    return rows.all(IntelEntry, f"{_ENTRY} WHERE team_id = ? ORDER BY id DESC", (team_id,))


def entries_of_source(rows: Rows, source_id: int) -> list[IntelEntry]:
    return rows.all(IntelEntry, f"{_ENTRY} WHERE source_id = ? ORDER BY id DESC", (source_id,))


def count_entries(rows: Rows, source_id: int) -> int:
    return rows.one(int, "SELECT count(*) FROM intel_entries WHERE source_id = ?", (source_id,)) or 0


def set_assessment(
    rows: Rows,
    entry_id: int,
    verdict: str | None,
    by_entry_id: int | None,
    note: str | None,
    known: bool,
    user_id: int,
    now: int,
) -> None:
    rows.run(
        "UPDATE intel_entries SET verdict = ?, by_entry_id = ?, note = ?, known = ?, assessed_by = ?, assessed_at = ?"
        " WHERE id = ?",
        (verdict, by_entry_id, note, known, user_id, now, entry_id),
    )


# Gives


def insert_give(rows: Rows, source_id: int, author_id: int, what: str, given_at: int, now: int) -> int:
    give_id = rows.one(
        int,
        "INSERT INTO source_gives (source_id, author_id, what, given_at, created_at) VALUES (?, ?, ?, ?, ?)"
        " RETURNING id",
        (source_id, author_id, what, given_at, now),
    )
    assert give_id is not None
    return give_id


def gives_of(rows: Rows, source_id: int) -> list[Give]:
    return rows.all(
        Give,
        "SELECT id, source_id, author_id, what, given_at, created_at FROM source_gives WHERE source_id = ?"
        " ORDER BY given_at DESC, id DESC",
        (source_id,),
    )


def count_gives(rows: Rows, source_id: int) -> int:
    return rows.one(int, "SELECT count(*) FROM source_gives WHERE source_id = ?", (source_id,)) or 0
