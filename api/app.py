"""The application factory: routes, dependencies, lifespan and error handling in one place."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute
from litestar.types import ASGIApp

from api import accounts, channels, cues, events, live, meetings, messages, search, sources, sync, teams, web
from api.auth import Passwords, authenticate
from api.db.connection import Database
from api.errors import document_errors, exception_handlers
from api.escalator import Escalator
from api.hub import Hub, create_channels_plugin
from api.live import Sockets
from api.numbers import ascii_integer
from api.presence import Presence
from api.push import routes as push_routes
from api.push.vapid import Vapid, load_or_create_private_key
from api.push.worker import PushWorker
from api.settings import Settings
from api.throttle import Throttles
from api.wire import BodySchemaPlugin, require_json

# Request bodies above this are refused with 413 before they are read into memory.
MAX_BODY_BYTES = 64 * 1024


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    channels_plugin = create_channels_plugin()
    hub = Hub(channels_plugin)
    database = Database(settings.database_path, publish=hub.publish)
    passwords = Passwords(settings.password_time_cost, settings.password_memory_kib)
    throttles = Throttles(settings.messages_per_minute)
    presence = Presence()
    sockets = Sockets()
    vapid = Vapid(load_or_create_private_key(settings.data_dir, settings.vapid_private_key), settings.vapid_subject)
    push_worker = PushWorker(database, vapid, allow_loopback=settings.push_allow_loopback)
    escalator = Escalator(database, presence, push_worker)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await database.open()
        await push_worker.start()
        await escalator.start()
        try:
            yield
        finally:
            await escalator.stop()
            await push_worker.stop()
            await database.close()

    def constant(value: object) -> Provide:
        return Provide(lambda: value, use_cache=True, sync_to_thread=False)

    api = Router(
        path="/api",
        route_handlers=[
            *accounts.route_handlers,
            *teams.route_handlers,
            *channels.route_handlers,
            *cues.route_handlers,
            *messages.route_handlers,
            *meetings.route_handlers,
            *sources.route_handlers,
            *search.route_handlers,
            *sync.route_handlers,
            *events.route_handlers,
            *live.route_handlers,
            *push_routes.route_handlers,
        ],
    )
    _refresh_options(api)
    document_errors(api)
    return Litestar(
        route_handlers=[api, *web.route_handlers],
        dependencies={
            "db": constant(database),
            "hub": constant(hub),
            "settings": constant(settings),
            "passwords": constant(passwords),
            "throttles": constant(throttles),
            "presence": constant(presence),
            "sockets": constant(sockets),
            "vapid": constant(vapid),
            "push_worker": constant(push_worker),
            "escalator": constant(escalator),
            "auth": Provide(authenticate),
        },
        signature_namespace={
            "Database": Database,
            "Hub": Hub,
            "Settings": Settings,
            "Passwords": Passwords,
            "Throttles": Throttles,
            "State": State,
            "Presence": Presence,
            "Sockets": Sockets,
            "Vapid": Vapid,
            "PushWorker": PushWorker,
            "Escalator": Escalator,
        },
        plugins=[channels_plugin, BodySchemaPlugin(), StrictPathNumbers()],
        lifespan=[lifespan],
        before_request=require_json,
        before_send=[web.add_security_headers],
        exception_handlers=exception_handlers,
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="Backchannel", version="1", path="/schema", render_plugins=[JsonRenderPlugin()]
        ),
        logging_config=None,
        debug=False,
    )


def _refresh_options(router: Router) -> None:
    """Work around Litestar 2's automatic OPTIONS handler (litestar#4169, fixed in 3): on a path served by several
    handlers (GET and POST /api/sessions) its Allow header names only the first one's methods. Rebuilding each route
    once all its handlers are in gives it a new OPTIONS handler that names them all."""
    for index, route in enumerate(router.routes):
        if isinstance(route, HTTPRoute):
            handlers = [handler for handler in route.route_handlers if "OPTIONS" not in handler.http_methods]
            router.routes[index] = HTTPRoute(path=route.path, route_handlers=handlers)


class StrictPathNumbers(ReceiveRoutePlugin):
    """Parse `{id:int}` path parameters in ASCII digits only (api/numbers.py): Litestar parses them with int(), which
    took any Unicode digit (an Arabic-Indic one made "/teams/<it>" team 1), "1_0" and " 1". A ValueError is a 404.
    Litestar hands each route to this plugin before it builds its routing table from the routes."""

    def receive_route(self, route: BaseRoute) -> None:
        for name, parameter in route.path_parameters.items():
            if parameter.type is int:
                route.path_parameters[name] = parameter._replace(parser=ascii_integer)


def app_from_env() -> ASGIApp:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return web.HeadAsGet(create_app(Settings.from_env()))
