"""The measured side: the server process on its own core, readings from /proc, the noise guard, percentiles.

- ``progress``: progress lines on stderr (stdout holds only the results).
- ``cores``: which core runs the server and which the load generator; the open files limit.
- ``readings``: CPU and memory of a process, busy ticks of the cores, from /proc.
- ``server``: the server process the bench measures, and its settings.
- ``noise``: the noise guard (a measured run's window) and this process's paused garbage collector.
- ``profiler``: py-spy sampling of the server (``--profile DIR``).
- ``stats``: percentiles, latencies and MiB.
"""
