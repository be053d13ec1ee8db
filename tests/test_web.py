"""Hosting: the app shell and its deep links, security headers, no caching of private data, OpenAPI."""

from __future__ import annotations

import re
from typing import Any

import httpx
import jsonschema_rs
import msgspec

import api.app  # noqa: F401  (imports every module, so every request body class exists)
from api.wire import Body
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


async def test_hsts_is_sent_over_https_only(http: httpx.AsyncClient) -> None:
    """Behind a TLS proxy on loopback, uvicorn takes the scheme from X-Forwarded-Proto (proxy_headers, trusted from
    127.0.0.1 only); over plain http HSTS would be ignored by browsers, and wrong on a development machine."""
    for path in ("/", "/api/me", "/api/nowhere"):
        assert "strict-transport-security" not in (await http.get(path)).headers
        tls = await http.get(path, headers={"X-Forwarded-Proto": "https"})
        assert tls.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains", path


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


async def test_options_names_every_method_of_a_path(http: httpx.AsyncClient) -> None:
    """Litestar 2 named only the first handler's methods on a path served by several (litestar#4169)."""
    for path, methods in {
        "/api/sessions": {"GET", "POST", "OPTIONS"},
        "/api/teams": {"GET", "POST", "OPTIONS"},
        "/api/push/level": {"GET", "PUT", "OPTIONS"},
        "/api/channels/1/messages": {"GET", "POST", "DELETE", "OPTIONS"},
    }.items():
        response = await http.options(path)
        assert response.status_code == 204, path
        assert set(response.headers["allow"].split(", ")) == methods, path


OPERATIONS = ("get", "post", "put", "patch", "delete")


async def test_every_operation_documents_its_errors_in_the_one_shape(http: httpx.AsyncClient) -> None:
    schema = (await http.get("/schema/openapi.json")).json()
    error = schema["components"]["schemas"]["ErrorBody"]
    assert set(error["properties"]) == {"error", "detail", "fields"}
    for path, item in schema["paths"].items():
        for method in OPERATIONS & item.keys():
            responses = item[method]["responses"]
            for status in ("400", "401", "403", "404", "409", "413", "415", "429", "500"):
                content = responses[status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)
            for status, response in responses.items():
                if status == "204":
                    assert "content" not in response, (method, path)  # a 204 has no body, not a JSON null


def _constraints(schema: dict[str, Any]) -> dict[str, Any]:
    """A property's bounds, those of its nullable branch included ({"anyOf": [{...}, {"type": "null"}]}). A nullable
    enum is one set of values with None in it, however it is spelled: msgspec's {"anyOf": [{"enum": [...]},
    {"type": "null"}]} or Litestar's {"type": ["null", "string"], "enum": [..., null]}."""
    keys = {"minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems"}
    found = {key: value for key, value in schema.items() if key in keys}
    branches = [*schema.get("anyOf", []), *schema.get("oneOf", [])]
    for branch in branches:
        found |= {key: value for key, value in branch.items() if key in keys}
    values: set[Any] = set()
    for part in (schema, *branches):
        values |= set(part.get("enum", []))
        if "const" in part:  # one allowed value (a tag such as a send's kind), as Litestar spells it
            values.add(part["const"])
    if values:
        nullable = any(branch.get("type") == "null" for branch in branches) or "null" in schema.get("type", [])
        found["enum"] = values | ({None} if nullable else set())
    return found


def _bodies(cls: type[Body] = Body) -> list[type[Body]]:
    """Every request body; a private base that bodies share (the send kinds' `_Send`) is never one itself."""
    found = [sub for direct in cls.__subclasses__() for sub in (direct, *_bodies(direct))]
    return [body for body in found if not body.__name__.startswith("_")]


def test_request_body_names_are_unique() -> None:
    """The OpenAPI document keys a body's schema by its class name: two bodies of one name would leave one of them
    documented as the other."""
    names = [body.__name__ for body in _bodies()]
    assert len(names) == len(set(names)), sorted(name for name in names if names.count(name) > 1)


async def test_request_bodies_are_documented_as_the_server_decodes_them(http: httpx.AsyncClient) -> None:
    """Every bound msgspec enforces on a request body is in the OpenAPI document, with unknown fields refused
    (Litestar drops both `additionalProperties: false` and the bounds of list items on its own)."""
    documented = (await http.get("/schema/openapi.json")).json()["components"]["schemas"]
    bodies = _bodies()
    assert len(bodies) > 10
    _, decoded = msgspec.json.schema_components(bodies)
    for cls in bodies:
        doc, truth = documented[cls.__name__], decoded[cls.__name__]
        assert doc["additionalProperties"] is False, cls
        assert set(doc["properties"]) == set(truth["properties"]), cls
        for name, prop in truth["properties"].items():
            assert _constraints(doc["properties"][name]) == _constraints(prop), (cls, name)
            if "items" in prop:
                assert _constraints(doc["properties"][name]["items"]) == _constraints(prop["items"]), (cls, name)


TRICKY = ["alice", "alice\n", "ok\n", "lead\n", "\n", " ", "\x1c", "\x1f", "\x85", "\xa0", "\ufeff", "\u200b", "\u3000"]


async def test_patterns_mean_the_same_to_the_server_and_to_clients(http: httpx.AsyncClient) -> None:
    """The server checks patterns with Python's re (through msgspec), clients with ECMA regexes (jsonschema_rs here):
    Python's `$` also matches before a final newline ("lead\\n" got past `^(lead|member)$` into a database CHECK, a
    500), and the two `\\s` differ on \\x1c-\\x1f, \\x85 and \\ufeff. Every pattern must accept the same strings."""
    document = (await http.get("/schema/openapi.json")).json()
    patterns: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert len(patterns) >= 3
    for pattern in patterns:
        for text in TRICKY:
            client = jsonschema_rs.is_valid({"type": "string", "pattern": pattern}, text)
            assert client == (re.search(pattern, text) is not None), (pattern, text)
