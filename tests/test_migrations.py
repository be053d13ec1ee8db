"""Migrations upgrade a database in use: nothing of it is lost, and what earlier versions wrote wrong is put right."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from api.db import migrate as migrations


async def migrate(path: Path) -> int:
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("PRAGMA foreign_keys=ON")
        return await migrations.migrate(conn)


@pytest.fixture
def database_at_version_3(tmp_path: Path) -> Path:
    """A database as version 3 left it: a message whose event says cursor 0, with an ack and a push job."""
    scripts = sorted(migrations.MIGRATIONS.glob("00[1-3]_*.sql"))
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path, isolation_level=None) as db:
        db.executescript(
            "BEGIN;"
            + "".join(f"{script.read_text()}\n" for script in scripts)
            + "PRAGMA user_version=3;"
            + """
                INSERT INTO users (id, username, display_name, password_hash, created_at)
                    VALUES (1, 'sam', 'Sam', 'x', 0), (2, 'lee', 'Lee', 'x', 0);
                INSERT INTO sessions VALUES (1, 2, x'00', 'c', 'phone', 0, 0);
                INSERT INTO teams VALUES (1, 'Acme', 0);
                INSERT INTO channels VALUES (1, 1, 'everyone', 'Everyone', NULL, 0);
                INSERT INTO events (id, type, team_id, channel_id, data, created_at)
                    VALUES (7, 'message', 1, 1, CAST('{"id":1,"cursor":0,"text":"hi"}' AS BLOB), 0);
                INSERT INTO messages VALUES (1, 1, 1, 'c-1', 'text', 'hi', NULL, 7, 0);
                INSERT INTO acks VALUES (1, 2, 5);
                INSERT INTO push_subscriptions VALUES (1, 1, 2, 'https://push.example/1', 'k', 'a', 0);
                INSERT INTO push_jobs (subscription_id, message_id, ttl_seconds, urgency, expires_at, next_attempt_at)
                    VALUES (1, 1, 60, 'normal', 1, 1);
                COMMIT;"""
        )
    return path


async def test_version_4_keeps_acks_and_push_jobs_and_fixes_message_cursors(database_at_version_3: Path) -> None:
    assert await migrate(database_at_version_3) >= 4
    with sqlite3.connect(database_at_version_3) as db:
        assert db.execute("SELECT message_id, user_id FROM acks").fetchall() == [(1, 2)]
        assert db.execute("SELECT message_id FROM push_jobs").fetchall() == [(1,)]
        (data,) = db.execute("SELECT CAST(data AS TEXT) FROM events WHERE id = 7").fetchone()
        assert json.loads(data)["cursor"] == 7
        (schema,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'messages'").fetchone()
        assert "AUTOINCREMENT" in schema
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("DELETE FROM messages")  # acks and push jobs still point at messages: they go with it
        assert db.execute("SELECT count(*) FROM acks").fetchone() == (0,)
        db.execute(  # the columns named: later versions add some (recalled_at, composed_at)
            "INSERT INTO messages (id, channel_id, sender_id, client_id, kind, text, cue, cursor, created_at)"
            " VALUES (NULL, 1, 1, 'c-2', 'text', 'new', NULL, 8, 0)"
        )
        assert db.execute("SELECT id FROM messages").fetchall() == [(2,)]  # the deleted id 1 is not reused
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []


async def test_a_migration_that_breaks_a_foreign_key_is_rolled_back(
    database_at_version_3: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "004_orphan.sql").write_text("INSERT INTO acks VALUES (999, 2, 5);")
    monkeypatch.setattr(migrations, "MIGRATIONS", broken)
    with pytest.raises(RuntimeError, match="breaks foreign keys"):
        await migrate(database_at_version_3)
    with sqlite3.connect(database_at_version_3) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (3,)
        assert db.execute("SELECT count(*) FROM acks").fetchone() == (1,)


async def test_version_9_adds_when_a_message_was_written_empty_for_the_old_ones(database_at_version_3: Path) -> None:
    assert await migrate(database_at_version_3) >= 9
    with sqlite3.connect(database_at_version_3) as db:
        assert db.execute("SELECT id, composed_at FROM messages").fetchall() == [(1, None)]


async def test_version_12_keeps_every_channel_and_never_gives_a_deleted_ones_id_again(
    database_at_version_3: Path,
) -> None:
    with sqlite3.connect(database_at_version_3) as db:
        before = db.execute("SELECT * FROM channels ORDER BY id").fetchall()
        members = db.execute("SELECT * FROM channel_members ORDER BY channel_id, user_id").fetchall()
    assert await migrate(database_at_version_3) >= 12
    with sqlite3.connect(database_at_version_3) as db:
        assert db.execute("SELECT * FROM channels ORDER BY id").fetchall() == before
        assert db.execute("SELECT * FROM channel_members ORDER BY channel_id, user_id").fetchall() == members
        newest, team_id = db.execute("SELECT id, team_id FROM channels ORDER BY id DESC LIMIT 1").fetchone()
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("DELETE FROM channels WHERE id = ?", (newest,))
        made = db.execute(
            "INSERT INTO channels (team_id, kind, name, created_at) VALUES (?, 'group', 'Next', 0) RETURNING id",
            (team_id,),
        ).fetchone()
        assert made[0] > newest
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
