"""The scenarios, one module per family, one function each. Each returns one JSON-ready dict: figures, counts,
server and noise readings.

Counts (deliveries expected vs received, duplicates, failed requests, dropped sockets) decide `ok`;
speeds never do. The targets are checked and reported next to the figures.

- ``context``: what every scenario is given (the sizes of the full and the quick run among it), and targets.
- ``tracked_sends``: a timed, tracked send, and the slow seconds of a run.
- ``hops``: trips to a database thread per send, in process.
- ``fanout``: one team, one sender, every receiver on a socket, in three sending patterns.
- ``offline_flush``: an outbox flushed after being offline.
- ``push``: pushes/s to a local push service that verifies each one.
- ``idle``: idle sockets held under 1 GiB of server memory.
- ``many_teams``: every member of many teams on a socket, cues at a steady rate.
- ``meetings``: a live meeting in each of many teams: the floor asked for, granted, released; urgent cues that insist.
"""
