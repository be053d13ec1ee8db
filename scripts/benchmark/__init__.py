"""Backchannel's benchmark: tap-to-buzz latency, throughput, connection scale, push rate, offline flush and
database hops per send.

Run it with ``scripts/bench`` (or ``scripts/bench --quick`` for the smoke run that ``scripts/test`` does).
The server runs in its own process on its own core, on a fresh temporary database; this process is the
load generator, pinned to another core, and it times everything on one clock (``time.perf_counter_ns``).

- ``harness``: the server process, its cores, ``/proc`` readings, the noise guard, the profiler, percentiles.
- ``load``: a lean HTTP/1.1 client, the API calls the bench needs, live sockets, delivery tracking, pacing.
- ``scenarios``: one module per scenario (hops, fanout, offline_flush, push, idle, many_teams), with the sizes
  of the full and the quick run.
- ``report``: the readable summary and the targets.
"""
