"""Accounts and devices: sign up, log in (one session per device), list and revoke sessions."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, delete, get, patch, post, put
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from api.actions import accounts as actions
from api.actions.accounts import Me, NewSession, Started
from api.actions.sources import MyContact
from api.auth import (
    CSRF_COOKIE,
    DEVICE_COOKIE,
    GUEST,
    SESSION_COOKIE,
    Auth,
    Passwords,
    hash_token,
    new_token,
    presented_token,
)
from api.db import accounts as sql
from api.db.accounts import User
from api.db.connection import Database
from api.errors import ApiError
from api.hub import Hub
from api.names import PLAIN_WORDS, USERNAME_PATTERN, clean_username
from api.settings import Settings
from api.throttle import Throttles
from api.wire import Body, Name, PathId, name_meta

PASSWORD_MIN, PASSWORD_MAX = 8, 256
DEVICE_MAX = 120
COOKIE_MAX_AGE = 400 * 24 * 3600

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


class Rename(Body):
    display_name: Name


class NewPassword(Body):
    current_password: Annotated[str, msgspec.Meta(min_length=1, max_length=PASSWORD_MAX)]
    new_password: Password


class DeviceName(Body):
    device: Annotated[str, name_meta(DEVICE_MAX)]


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


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


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


class _Secrets(msgspec.Struct, frozen=True):
    """A new session's tokens, as the browser gets them (the database keeps only hashes: see NewSession)."""

    token: str
    csrf: str
    device_key: str


def _new_session(request: Request[Any, Any, Any], device: str, device_key: str | None) -> tuple[_Secrets, NewSession]:
    """Fresh tokens for a session, and the browser's previous cookie session to drop.

    The browser keeps (or, without a device key of this user's, gets) a device key: later log-ins from it are
    throttled on their own, so that strangers' failed log-ins cannot lock this user out of it.
    """
    secrets = _Secrets(token=new_token(), csrf=new_token(), device_key=device_key or new_token())
    previous = presented_token(request)
    new = NewSession(
        token_hash=hash_token(secrets.token),
        csrf_token=secrets.csrf,
        device=device,
        device_key_hash=hash_token(secrets.device_key),
        replaces=hash_token(previous[0]) if previous is not None and previous[1] else None,
    )
    return secrets, new


def _session_cookies(request: Request[Any, Any, Any], settings: Settings, secrets: _Secrets) -> list[Cookie]:
    secure = settings.secure_cookies or request.url.scheme == "https"
    return [
        _cookie(SESSION_COOKIE, secrets.token, secure),
        _cookie(CSRF_COOKIE, secrets.csrf, secure, httponly=False),  # the app reads it to send it back as a header
        # Sent only to log-in; kept at log-out (it is no credential, only "this browser has signed in here").
        _cookie(DEVICE_COOKIE, secrets.device_key, secure, samesite="strict", path="/api/sessions"),
    ]


def _session_created(
    request: Request[Any, Any, Any], hub: Hub, settings: Settings, user: User, secrets: _Secrets, started: Started
) -> Response[SessionCreated]:
    if started.dropped is not None:
        hub.revoke_session(started.dropped)
    body = SessionCreated(token=secrets.token, csrf_token=secrets.csrf, session_id=started.session_id, user=user)
    return Response(body, status_code=201, cookies=_session_cookies(request, settings, secrets))


class GuestSessionCreated(msgspec.Struct):
    """A source's session: its conversation, never its account (whose name is the pseudonym the team gave it)."""

    token: str
    csrf_token: str
    session_id: int
    contact: MyContact


def new_guest_session(request: Request[Any, Any, Any]) -> tuple[_Secrets, NewSession]:
    """Fresh tokens for a source's phone (the session it came with, if any, is the guest's and is ended with the
    guest's others)."""
    return _new_session(request, _device_name(request, None), None)


def guest_session_created(
    request: Request[Any, Any, Any], settings: Settings, contact: MyContact, secrets: _Secrets, started: Started
) -> Response[GuestSessionCreated]:
    body = GuestSessionCreated(
        token=secrets.token, csrf_token=secrets.csrf, session_id=started.session_id, contact=contact
    )
    return Response(body, status_code=201, cookies=_session_cookies(request, settings, secrets))


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
    address, username = client_address(request), clean_username(data.username)
    throttles.signup_address.take(address, "sign-ups from this address")
    password_hash = await passwords.hash(data.password)
    secrets, new = _new_session(request, _device_name(request, None), None)
    user, started = await db.write(actions.sign_up, username, data.display_name, password_hash, new)
    return _session_created(request, hub, settings, user, secrets, started)


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
    username, address = clean_username(data.username), client_address(request)
    device_key = request.cookies.get(DEVICE_COOKIE)
    known = await db.read(actions.known, username, hash_token(device_key) if device_key else None)
    account = known.credentials
    known_key = device_key if account is not None and known.device_key_of == account.id else None
    attempt = throttles.count_log_in(username, address, hash_token(known_key).hex() if known_key else None)
    # Verified even for an unknown username (against a decoy hash), so the time taken does not tell if it exists.
    verified = await passwords.verify(account.password_hash if account else None, data.password)
    if account is None or not verified:
        raise ApiError(401, "bad_credentials", "Wrong username or password.")
    throttles.forgive(attempt)
    rehashed = await passwords.hash(data.password) if passwords.needs_rehash(account.password_hash) else None
    secrets, new = _new_session(request, _device_name(request, data.device), known_key)
    started = await db.write(actions.log_in, account.id, new, rehashed)
    return _session_created(request, hub, settings, account.user(), secrets, started)


@get("/sessions", summary="My signed-in devices")
async def list_sessions(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Device]:
    signed_in = await db.read(sql.devices_of, auth.user_id)
    return [
        Device(
            id=d.id,
            device=d.device,
            created_at=d.created_at,
            last_seen_at=d.last_seen_at,
            current=d.id == auth.session_id,
        )
        for d in signed_in
    ]


@delete(
    "/sessions/{session_id:int}",
    summary="Log out a device (this one included); closes its live socket",
    opt=GUEST,
    # The handler returns a Response (it may clear cookies), which Litestar would document as a JSON body.
    responses={204: ResponseSpec(None, description="Logged out; nothing follows")},
)
async def revoke_session(
    session_id: PathId, auth: NamedDependency[Auth], db: NamedDependency[Database], hub: NamedDependency[Hub]
) -> Response[None]:
    await db.write(actions.log_out, auth.user_id, session_id)
    hub.revoke_session(session_id)
    response: Response[None] = Response(None, status_code=204)
    if session_id == auth.session_id:
        response.delete_cookie(SESSION_COOKIE)
        response.delete_cookie(CSRF_COOKIE)
    return response


@get("/me", summary="The signed-in user, this session and my teams")
async def me(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Me:
    return await db.read(actions.me, auth.user_id, auth.session_id)


@patch("/me", summary="Change my display name (it may not look like a teammate's); my teams hear of it")
async def rename(data: JSONBody[Rename], auth: NamedDependency[Auth], db: NamedDependency[Database]) -> User:
    return await db.write(actions.rename, auth.user_id, data.display_name)


@put(
    "/me/password",
    status_code=204,
    summary="Change my password (the current one required); every other device is signed out",
)
async def change_password(
    data: JSONBody[NewPassword],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    hub: NamedDependency[Hub],
    passwords: NamedDependency[Passwords],
    throttles: NamedDependency[Throttles],
) -> None:
    key = ("password", str(auth.user_id))
    throttles.login_client.check(key, "wrong current passwords")
    current = await db.read(actions.password_hash, auth.user_id)
    if not await passwords.verify(current, data.current_password):
        throttles.login_client.hit(key)
        # 401 bad_credentials, as a wrong password at log-in (the request itself is well formed); the session stays.
        raise ApiError(
            401,
            "bad_credentials",
            "Wrong current password.",
            {"current_password": "is not your current password"},
        )
    throttles.login_client.clear(key)
    new_hash = await passwords.hash(data.new_password)
    for ended in await db.write(actions.change_password, auth.user_id, auth.session_id, new_hash):
        hub.revoke_session(ended)


@patch("/sessions/{session_id:int}", status_code=204, summary="Name one of my devices")
async def rename_session(
    session_id: PathId, data: JSONBody[DeviceName], auth: NamedDependency[Auth], db: NamedDependency[Database]
) -> None:
    await db.write(actions.rename_device, auth.user_id, session_id, data.device)


route_handlers = [sign_up, log_in, list_sessions, revoke_session, rename_session, me, rename, change_password]
