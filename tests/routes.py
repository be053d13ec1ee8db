"""The app's own route table, so route-by-route tests fail when a route is added without a row for it."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from litestar.routes import HTTPRoute, WebSocketRoute

from api.app import create_app
from api.settings import Settings

Route = tuple[str, str]  # (HTTP method, path template as declared, e.g. "/api/teams/{team_id:int}")


def _app_routes() -> tuple[set[Route], set[str]]:
    with tempfile.TemporaryDirectory() as data_dir:  # the app is only built, never started
        app = create_app(Settings(data_dir=Path(data_dir), password_time_cost=1, password_memory_kib=1024))
    http: set[Route] = set()
    sockets: set[str] = set()
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue  # the PWA's static catch-all and the OpenAPI /schema routes
        if isinstance(route, WebSocketRoute):
            sockets.add(route.path)
        elif isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                http.update((method, route.path) for method in handler.http_methods if method != "OPTIONS")
    return http, sockets


API_ROUTES, SOCKET_ROUTES = _app_routes()


def fill(template: str, params: Mapping[str, object]) -> str:
    """The concrete path for a template: "/api/teams/{team_id:int}" with team_id=7 gives "/api/teams/7"."""
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(params[m.group(1)]), template)


def assert_error_shape(body: object) -> None:
    """Every 4xx/5xx body is exactly {"error": str, "detail": str, "fields": {str: str}}."""
    assert isinstance(body, dict), body
    assert set(body) == {"error", "detail", "fields"}, body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["detail"], str) and body["detail"], body
    assert isinstance(body["fields"], dict), body
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in body["fields"].items()), body
