"""Push routes: the VAPID public key, this device's subscriptions and my privacy level."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

import msgspec
from litestar import Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from api.auth import Auth
from api.clock import now_ms
from api.db import push as sql
from api.db.connection import Database
from api.errors import invalid, not_found
from api.push.endpoints import ENDPOINT_MAX, check_endpoint
from api.push.vapid import Vapid
from api.settings import Settings
from api.wire import Body

KEY_MAX = 200


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


def _key_bytes(field: str, value: str, size: int) -> None:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise invalid(field, "is not base64url") from None
    if len(raw) != size or (size == 65 and raw[0] != 4):
        raise invalid(field, f"must be {size} bytes" + (" (an uncompressed P-256 point)" if size == 65 else ""))


@get("/push/key", summary="The VAPID public key (applicationServerKey) to subscribe with")
async def public_key(vapid: NamedDependency[Vapid]) -> PublicKey:
    return PublicKey(key=vapid.application_server_key)


@post("/push/subscriptions", summary="Register this device's push subscription (bound to this session)")
async def subscribe(
    data: JSONBody[SubscriptionIn],
    auth: NamedDependency[Auth],
    db: NamedDependency[Database],
    settings: NamedDependency[Settings],
) -> Response[Subscription]:
    _key_bytes("keys.p256dh", data.keys.p256dh, 65)
    _key_bytes("keys.auth", data.keys.auth, 16)
    await check_endpoint(data.endpoint, allow_loopback=settings.push_allow_loopback)
    now = now_ms()
    async with db.write() as tx:
        sub_id = await sql.upsert_subscription(
            tx.conn, auth.session_id, auth.user_id, data.endpoint, data.keys.p256dh, data.keys.auth, now
        )
    return Response(Subscription(id=sub_id, endpoint=data.endpoint, created_at=now), status_code=201)


@get("/push/subscriptions", summary="This device's push subscriptions (to check the server still has mine)")
async def list_subscriptions(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> list[Subscription]:
    async with db.read() as conn:
        rows = await sql.subscriptions_of_session(conn, auth.session_id)
    return [Subscription(id=row["id"], endpoint=row["endpoint"], created_at=row["created_at"]) for row in rows]


@delete("/push/subscriptions", summary="Forget a push subscription of mine", status_code=204)
async def unsubscribe(data: JSONBody[EndpointIn], auth: NamedDependency[Auth], db: NamedDependency[Database]) -> None:
    async with db.write() as tx:
        if not await sql.delete_subscription(tx.conn, auth.user_id, data.endpoint):
            raise not_found("subscription")


@get("/push/level", summary="What my pushes say: hidden (default), sender (and cue), or full text")
async def get_level(auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Level:
    async with db.read() as conn:
        return Level(level=await sql.level_of(conn, auth.user_id))  # type: ignore[arg-type]


@put("/push/level", summary="Choose what my pushes say")
async def set_level(data: JSONBody[Level], auth: NamedDependency[Auth], db: NamedDependency[Database]) -> Level:
    async with db.write() as tx:
        await sql.set_level(tx.conn, auth.user_id, data.level)
    return data


route_handlers = [public_key, subscribe, list_subscriptions, unsubscribe, get_level, set_level]
