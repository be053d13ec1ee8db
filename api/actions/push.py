"""A device's push subscription: registering it to the caller's session, forgetting it."""

from __future__ import annotations

from api.clock import now_ms
from api.db import push as sql
from api.db.connection import Tx
from api.db.push import Subscription
from api.errors import conflict, not_found

# A user's devices that get pushes: one subscription per session (the newest replaces the session's older ones, as a
# browser that re-subscribes gets a new endpoint), and sessions are devices. A negotiator's phone, tablet, laptop and
# a browser or two fit well under ten; a push to every one of them costs one post each.
SUBSCRIPTIONS_PER_USER = 10


def register(tx: Tx, user_id: int, session_id: int, endpoint: str, p256dh: str, auth: str) -> Subscription:
    """Bind the (checked, canonical) endpoint to this session, replacing the session's older subscription.

    An endpoint stays with its user: another user's session gets a 409 (registering someone's endpoint must not
    divert their pushes). The same user's other session takes it over: the browser kept its subscription while its
    old session was lost (a cleared cookie, a log-in again), and the pushes go to the same device either way.
    """
    sql.replace_subscriptions_of_session(tx, session_id, endpoint)
    if sql.count_other_subscriptions(tx, user_id, endpoint) >= SUBSCRIPTIONS_PER_USER:
        raise conflict(
            "limit_reached",
            f"Pushes reach at most {SUBSCRIPTIONS_PER_USER} devices per account: turn them off on one, or log it out.",
        )
    subscription = sql.upsert_subscription(tx, session_id, user_id, endpoint, p256dh, auth, now_ms())
    if subscription is None:
        raise conflict("endpoint_taken", "This push endpoint is registered to another account.")
    return subscription


def unsubscribe(tx: Tx, user_id: int, endpoint: str) -> None:
    """Forget one of the user's subscriptions; 404 when they have none at this endpoint."""
    if not sql.delete_subscription(tx, user_id, endpoint):
        raise not_found("subscription")
