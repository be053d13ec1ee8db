"""Who is calling: session tokens (cookie or bearer), CSRF for cookie-authenticated writes, passwords."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from typing import Any

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency

from api.clock import now_ms
from api.db import accounts as sql
from api.db.connection import Database
from api.errors import ApiError, not_found

SESSION_COOKIE = "bc_session"
CSRF_COOKIE = "bc_csrf"
# A browser's device key: which accounts have signed in on it (see api/throttle.py on log-in throttling).
DEVICE_COOKIE = "bc_device"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_seen_at is refreshed at most this often, so reads do not turn into writes.
TOUCH_INTERVAL_MS = 5 * 60 * 1000


class Auth(msgspec.Struct, frozen=True):
    user_id: int
    session_id: int
    via_cookie: bool
    guest: bool = False  # a source's own account: guest routes only (see authenticate)


# The mark on a route a guest may call (`opt=GUEST`); every other route answers a guest as it would an outsider.
GUEST = {"guest": True}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def presented_token(connection: ASGIConnection[Any, Any, Any, Any]) -> tuple[str, bool] | None:
    """The session token and whether it came from the cookie (bearer wins when both are sent)."""
    bearer = _bearer(connection)
    if bearer is not None:
        return bearer, False
    cookie = connection.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else None


def presented_tokens(connection: ASGIConnection[Any, Any, Any, Any]) -> list[str]:
    """Every session token presented (a bearer and a cookie may both come), for a check that none is someone's."""
    return [token for token in (_bearer(connection), connection.cookies.get(SESSION_COOKIE)) if token]


async def session_for(connection: ASGIConnection[Any, Any, Any, Any], db: Database) -> Auth | None:
    presented = presented_token(connection)
    if presented is None:
        return None
    token, via_cookie = presented
    session = await db.read(sql.session_by_token_hash, hash_token(token))
    if session is None:
        return None
    if via_cookie and isinstance(connection, Request) and connection.method not in SAFE_METHODS:
        sent = connection.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise ApiError(403, "csrf_failed", f"Cookie-authenticated writes need the {CSRF_HEADER} header.")
    now = now_ms()
    if now - session.last_seen_at > TOUCH_INTERVAL_MS:
        await db.write(sql.touch_session, session.id, now)
    return Auth(user_id=session.user_id, session_id=session.id, via_cookie=via_cookie, guest=session.guest)


async def authenticate(request: ASGIConnection[Any, Any, Any, Any], db: NamedDependency[Database]) -> Auth:
    """Dependency for every route that needs a signed-in caller. A guest (a source) reaches only the routes marked
    GUEST: deny by default, so that a route added later is closed to guests until someone opens it on purpose."""
    auth = await session_for(request, db)
    if auth is None:
        raise ApiError(401, "unauthenticated", "Sign in first: no valid session was presented.")
    if auth.guest and not request.route_handler.opt.get("guest"):
        raise outsiders_404(request)
    return auth


def outsiders_404(connection: ASGIConnection[Any, Any, Any, Any]) -> ApiError:
    """The 404 an outsider gets from this route: it names what the path's first id is of (a team, a channel...)."""
    named = next((name for name in connection.path_params if name.endswith("_id")), None)
    return not_found(named.removesuffix("_id") if named else "route")


class Passwords:
    """argon2id hashing, always off the event loop (one hash takes tens of milliseconds)."""

    def __init__(self, time_cost: int, memory_kib: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        # Verifying against this keeps unknown usernames as slow as wrong passwords.
        self._decoy = self._hasher.hash(secrets.token_hex(16))

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(password_hash or self._decoy, password) and password_hash is not None
            except (VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(check)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
