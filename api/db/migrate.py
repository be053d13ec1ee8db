"""Schema migrations: ``migrations/NNN_name.sql`` applied in order, tracked by ``PRAGMA user_version``."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

MIGRATIONS = Path(__file__).parent / "migrations"


def _pending(current: int) -> list[tuple[int, Path]]:
    numbered = sorted((int(path.name.split("_", 1)[0]), path) for path in MIGRATIONS.glob("*.sql"))
    return [(number, path) for number, path in numbered if number > current]


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply every pending migration, each in its own transaction; return the schema version."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    for number, path in _pending(version):
        script = path.read_text()
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
        version = number
    return version
