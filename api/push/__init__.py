"""Web Push: VAPID keys, subscriptions, the durable queue and the worker that delivers it."""
