"""People and teams for the in-process tests, made through the actions themselves, and what they were told."""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec

from api.actions.invites import NewInvite, accept_invite, create_invite
from api.actions.teams import Team, create_team
from api.auth import hash_token
from api.db import accounts as accounts_sql
from api.db.connection import Database, Tx
from tests.unit.conftest import Published


def _sign_up(tx: Tx, names: tuple[str, ...]) -> list[int]:
    made = [accounts_sql.insert_user(tx, name.lower(), name, "not a hash", 0) for name in names]
    assert None not in made
    return [user_id for user_id in made if user_id is not None]


async def people(db: Database, *names: str) -> list[int]:
    """Accounts with these display names (usernames: the names in lower case); their ids, in order."""
    return await db.write(_sign_up, names)


async def invite(db: Database, by: int, team_id: int, role: str = "member", uses: int = 1) -> bytes:
    """An invite link made by `by`; the hash of its token, as accepting it takes it."""
    token = f"token-{team_id}-{by}-{role}-{db.hops}"
    new = NewInvite(token=token, token_hash=hash_token(token), role=role, expires_in_seconds=3600, max_uses=uses)
    await db.write(create_invite, by, team_id, new)
    return hash_token(token)


async def join(db: Database, user_id: int, team_id: int, by: int, role: str = "member") -> Team:
    """The user joins the team through an invite `by` made."""
    team, joined = await db.write(accept_invite, user_id, await invite(db, by, team_id, role))
    assert joined
    return team


async def team_of(db: Database, owner: int, *members: int, leads: tuple[int, ...] = ()) -> int:
    """A team the owner created, with these members and leads joined by the owner's invites; its id."""
    team_id = (await db.write(create_team, owner, "Acme deal")).id
    for user_id in members:
        await join(db, user_id, team_id, owner)
    for user_id in leads:
        await join(db, user_id, team_id, owner, "lead")
    return team_id


class Told(NamedTuple):
    """One event as published: its type, its data and who received it (sorted)."""

    type: str
    data: dict[str, Any]
    to: list[int]


def told(published: Published) -> list[Told]:
    """What was published since the last call, in order (and forget it)."""
    frames = [msgspec.json.decode(frame) for frame, _ in published.frames]
    seen = [Told(f["type"], f["data"], sorted(users)) for f, (_, users) in zip(frames, published.frames, strict=True)]
    published.frames.clear()
    return seen
