"""Sources (docs/sources.md): a handler's protected conversation with someone on the other side, the guest account
the source uses, the intel log the team weighs and what was given for it.

Protecting the source is the rule every function keeps: the notes (who the source really is) leave the database only
in the handler's own answers, never in an event; the team sees the pseudonym; ending a contact deletes the guest,
its sessions and the conversation (the caller scrubs the WAL after the commit) and wipes the notes.
"""

from __future__ import annotations

import msgspec

from api import access
from api.actions import membership
from api.actions.accounts import NewSession, Started, start_session
from api.clock import now_ms
from api.db import accounts as accounts_sql
from api.db import channels as channels_sql
from api.db import messages as messages_sql
from api.db import sources as sql
from api.db.connection import Rows, Tx
from api.db.sources import Give, SourceRow
from api.errors import ApiError, conflict, forbidden, invalid, not_found
from api.events import (
    Contact,
    ContactEvent,
    IntelEntry,
    IntelEvent,
    Source,
    SourceEvent,
    ToTeam,
    ToUser,
    record,
)
from api.hub import SESSION_REVOKED
from api.names import looks_like_any
from api.throttle import Throttle

# Open and invited ones: an ended source keeps only its pseudonym and intel, so that ending junk never locks a team
# out (a member who fills the team with sources is removed, which ends them).
MAX_SOURCES_PER_TEAM = 100
MAX_ENTRIES_PER_SOURCE = 500
MAX_GIVES_PER_SOURCE = 500
PSEUDONYM_MAX = 40
NOTES_MAX = 4000
CLAIM_MAX = 2000
GIVE_MAX = 1000
ASSESSMENT_NOTE_MAX = 500
LINK_TTL_MS = 7 * 86_400_000


class Link(msgspec.Struct):
    token: str | None  # only in the answer that made it: the database keeps its hash
    expires_at: int


class HandledSource(Source):
    """A source as its handler sees it: with the notes, the conversation and the open link."""

    channel_id: int | None
    notes: str
    link: Link | None


class NewLink(msgspec.Struct, frozen=True):
    """A link to make, its token drawn on the loop: the route keeps the token, the database its hash."""

    token: str
    token_hash: bytes


class MyContact(Contact):
    session_id: int  # to sign this phone out


class Exchange(msgspec.Struct):
    """Give to get: what the team shared with the source beside what it got from them, newest first."""

    source: Source
    given: list[Give]
    got: list[IntelEntry]


# Reading


def _shown(rows: Rows, row: SourceRow) -> Source:
    return _shown_all(rows, [row])[0]


def _shown_all(rows: Rows, found: list[SourceRow]) -> list[Source]:
    records = sql.records_of(rows, [row.id for row in found]) if found else {}
    return [
        Source(
            id=row.id,
            team_id=row.team_id,
            pseudonym=row.pseudonym,
            handler_id=row.handler_id,
            state=row.state,
            created_at=row.created_at,
            joined_at=row.joined_at,
            ended_at=row.ended_at,
            record=records[row.id],
        )
        for row in found
    ]


def _handled(rows: Rows, row: SourceRow, token: str | None = None) -> HandledSource:
    public = _shown(rows, row)
    link = None if row.link_expires_at is None else Link(token=token, expires_at=row.link_expires_at)
    return HandledSource(**msgspec.structs.asdict(public), channel_id=row.channel_id, notes=row.notes, link=link)


def _in_team(rows: Rows, source_id: int, user_id: int) -> SourceRow:
    """The source when the user is in its team (404 otherwise, as for anything of a team's)."""
    row = sql.source(rows, source_id)
    if row is None or not access.is_member(rows, row.team_id, user_id):
        raise not_found("source")
    return row


def _mine(rows: Rows, source_id: int, user_id: int) -> SourceRow:
    """The source when the user is its handler: 404 outside the team, 403 for a teammate, 409 once it has ended."""
    row = _in_team(rows, source_id, user_id)
    if row.handler_id != user_id:
        raise forbidden("Only this source's handler can do this.")
    if row.state == "ended":
        raise conflict("source_state", "This contact has ended.")
    return row


def sources(rows: Rows, user_id: int, team_id: int) -> list[Source]:
    access.team_role(rows, team_id, user_id)
    return _shown_all(rows, sql.sources_of(rows, team_id))


def source(rows: Rows, user_id: int, source_id: int) -> Source:
    row = _in_team(rows, source_id, user_id)
    return _handled(rows, row) if row.handler_id == user_id else _shown(rows, row)


def contact(rows: Rows, guest_id: int, session_id: int) -> MyContact:
    found = sql.contact_of(rows, guest_id)
    if found is None:
        raise ApiError(401, "unauthenticated", "This conversation has ended.")
    return MyContact(**msgspec.structs.asdict(_contact(found, guest_id)), session_id=session_id)


def _contact(found: sql.ContactRow, guest_id: int) -> Contact:
    return Contact(
        channel_id=found.channel_id,
        user_id=guest_id,
        handler_id=found.handler_id,
        handler_name=found.handler_name,
        started_at=found.started_at,
    )


# Adding, editing, linking


def _count(throttle: Throttle, user_id: int) -> None:
    """Every write here is rate-limited per user (touched in the writer's thread only, as the messages limit is)."""
    throttle.take(str(user_id), "source actions from you this minute")


def _require_distinct_pseudonym(rows: Rows, team_id: int, pseudonym: str, renaming: int = 0) -> None:
    """409 when the pseudonym looks the same as another of the team's: an entry would be weighed as the wrong
    source's."""
    if looks_like_any(pseudonym, sql.pseudonyms(rows, team_id, renaming)):
        raise ApiError(
            409,
            "pseudonym_taken",
            "This team already has a source whose pseudonym looks the same; pick another.",
            {"pseudonym": "looks the same as another source's"},
        )


def _announce(tx: Tx, row: SourceRow) -> Source:
    return record(tx, SourceEvent, ToTeam(team_id=row.team_id), _shown(tx, row))


def _reread(rows: Rows, source_id: int) -> SourceRow:
    row = sql.source(rows, source_id)
    assert row is not None
    return row


def create_source(
    tx: Tx, user_id: int, team_id: int, pseudonym: str, notes: str, link: NewLink, *, throttle: Throttle
) -> HandledSource:
    """A new source, handled by the member who adds it, with its first single-use link."""
    access.team_role(tx, team_id, user_id)
    _count(throttle, user_id)
    if sql.count_live_sources(tx, team_id) >= MAX_SOURCES_PER_TEAM:
        raise ApiError(409, "limit_reached", f"A team may have {MAX_SOURCES_PER_TEAM} sources.")
    _require_distinct_pseudonym(tx, team_id, pseudonym)
    now = now_ms()
    source_id = sql.insert_source(tx, team_id, user_id, pseudonym, notes, now)
    sql.set_link(tx, source_id, link.token_hash, now + LINK_TTL_MS)
    row = _reread(tx, source_id)
    _announce(tx, row)
    return _handled(tx, row, link.token)


def update_source(
    tx: Tx, user_id: int, source_id: int, pseudonym: str | None, notes: str | None, *, throttle: Throttle
) -> HandledSource:
    """New notes, or a new pseudonym: the team, the handler's conversation and pushes all show the new one."""
    row = _mine(tx, source_id, user_id)
    _count(throttle, user_id)
    if notes is not None:
        sql.set_notes(tx, source_id, notes)
    if pseudonym is not None and pseudonym != row.pseudonym:
        _require_distinct_pseudonym(tx, row.team_id, pseudonym, renaming=source_id)
        sql.set_pseudonym(tx, source_id, pseudonym)
        if row.channel_id is not None and row.guest_id is not None:
            channels_sql.rename_channel(tx, row.channel_id, pseudonym)
            accounts_sql.set_display_name(tx, row.guest_id, pseudonym)
            membership.announce_channel(tx, row.team_id, row.channel_id)
        row = _reread(tx, source_id)
        _announce(tx, row)
    return _handled(tx, _reread(tx, source_id))


def new_link(tx: Tx, user_id: int, source_id: int, link: NewLink, *, throttle: Throttle) -> Link:
    """A fresh single-use link; the previous one, if unused, stops working. Used after the source joined, it moves
    the conversation to the phone that opens it."""
    _mine(tx, source_id, user_id)
    _count(throttle, user_id)
    expires_at = now_ms() + LINK_TTL_MS
    sql.set_link(tx, source_id, link.token_hash, expires_at)
    return Link(token=link.token, expires_at=expires_at)


# The source's side


def _revoke_guest(tx: Tx, guest_id: int) -> None:
    """Sign the guest out of every session: their sockets close after the commit (a session started later in the
    same transaction has none yet)."""
    sql.delete_sessions(tx, guest_id)
    tx.publish(SESSION_REVOKED, [guest_id])


def join(tx: Tx, link_hash: bytes, guest_username: str, new: NewSession) -> tuple[MyContact, Started]:
    """Open a link: the first time, the guest account and the conversation are made; later links move the
    conversation to this phone (the guest's other sessions end). Returns the contact and the session."""
    row = sql.by_link(tx, link_hash)
    now = now_ms()
    if row is None:
        raise ApiError(404, "link_not_found", "This link was already used or never existed; ask for a new one.")
    if row.link_expires_at is not None and row.link_expires_at <= now:
        raise ApiError(410, "link_expired", "This link has expired; ask for a new one.")
    sql.use_link(tx, row.id)
    if row.guest_id is None:
        guest_id = sql.insert_guest(tx, guest_username, row.pseudonym, now)
        channel_id = channels_sql.insert_channel(tx, row.team_id, "source", row.pseudonym, None, now)
        membership.add_to_channel(tx, row.team_id, channel_id, [row.handler_id, guest_id])
        sql.set_joined(tx, row.id, guest_id, channel_id, now)
        _announce(tx, _reread(tx, row.id))
    else:
        guest_id = row.guest_id
        _revoke_guest(tx, guest_id)
    started = start_session(tx, guest_id, msgspec.structs.replace(new, replaces=None))
    found = sql.contact_of(tx, guest_id)
    assert found is not None
    told = record(tx, ContactEvent, ToUser(team_id=row.team_id, user_id=guest_id), _contact(found, guest_id))
    return MyContact(**msgspec.structs.asdict(told), session_id=started.session_id), started


def signed_in_person(rows: Rows, token_hashes: list[bytes]) -> bool:
    """Whether any of the presented sessions (a bearer token, a cookie) is a team account's."""
    sessions = (accounts_sql.session_by_token_hash(rows, token_hash) for token_hash in token_hashes)
    return any(session is not None and not session.guest for session in sessions)


# Handing over and ending


def hand_over(tx: Tx, user_id: int, source_id: int, to_id: int, *, throttle: Throttle) -> Source:
    """Another teammate becomes the handler: the notes and the conversation go with the source; the guest hears of
    its new handler's name."""
    row = _mine(tx, source_id, user_id)
    _count(throttle, user_id)
    if to_id == user_id:
        raise invalid("user_id", "pick a teammate, not yourself")
    if not access.is_member(tx, row.team_id, to_id):
        raise invalid("user_id", "is not in this team")
    sql.set_handler(tx, source_id, to_id)
    # A link made before the handover must not let its maker (who may leave for the other side) become the source
    # and read the conversation: the new handler makes one of their own if it is needed.
    sql.use_link(tx, source_id)
    if row.channel_id is not None and row.guest_id is not None:
        membership.add_to_channel(tx, row.team_id, row.channel_id, [to_id])
        membership.remove_from_channel(tx, row.team_id, row.channel_id, user_id)
        found = sql.contact_of(tx, row.guest_id)
        assert found is not None
        record(tx, ContactEvent, ToUser(team_id=row.team_id, user_id=row.guest_id), _contact(found, row.guest_id))
    return _announce(tx, _reread(tx, source_id))


def _end(tx: Tx, row: SourceRow) -> Source:
    """End a contact: the guest signed out and deleted, the conversation erased, the notes wiped."""
    if row.channel_id is not None:
        if row.guest_id is not None:
            # Out of it first, without a word: erase_channel tells each member `channel_removed`, which is not one
            # of the events a guest may receive (api/db/events.py); the guest is signed out below.
            channels_sql.remove_member(tx, row.channel_id, row.guest_id)
        membership.erase_channel(tx, row.team_id, row.channel_id)
    if row.guest_id is not None:
        _revoke_guest(tx, row.guest_id)
        sql.delete_guest(tx, row.guest_id)
    sql.set_ended(tx, row.id, now_ms())
    return _announce(tx, _reread(tx, row.id))


def end_source(tx: Tx, user_id: int, source_id: int) -> Source:
    """End the contact at once (its handler). The caller scrubs the WAL after the commit."""
    return _end(tx, _mine(tx, source_id, user_id))


def handler_leaving(tx: Tx, team_id: int, user_id: int, *, removed: bool) -> bool:
    """A handler leaving the team: refused while they have sources (they hand them over or end them first); one
    removed by a lead or the owner has their sources ended, as nobody they did not choose may learn who a source
    is. Returns whether any ended (the caller scrubs the WAL)."""
    handled = sql.handled_by(tx, team_id, user_id)
    if handled and not removed:
        raise ApiError(
            409, "hand_over_sources", "You handle sources in this team: hand them over or end them before you leave."
        )
    for source_id in handled:
        _end(tx, _reread(tx, source_id))
    return bool(handled)


def remove_member(tx: Tx, actor_id: int, team_id: int, user_id: int) -> bool:
    """Take a member out of the team (api/actions/membership.py), with their sources as handler_leaving says;
    returns whether history went with them (the caller scrubs the WAL)."""
    erased = membership.remove_member(tx, actor_id, team_id, user_id)
    return handler_leaving(tx, team_id, user_id, removed=user_id != actor_id) or erased


# Intel


def intel(rows: Rows, user_id: int, team_id: int) -> list[IntelEntry]:
    access.team_role(rows, team_id, user_id)
    return sql.entries_of_team(rows, team_id)


def _said(rows: Rows, row: SourceRow, message_id: int) -> tuple[str, int]:
    """The text and time of a message the source sent in its conversation (400 for any other message)."""
    message = messages_sql.message_by_id(rows, message_id)
    if message is None or message.channel_id != row.channel_id or message.sender_id != row.guest_id:
        raise invalid("message_id", "is not a message from this source")
    if message.text is None or message.recalled_at is not None:
        raise invalid("message_id", "has no text")
    return message.text, message.created_at


def log_intel(
    tx: Tx,
    user_id: int,
    source_id: int,
    grade: tuple[str, int],
    claim: str | None,
    message_id: int | None,
    *,
    throttle: Throttle,
) -> IntelEntry:
    """An entry for the team from what the source said (a message of theirs, or written), graded by the handler."""
    row = _mine(tx, source_id, user_id)
    _count(throttle, user_id)
    said_at = None
    if message_id is not None:
        text, said_at = _said(tx, row, message_id)
        claim = claim or text[:CLAIM_MAX]
    if not claim or not claim.strip():
        raise invalid("claim", "say what the source claimed (or name one of their messages)")
    if sql.count_entries(tx, source_id) >= MAX_ENTRIES_PER_SOURCE:
        raise ApiError(409, "limit_reached", f"A source may have {MAX_ENTRIES_PER_SOURCE} intel entries.")
    entry_id = sql.insert_entry(tx, row, user_id, claim.strip(), grade, said_at, now_ms())
    return _logged(tx, row, entry_id)


def _logged(tx: Tx, row: SourceRow, entry_id: int) -> IntelEntry:
    """Tell the team of the entry, and of its source's track record, which it changed."""
    entry = sql.entry(tx, entry_id)
    assert entry is not None
    record(tx, IntelEvent, ToTeam(team_id=row.team_id), entry)
    _announce(tx, _reread(tx, row.id))
    return entry


def assess(
    tx: Tx,
    user_id: int,
    entry_id: int,
    verdict: str | None,
    by_entry_id: int | None,
    note: str | None,
    known: bool,
    *,
    throttle: Throttle,
) -> IntelEntry:
    """A teammate's assessment of an entry (the whole of it: the last one wins). A verdict needs its evidence:
    another entry of the team, or what happened at the table."""
    entry = sql.entry(tx, entry_id)
    if entry is None or not access.is_member(tx, entry.team_id, user_id):
        raise not_found("entry")
    _count(throttle, user_id)
    note = note.strip() if note and note.strip() else None
    if verdict is None:
        by_entry_id, note = None, None
    elif by_entry_id is None and note is None:
        raise invalid("by_entry_id", "a verdict needs its evidence: another entry, or a note of what happened")
    if by_entry_id is not None:
        other = sql.entry(tx, by_entry_id)
        if other is None or other.team_id != entry.team_id or other.id == entry.id:
            raise invalid("by_entry_id", "is not another entry of this team's log")
    sql.set_assessment(tx, entry_id, verdict, by_entry_id, note, known, user_id, now_ms())
    return _logged(tx, _reread(tx, entry.source_id), entry_id)


# Give to get


def give(tx: Tx, user_id: int, source_id: int, what: str, given_at: int | None, *, throttle: Throttle) -> Give:
    """Record what the team shared with the source, and when (now unless said; never in the future)."""
    row = _mine(tx, source_id, user_id)
    _count(throttle, user_id)
    now = now_ms()
    if given_at is not None and given_at > now:
        raise invalid("given_at", "is in the future")
    if not what.strip():
        raise invalid("what", "say what was shared")
    if sql.count_gives(tx, source_id) >= MAX_GIVES_PER_SOURCE:
        raise ApiError(409, "limit_reached", f"A source may have {MAX_GIVES_PER_SOURCE} gives recorded.")
    give_id = sql.insert_give(tx, row.id, user_id, what.strip(), now if given_at is None else given_at, now)
    _announce(tx, row)  # its record counts what was given: the leads' exchange reloads
    return next(given for given in sql.gives_of(tx, row.id) if given.id == give_id)


def exchange(rows: Rows, user_id: int, source_id: int) -> Exchange:
    """What was given beside what was got: its handler, the team's leads and owner."""
    row = _in_team(rows, source_id, user_id)
    if row.handler_id != user_id:
        access.team_role(rows, row.team_id, user_id, lead=True)
    return Exchange(
        source=_shown(rows, row), given=sql.gives_of(rows, source_id), got=sql.entries_of_source(rows, source_id)
    )
