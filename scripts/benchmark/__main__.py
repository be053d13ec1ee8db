"""``python -m scripts.benchmark [--quick] [--only NAME ...]``: run the scenarios, print JSON lines and a summary.

Exits 1 when a count is wrong (a delivery lost or duplicated, a request or socket failed, a scenario crashed),
never because of a speed: targets are reported, not asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec

from scripts.benchmark.harness.cores import Cores, pick_cores, pin_self, raise_open_files
from scripts.benchmark.harness.noise import resume_own_gc
from scripts.benchmark.harness.progress import log
from scripts.benchmark.harness.server import SERVER_ENV, BenchServer
from scripts.benchmark.load.api_calls import Api, Team
from scripts.benchmark.load.http_client import Http
from scripts.benchmark.report import summary
from scripts.benchmark.scenarios.context import FULL, QUICK, Context
from scripts.benchmark.scenarios.fanout import team_fanout
from scripts.benchmark.scenarios.hops import hops_per_send
from scripts.benchmark.scenarios.idle import idle_connections
from scripts.benchmark.scenarios.many_teams import many_teams
from scripts.benchmark.scenarios.meetings import meetings
from scripts.benchmark.scenarios.offline_flush import offline_flush
from scripts.benchmark.scenarios.push import push_rate

NAMES = ("hops", "fanout", "offline", "push", "idle", "many", "meetings")
HTTP_CONNECTIONS = 64
SETUP_CONCURRENCY = 25  # teams set up at once


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small version of every scenario (under a minute)")
    parser.add_argument("--only", nargs="+", choices=NAMES, help="run only these scenarios")
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="sample the server with py-spy during each scenario into DIR"
    )
    args = parser.parse_args(argv)
    if args.profile and not (Path(sys.executable).parent / "py-spy").exists():
        parser.error("--profile needs py-spy in the venv: .venv/bin/pip install py-spy")
    return args


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    return (
        f"{os.cpu_count()} cores ({model}), {int(memory) // 1024 // 1024} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def header(args: argparse.Namespace, cores: Cores, open_files: int, setup_s: float | None) -> list[str]:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    pinning = (
        f"server pinned to core {cores.server}, load generator to core {cores.bench}"
        if cores.pinned
        else "not pinned (fewer than 2 cores available)"
    )
    settings = " ".join(f"{k}={v}" for k, v in SERVER_ENV.items())
    lines = [
        f"Backchannel bench, {'quick' if args.quick else 'full'} run, {now}",
        f"machine: {machine()}",
        f"{pinning}; open files limit {open_files}",
        f"server: python -m api serve on a fresh temporary database with {settings}",
        "  (cheap argon2 only speeds up sign-ups in the setup; the message rate limit is lifted for the sender)",
        "client: raw HTTP/1.1 keep-alive + websockets (offering permessage-deflate as browsers do); one clock",
    ]
    if setup_s is not None:
        lines.append(f"setup of the many-teams users took {setup_s:.1f} s")
    return lines


async def run(
    args: argparse.Namespace, server: BenchServer, cores: Cores, emit: Callable[[dict[str, Any]], None]
) -> float | None:
    sizes = QUICK if args.quick else FULL
    wanted = set(args.only or NAMES)
    http = Http("127.0.0.1", server.port, HTTP_CONNECTIONS)
    ctx = Context(server=server, cores=cores, api=Api(http), sizes=sizes)
    setup_s: float | None = None

    async def scenario(name: str, job: Callable[[], Awaitable[dict[str, Any]]]) -> None:
        log(f"scenario {name}")
        began = time.monotonic()
        try:
            async with asyncio.timeout(sizes.budget_seconds):
                result = await job()
        except Exception as exc:  # one failed scenario is reported and counted; the others still run
            result = {"scenario": name, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        finally:
            resume_own_gc(all_levels=True)
        result["quick"] = args.quick
        result["duration_s"] = round(time.monotonic() - began, 1)
        emit(result)

    try:
        if "hops" in wanted:
            await scenario("hops_per_send", lambda: hops_per_send(ctx))
        if "fanout" in wanted:
            await scenario("team_fanout", lambda: team_fanout(ctx))
        if "offline" in wanted:
            await scenario("offline_flush", lambda: offline_flush(ctx))
        if "push" in wanted:
            await scenario("push", lambda: push_rate(ctx))
        if wanted & {"idle", "many"}:
            log(f"setting up {sizes.teams} teams of {sizes.team_size}")
            began = time.monotonic()
            teams: list[Team] = []
            failure: Exception | None = None
            try:
                async with asyncio.timeout(sizes.budget_seconds):
                    teams = await ctx.api.make_teams(sizes.teams, sizes.team_size, SETUP_CONCURRENCY)
            except Exception as exc:  # reported by the scenarios that needed it
                failure = exc
            setup_s = time.monotonic() - began
            users = [member for team in teams for member in team.members]

            async def idle() -> dict[str, Any]:
                if failure is not None:
                    raise RuntimeError(f"setup failed: {failure!r}")
                return await idle_connections(ctx, users)

            async def many() -> dict[str, Any]:
                if failure is not None:
                    raise RuntimeError(f"setup failed: {failure!r}")
                return await many_teams(ctx, teams)

            if "idle" in wanted:
                await scenario("idle_connections", idle)
            if "many" in wanted:
                await scenario("many_teams", many)
        if "meetings" in wanted:
            await scenario("meetings", lambda: meetings(ctx))
    finally:
        await http.close()
    return setup_s


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cores = pick_cores()
    pin_self(cores.bench)
    open_files = raise_open_files(2 * FULL.idle_max + 1000)
    results: list[dict[str, Any]] = []

    def emit(result: dict[str, Any]) -> None:
        results.append(result)
        sys.stdout.write(msgspec.json.encode(result).decode() + "\n")
        sys.stdout.flush()

    with tempfile.TemporaryDirectory(prefix="backchannel-bench-") as tmp:
        server = BenchServer(Path(tmp) / "data", cores.server, args.profile)
        log(f"starting the server ({'quick' if args.quick else 'full'} run)")
        server.start()
        try:
            setup_s = asyncio.run(run(args, server, cores, emit))
        finally:
            server.stop()
            if not all(r.get("ok") for r in results):
                tail = server.process.log_path.read_text(errors="replace").splitlines()[-30:]
                log("the server's log ends with:\n" + "\n".join(tail))
    print(summary(results, header(args, cores, open_files, setup_s), quick=args.quick), flush=True)
    return 0 if results and all(r.get("ok") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
