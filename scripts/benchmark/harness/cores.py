"""Cores and limits: the server on one core, the load generator on another; enough open files for the sockets."""

from __future__ import annotations

import contextlib
import os
import resource
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Cores:
    server: int | None
    bench: int | None

    @property
    def pinned(self) -> bool:
        return self.server is not None


def pick_cores() -> Cores:
    """The server on the first core this process may use, the load generator on the second (if there is one)."""
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return Cores(None, None)
    return Cores(allowed[0], allowed[1])


def pin_self(core: int | None) -> None:
    if core is not None:
        os.sched_setaffinity(0, {core})


@contextlib.contextmanager
def running_on(core: int | None) -> Iterator[None]:
    """Run the block on one core: a process started inside it inherits that core (and so do all its threads)."""
    if core is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def raise_open_files(wanted: int) -> int:
    """Raise the soft limit on open files (the server inherits it); return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
