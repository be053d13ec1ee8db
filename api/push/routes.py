"""Push routes: the VAPID public key, this device's subscriptions and my privacy level."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.auth import Auth
from api.clock import now_ms
from api.db import push as sql
from api.db.connection import Database, LegacyTransaction
from api.errors import ApiError, conflict, not_found
from api.push.endpoints import ENDPOINT_MAX, canonical_endpoint, check_endpoint
from api.push.keys import KEY_MAX, check_keys
from api.push.vapid import Vapid
from api.settings import Settings
from api.wire import Body

# A user's devices that get pushes: one subscription per session (the newest replaces the session's older ones, as a
# browser that re-subscribes gets a new endpoint), and sessions are devices. A negotiator's phone, tablet, laptop and
# a browser or two fit well under ten; a push to every one of them costs one post each.
SUBSCRIPTIONS_PER_USER = 10


class PublicKey(msgspec.Struct):
    key: str


class Keys(Body):
    p256dh: Annotated[str, msgspec.Meta(min_length=1, max_length=KEY_MAX)]
    auth: Annotated[str, msgspec.Meta(min_length=1, max_length=KEY_MAX)]


class SubscriptionIn(Body):
    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=ENDPOINT_MAX)]
    keys: Keys
    expirationTime: int | None = None


class EndpointIn(Body):
    endpoint: Annotated[str, msgspec.Meta(min_length=1, max_length=ENDPOINT_MAX)]


class Subscription(msgspec.Struct):
    id: int
    endpoint: str
    created_at: int


class Level(Body):
    level: Literal["hidden", "sender", "full"]


async def _register(tx: LegacyTransaction, auth: Auth, endpoint: str, keys: Keys) -> Subscription:
    """Bind the endpoint to this session, replacing the session's older subscription.

    An endpoint stays with its user: another user's session gets a 409 (registering someone's endpoint must not
    divert their pushes). The same user's other session takes it over: the browser kept its subscription while its
    old session was lost (a cleared cookie, a log-in again), and the pushes go to the same device either way.
    """
    await sql.replace_subscriptions_of_session(tx.conn, auth.session_id, endpoint)
    if await sql.count_other_subscriptions(tx.conn, auth.user_id, endpoint) >= SUBSCRIPTIONS_PER_USER:
        raise conflict(
            "limit_reached",
            f"Pushes reach at most {SUBSCRIPTIONS_PER_USER} devices per account: turn them off on one, or log it out.",
        )
    row = await sql.upsert_subscription(
        tx.conn, auth.session_id, auth.user_id, endpoint, keys.p256dh, keys.auth, now_ms()
    )
    if row is None:
        raise conflict("endpoint_taken", "This push endpoint is registered to another account.")
    return Subscription(id=row["id"], endpoint=endpoint, created_at=row["created_at"])


@get("/push/key", summary="The VAPID public key (applicationServerKey) to subscribe with")
async def public_key(vapid: NamedDependency[Vapid]) -> PublicKey:
    return PublicKey(key=vapid.application_server_key)


@post(
    "/push/subscriptions",
    summary="Register this device's push subscription (bound to this session; replaces its older one)",
)
async def subscribe(
    data: JSONBody[SubscriptionIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> Response[Subscription]:
    check_keys(data.keys.p256dh, data.keys.auth)
    endpoint = await check_endpoint(data.endpoint, allow_loopback=settings.push_allow_loopback)
    async with db.legacy_write() as tx:
        return Response(await _register(tx, auth, endpoint, data.keys), status_code=201)


@get("/push/subscriptions", summary="This device's push subscriptions (to check the server still has mine)")
async def list_subscriptions(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Subscription]:
    async with db.legacy_read() as conn:
        rows = await sql.subscriptions_of_session(conn, auth.session_id)
    return [Subscription(id=row["id"], endpoint=row["endpoint"], created_at=row["created_at"]) for row in rows]


def _stored_spelling(endpoint: str) -> str:
    """The endpoint as it would be stored; one that is no push URL was never stored (so: not found)."""
    try:
        return canonical_endpoint(endpoint)
    except ApiError:
        return endpoint


@delete("/push/subscriptions", summary="Forget a push subscription of mine", status_code=204)
async def unsubscribe(data: JSONBody[EndpointIn], auth: NamedDependency[Auth], db: NamedDependency[Database]) -> None:
    async with db.legacy_write() as tx:
        if not await sql.delete_subscription(tx.conn, auth.user_id, _stored_spelling(data.endpoint)):
            raise not_found("subscription")


@get("/push/level", summary="What my pushes say: hidden (default), sender (and cue), or full text")
async def get_level(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Level:
    async with db.legacy_read() as conn:
        return Level(level=await sql.level_of(conn, auth.user_id))  # type: ignore[arg-type]


@put("/push/level", summary="Choose what my pushes say")
async def set_level(data: JSONBody[Level], auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Level:
    async with db.legacy_write() as tx:
        await sql.set_level(tx.conn, auth.user_id, data.level)
    return data


route_handlers = [public_key, subscribe, list_subscriptions, unsubscribe, get_level, set_level]
