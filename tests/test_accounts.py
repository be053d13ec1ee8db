"""Accounts and devices: sign up, log in, throttling, sessions, cookies and CSRF, rotation, rehash."""

from __future__ import annotations

import asyncio
import math
import sqlite3
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from api.settings import Settings
from api.throttle import LOGIN_ATTEMPTS_PER_ADDRESS, LOGIN_FAILURES_PER_CLIENT, LOGIN_FAILURES_PER_USERNAME
from tests.client import PASSWORD, fake_address, next_frame, sign_up
from tests.server import ServerProcess


def new_username() -> str:
    return f"user{uuid.uuid4().hex[:10]}"


async def create_account(
    http: httpx.AsyncClient, username: str, address: str | None = None, **extra: Any
) -> httpx.Response:
    body = {"username": username, "password": PASSWORD, "display_name": "Dana", **extra}
    return await http.post("/api/accounts", json=body, headers={"X-Forwarded-For": address or fake_address()})


async def log_in(
    http: httpx.AsyncClient,
    username: str,
    password: str = PASSWORD,
    address: str | None = None,
    device: str | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"username": username, "password": password}
    if device is not None:
        body["device"] = device
    return await http.post("/api/sessions", json=body, headers={"X-Forwarded-For": address or fake_address()})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def browser(server: ServerProcess) -> AsyncIterator[httpx.AsyncClient]:
    """A client that keeps cookies, like a browser: it authenticates with the session cookie only."""
    async with httpx.AsyncClient(base_url=server.url, timeout=10, headers={"X-Forwarded-For": fake_address()}) as c:
        yield c


# --- Sign up -------------------------------------------------------------------------------------------------------


async def test_sign_up_creates_the_account_and_signs_it_in(http: httpx.AsyncClient) -> None:
    username = new_username()
    response = await create_account(http, username.upper(), display_name="  Dana Scully  ")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user"] == {"id": body["user"]["id"], "username": username, "display_name": "Dana Scully"}
    assert body["token"] and body["csrf_token"] and body["token"] != body["csrf_token"]
    assert isinstance(body["session_id"], int)
    me = await http.get("/api/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["user"]["username"] == username


async def test_sign_up_sets_an_http_only_lax_session_cookie_and_a_readable_csrf_cookie(http: httpx.AsyncClient) -> None:
    response = await create_account(http, new_username())
    body = response.json()
    cookies = {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}
    session = [part.strip().lower() for part in cookies["bc_session"].split(";")]
    csrf = [part.strip().lower() for part in cookies["bc_csrf"].split(";")]
    assert session[0] == f"bc_session={body['token']}".lower()
    assert "httponly" in session and "samesite=lax" in session and "path=/" in session
    assert csrf[0] == f"bc_csrf={body['csrf_token']}".lower()
    assert "httponly" not in csrf and "samesite=lax" in csrf  # the page reads it to send x-csrf-token
    assert "secure" not in session  # plain http on loopback, no proxy


async def test_cookies_are_secure_over_https(http: httpx.AsyncClient) -> None:
    """As a TLS proxy on loopback forwards a request (uvicorn trusts X-Forwarded-Proto from 127.0.0.1)."""
    body = {"username": new_username(), "password": PASSWORD, "display_name": "Dana"}
    headers = {"X-Forwarded-For": fake_address(), "X-Forwarded-Proto": "https"}
    response = await http.post("/api/accounts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    for header in response.headers.get_list("set-cookie"):
        assert "secure" in [part.strip().lower() for part in header.split(";")], header


@pytest.mark.parametrize(
    "username",
    ["ab", "x" * 33, "has space", "émile", "semi;colon", "slash/name", "", "at@sign"],
)
async def test_a_username_breaking_the_rules_is_refused(http: httpx.AsyncClient, username: str) -> None:
    response = await create_account(http, username)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert (
        response.json()["fields"]["username"] == "must be 3 to 32 letters, digits, dots, dashes or underscores"
    )  # plain words


async def test_spaces_around_a_username_are_trimmed_not_refused(http: httpx.AsyncClient) -> None:
    """A phone keyboard adds a space after a word it completes."""
    username = new_username()
    response = await create_account(http, f"  {username.upper()} ")
    assert response.status_code == 201, response.text
    assert response.json()["user"]["username"] == username
    http.cookies.clear()
    assert (await log_in(http, f"{username} ")).status_code == 201
    assert (await create_account(http, f" {username}")).json()["error"] == "username_taken"


@pytest.mark.parametrize("shape", ["{3}", "a.{6}", "a_{6}", "a-{6}", "Z9_.-{6}", "{32}"])
async def test_usernames_of_3_to_32_letters_digits_dots_dashes_and_underscores_are_accepted(
    http: httpx.AsyncClient, shape: str
) -> None:
    prefix, _, size = shape.partition("{")
    username = prefix + uuid.uuid4().hex[: int(size.rstrip("}"))]
    response = await create_account(http, username)
    assert response.status_code == 201, response.text
    assert response.json()["user"]["username"] == username.lower()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("password", "short", "must be at least 8 characters"),
        ("password", "p" * 257, "must be at most 256 characters"),
        ("display_name", "", "must not be empty"),
        ("display_name", "d" * 61, "must be at most 60 characters"),
    ],
)
async def test_a_bad_password_or_display_name_is_refused_in_plain_words(
    http: httpx.AsyncClient, field: str, value: str, words: str
) -> None:
    response = await create_account(http, new_username(), **{field: value})
    assert response.status_code == 400
    assert response.json()["fields"][field] == words
    assert "Expected" not in response.json()["detail"]


async def test_unknown_fields_in_a_sign_up_are_refused(http: httpx.AsyncClient) -> None:
    response = await create_account(http, new_username(), admin=True)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_a_taken_username_is_a_conflict_whatever_its_case(http: httpx.AsyncClient) -> None:
    username = new_username()
    assert (await create_account(http, username)).status_code == 201
    for attempt in (username, username.upper()):
        again = await create_account(http, attempt)
        assert again.status_code == 409
        assert again.json()["error"] == "username_taken"
        assert "username" in again.json()["fields"]


async def test_sign_ups_from_one_address_are_limited(http: httpx.AsyncClient) -> None:
    address = fake_address()
    for _ in range(20):
        assert (await create_account(http, new_username(), address)).status_code == 201
    refused = await create_account(http, new_username(), address)
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["retry-after"]) > 0
    assert (await create_account(http, new_username())).status_code == 201  # another address is unaffected


# --- Log in --------------------------------------------------------------------------------------------------------


async def test_log_in_with_the_right_password_opens_a_new_session(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    person = await sign_up(http, server.ws_url)
    response = await log_in(http, person.username.upper(), device="Pixel 8")  # usernames ignore case
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user"]["id"] == person.id
    assert body["session_id"] != person.session_id and body["token"] != person.token
    assert {"bc_session", "bc_csrf"} <= {h.split("=", 1)[0] for h in response.headers.get_list("set-cookie")}
    http.cookies.clear()
    assert (await http.get("/api/me", headers=bearer(body["token"]))).json()["session_id"] == body["session_id"]


async def test_a_wrong_password_or_unknown_user_is_refused_alike(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    person = await sign_up(http, server.ws_url)
    wrong = await log_in(http, person.username, "not the password")
    unknown = await log_in(http, new_username())
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json()["error"] == "bad_credentials"
        assert "set-cookie" not in response.headers
    assert wrong.json()["detail"] == unknown.json()["detail"]  # no hint which part was wrong


async def test_a_device_name_is_at_most_120_characters(http: httpx.AsyncClient, server: ServerProcess) -> None:
    person = await sign_up(http, server.ws_url)
    refused = await log_in(http, person.username, device="d" * 121)
    assert refused.status_code == 400 and "device" in refused.json()["fields"]
    assert (await log_in(http, person.username, device="d" * 120)).status_code == 201


# --- Log-in throttling (api/throttle.py): nobody can lock someone else out -----------------------------------------

CLIENT_LIMIT, CLIENT_WINDOW = LOGIN_FAILURES_PER_CLIENT  # 5 per (username, address or device) in 15 minutes
USERNAME_LIMIT, USERNAME_WINDOW = LOGIN_FAILURES_PER_USERNAME  # 100 per username, from new devices, in an hour
ADDRESS_LIMIT, ADDRESS_WINDOW = LOGIN_ATTEMPTS_PER_ADDRESS  # 30 per address in 15 minutes


def assert_throttled(response: httpx.Response, window: int) -> None:
    """A 429 that says, in minutes, how long to wait, and the same in Retry-After seconds."""
    assert response.status_code == 429, response.text
    assert response.json()["error"] == "rate_limited"
    wait = int(response.headers["retry-after"])
    assert 0 < wait <= window
    assert f"try again in {math.ceil(wait / 60)} minutes" in response.json()["detail"]


async def fail(http: httpx.AsyncClient, username: str, address: str, times: int = 1) -> list[int]:
    """Wrong passwords, all sent at once; their status codes."""
    attempts = [log_in(http, username, "guess-guess", address=address) for _ in range(times)]
    return [response.status_code for response in await asyncio.gather(*attempts)]


async def test_five_failures_lock_one_address_out_of_a_username_right_password_included(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    person = await sign_up(http, server.ws_url)
    stranger = fake_address()
    for _ in range(CLIENT_LIMIT):
        assert await fail(http, person.username, stranger) == [401]
    for password in ("guess-guess", PASSWORD):
        assert_throttled(await log_in(http, person.username, password, address=stranger), CLIENT_WINDOW)
    assert (await log_in(http, new_username(), address=stranger)).status_code == 401  # other usernames: not locked
    http.cookies.clear()
    assert (await http.get("/api/me", headers=bearer(person.token))).status_code == 200  # sessions live on


async def test_a_strangers_failures_from_other_addresses_do_not_lock_the_owner_out(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    """No device key here (a client that keeps no cookies): the owner's own address is all that sets them apart."""
    owner = await sign_up(http, server.ws_url)
    for _ in range(5):
        stranger = fake_address()
        assert sorted(await fail(http, owner.username, stranger, CLIENT_LIMIT + 3)) == [401] * CLIENT_LIMIT + [429] * 3
    response = await log_in(http, owner.username, address=owner.address)
    assert response.status_code == 201, response.text


async def test_failures_spread_over_many_addresses_stop_new_devices_but_not_the_owners(
    browser: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    """The owner's browser holds a device key from signing up (the bc_device cookie, sent to log-in only)."""
    owner = new_username()
    signed_up = await create_account(browser, owner)
    assert "bc_device" in {h.split("=", 1)[0] for h in signed_up.headers.get_list("set-cookie")}
    addresses = [fake_address() for _ in range(USERNAME_LIMIT // CLIENT_LIMIT)]
    codes = await asyncio.gather(*(fail(http, owner, address, CLIENT_LIMIT) for address in addresses))
    assert [code for batch in codes for code in batch] == [401] * USERNAME_LIMIT
    refused = await log_in(http, owner, address=fake_address())  # the right password, from a new device
    assert_throttled(refused, USERNAME_WINDOW)
    assert "signed in to this account before can still log in" in refused.json()["detail"]
    assert (await log_in(browser, owner, address=fake_address())).status_code == 201  # anywhere, with the device key
    assert (await log_in(browser, owner, "guess-guess", address=fake_address())).status_code == 401  # still checked


async def test_a_stranger_behind_the_owners_own_address_does_not_lock_out_the_owners_device(
    browser: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    """The other side on the same venue Wi-Fi shares the owner's public address: they lock out that address (for
    clients without the owner's device key), never the owner's device."""
    owner, venue = new_username(), fake_address()
    assert (await create_account(browser, owner, address=venue)).status_code == 201
    assert await fail(http, owner, venue, CLIENT_LIMIT) == [401] * CLIENT_LIMIT
    for _ in range(ADDRESS_LIMIT - CLIENT_LIMIT):
        assert (await log_in(http, new_username(), "guess-guess", address=venue)).status_code == 401
    assert_throttled(await log_in(http, owner, address=venue), ADDRESS_WINDOW)
    assert (await log_in(browser, owner, address=venue)).status_code == 201


async def test_a_device_key_counts_only_for_the_accounts_that_signed_in_with_it(
    browser: httpx.AsyncClient, http: httpx.AsyncClient, server: ServerProcess
) -> None:
    assert (await create_account(browser, new_username())).status_code == 201  # this browser's key is theirs
    other, address = await sign_up(http, server.ws_url), fake_address()
    for _ in range(CLIENT_LIMIT):
        assert (await log_in(browser, other.username, "guess-guess", address=address)).status_code == 401
    assert_throttled(await log_in(browser, other.username, address=address), CLIENT_WINDOW)


async def test_a_right_password_forgives_its_own_failures(http: httpx.AsyncClient, server: ServerProcess) -> None:
    person, address = await sign_up(http, server.ws_url), fake_address()
    for _ in range(2):
        assert await fail(http, person.username, address, CLIENT_LIMIT - 1) == [401] * (CLIENT_LIMIT - 1)
        assert (await log_in(http, person.username, address=address)).status_code == 201
        http.cookies.clear()  # no device key: the address is what is counted


async def test_parallel_failures_from_one_address_stop_at_its_limit(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    """An attempt is counted before its password is checked: 30 at once cannot all get past a limit of 5."""
    person = await sign_up(http, server.ws_url)
    codes = await fail(http, person.username, fake_address(), 30)
    assert sorted(codes) == [401] * CLIENT_LIMIT + [429] * (30 - CLIENT_LIMIT)


async def test_parallel_failures_from_many_addresses_stop_at_the_username_limit(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    person = await sign_up(http, server.ws_url)
    over = 30
    codes = await asyncio.gather(*(fail(http, person.username, fake_address()) for _ in range(USERNAME_LIMIT + over)))
    assert sorted(code for [code] in codes) == [401] * USERNAME_LIMIT + [429] * over


async def test_parallel_attempts_from_one_address_stop_at_the_address_limit(http: httpx.AsyncClient) -> None:
    address, over = fake_address(), 10
    codes = await asyncio.gather(*(fail(http, new_username(), address) for _ in range(ADDRESS_LIMIT + over)))
    assert sorted(code for [code] in codes) == [401] * ADDRESS_LIMIT + [429] * over


async def test_thirty_attempts_from_one_address_lock_that_address(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    person = await sign_up(http, server.ws_url)
    address = fake_address()
    assert (await log_in(http, person.username, address=address)).status_code == 201  # successes count too
    http.cookies.clear()  # a client without a device key
    for _ in range(ADDRESS_LIMIT - 1):
        assert (await log_in(http, new_username(), "guess-guess", address=address)).status_code == 401
    assert_throttled(await log_in(http, person.username, address=address), ADDRESS_WINDOW)
    assert (await log_in(http, person.username)).status_code == 201  # the same user from elsewhere


# --- Log-in timing -------------------------------------------------------------------------------------------------


async def test_an_unknown_username_takes_as_long_as_a_wrong_password(fresh_server: ServerProcess) -> None:
    """With the server's real argon2 cost (a verification takes a few hundred ms, an unknown username used to skip
    it and answer in a few ms), the answer's time does not tell whether a username exists. Each attempt comes from
    its own address, for a username of its own or one with few failures, so no throttle answers instead."""
    real = Settings()
    fresh_server.env |= {
        "BACKCHANNEL_PASSWORD_TIME_COST": str(real.password_time_cost),
        "BACKCHANNEL_PASSWORD_MEMORY_KIB": str(real.password_memory_kib),
    }
    fresh_server.start()
    username = new_username()
    timings: dict[str, list[float]] = {"unknown": [], "wrong": []}
    async with httpx.AsyncClient(base_url=fresh_server.url, timeout=30) as http:
        assert (await create_account(http, username)).status_code == 201
        http.cookies.clear()
        for _ in range(7):  # interleaved, so a slow moment of the machine hits both alike
            for kind, name in (("unknown", new_username()), ("wrong", username)):
                started = time.perf_counter()
                response = await log_in(http, name, "guess-guess")
                timings[kind].append(time.perf_counter() - started)
                assert response.status_code == 401, response.text
    ratio = statistics.median(timings["unknown"]) / statistics.median(timings["wrong"])
    assert 0.5 < ratio < 2, timings


# --- Sessions (devices) --------------------------------------------------------------------------------------------


async def test_sessions_lists_my_devices_and_marks_the_current_one(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    person = await sign_up(http, server.ws_url)
    phone = (await log_in(http, person.username, device="Pixel 8")).json()
    http.cookies.clear()
    for token, current in ((person.token, person.session_id), (phone["token"], phone["session_id"])):
        listed = await http.get("/api/sessions", headers=bearer(token))
        assert listed.status_code == 200
        devices = {d["id"]: d for d in listed.json()}
        assert set(devices) == {person.session_id, phone["session_id"]}
        assert [d["id"] for d in devices.values() if d["current"]] == [current]
    devices = {d["id"]: d for d in (await http.get("/api/sessions", headers=bearer(person.token))).json()}
    assert devices[phone["session_id"]]["device"] == "Pixel 8"
    assert devices[person.session_id]["device"].startswith("python-httpx")  # from the User-Agent
    assert all(d["created_at"] <= d["last_seen_at"] for d in devices.values())


async def test_sessions_need_a_signed_in_caller(http: httpx.AsyncClient) -> None:
    for response in (
        await http.get("/api/sessions"),
        await http.get("/api/me"),
        await http.get("/api/sessions", headers=bearer("not-a-token")),
    ):
        assert response.status_code == 401
        assert response.json()["error"] == "unauthenticated"


async def test_revoking_a_device_ends_its_session(http: httpx.AsyncClient, server: ServerProcess) -> None:
    person = await sign_up(http, server.ws_url)
    phone = (await log_in(http, person.username, device="Pixel 8")).json()
    http.cookies.clear()
    revoked = await person.delete(f"/api/sessions/{phone['session_id']}")
    assert revoked.status_code == 204
    gone = await http.get("/api/me", headers=bearer(phone["token"]))
    assert gone.status_code == 401 and gone.json()["error"] == "unauthenticated"
    assert [d["id"] for d in (await person.get("/api/sessions")).json()] == [person.session_id]
    again = await person.delete(f"/api/sessions/{phone['session_id']}")
    assert again.status_code == 404


async def test_revoking_my_own_session_logs_me_out_and_clears_the_cookies(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    person = await sign_up(http, server.ws_url)
    response = await person.delete(f"/api/sessions/{person.session_id}")
    assert response.status_code == 204
    cleared = {h.split("=", 1)[0]: h.lower() for h in response.headers.get_list("set-cookie")}
    assert set(cleared) == {"bc_session", "bc_csrf"}
    assert all("max-age=0" in header and "path=/" in header for header in cleared.values())
    assert (await person.get("/api/me")).status_code == 401


async def test_someone_elses_session_cannot_be_revoked(http: httpx.AsyncClient, server: ServerProcess) -> None:
    mallory, victim = await sign_up(http, server.ws_url), await sign_up(http, server.ws_url)
    response = await mallory.delete(f"/api/sessions/{victim.session_id}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert (await victim.get("/api/me")).status_code == 200


# --- Cookies and CSRF ----------------------------------------------------------------------------------------------


async def test_a_cookie_authenticated_read_needs_no_csrf_header(browser: httpx.AsyncClient) -> None:
    body = (await create_account(browser, new_username())).json()
    me = await browser.get("/api/me")
    assert me.status_code == 200
    assert me.json()["session_id"] == body["session_id"]
    assert me.json()["csrf_token"] == body["csrf_token"] == browser.cookies["bc_csrf"]


async def test_a_cookie_authenticated_write_needs_the_csrf_header(browser: httpx.AsyncClient) -> None:
    await create_account(browser, new_username())
    for headers in ({}, {"x-csrf-token": "forged"}, {"x-csrf-token": ""}):
        refused = await browser.post("/api/teams", json={"name": "Acme"}, headers=headers)
        assert refused.status_code == 403
        assert refused.json()["error"] == "csrf_failed"
    assert (await browser.get("/api/teams")).json() == []  # nothing was created
    allowed = await browser.post(
        "/api/teams", json={"name": "Acme"}, headers={"x-csrf-token": browser.cookies["bc_csrf"]}
    )
    assert allowed.status_code == 201, allowed.text


async def test_a_cookie_authenticated_delete_needs_the_csrf_header_too(browser: httpx.AsyncClient) -> None:
    body = (await create_account(browser, new_username())).json()
    refused = await browser.delete(f"/api/sessions/{body['session_id']}")
    assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed"
    assert (await browser.get("/api/me")).status_code == 200


async def test_a_bearer_authenticated_write_needs_no_csrf_header(
    http: httpx.AsyncClient, server: ServerProcess
) -> None:
    person = await sign_up(http, server.ws_url)
    assert not http.cookies
    created = await person.post("/api/teams", {"name": "Acme"})
    assert created.status_code == 201, created.text


async def test_the_bearer_token_wins_over_a_cookie(browser: httpx.AsyncClient, http: httpx.AsyncClient) -> None:
    await create_account(browser, new_username())
    other = (await create_account(http, new_username())).json()
    created = await browser.post("/api/teams", json={"name": "Acme"}, headers=bearer(other["token"]))
    assert created.status_code == 201  # no CSRF header needed: the caller used the bearer token
    assert created.json()["members"][0]["user_id"] == other["user"]["id"]


# --- Session rotation ----------------------------------------------------------------------------------------------


async def test_logging_in_with_an_old_session_cookie_ends_that_session(
    browser: httpx.AsyncClient, http: httpx.AsyncClient
) -> None:
    username = new_username()
    old = (await create_account(browser, username)).json()
    new = await log_in(browser, username)
    assert new.status_code == 201
    assert browser.cookies["bc_session"] == new.json()["token"] != old["token"]
    assert (await http.get("/api/me", headers=bearer(old["token"]))).status_code == 401
    sessions = (await browser.get("/api/sessions")).json()
    assert [s["id"] for s in sessions] == [new.json()["session_id"]]


async def test_switching_accounts_in_a_browser_ends_the_previous_account_session(
    browser: httpx.AsyncClient, http: httpx.AsyncClient, server: ServerProcess
) -> None:
    first = (await create_account(browser, new_username())).json()
    second = await sign_up(http, server.ws_url)
    switched = await log_in(browser, second.username)
    assert switched.status_code == 201
    assert (await http.get("/api/me", headers=bearer(first["token"]))).status_code == 401
    assert (await browser.get("/api/me")).json()["user"]["id"] == second.id
    assert (await second.get("/api/me")).status_code == 200  # the other device of the new account is untouched


async def test_the_live_socket_of_a_rotated_session_is_closed(
    browser: httpx.AsyncClient, server: ServerProcess
) -> None:
    username = new_username()
    old = (await create_account(browser, username)).json()
    async with connect(
        f"{server.ws_url}/api/live", additional_headers={"Cookie": f"bc_session={old['token']}"}, open_timeout=5
    ) as ws:
        assert (await next_frame(ws))["type"] == "ready"
        assert (await log_in(browser, username)).status_code == 201
        with pytest.raises(ConnectionClosed) as closed:
            await next_frame(ws)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


# --- Me ------------------------------------------------------------------------------------------------------------


async def test_me_shows_the_user_this_session_and_my_teams(http: httpx.AsyncClient, server: ServerProcess) -> None:
    person = await sign_up(http, server.ws_url)
    team = (await person.post("/api/teams", {"name": "Acme"})).json()
    me = await person.get("/api/me")
    assert me.status_code == 200
    assert me.json() == {
        "user": {"id": person.id, "username": person.username, "display_name": person.username.title()},
        "session_id": person.session_id,
        "csrf_token": person.csrf_token,
        "teams": [{"id": team["id"], "name": "Acme", "role": "owner"}],
    }


# --- Password rehash -----------------------------------------------------------------------------------------------


def stored_hash(server: ServerProcess, username: str) -> str:
    with sqlite3.connect(server.database) as db:
        (value,) = db.execute("SELECT password_hash FROM users WHERE username = ?", (username,)).fetchone()
    return str(value)


async def test_log_in_rehashes_the_password_when_the_cost_changes(fresh_server: ServerProcess) -> None:
    username = new_username()
    fresh_server.start()
    async with httpx.AsyncClient(base_url=fresh_server.url, timeout=10) as http:
        assert (await create_account(http, username)).status_code == 201
    fresh_server.stop()
    before = stored_hash(fresh_server, username)
    assert ",t=1," in before

    stronger = ServerProcess(fresh_server.data_dir, BACKCHANNEL_PASSWORD_TIME_COST="2").start()
    try:
        async with httpx.AsyncClient(base_url=stronger.url, timeout=10) as http:
            assert (await log_in(http, username)).status_code == 201
            after = stored_hash(stronger, username)
            assert after != before
            assert after.startswith("$argon2id$") and ",t=2," in after
            http.cookies.clear()
            assert (await log_in(http, username)).status_code == 201  # the password still works
            assert stored_hash(stronger, username) == after  # and is not rehashed again
            assert (await log_in(http, username, "wrong password")).status_code == 401
    finally:
        stronger.stop()
