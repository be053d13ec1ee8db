"""Hosting: the app shell and its deep links, security headers, no caching of private data, OpenAPI."""

from __future__ import annotations

import httpx

from tests.server import ServerProcess


async def test_every_response_carries_the_security_headers(http: httpx.AsyncClient) -> None:
    for path in ("/", "/api/me", "/api/nowhere"):
        response = await http.get(path)
        csp = response.headers["content-security-policy"]
        for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"):
            assert directive in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "permissions-policy" in response.headers


async def test_api_responses_are_never_cached(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/me")).headers["cache-control"] == "no-store"


async def test_deep_links_open_the_app_shell(http: httpx.AsyncClient) -> None:
    shell = await http.get("/")
    deep = await http.get("/join/some-invite-token")
    assert shell.status_code == deep.status_code == 200
    assert deep.text == shell.text and "text/html" in deep.headers["content-type"]


async def test_unknown_files_and_api_paths_are_json_404s(http: httpx.AsyncClient) -> None:
    for path in ("/missing.js", "/api/unknown", "/%2e%2e/pyproject.toml", "/..%2fpyproject.toml"):
        response = await http.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"] == "not_found"


async def test_the_api_is_described_in_openapi(server: ServerProcess, http: httpx.AsyncClient) -> None:
    schema = (await http.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    for path in (
        "/api/accounts",
        "/api/sessions",
        "/api/teams/{team_id}/cues",
        "/api/channels/{channel_id}/messages",
        "/api/sync",
    ):
        assert path in paths


async def test_paths_never_escape_the_app_folder(http: httpx.AsyncClient) -> None:
    for path in ("/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc/passwd", "/%2e%2e/api/app.py"):
        response = await http.get(path)
        assert "root:" not in response.text and "create_app" not in response.text, path
