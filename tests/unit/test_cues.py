"""A team's cue set: a new team starts with the defaults; leads replace the whole set, in their order, and the
team is told; a set the rules refuse changes nothing."""

from __future__ import annotations

import pytest

from api.actions.cues import cue_set, replace_set
from api.cueset import DEFAULT_CUES, Cue
from api.db.connection import Database
from api.errors import ApiError
from tests.unit.conftest import Published
from tests.unit.teammates import people, team_of, told

PAD = [
    Cue(code="wrap_up", label="Wrap up", rhythm=[200, 200, 600], urgency="high", ttl_seconds=30),
    Cue(code="slow_down", label="Slow down", rhythm=[500]),
]


async def test_a_new_team_starts_with_the_default_cues(db: Database) -> None:
    (ana,) = await people(db, "Ana")
    team_id = await team_of(db, ana)
    assert (await db.read(cue_set, ana, team_id)).cues == list(DEFAULT_CUES)


async def test_a_lead_replaces_the_set_in_their_order_and_the_team_is_told(db: Database, published: Published) -> None:
    ana, ben = await people(db, "Ana", "Ben")
    team_id = await team_of(db, ana, ben)
    told(published)
    answered = await db.write(replace_set, ana, team_id, PAD)
    assert answered.cues == PAD == (await db.read(cue_set, ben, team_id)).cues
    (event,) = told(published)
    assert (event.type, [c["code"] for c in event.data["cues"]], event.to) == (
        "cues",
        ["wrap_up", "slow_down"],
        [ana, ben],
    )


async def test_a_refused_set_changes_nothing(db: Database, published: Published) -> None:
    (ana,) = await people(db, "Ana")
    team_id = await team_of(db, ana)
    told(published)
    with pytest.raises(ApiError):
        await db.write(replace_set, ana, team_id, [*PAD, PAD[0]])
    assert (await db.read(cue_set, ana, team_id)).cues == list(DEFAULT_CUES)
    assert told(published) == []
