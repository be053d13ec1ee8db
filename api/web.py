"""Static hosting of the PWA (with deep links falling back to the app shell) and security headers."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import MutableScopeHeaders
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File
from litestar.types import Message, Scope

from api.errors import not_found
from api.settings import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "manifest-src 'self'; worker-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


async def add_security_headers(message: Message, scope: Scope) -> None:
    """before_send hook: every HTTP response, errors included, gets the security headers; API ones no caching.

    Async on purpose: Litestar runs a sync hook in a worker thread, and this one sees every message sent,
    each live-socket frame included.
    """
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    if scope.get("scheme") == "https":
        headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"
    if scope["path"].startswith("/api/"):
        headers["cache-control"] = "no-store"


def _resolve(root: Path, path: str) -> Path | None:
    """The file under root that path names, or None; never a file outside root."""
    candidate = (root / path.lstrip("/")).resolve()
    if candidate.is_file() and candidate.is_relative_to(root.resolve()):
        return candidate
    return None


@get(["/", "/{path:path}"], include_in_schema=False, sync_to_thread=False)
def pwa(
    request: Request[Any, Any, Any], settings: NamedDependency[Settings], path: FromPath[str] = "/"
) -> File | Response[Any]:
    if path.startswith("/api/") or path == "/api":
        raise not_found("route")
    found = _resolve(settings.pwa_dir, path)
    if found is None and "." not in path.rsplit("/", 1)[-1]:
        found = _resolve(settings.pwa_dir, "index.html")  # a deep link such as /join/<token>
    if found is None:
        raise not_found("file")
    headers = {"cache-control": "no-cache"}
    if found.name == "sw.js":
        headers["service-worker-allowed"] = "/"
    return File(
        path=found,
        content_disposition_type="inline",
        headers=headers,
        media_type=mimetypes.guess_type(found.name)[0] or "application/octet-stream",
    )


route_handlers = [pwa]
