"""Readings from /proc: a process's CPU seconds and memory, the busy and steal ticks of every core."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcessReading:
    cpu_s: float
    rss: int
    peak_rss: int


def read_process(pid: int | str) -> ProcessReading:
    """CPU seconds (user + system, all threads) and resident memory of a process, from /proc."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu_s = (int(fields[11]) + int(fields[12])) / TICKS
    memory = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            memory[key] = int(value.split()[0]) * 1024
    return ProcessReading(cpu_s, memory.get("VmRSS", 0), memory.get("VmHWM", 0))


@dataclass(frozen=True)
class CoreTicks:
    busy: int
    steal: int


def read_cores() -> dict[str, CoreTicks]:
    """Busy and steal ticks per core ("cpu0", "cpu1", ...) and for the whole machine ("cpu")."""
    cores = {}
    for line in Path("/proc/stat").read_text().splitlines():
        if not line.startswith("cpu"):
            break
        name, *values = line.split()
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in values[:8])
        cores[name] = CoreTicks(user + nice + system + irq + softirq + steal, steal)
    return cores
