"""Accounts and sessions: a username is taken once; a new session ends the one the browser came with; a device
logs out only its own user's sessions; an ended session is no longer anyone."""

from __future__ import annotations

import pytest

from api.actions.accounts import NewSession, log_in, log_out, me, sign_up
from api.auth import hash_token
from api.db import accounts as sql
from api.db.connection import Database
from api.errors import ApiError


def new_session(token: str, replaces: str | None = None) -> NewSession:
    return NewSession(
        token_hash=hash_token(token),
        csrf_token=f"csrf-{token}",
        device="phone",
        device_key_hash=hash_token(f"device-{token}"),
        replaces=hash_token(replaces) if replaces else None,
    )


async def test_a_username_is_taken_once(db: Database) -> None:
    user, _ = await db.write(sign_up, "ana", "Ana", "hash", new_session("a"))
    with pytest.raises(ApiError) as error:
        await db.write(sign_up, "ana", "Ana Again", "hash", new_session("b"))
    assert (error.value.status, error.value.code, error.value.fields) == (409, "username_taken", {"username": "taken"})
    assert await db.read(sql.credentials, "ana") == sql.Credentials(user.id, "ana", "Ana", "hash")


async def test_a_log_in_ends_the_session_the_browser_came_with_and_stores_a_new_hash(db: Database) -> None:
    user, first = await db.write(sign_up, "ana", "Ana", "old hash", new_session("a"))
    second = await db.write(log_in, user.id, new_session("b", replaces="a"), "new hash")
    assert second.dropped == first.session_id
    assert await db.read(sql.session_by_token_hash, hash_token("a")) is None
    assert (await db.read(me, user.id, second.session_id)).csrf_token == "csrf-b"
    assert (await db.read(sql.credentials, "ana")) == sql.Credentials(user.id, "ana", "Ana", "new hash")
    assert await db.read(sql.device_user, hash_token("device-b")) == user.id


async def test_one_logs_out_only_ones_own_sessions_and_an_ended_session_is_nobody(db: Database) -> None:
    ana, started = await db.write(sign_up, "ana", "Ana", "hash", new_session("a"))
    ben, _ = await db.write(sign_up, "ben", "Ben", "hash", new_session("b"))
    with pytest.raises(ApiError) as error:
        await db.write(log_out, ben.id, started.session_id)
    assert error.value.status == 404
    await db.write(log_out, ana.id, started.session_id)
    with pytest.raises(ApiError) as ended:
        await db.read(me, ana.id, started.session_id)
    assert (ended.value.status, ended.value.code) == (401, "unauthenticated")
