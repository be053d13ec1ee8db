"""The noise guard: CPU and memory around a measured run, and other processes' share of the cores measured on."""

from __future__ import annotations

import gc
import time
from typing import Any

from scripts.benchmark.harness.cores import Cores
from scripts.benchmark.harness.profiler import Profiler
from scripts.benchmark.harness.readings import TICKS, read_cores, read_process
from scripts.benchmark.harness.server import BenchServer
from scripts.benchmark.harness.stats import mib

# Other processes may use this share of one core during a run before its figures are flagged unreliable.
NOISE_LIMIT = 0.10


_gc_paused = 0


def pause_own_gc() -> None:
    """Keep this process's garbage collector out of the measurement (nested calls allowed).

    With 10,000 sockets open, one full collection here took over a second, and every arrival behind it
    would have been timed late. Everything alive now is frozen (never rescanned) and collection is off
    until resume_own_gc(); a measured run is short, so what it leaves for the collector stays small.
    """
    global _gc_paused
    if _gc_paused == 0:
        gc.collect()
        gc.freeze()
        gc.disable()
    _gc_paused += 1


def resume_own_gc(*, all_levels: bool = False) -> None:
    """Undo one pause_own_gc() (or every one still open, after a scenario failed midway)."""
    global _gc_paused
    if _gc_paused == 0:
        return
    _gc_paused = 0 if all_levels else _gc_paused - 1
    if _gc_paused == 0:
        gc.unfreeze()
        gc.enable()


class Window:
    """CPU and memory around one measured run: the server's, this process's, and everyone else's.

    Other processes' CPU = all busy ticks of the machine (steal included) minus the server's and the bench's.
    With the server and the bench each on a core of its own, the others' share on those two cores is what
    disturbs the figures; above NOISE_LIMIT of one core, the run is flagged unreliable.
    """

    def __init__(self, server: BenchServer, cores: Cores, profile: str | None = None) -> None:
        self.server = server
        self.cores = cores
        self._profiler = Profiler(server, profile) if profile and server.profile_dir else None
        pause_own_gc()
        self._t = time.monotonic()
        self._server = server.reading()
        self._bench = read_process("self")
        self._ticks = read_cores()

    def finish(self) -> dict[str, Any]:
        wall = time.monotonic() - self._t
        server, bench, ticks = self.server.reading(), read_process("self"), read_cores()
        resume_own_gc()
        if self._profiler is not None:
            self._profiler.stop()
        server_cpu = server.cpu_s - self._server.cpu_s
        bench_cpu = bench.cpu_s - self._bench.cpu_s

        def busy(core: str) -> float:
            return (ticks[core].busy - self._ticks[core].busy) / TICKS

        steal = (ticks["cpu"].steal - self._ticks["cpu"].steal) / TICKS
        others = max(0.0, busy("cpu") - server_cpu - bench_cpu)
        noise: dict[str, Any] = {
            "wall_s": round(wall, 2),
            "bench_cpu_s": round(bench_cpu, 2),
            "others_cpu_s": round(others, 2),
            "steal_s": round(steal, 2),
        }
        worst = others / wall if wall else 0.0
        if self.cores.server is not None and self.cores.bench is not None:
            on_server_core = max(0.0, busy(f"cpu{self.cores.server}") - server_cpu)
            on_bench_core = max(0.0, busy(f"cpu{self.cores.bench}") - bench_cpu)
            noise["others_on_server_core_s"] = round(on_server_core, 2)
            noise["others_on_bench_core_s"] = round(on_bench_core, 2)
            worst = max(on_server_core, on_bench_core) / wall if wall else 0.0
        noise["others_share_of_a_core"] = round(worst, 3)
        noise["unreliable"] = worst > NOISE_LIMIT
        if noise["unreliable"]:
            noise["why"] = f"other processes used {worst:.0%} of a core we measure on (limit {NOISE_LIMIT:.0%})"
        return {
            "server": {
                "rss_mib_before": mib(self._server.rss),
                "rss_mib_after": mib(server.rss),
                "peak_rss_mib": mib(server.peak_rss),
                "cpu_s_before": round(self._server.cpu_s, 2),
                "cpu_s_after": round(server.cpu_s, 2),
                "cpu_s": round(server_cpu, 2),
                "core_busy": round(server_cpu / wall, 3) if wall else 0.0,
            },
            "noise": noise,
        }
