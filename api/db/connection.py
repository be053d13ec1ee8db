"""One writer connection, a few read-only readers, and actions run whole in their thread.

SQLite allows one writer at a time. A write is an *action*: a plain function over a `Tx` that validates,
authorizes, reads and writes, and records events. `Database.write` runs it whole in the writer's thread, between
BEGIN IMMEDIATE and COMMIT: one thread hop however many statements it runs (each aiosqlite call would be one).
The events it recorded are published after COMMIT, in commit order, so live fan-out sees them in cursor order.
Reads are *queries*, plain functions over `Rows`, run whole in a reader's thread the same way.

Rows come back as msgspec Structs (or plain values), converted from the column names: no row mappers, no `Any`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

import aiosqlite
import msgspec

from api.db import dialect
from api.db.migrate import migrate

log = logging.getLogger("backchannel.db")

READERS = 3
# Scrubbing the WAL after a deletion (see Database.scrub): the longest one attempt may hold up writers while a
# reader outside this process (a backup tool) blocks it, and the waits between attempts until it succeeds.
SCRUB_BUSY_MS = 50
SCRUB_RETRY_SECONDS = (0.25, 5.0)  # first, longest

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")
Params = Sequence[object] | Mapping[str, object]
# Live frames an action publishes after its commit: (encoded frame, the users whose sockets get it).
Publication = tuple[bytes, list[int]]


class Rows:
    """A DB-API connection that answers in typed rows. Queries take one; actions take a `Tx`, which is one too."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def all(self, shape: type[T], sql: str, params: Params = ()) -> list[T]:
        """Every row as `shape`: a Struct filled from the columns by name, or a plain type from the first column."""
        cursor = self.conn.execute(sql, params)
        rows = cursor.fetchall()
        if isinstance(shape, type) and issubclass(shape, msgspec.Struct):
            names = [column[0] for column in cursor.description]
            # Not strict: SQLite has no boolean type, and a 0/1 column fills a bool field.
            found = [dict(zip(names, row, strict=True)) for row in rows]
            return msgspec.convert(found, list[shape], strict=False)  # type: ignore[valid-type]
        return msgspec.convert([row[0] for row in rows], list[shape])  # type: ignore[valid-type]

    def one(self, shape: type[T], sql: str, params: Params = ()) -> T | None:
        """The first row as `shape` (see `all`), or None when there is none."""
        found = self.all(shape, sql, params)
        return found[0] if found else None

    def run(self, sql: str, params: Params = ()) -> int:
        """Execute a statement; return how many rows it changed."""
        return self.conn.execute(sql, params).rowcount

    def run_many(self, sql: str, rows: Iterable[Params]) -> int:
        return self.conn.executemany(sql, rows).rowcount


class Tx(Rows):
    """The writer inside one transaction: what an action writes with, and what it leaves to do after COMMIT."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(conn)
        self.published: list[Publication] = []
        self.after_commit: list[Callable[[], object]] = []

    def publish(self, frame: bytes, user_ids: Iterable[int]) -> None:
        """Send a frame to these users' sockets once the transaction commits (never if it rolls back)."""
        self.published.append((frame, list(user_ids)))

    def on_commit(self, hook: Callable[[], object]) -> None:
        """Run a callable on the event loop once the transaction commits (wake a worker, say)."""
        self.after_commit.append(hook)


def _write_in_thread(conn: sqlite3.Connection, action: Callable[..., R], args: Any, kwargs: Any) -> tuple[R, Tx]:
    tx = Tx(conn)
    conn.execute(dialect.BEGIN_WRITE)
    try:
        result = action(tx, *args, **kwargs)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    return result, tx


async def _connect(path: Path, *, read_only: bool) -> aiosqlite.Connection:
    target = f"file:{path}?mode=ro" if read_only else str(path)
    conn = await aiosqlite.connect(target, uri=read_only, isolation_level=None)
    for pragma in dialect.CONNECTION_PRAGMAS if read_only else dialect.WRITER_PRAGMAS:
        await conn.execute(pragma)
    return conn


class Database:
    def __init__(self, path: Path, publish: Callable[[bytes, list[int]], None] = lambda frame, users: None) -> None:
        self.path = path
        self._publish = publish
        self._writer: aiosqlite.Connection | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all: list[aiosqlite.Connection] = []
        # Held from a write's start until its frames are published, so they go out in commit (cursor) order.
        self._write_lock = asyncio.Lock()
        self._scrubber: asyncio.Task[None] | None = None
        # Trips to a connection's thread since start: the cost a benchmark and a test hold the send path to.
        self.hops = 0

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

    async def _hop(
        self, conn: aiosqlite.Connection, fn: Callable[Concatenate[sqlite3.Connection, P], R], *args: Any
    ) -> R:
        """Run fn(sqlite3 connection, *args) in the connection's own thread: one trip there and back.

        aiosqlite has no public call for "run this function on your connection"; `_execute` is the one its own
        methods use (stable since 0.17; pinned in pyproject.toml), and `_conn` its sqlite3 connection.
        """
        self.hops += 1
        result = await conn._execute(fn, conn._conn, *args)  # type: ignore[no-untyped-call]
        return cast(R, result)

    async def write(self, action: Callable[Concatenate[Tx, P], R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run an action in one transaction in the writer's thread; publish its frames; return what it returned.

        An exception from the action (an ApiError, say) rolls the transaction back and reaches the caller.
        """
        assert self._writer is not None, "database is not open"
        async with self._write_lock:
            hop: asyncio.Future[tuple[R, Tx]] = asyncio.ensure_future(
                self._hop(self._writer, _write_in_thread, action, args, kwargs)
            )
            try:
                written: tuple[R, Tx] = await asyncio.shield(hop)
            except asyncio.CancelledError:
                # A cancelled caller does not stop the writer's thread: the action may still commit. Its frames
                # must go out all the same, or an open socket would never see a committed event.
                with contextlib.suppress(Exception):
                    self._committed((await hop)[1])
                raise
            self._committed(written[1])  # under the lock: frames go out in commit (cursor) order
        return written[0]

    def _committed(self, tx: Tx) -> None:
        for frame, user_ids in tx.published:
            self._publish(frame, user_ids)
        for hook in tx.after_commit:
            hook()

    async def read(self, query: Callable[Concatenate[Rows, P], R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a query in a read-only reader's thread; it sees the last committed state."""
        reader = await self._readers.get()
        try:
            answer: R = await self._hop(reader, _read_in_thread, query, args, kwargs)
            return answer
        finally:
            self._readers.put_nowait(reader)

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
            return await self._hop(self._writer, _truncate_wal_in_thread)


def _read_in_thread(conn: sqlite3.Connection, query: Callable[..., R], args: Any, kwargs: Any) -> R:
    return query(Rows(conn), *args, **kwargs)


def _truncate_wal_in_thread(conn: sqlite3.Connection) -> bool:
    conn.execute(dialect.busy_timeout(SCRUB_BUSY_MS))
    try:
        busy = conn.execute(dialect.TRUNCATE_WAL).fetchone()[0]
    finally:
        conn.execute(dialect.busy_timeout(dialect.BUSY_TIMEOUT_MS))
    return int(busy) == 0
