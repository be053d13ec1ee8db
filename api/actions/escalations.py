"""Urgent cues insist: a `high` cue sent in a live meeting re-buzzes whoever has not acknowledged it.

Its schedule is a stored row (like a push job), so a restart resumes it: every `every_ms` it buzzes again, at most
`times` more times, over the socket (an `escalation` event naming who is still pending) and, for the phones whose
app is not showing, as a push whose notification renotifies. It stops when everyone acknowledged, when the cue's
time to live passes, when its sender cancels or recalls it, or when the meeting ends. The worker that runs
`buzz_due` is `api/escalator.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from api import access
from api.clock import now_ms
from api.db import meetings as sql
from api.db import push as push_sql
from api.db.connection import Rows, Tx
from api.db.cues import StoredCue
from api.db.meetings import EscalationRow, LogEntry
from api.errors import ApiError, forbidden, not_found
from api.events import Escalation, EscalationEvent, Message, ToChannel, record

StopReason = str  # acknowledged, expired, cancelled, ended, done
BUZZ_BATCH = 50  # schedules served per write


def schedule(tx: Tx, meeting_id: int, message: Message, cue: StoredCue) -> bool:
    """Start insisting on an urgent cue just sent in the meeting, if the team's settings say so; True if it will."""
    if cue.urgency != "high":
        return False
    settings = sql.escalation_settings(tx, message.team_id)
    if settings.times == 0:
        return False
    every = settings.every_seconds * 1000
    expires = message.created_at + cue.ttl_seconds * 1000
    sql.insert_escalation(tx, message.id, meeting_id, every, settings.times, expires, message.created_at + every)
    return True


def _event(tx: Tx, row: EscalationRow, pending: list[int], next_at: int | None, reason: str | None) -> Escalation:
    escalation = Escalation(
        message_id=row.message_id,
        channel_id=row.channel_id,
        meeting_id=row.meeting_id,
        buzzes=row.buzzes,
        pending=pending,
        state="active" if reason is None or reason == "done" else "stopped",
        reason=reason,  # type: ignore[arg-type]  # one of the StopReason words
        next_at=next_at,
    )
    return record(tx, EscalationEvent, ToChannel(team_id=row.team_id, channel_id=row.channel_id), escalation)


def stop(tx: Tx, row: EscalationRow, reason: StopReason) -> Escalation:
    """Stop insisting, and tell the channel why (the sender's screen stops counting buzzes)."""
    sql.set_buzzed(tx, row.message_id, row.buzzes, None, reason)
    pending = sql.unacknowledged(tx, row.message_id, row.channel_id, row.sender_id)
    return _event(tx, row, pending, None, reason)


def _buzz(tx: Tx, row: EscalationRow, pending: list[int], now: int, showing: Collection[int]) -> bool:
    """Buzz the pending once more: an event for their sockets, a push for their devices not showing the app."""
    row.buzzes += 1
    last = row.buzzes - 1 >= row.times
    next_at = None if last else now + row.every_ms
    sql.set_buzzed(tx, row.message_id, row.buzzes, next_at, "done" if last else None)
    _event(tx, row, pending, next_at, "done" if last else None)
    for user_id in pending:
        sql.log(
            tx,
            row.meeting_id,
            LogEntry(at=now, kind="escalated", user_id=user_id, message_id=row.message_id, ms=row.buzzes),
        )
    devices = sql.unacknowledged_devices(tx, row.message_id, row.channel_id, row.sender_id)
    targets = [device.id for device in devices if device.session_id not in showing]
    if targets:
        ttl = max(1, (row.expires_at - now) // 1000)
        push_sql.insert_jobs(tx, targets, row.message_id, ttl, "high", f"cue-{row.channel_id}", now)
    return bool(targets)


def buzz_due(tx: Tx, showing: Collection[int], wake_push: Callable[[], None]) -> int:
    """Serve the schedules that are due now (at most BUZZ_BATCH); returns how many were served."""
    now = now_ms()
    due = sql.due_escalations(tx, now, BUZZ_BATCH)
    pushed = False
    for row in due:
        pending = sql.unacknowledged(tx, row.message_id, row.channel_id, row.sender_id)
        if now >= row.expires_at:
            stop(tx, row, "expired")
        elif not pending:
            stop(tx, row, "acknowledged")
        else:
            pushed = _buzz(tx, row, pending, now, showing) or pushed
    if pushed:
        tx.on_commit(wake_push)
    return len(due)


def next_due(rows: Rows) -> int | None:
    return sql.next_escalation_at(rows)


def acknowledged(tx: Tx, message_id: int) -> None:
    """Once everyone has acknowledged an insisting cue, it stops at once."""
    row = sql.escalation(tx, message_id)
    if (
        row is not None
        and row.next_at is not None
        and not sql.unacknowledged(tx, message_id, row.channel_id, row.sender_id)
    ):
        stop(tx, row, "acknowledged")


def recalled(tx: Tx, message_id: int) -> None:
    row = sql.escalation(tx, message_id)
    if row is not None and row.next_at is not None:
        stop(tx, row, "cancelled")


def meeting_ended(tx: Tx, meeting_id: int) -> None:
    for row in sql.active_escalations_of_meeting(tx, meeting_id):
        stop(tx, row, "ended")


def cancel(tx: Tx, user_id: int, message_id: int) -> Escalation:
    """The sender stops their cue insisting."""
    ref = access.message_in_reach(tx, message_id, user_id)
    row = sql.escalation(tx, message_id)
    if row is None:
        raise not_found("escalation")
    if ref.sender_id != user_id:
        raise forbidden("Only the cue's sender can stop it buzzing.")
    if row.next_at is None:
        raise ApiError(409, "escalation_stopped", f"This cue stopped buzzing already ({row.reason}).")
    return stop(tx, row, "cancelled")
