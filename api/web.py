"""Static hosting of the PWA (with deep links falling back to the app shell), its shell list, security headers, HEAD."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from litestar import Request, Response, get
from litestar.datastructures import MutableScopeHeaders
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.params import FromPath
from litestar.response import File
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

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
NO_CACHE = {"cache-control": "no-cache"}  # the app's files: revalidated on every fetch (the service worker caches them)
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


# The paths the app's files can have: segments of URL-safe ASCII that do not start with a dot (no "." or "..", no
# hidden files), each at most 255 bytes (NAME_MAX), MAX_STATIC_PATH characters in all. Anything else is refused before
# the filesystem sees it: a NUL, an over-long name, undecodable bytes or a backslash made Path.resolve or is_file
# raise (a 500 with a traceback, for anyone to flood the log with).
MAX_STATIC_PATH = 1024
_STATIC_PATH = re.compile(r"(?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,254})*/?")


def _well_formed(path: str) -> bool:
    return len(path) <= MAX_STATIC_PATH and _STATIC_PATH.fullmatch(path) is not None


def _resolve(root: Path, path: str) -> Path | None:
    """The file under root that a well-formed path names, or None; never a file outside root."""
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
    if not _well_formed(path):
        raise not_found("file")
    found = _resolve(settings.pwa_dir, path)
    if found is None and "." not in path.rsplit("/", 1)[-1]:
        found = _resolve(settings.pwa_dir, "index.html")  # a deep link such as /join/<token>
    if found is None:
        raise not_found("file")
    return File(
        path=found,
        content_disposition_type="inline",
        headers=NO_CACHE,
        media_type=mimetypes.guess_type(found.name)[0] or "application/octet-stream",
    )


# The service worker precaches the app shell: every file served here but the workers (the browser keeps those).
# The list, and a version drawn from the files' paths and bytes, are computed at each request (a few dozen small
# files) and served as a module the worker imports (/shell.js): a new file cannot be left out of the cache, and a
# changed one renames it. The worker's own script ends with that version too: a browser updates an installed
# worker when the bytes of its script change, and Chromium 14x failed to start the new one when only an imported
# module had changed.
# The module worker lives at /worker.js. /sw.js, the classic worker's old address, holds a classic bridge that hands
# installed phones over to it (pwa/sw.js says how): their browsers check /sw.js as a classic script, and cannot be
# told apart from a module's request. pwa() serves it as it is: its bytes never need to change again.
SERVICE_WORKER = "worker.js"
BRIDGE = "sw.js"
WORKERS = frozenset({f"/{SERVICE_WORKER}", f"/{BRIDGE}"})


@dataclass(frozen=True)
class Shell:
    version: str
    files: list[str]


def shell_of(root: Path) -> Shell:
    """Every file under root that pwa() serves, sorted, but the service workers; and their digest."""
    paths = ("/" + p.relative_to(root).as_posix() for p in root.rglob("*"))
    files = sorted(p for p in paths if _well_formed(p) and _resolve(root, p) is not None and p not in WORKERS)
    digest = hashlib.sha256()
    for path in files:
        content = (root / path.lstrip("/")).read_bytes()
        digest.update(f"{path}\0{len(content)}\0".encode())
        digest.update(content)
    return Shell(digest.hexdigest()[:16], files)


def shell_module(shell: Shell) -> str:
    return (
        "// Generated by the server (api/web.py) from the files under pwa/: what the service worker precaches.\n"
        f"export const VERSION = {json.dumps(shell.version)};\n"
        f"export const SHELL = {json.dumps(shell.files)};\n"
    )


@get("/shell.js", include_in_schema=False, sync_to_thread=True)
def shell_js(settings: NamedDependency[Settings]) -> Response[str]:
    return Response(shell_module(shell_of(settings.pwa_dir)), media_type="text/javascript", headers=NO_CACHE)


@get(f"/{SERVICE_WORKER}", include_in_schema=False, sync_to_thread=True)
def service_worker(settings: NamedDependency[Settings]) -> Response[bytes]:
    script = (settings.pwa_dir / SERVICE_WORKER).read_bytes()
    stamp = f"// shell {shell_of(settings.pwa_dir).version}\n".encode()
    headers = {**NO_CACHE, "service-worker-allowed": "/"}
    return Response(script + stamp, media_type="text/javascript", headers=headers)


class HeadAsGet:
    """Answer HEAD as GET without the body, on every route: the headers a GET would get (Content-Length included).

    Litestar 2 routes a HEAD request only to an explicit @head handler, so every GET route answered 405. This
    wraps the whole app (routing included), so a HEAD is routed, authorized and handled exactly as its GET.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(cast("HTTPScope", {**scope, "method": "GET"}), receive, send_without_body)


route_handlers = [shell_js, service_worker, pwa]
