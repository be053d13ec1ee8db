"""Statistics of the figures: nearest-rank percentiles, latencies in ms, sizes in MiB."""

from __future__ import annotations

import math
from collections.abc import Sequence

MIB = 1024 * 1024


def mib(size: float) -> float:
    return round(size / MIB, 1)


def percentile(ordered: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


def latency_ms(samples_ns: Sequence[int]) -> dict[str, float | int]:
    ordered = sorted(samples_ns)

    def ms(value: float) -> float:
        return round(value / 1e6, 2)

    return {
        "n": len(ordered),
        "p50_ms": ms(percentile(ordered, 0.50)),
        "p95_ms": ms(percentile(ordered, 0.95)),
        "p99_ms": ms(percentile(ordered, 0.99)),
        "max_ms": ms(ordered[-1] if ordered else 0),
    }
