"""Wall-clock time as UTC integer milliseconds, the only time format on the wire and in the database."""

import time


def now_ms() -> int:
    return time.time_ns() // 1_000_000
