"""One writer connection behind a lock, a few read-only readers, and after-commit hooks.

SQLite allows one writer at a time; serialising writes in the process avoids SQLITE_BUSY and
gives every event a cursor in commit order. Hooks registered in a transaction run after COMMIT
while the write lock is still held, so live fan-out sees events in cursor order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from api.db.migrate import migrate

log = logging.getLogger("backchannel.db")

READERS = 3
BUSY_TIMEOUT_MS = 5000
# Scrubbing the WAL after a deletion (see Database.scrub): the longest one attempt may hold up writers while a
# reader outside this process (a backup tool) blocks it, and the waits between attempts until it succeeds.
SCRUB_BUSY_MS = 50
SCRUB_RETRY_SECONDS = (0.25, 5.0)  # first, longest
_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",
)


async def fetch_one(conn: aiosqlite.Connection, sql: str, args: Iterable[object] = ()) -> sqlite3.Row | None:
    """The first row of a query (or an INSERT ... RETURNING), in one trip to the connection's thread.

    Every aiosqlite call is a thread hop: ``async with conn.execute(...) as c: await c.fetchone()`` makes three
    (execute, fetch, close). On a send they added up to most of the server's time; use these on hot paths.
    """
    rows = await conn.execute_fetchall(sql, args)
    return next(iter(rows), None)


async def fetch_all(conn: aiosqlite.Connection, sql: str, args: Iterable[object] = ()) -> list[sqlite3.Row]:
    """Every row of a query, in one trip to the connection's thread (see fetch_one)."""
    return list(await conn.execute_fetchall(sql, args))


class Transaction:
    """The writer connection inside BEGIN IMMEDIATE ... COMMIT, plus hooks to run after commit."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self._after_commit: list[Callable[[], None]] = []

    def on_commit(self, hook: Callable[[], None]) -> None:
        self._after_commit.append(hook)


async def _connect(path: Path, *, read_only: bool) -> aiosqlite.Connection:
    target = f"file:{path}?mode=ro" if read_only else str(path)
    conn = await aiosqlite.connect(target, uri=read_only, isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in _PRAGMAS[1:] if read_only else _PRAGMAS:
        await conn.execute(pragma)
    return conn


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []
        self._write_lock = asyncio.Lock()
        self._scrubber: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await _connect(self.path, read_only=False)
        self._all.append(self._writer)
        await migrate(self._writer)
        for _ in range(READERS):
            reader = await _connect(self.path, read_only=True)
            self._all.append(reader)
            self._readers.put_nowait(reader)

    async def close(self) -> None:
        if self._scrubber is not None:
            self._scrubber.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._scrubber
        for conn in self._all:
            await conn.close()
        self._all.clear()
        self._writer = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        assert self._writer is not None, "database is not open"
        async with self._write_lock:
            await self._writer.execute("BEGIN IMMEDIATE")
            tx = Transaction(self._writer)
            try:
                yield tx
            except BaseException:
                await self._writer.rollback()
                raise
            await self._writer.commit()
            for hook in tx._after_commit:
                hook()

    async def scrub(self) -> None:
        """Fold the WAL into the database file and truncate it, so deleted rows leave no copy behind.

        A reader outside this process (a backup tool) that holds a read transaction blocks the truncation until
        it lets go. Writers must not wait on it: each attempt gives up after SCRUB_BUSY_MS, and a background task
        retries until one succeeds, so the deleted text is gone from the WAL soon after the reader lets go.
        """
        if await self._truncate_wal() or (self._scrubber is not None and not self._scrubber.done()):
            return
        self._scrubber = asyncio.create_task(self._scrub_until_done(), name="wal-scrubber")

    async def _scrub_until_done(self) -> None:
        wait, longest = SCRUB_RETRY_SECONDS
        log.info("wal_scrub_blocked: a reader holds the database; retrying")
        while True:
            await asyncio.sleep(wait)
            if await self._truncate_wal():
                log.info("wal_scrubbed")
                return
            wait = min(longest, wait * 2)

    async def _truncate_wal(self) -> bool:
        assert self._writer is not None, "database is not open"
        async with self._write_lock:
            await self._writer.execute(f"PRAGMA busy_timeout={SCRUB_BUSY_MS}")
            try:
                rows = await self._writer.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                await self._writer.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        busy = next(iter(rows))[0]
        return int(busy) == 0

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        reader = await self._readers.get()
        try:
            yield reader
        finally:
            self._readers.put_nowait(reader)
