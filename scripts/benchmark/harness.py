"""The measured side: the server process on its own core, readings from /proc, the noise guard, percentiles."""

from __future__ import annotations

import contextlib
import gc
import math
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.server import FAST_PASSWORDS, ServerProcess

TICKS = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024
# Other processes may use this share of one core during a run before its figures are flagged unreliable.
NOISE_LIMIT = 0.10

# The bench server's settings, printed with the results. Cheap argon2 keeps the setup of 10,000 users short
# (it changes sign-up and log-in only); the message rate limit is lifted because one sender sends 600 cues.
SERVER_ENV = {
    **FAST_PASSWORDS,
    "BACKCHANNEL_PUSH_ALLOW_LOOPBACK": "1",
    "BACKCHANNEL_VAPID_SUBJECT": "mailto:bench@example.com",
    "BACKCHANNEL_MESSAGES_PER_MINUTE": "1000000",
}


def log(message: str) -> None:
    """Progress goes to stderr; stdout holds only the results."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- cores and limits


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


# ---------------------------------------------------------------------------------------------- /proc readings


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


# ---------------------------------------------------------------------------------------------- the server


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


# ---------------------------------------------------------------------------------------------- the noise guard


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


# ---------------------------------------------------------------------------------------------- profiling


class Profiler:
    """py-spy sampling the server during a measured run (``--profile DIR``): raw stacks and a top-frames summary.

    py-spy runs on the load generator's core, so it takes nothing from the server's.
    """

    def __init__(self, server: BenchServer, name: str) -> None:
        assert server.profile_dir is not None
        server.profile_dir.mkdir(parents=True, exist_ok=True)
        self.raw = server.profile_dir / f"{name}.stacks"
        py_spy = str(Path(sys.executable).parent / "py-spy")
        command = [py_spy, "record", "--pid", str(server.pid), "--rate", "500", "--format", "raw"]
        command += ["--output", str(self.raw), "--nonblocking"]
        self._proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)  # let it attach

    def stop(self) -> None:
        self._proc.send_signal(signal.SIGINT)
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self.raw.exists():
            self.raw.with_suffix(".txt").write_text(summarise_stacks(self.raw))
            log(f"  profile: {self.raw.with_suffix('.txt')}")


def summarise_stacks(path: Path, top: int = 40) -> str:
    """The frames with most samples (inclusive: anywhere on the stack; self: at its top), from py-spy's raw output."""
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        frames = stack.split(";")
        total += samples
        leaf[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    out = [f"{total} samples (non-idle threads of the server)", "", "inclusive:"]
    out += [f"{100 * n / total:6.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    out += ["", "self:"]
    out += [f"{100 * n / total:6.1f}%  {frame}" for frame, n in leaf.most_common(top)]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------- statistics


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
