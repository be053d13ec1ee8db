"""Pacing: how the sends of a measured run are started."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

Send = Callable[[int], Coroutine[Any, Any, None]]  # send(i): the i-th send of a run


async def open_loop(count: int, rate: float, send: Send, max_in_flight: int) -> int:
    """Start send(i) every 1/rate s on a timer, whether or not earlier sends have finished.

    Returns how many sends were skipped because max_in_flight were already outstanding (the server fell behind).
    """
    start = time.perf_counter()
    tasks: set[asyncio.Task[None]] = set()
    skipped = 0
    for i in range(count):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(tasks) >= max_in_flight:
            skipped += 1
            continue
        task = asyncio.create_task(send(i))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)
    return skipped


async def sequential(count: int, send: Send) -> None:
    for i in range(count):
        await send(i)


async def in_flight(count: int, width: int, send: Send) -> None:
    """`width` sends outstanding at all times until `count` are done."""
    numbers = iter(range(count))

    async def lane() -> None:
        for i in numbers:
            await send(i)

    await asyncio.gather(*(lane() for _ in range(width)))
