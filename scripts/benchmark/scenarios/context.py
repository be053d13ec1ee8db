"""What every scenario is given (the server, the cores, the API, the sizes of the run), and the shared steps."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from scripts.benchmark.harness.cores import Cores
from scripts.benchmark.harness.server import BenchServer
from scripts.benchmark.load.api_calls import Api

CONNECT_CONCURRENCY = 100


@dataclass(frozen=True)
class Sizes:
    fanout_users: int = 20
    fanout_warmup: int = 10
    fanout_messages: int = 200  # per phase
    fanout_rate: float = 20.0  # messages/s in the open-loop phase
    fanout_in_flight: int = 10
    teams: int = 1000
    team_size: int = 10
    many_rate: float = 100.0
    many_seconds: float = 30.0
    idle_step: int = 1000
    idle_max: int = 10_000
    idle_hold_seconds: float = 5.0
    push_messages: int = 200
    push_devices: int = 1  # per receiver
    offline_messages: int = 100
    hop_sends: int = 200  # in process (scripts/benchmark/hops.py)
    meeting_teams: int = 100  # a live meeting in each
    meeting_team_size: int = 5  # the lead (its owner) and the members at the table
    meeting_rounds: int = 20  # floor cycles (request, grant, release) per team
    meeting_period: float = 0.5  # s between the starts of a team's cycles (teams staggered across it)
    budget_seconds: float = 600.0  # per scenario, setup included


FULL = Sizes()
QUICK = Sizes(
    fanout_warmup=5,
    fanout_messages=30,
    teams=20,
    team_size=5,
    many_rate=40.0,
    many_seconds=3.0,
    idle_step=50,
    idle_max=100,
    idle_hold_seconds=1.0,
    push_messages=10,
    hop_sends=20,
    meeting_teams=4,
    meeting_team_size=4,
    meeting_rounds=4,
    meeting_period=0.25,
    budget_seconds=60.0,
)


@dataclass
class Context:
    server: BenchServer
    cores: Cores
    api: Api
    sizes: Sizes


def target(what: str, value: float | None, limit: float, unit: str, *, at_least: bool = False) -> dict[str, Any]:
    """A target and whether it was met (a figure that could not be measured, None, misses it)."""
    met = value is not None and (value >= limit if at_least else value <= limit)
    return {"what": what, "target": f"{'>=' if at_least else '<='} {limit:g} {unit}", "value": value, "met": met}


async def restart_server(ctx: Context) -> None:
    """A fresh server process on the same database (memory figures start from a clean heap)."""
    await ctx.api.http.close()
    await asyncio.to_thread(ctx.server.restart)
