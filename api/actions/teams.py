"""Teams: create one (you own it), and a team as its members see it."""

from __future__ import annotations

import msgspec

from api.access import team_role
from api.actions.cues import store_set
from api.actions.membership import join_team
from api.clock import now_ms
from api.cueset import DEFAULT_CUES
from api.db import channels as channels_sql
from api.db import meetings as meetings_sql
from api.db import teams as sql
from api.db.connection import Rows, Tx
from api.db.meetings import EscalationSettings
from api.errors import ApiError
from api.events import Member

MAX_TEAMS_PER_USER = 50


class Team(msgspec.Struct):
    id: int
    name: str
    role: str
    created_at: int
    members: list[Member]
    escalation: EscalationSettings  # how an urgent cue insists in a live meeting


def team(rows: Rows, user_id: int, team_id: int) -> Team:
    """The team with its members, for one of them (404 for anyone else)."""
    role = team_role(rows, team_id, user_id)
    found = sql.team(rows, team_id)
    assert found is not None
    return Team(
        id=found.id,
        name=found.name,
        role=role,
        created_at=found.created_at,
        members=sql.members_of(rows, team_id),
        escalation=meetings_sql.escalation_settings(rows, team_id),
    )


def require_room_for_team(rows: Rows, user_id: int) -> None:
    """409 when the user is already in as many teams as one may be."""
    if sql.count_teams_of(rows, user_id) >= MAX_TEAMS_PER_USER:
        raise ApiError(409, "limit_reached", f"You are in {MAX_TEAMS_PER_USER} teams, the most allowed.")


def create_team(tx: Tx, user_id: int, name: str) -> Team:
    """A new team owned by its creator, with Everyone, Leads and the default cues."""
    require_room_for_team(tx, user_id)
    now = now_ms()
    team_id = sql.insert_team(tx, name, now)
    channels_sql.insert_channel(tx, team_id, "everyone", "Everyone", None, now)
    channels_sql.insert_channel(tx, team_id, "leads", "Leads", None, now)
    store_set(tx, team_id, list(DEFAULT_CUES))
    join_team(tx, team_id, user_id, "owner")
    return team(tx, user_id, team_id)
