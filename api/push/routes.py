"""Push routes: the VAPID public key, this device's subscriptions and my privacy level."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.actions import push as actions
from api.actions.push import SUBSCRIPTIONS_PER_USER as SUBSCRIPTIONS_PER_USER  # the tests' bound too
from api.auth import GUEST, Auth
from api.db import push as sql
from api.db.connection import Database
from api.db.push import Subscription
from api.errors import ApiError
from api.push.endpoints import ENDPOINT_MAX, canonical_endpoint, check_endpoint
from api.push.keys import KEY_MAX, check_keys
from api.push.vapid import Vapid
from api.settings import Settings
from api.wire import Body


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


PushLevel = Literal["hidden", "sender", "full"]


class Level(Body):
    level: PushLevel


@get("/push/key", summary="The VAPID public key (applicationServerKey) to subscribe with")
async def public_key(vapid: NamedDependency[Vapid]) -> PublicKey:
    return PublicKey(key=vapid.application_server_key)


@post(
    "/push/subscriptions",
    summary="Register this device's push subscription (bound to this session; replaces its older one)",
    opt=GUEST,
)
async def subscribe(
    data: JSONBody[SubscriptionIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> Response[Subscription]:
    check_keys(data.keys.p256dh, data.keys.auth)
    endpoint = await check_endpoint(data.endpoint, allow_loopback=settings.push_allow_loopback)
    subscription = await db.write(
        actions.register, auth.user_id, auth.session_id, endpoint, data.keys.p256dh, data.keys.auth
    )
    return Response(subscription, status_code=201)


@get("/push/subscriptions", summary="This device's push subscriptions (to check the server still has mine)", opt=GUEST)
async def list_subscriptions(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Subscription]:
    return await db.read(sql.subscriptions_of_session, auth.session_id)


def _stored_spelling(endpoint: str) -> str:
    """The endpoint as it would be stored; one that is no push URL was never stored (so: not found)."""
    try:
        return canonical_endpoint(endpoint)
    except ApiError:
        return endpoint


@delete("/push/subscriptions", summary="Forget a push subscription of mine", status_code=204, opt=GUEST)
async def unsubscribe(data: JSONBody[EndpointIn], auth: NamedDependency[Auth], db: NamedDependency[Database]) -> None:
    await db.write(actions.unsubscribe, auth.user_id, _stored_spelling(data.endpoint))


@get("/push/level", summary="What my pushes say: hidden (default), sender (and cue), or full text")
async def get_level(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Level:
    return Level(level=msgspec.convert(await db.read(sql.level_of, auth.user_id), PushLevel))


@put("/push/level", summary="Choose what my pushes say")
async def set_level(data: JSONBody[Level], auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Level:
    await db.write(sql.set_level, auth.user_id, data.level)
    return data


route_handlers = [public_key, subscribe, list_subscriptions, unsubscribe, get_level, set_level]
