"""SQL for teams, their members and roles, and invites."""

from __future__ import annotations

import msgspec

from api.db.connection import Rows
from api.events import Member


class TeamSummary(msgspec.Struct):
    """A team as one of its members lists it: with their role in it."""

    id: int
    name: str
    role: str


class TeamRow(msgspec.Struct):
    id: int
    name: str
    created_at: int


class InviteRow(msgspec.Struct):
    id: int
    team_id: int
    role: str
    created_by: int
    created_at: int
    expires_at: int
    max_uses: int
    uses: int
    revoked: int
    token: str | None  # its link's token (migration 010); None for invites made before


def insert_team(rows: Rows, name: str, now: int) -> int:
    team_id = rows.one(int, "INSERT INTO teams (name, created_at) VALUES (?, ?) RETURNING id", (name, now))
    assert team_id is not None
    return team_id


def team(rows: Rows, team_id: int) -> TeamRow | None:
    return rows.one(TeamRow, "SELECT id, name, created_at FROM teams WHERE id = ?", (team_id,))


def teams_of(rows: Rows, user_id: int) -> list[TeamSummary]:
    return rows.all(
        TeamSummary,
        "SELECT t.id, t.name, m.role FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = ?"
        " ORDER BY t.id",
        (user_id,),
    )


def count_teams_of(rows: Rows, user_id: int) -> int:
    return rows.one(int, "SELECT count(*) FROM team_members WHERE user_id = ?", (user_id,)) or 0


_MEMBERS = (
    "SELECT u.id AS user_id, u.username, u.display_name, m.role FROM team_members m JOIN users u ON u.id = m.user_id"
)


def members_of(rows: Rows, team_id: int) -> list[Member]:
    return rows.all(Member, f"{_MEMBERS} WHERE m.team_id = ? ORDER BY m.joined_at, u.id", (team_id,))


def member(rows: Rows, team_id: int, user_id: int) -> Member | None:
    return rows.one(Member, f"{_MEMBERS} WHERE m.team_id = ? AND m.user_id = ?", (team_id, user_id))


def count_members(rows: Rows, team_id: int) -> int:
    return rows.one(int, "SELECT count(*) FROM team_members WHERE team_id = ?", (team_id,)) or 0


def add_member(rows: Rows, team_id: int, user_id: int, role: str, now: int) -> None:
    rows.run(
        "INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
        (team_id, user_id, role, now),
    )


def set_role(rows: Rows, team_id: int, user_id: int, role: str) -> None:
    rows.run("UPDATE team_members SET role = ? WHERE team_id = ? AND user_id = ?", (role, team_id, user_id))


def delete_member(rows: Rows, team_id: int, user_id: int) -> None:
    rows.run("DELETE FROM team_members WHERE team_id = ? AND user_id = ?", (team_id, user_id))


_INVITE_COLUMNS = "id, team_id, role, created_by, created_at, expires_at, max_uses, uses, revoked, token"


def insert_invite(
    rows: Rows,
    team_id: int,
    token: str,
    token_hash: bytes,
    role: str,
    created_by: int,
    now: int,
    expires_at: int,
    max_uses: int,
) -> InviteRow:
    invite = rows.one(
        InviteRow,
        "INSERT INTO invites (team_id, token, token_hash, role, created_by, created_at, expires_at, max_uses)"  # noqa: S608
        f" VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING {_INVITE_COLUMNS}",
        (team_id, token, token_hash, role, created_by, now, expires_at, max_uses),
    )
    assert invite is not None
    return invite


def invites_of(rows: Rows, team_id: int) -> list[InviteRow]:
    return rows.all(
        InviteRow,
        f"SELECT {_INVITE_COLUMNS} FROM invites WHERE team_id = ? ORDER BY id DESC",  # noqa: S608 (a constant)
        (team_id,),
    )


def count_open_invites(rows: Rows, team_id: int, now: int) -> int:
    count = rows.one(
        int,
        "SELECT count(*) FROM invites WHERE team_id = ? AND revoked = 0 AND expires_at > ? AND uses < max_uses",
        (team_id, now),
    )
    return count or 0


def invite_by_token_hash(rows: Rows, token_hash: bytes) -> InviteRow | None:
    return rows.one(
        InviteRow,
        f"SELECT {_INVITE_COLUMNS} FROM invites WHERE token_hash = ?",  # noqa: S608 (a constant)
        (token_hash,),
    )


def use_invite(rows: Rows, invite_id: int) -> None:
    rows.run("UPDATE invites SET uses = uses + 1 WHERE id = ?", (invite_id,))


def revoke_invite(rows: Rows, team_id: int, invite_id: int) -> bool:
    return rows.run("UPDATE invites SET revoked = 1 WHERE id = ? AND team_id = ?", (invite_id, team_id)) > 0


def record_removal(rows: Rows, team_id: int, user_id: int, now: int) -> None:
    rows.run(
        "INSERT INTO removals (team_id, user_id, removed_at) VALUES (?, ?, ?)"
        " ON CONFLICT (team_id, user_id) DO UPDATE SET removed_at = excluded.removed_at",
        (team_id, user_id, now),
    )


def removed_at(rows: Rows, team_id: int, user_id: int) -> int | None:
    """When someone else last removed the user from the team, or None."""
    return rows.one(int, "SELECT removed_at FROM removals WHERE team_id = ? AND user_id = ?", (team_id, user_id))
