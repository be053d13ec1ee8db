"""Accounts and sessions: sign up, log in (one fresh session per device), log out a device, who I am.

Passwords are hashed and verified on the event loop's worker threads before these run (argon2 takes tens of
milliseconds: the writer must not wait on it), and throttles are counted on the loop too (api/throttle.py).
"""

from __future__ import annotations

import msgspec

from api.actions.membership import member
from api.clock import now_ms
from api.db import accounts as sql
from api.db import teams as teams_sql
from api.db.accounts import Credentials, User
from api.db.connection import Rows, Tx
from api.db.teams import TeamSummary
from api.errors import ApiError, not_found
from api.events import MemberEvent, ToTeam, record
from api.names import skeleton

# Browsers remembered per user as having signed in (their log-ins are throttled apart from strangers').
MAX_DEVICE_KEYS_PER_USER = 20


class NewSession(msgspec.Struct, frozen=True):
    """A session to start, its secrets drawn on the loop: the route keeps the tokens, the database their hashes."""

    token_hash: bytes
    csrf_token: str
    device: str
    device_key_hash: bytes
    # The browser's previous cookie session, ended by this one (its token's hash), if it came with one.
    replaces: bytes | None


class Started(msgspec.Struct):
    session_id: int
    # The session this one replaced: the route closes its live socket after the commit.
    dropped: int | None


class Known(msgspec.Struct):
    """What log-in needs before the password is checked: the account, and whose the browser's device key is."""

    credentials: Credentials | None
    device_key_of: int | None


class Me(msgspec.Struct):
    user: User
    session_id: int
    csrf_token: str
    teams: list[TeamSummary]


def start_session(tx: Tx, user_id: int, new: NewSession) -> Started:
    """A fresh session (a new id and token every time); the one the browser came with is dropped, and the
    browser's device key is remembered as this user's."""
    dropped = sql.delete_session_by_token_hash(tx, new.replaces) if new.replaces is not None else None
    now = now_ms()
    session_id = sql.insert_session(tx, user_id, new.token_hash, new.csrf_token, new.device, now)
    sql.remember_device(tx, new.device_key_hash, user_id, now, MAX_DEVICE_KEYS_PER_USER)
    return Started(session_id=session_id, dropped=dropped)


def sign_up(tx: Tx, username: str, display_name: str, password_hash: str, new: NewSession) -> tuple[User, Started]:
    user_id = sql.insert_user(tx, username, display_name, password_hash, now_ms())
    if user_id is None:
        raise ApiError(409, "username_taken", "That username is taken.", {"username": "taken"})
    return User(id=user_id, username=username, display_name=display_name), start_session(tx, user_id, new)


def known(rows: Rows, username: str, device_key_hash: bytes | None) -> Known:
    device_key_of = sql.device_user(rows, device_key_hash) if device_key_hash is not None else None
    return Known(credentials=sql.credentials(rows, username), device_key_of=device_key_of)


def log_in(tx: Tx, user_id: int, new: NewSession, rehashed: str | None) -> Started:
    """Start the session of a verified log-in, storing the password's new hash when the parameters changed."""
    if rehashed is not None:
        sql.set_password_hash(tx, user_id, rehashed)
    return start_session(tx, user_id, new)


def log_out(tx: Tx, user_id: int, session_id: int) -> None:
    if not sql.delete_session(tx, user_id, session_id):
        raise not_found("session")


def me(rows: Rows, user_id: int, session_id: int) -> Me:
    user, session = sql.user(rows, user_id), sql.session(rows, session_id)
    if user is None or session is None:
        raise ApiError(401, "unauthenticated", "This session has ended.")
    return Me(user=user, session_id=session_id, csrf_token=session.csrf_token, teams=teams_sql.teams_of(rows, user_id))


def rename(tx: Tx, user_id: int, display_name: str) -> User:
    """A new display name: it may not look the same as a teammate's in any of the user's teams (teammates must tell
    who sent a cue); each team hears of it (a member event)."""
    looks = skeleton(display_name)
    teams = teams_sql.teams_of(tx, user_id)
    for t in teams:
        for other in teams_sql.members_of(tx, t.id):
            if other.user_id != user_id and skeleton(other.display_name) == looks:
                raise ApiError(
                    409,
                    "display_name_taken",
                    f"Someone in {t.name} is already called {other.display_name}; names in a team must look different.",
                    {"display_name": f"looks the same as a teammate's in {t.name}"},
                )
    sql.set_display_name(tx, user_id, display_name)
    for t in teams:
        record(tx, MemberEvent, ToTeam(team_id=t.id), member(tx, t.id, user_id))
    user = sql.user(tx, user_id)
    assert user is not None
    return user


def password_hash(rows: Rows, user_id: int) -> str | None:
    return sql.password_hash(rows, user_id)


def change_password(tx: Tx, user_id: int, session_id: int, new_hash: str) -> list[int]:
    """The new password's hash; every other session of the user ends (their ids, to close their sockets)."""
    sql.set_password_hash(tx, user_id, new_hash)
    return sql.delete_other_sessions(tx, user_id, session_id)


def rename_device(tx: Tx, user_id: int, session_id: int, device: str) -> None:
    if not sql.rename_session(tx, user_id, session_id, device):
        raise not_found("session")
