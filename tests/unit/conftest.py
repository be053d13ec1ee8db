"""In-process tests of the server's rules and actions, against a temporary SQLite file (no server process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from api.db.connection import Database


class Published:
    """The frames the database layer published after commit, with their audiences, in order."""

    def __init__(self) -> None:
        self.frames: list[tuple[bytes, list[int]]] = []

    def __call__(self, frame: bytes, user_ids: list[int]) -> None:
        self.frames.append((frame, user_ids))


@pytest.fixture
def published() -> Published:
    return Published()


@pytest.fixture
async def db(tmp_path: Path, published: Published) -> AsyncIterator[Database]:
    database = Database(tmp_path / "backchannel.sqlite3", publish=published)
    await database.open()
    yield database
    await database.close()
