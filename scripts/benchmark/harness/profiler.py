"""Profiling (``--profile DIR``): py-spy samples the server during each measured run; a top-frames summary."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from scripts.benchmark.harness.progress import log
from scripts.benchmark.harness.server import BenchServer


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
