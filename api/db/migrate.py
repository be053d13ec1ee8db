"""Schema migrations: ``migrations/NNN_name.sql`` applied in order, tracked by ``PRAGMA user_version``."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

MIGRATIONS = Path(__file__).parent / "migrations"


def _pending(current: int) -> list[tuple[int, Path]]:
    numbered = sorted((int(path.name.split("_", 1)[0]), path) for path in MIGRATIONS.glob("*.sql"))
    return [(number, path) for number, path in numbered if number > current]


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply every pending migration, each in its own transaction; return the schema version.

    Foreign keys are off while a migration runs and checked before it commits, as SQLite's procedure for
    changing a table requires: rebuilding a table (drop the old, rename the new) would otherwise cascade
    the drop into every table that references it.
    """
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    await conn.execute("PRAGMA foreign_keys=OFF")
    try:
        for number, path in _pending(version):
            await conn.executescript(f"BEGIN;\n{path.read_text()}\nPRAGMA user_version={number};")
            broken = await conn.execute_fetchall("PRAGMA foreign_key_check")
            if broken:
                await conn.rollback()
                raise RuntimeError(f"migration {path.name} breaks foreign keys: {list(map(tuple, broken))[:5]}")
            await conn.commit()
            version = number
    finally:
        await conn.execute("PRAGMA foreign_keys=ON")
    return version
