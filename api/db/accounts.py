"""SQL for users and their sessions (one session per signed-in device)."""

from __future__ import annotations

import msgspec

from api.db.connection import Rows


class User(msgspec.Struct):
    id: int
    username: str
    display_name: str


class Credentials(msgspec.Struct):
    """A user as log-in sees them: with the password hash to verify against."""

    id: int
    username: str
    display_name: str
    password_hash: str

    def user(self) -> User:
        return User(id=self.id, username=self.username, display_name=self.display_name)


class Session(msgspec.Struct):
    id: int
    user_id: int
    csrf_token: str
    last_seen_at: int
    guest: bool  # a source's own account (docs/sources.md): guest routes only


class SignedIn(msgspec.Struct):
    """A signed-in device (one session), as its user sees it in the list of their sessions."""

    id: int
    device: str
    created_at: int
    last_seen_at: int


def insert_user(rows: Rows, username: str, display_name: str, password_hash: str, now: int) -> int | None:
    """Return the new user's id, or None when the username is taken."""
    return rows.one(
        int,
        "INSERT INTO users (username, display_name, password_hash, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (username) DO NOTHING RETURNING id",
        (username, display_name, password_hash, now),
    )


def credentials(rows: Rows, username: str) -> Credentials | None:
    """A person's credentials (a guest has none: it signs in only by its link)."""
    return rows.one(
        Credentials,
        "SELECT id, username, display_name, password_hash FROM users WHERE username = ? AND kind = 'person'",
        (username,),
    )


def user(rows: Rows, user_id: int) -> User | None:
    return rows.one(User, "SELECT id, username, display_name FROM users WHERE id = ?", (user_id,))


def set_password_hash(rows: Rows, user_id: int, password_hash: str) -> None:
    rows.run("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def insert_session(rows: Rows, user_id: int, token_hash: bytes, csrf_token: str, device: str, now: int) -> int:
    session_id = rows.one(
        int,
        "INSERT INTO sessions (user_id, token_hash, csrf_token, device, created_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (user_id, token_hash, csrf_token, device, now, now),
    )
    assert session_id is not None
    return session_id


_SESSION = (
    "SELECT s.id, s.user_id, s.csrf_token, s.last_seen_at, u.kind = 'guest' AS guest"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
)


def session_by_token_hash(rows: Rows, token_hash: bytes) -> Session | None:
    return rows.one(Session, f"{_SESSION} WHERE s.token_hash = ?", (token_hash,))


def session(rows: Rows, session_id: int) -> Session | None:
    return rows.one(Session, f"{_SESSION} WHERE s.id = ?", (session_id,))


def devices_of(rows: Rows, user_id: int) -> list[SignedIn]:
    return rows.all(
        SignedIn,
        "SELECT id, device, created_at, last_seen_at FROM sessions WHERE user_id = ?"
        " ORDER BY last_seen_at DESC, id DESC",
        (user_id,),
    )


def delete_session(rows: Rows, user_id: int, session_id: int) -> bool:
    return rows.run("DELETE FROM sessions WHERE id = ? AND user_id = ?", (session_id, user_id)) > 0


def delete_session_by_token_hash(rows: Rows, token_hash: bytes) -> int | None:
    return rows.one(int, "DELETE FROM sessions WHERE token_hash = ? RETURNING id", (token_hash,))


def touch_session(rows: Rows, session_id: int, now: int) -> None:
    rows.run("UPDATE sessions SET last_seen_at = ? WHERE id = ?", (now, session_id))


def device_user(rows: Rows, token_hash: bytes) -> int | None:
    """The user a device key belongs to, if any."""
    return rows.one(int, "SELECT user_id FROM login_devices WHERE token_hash = ?", (token_hash,))


def remember_device(rows: Rows, token_hash: bytes, user_id: int, now: int, keep: int) -> None:
    """Record a device key as the user's (or that it was used again), keeping the user's `keep` latest."""
    rows.run(
        "INSERT INTO login_devices (token_hash, user_id, last_used_at) VALUES (?, ?, ?)"
        " ON CONFLICT (token_hash) DO UPDATE SET last_used_at = excluded.last_used_at",
        (token_hash, user_id, now),
    )
    rows.run(
        "DELETE FROM login_devices WHERE user_id = ? AND token_hash NOT IN"
        " (SELECT token_hash FROM login_devices WHERE user_id = ? ORDER BY last_used_at DESC, token_hash LIMIT ?)",
        (user_id, user_id, keep),
    )


def password_hash(rows: Rows, user_id: int) -> str | None:
    return rows.one(str, "SELECT password_hash FROM users WHERE id = ?", (user_id,))


def set_display_name(rows: Rows, user_id: int, display_name: str) -> None:
    rows.run("UPDATE users SET display_name = ? WHERE id = ?", (display_name, user_id))


def rename_session(rows: Rows, user_id: int, session_id: int, device: str) -> bool:
    return rows.run("UPDATE sessions SET device = ? WHERE id = ? AND user_id = ?", (device, session_id, user_id)) > 0


def delete_other_sessions(rows: Rows, user_id: int, keep: int) -> list[int]:
    """Sign the user out everywhere but the session `keep`; the ids of the sessions ended."""
    return rows.all(int, "DELETE FROM sessions WHERE user_id = ? AND id != ? RETURNING id", (user_id, keep))
