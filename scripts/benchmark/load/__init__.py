"""The load generator's tools: a lean HTTP/1.1 client, the API calls the bench makes, live sockets, delivery tracking.

- ``http_client``: the keep-alive HTTP/1.1 connection pool.
- ``api_calls``: the bench's users and teams, and the API calls it makes (each checked).
- ``live_sockets``: devices' live sockets, which answer the heartbeat and report arrivals.
- ``tracker``: which receiver got which message when, for one measured run.
- ``pacing``: how a run's sends are started (open loop, one after another, a fixed number in flight).
"""
