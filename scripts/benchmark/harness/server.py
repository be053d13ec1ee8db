"""The server the bench measures: ``python -m api serve`` on its own core, on a fresh temporary database."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from scripts.benchmark.harness.cores import running_on
from scripts.benchmark.harness.readings import ProcessReading, read_process
from tests.server import FAST_PASSWORDS, ServerProcess

# The bench server's settings, printed with the results. Cheap argon2 keeps the setup of 10,000 users short
# (it changes sign-up and log-in only); the message rate limit is lifted because one sender sends 600 cues.
SERVER_ENV = {
    **FAST_PASSWORDS,
    "BACKCHANNEL_PUSH_ALLOW_LOOPBACK": "1",
    "BACKCHANNEL_VAPID_SUBJECT": "mailto:bench@example.com",
    "BACKCHANNEL_MESSAGES_PER_MINUTE": "1000000",
}


class BenchServer:
    """``python -m api serve`` (through the tests' ServerProcess) on its own core and its own temporary data folder."""

    def __init__(self, data_dir: Path, core: int | None, profile_dir: Path | None = None) -> None:
        self.core = core
        self.process = ServerProcess(data_dir, **SERVER_ENV)
        self.profile_dir = profile_dir
        self.starts = 0

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def ws_url(self) -> str:
        return self.process.ws_url

    @property
    def port(self) -> int:
        return self.process.port

    @property
    def pid(self) -> int:
        assert self.process.proc is not None, "server is not running"
        return self.process.proc.pid

    def start(self) -> None:
        with running_on(self.core):
            self.process.start()
        self.starts += 1

    def restart(self) -> None:
        """A fresh process on the same database, so memory figures start from a clean heap."""
        self.stop()
        self.start()

    def stop(self) -> None:
        self.process.stop()

    def reading(self) -> ProcessReading:
        return read_process(self.pid)

    def affinity(self) -> list[int]:
        return sorted(os.sched_getaffinity(self.pid))

    def head_cursor(self) -> int:
        """The newest event cursor, as a phone that has seen everything would reconnect with (read-only)."""
        with contextlib.closing(sqlite3.connect(f"file:{self.process.database}?mode=ro", uri=True)) as conn:
            return int(conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
