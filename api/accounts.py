"""Accounts and devices: sign up, log in (one session per device), list and revoke sessions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, delete, get, post
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from api.auth import CSRF_COOKIE, DEVICE_COOKIE, SESSION_COOKIE, Auth, Passwords, hash_token, new_token, presented_token
from api.clock import now_ms
from api.db import accounts as sql
from api.db import teams as teams_sql
from api.db.connection import Database
from api.errors import ApiError, not_found
from api.hub import Hub
from api.names import PLAIN_WORDS, USERNAME_PATTERN, clean_username
from api.settings import Settings
from api.throttle import Throttles
from api.wire import Body, Name, PathId

PASSWORD_MIN, PASSWORD_MAX = 8, 256
DEVICE_MAX = 120
COOKIE_MAX_AGE = 400 * 24 * 3600
# Browsers remembered per user as having signed in (their log-ins are throttled apart from strangers').
MAX_DEVICE_KEYS_PER_USER = 20

Username = Annotated[str, msgspec.Meta(pattern=USERNAME_PATTERN, description=PLAIN_WORDS[USERNAME_PATTERN])]
Password = Annotated[str, msgspec.Meta(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]


class SignUp(Body):
    username: Username
    password: Password
    display_name: Name


class LogIn(Body):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=PASSWORD_MAX)]
    device: Annotated[str, msgspec.Meta(max_length=DEVICE_MAX)] | None = None


class User(msgspec.Struct):
    id: int
    username: str
    display_name: str


class TeamRole(msgspec.Struct):
    id: int
    name: str
    role: str


class Me(msgspec.Struct):
    user: User
    session_id: int
    csrf_token: str
    teams: list[TeamRole]


class SessionCreated(msgspec.Struct):
    token: str
    csrf_token: str
    session_id: int
    user: User


class Device(msgspec.Struct):
    id: int
    device: str
    created_at: int
    last_seen_at: int
    current: bool


def _address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _user(row: Any) -> User:
    return User(id=row["id"], username=row["username"], display_name=row["display_name"])


def _cookie(
    key: str,
    value: str,
    secure: bool,
    *,
    httponly: bool = True,
    samesite: Literal["lax", "strict"] = "lax",
    path: str = "/",
) -> Cookie:
    return Cookie(
        key=key, value=value, httponly=httponly, samesite=samesite, secure=secure, path=path, max_age=COOKIE_MAX_AGE
    )


async def _start_session(
    request: Request[Any, Any, Any],
    db: Database,
    hub: Hub,
    settings: Settings,
    user: User,
    device: str,
    device_key: str | None,
) -> Response[SessionCreated]:
    """Create a fresh session (a new id and token every time) and drop the one the browser came with.

    The browser keeps (or, without a device key of this user's, gets) a device key: later log-ins from it are
    throttled on their own, so that strangers' failed log-ins cannot lock this user out of it.
    """
    token, csrf, device_key = new_token(), new_token(), device_key or new_token()
    previous = presented_token(request)
    async with db.legacy_write() as tx:
        if previous is not None and previous[1]:
            dropped = await sql.delete_session_by_token_hash(tx.conn, hash_token(previous[0]))
            if dropped is not None:
                tx.on_commit(lambda: hub.revoke_session(dropped))
        now = now_ms()
        session_id = await sql.insert_session(tx.conn, user.id, hash_token(token), csrf, device, now)
        await sql.remember_device(tx.conn, hash_token(device_key), user.id, now, MAX_DEVICE_KEYS_PER_USER)
    secure = settings.secure_cookies or request.url.scheme == "https"
    cookies = [
        _cookie(SESSION_COOKIE, token, secure),
        _cookie(CSRF_COOKIE, csrf, secure, httponly=False),  # the app reads it to send it back as a header
        # Sent only to log-in; kept at log-out (it is no credential, only "this browser has signed in here").
        _cookie(DEVICE_COOKIE, device_key, secure, samesite="strict", path="/api/sessions"),
    ]
    body = SessionCreated(token=token, csrf_token=csrf, session_id=session_id, user=user)
    return Response(body, status_code=201, cookies=cookies)


def _device_name(request: Request[Any, Any, Any], given: str | None) -> str:
    return (given or request.headers.get("user-agent") or "unknown device")[:DEVICE_MAX]


@post("/accounts", summary="Sign up; also signs the new account in on this device")
async def sign_up(
    request: Request[Any, Any, State],
    data: JSONBody[SignUp],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
    settings: NamedDependency[Settings],
    passwords: NamedDependency[Passwords],
    throttles: NamedDependency[Throttles],
) -> Response[SessionCreated]:
    address, username = _address(request), clean_username(data.username)
    throttles.signup_address.check(address, "sign-ups from this address")
    throttles.signup_address.hit(address)
    password_hash = await passwords.hash(data.password)
    async with db.legacy_write() as tx:
        user_id = await sql.insert_user(tx.conn, username, data.display_name, password_hash, now_ms())
    if user_id is None:
        raise ApiError(409, "username_taken", "That username is taken.", {"username": "taken"})
    user = User(id=user_id, username=username, display_name=data.display_name)
    return await _start_session(request, db, hub, settings, user, _device_name(request, None), None)


@post("/sessions", summary="Log in; returns a bearer token and sets the session cookie")
async def log_in(
    request: Request[Any, Any, State],
    data: JSONBody[LogIn],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
    settings: NamedDependency[Settings],
    passwords: NamedDependency[Passwords],
    throttles: NamedDependency[Throttles],
) -> Response[SessionCreated]:
    username, address, device_key = clean_username(data.username), _address(request), request.cookies.get(DEVICE_COOKIE)
    async with db.legacy_read() as conn:
        row = await sql.user_by_username(conn, username)
        key_of = await sql.device_user(conn, hash_token(device_key)) if device_key else None
    known_key = device_key if row is not None and key_of == row["id"] else None
    attempt = throttles.count_log_in(username, address, hash_token(known_key).hex() if known_key else None)
    stored_hash = str(row["password_hash"]) if row else None
    # Verified even for an unknown username (against a decoy hash), so the time taken does not tell if it exists.
    verified = await passwords.verify(stored_hash, data.password)
    if row is None or stored_hash is None or not verified:
        raise ApiError(401, "bad_credentials", "Wrong username or password.")
    throttles.forgive(attempt)
    if passwords.needs_rehash(stored_hash):
        new_hash = await passwords.hash(data.password)
        async with db.legacy_write() as tx:
            await sql.set_password_hash(tx.conn, int(row["id"]), new_hash)
    device = _device_name(request, data.device)
    return await _start_session(request, db, hub, settings, _user(row), device, known_key)


@get("/sessions", summary="My signed-in devices")
async def list_sessions(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Device]:
    async with db.legacy_read() as conn:
        rows = await sql.sessions_of(conn, auth.user_id)
    return [
        Device(
            id=row["id"],
            device=row["device"],
            created_at=row["created_at"],
            last_seen_at=row["last_seen_at"],
            current=row["id"] == auth.session_id,
        )
        for row in rows
    ]


@delete(
    "/sessions/{session_id:int}",
    summary="Log out a device (this one included); closes its live socket",
    # The handler returns a Response (it may clear cookies), which Litestar would document as a JSON body.
    responses={204: ResponseSpec(None, description="Logged out; nothing follows")},
)
async def revoke_session(
    session_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database], hub: NamedDependency[Hub]
) -> Response[None]:
    async with db.legacy_write() as tx:
        if not await sql.delete_session(tx.conn, auth.user_id, session_id):
            raise not_found("session")
        tx.on_commit(lambda: hub.revoke_session(session_id))
    response: Response[None] = Response(None, status_code=204)
    if session_id == auth.session_id:
        response.delete_cookie(SESSION_COOKIE)
        response.delete_cookie(CSRF_COOKIE)
    return response


@get("/me", summary="The signed-in user, this session and my teams")
async def me(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Me:
    async with db.legacy_read() as conn:
        user = await sql.user_by_id(conn, auth.user_id)
        session = await sql.session_by_id(conn, auth.session_id)
        teams = await teams_sql.teams_of(conn, auth.user_id)
    if user is None or session is None:
        raise ApiError(401, "unauthenticated", "This session has ended.")
    return Me(
        user=_user(user),
        session_id=auth.session_id,
        csrf_token=session["csrf_token"],
        teams=[TeamRole(id=row["id"], name=row["name"], role=row["role"]) for row in teams],
    )


route_handlers = [sign_up, log_in, list_sessions, revoke_session, me]
