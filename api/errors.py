"""One JSON error shape for every 4xx and 5xx: ``{"error", "detail", "fields"}``."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response, Router
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.routes import HTTPRoute
from litestar.types import ExceptionHandlersMap

from api.names import explain

log = logging.getLogger("backchannel.errors")


class ErrorBody(msgspec.Struct):
    error: str
    detail: str
    fields: dict[str, str] = msgspec.field(default_factory=dict)


class ApiError(Exception):
    """A request that cannot be served, with a stable machine-readable code."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.fields = fields or {}
        self.headers = headers or {}


def invalid(field: str, problem: str) -> ApiError:
    return ApiError(400, "invalid_request", f"{field}: {problem}", {field: problem})


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, "forbidden", detail)


def conflict(code: str, detail: str) -> ApiError:
    return ApiError(409, code, detail)


_CODES = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _respond(status: int, body: ErrorBody, headers: dict[str, str] | None = None) -> Response[ErrorBody]:
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _api_error(_: Request[Any, Any, Any], exc: ApiError) -> Response[ErrorBody]:
    return _respond(exc.status, ErrorBody(exc.code, exc.detail, exc.fields), exc.headers)


_NULL_ONLY = re.compile(r"Expected `null`, got `\w+`")
_LENGTH = re.compile(r"Expected `(str|array|object)` of length (>=|<=) (\d+)")
_UNITS = {"str": "characters", "array": "items", "object": "entries"}


def _in_words(problem: str) -> str:
    """The decoder's complaint about a field as a person would say it ("must be at least 8 characters")."""
    if _NULL_ONLY.fullmatch(problem):
        return "must be left out here"
    problem = problem.replace("`NoneType`", "`null`")  # JSON's word, not Python's
    length = _LENGTH.fullmatch(problem)
    if length is None:
        return explain(problem)
    kind, bound, count = length.groups()
    if bound == ">=":
        return "must not be empty" if count == "1" else f"must be at least {count} {_UNITS[kind]}"
    return f"must be at most {count} {_UNITS[kind]}"


# The decoder's complaints about an object's fields name the field in the message, and the object as the key
# ("data" for the body itself): the field is the key a person (and a form) needs.
_FIELD = re.compile(r"Object (missing required|contains unknown) field `([^`]+)`")
_FIELD_WORDS = {"missing required": "is required", "contains unknown": "is not a field here"}


def _field_problem(key: str, problem: str) -> tuple[str, str]:
    found = _FIELD.fullmatch(problem)
    if found is None:
        return key, _in_words(problem)
    which, name = found.groups()
    return (name if key in ("data", "body") else f"{key}.{name}"), _FIELD_WORDS[which]


def _validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[ErrorBody]:
    fields: dict[str, str] = {}
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "body")
            key, problem = _field_problem(key, str(item.get("message", "invalid")))
            fields[key] = problem
    detail = "; ".join(f"{key}: {problem}" for key, problem in fields.items()) or str(exc.detail)
    return _respond(400, ErrorBody("invalid_request", detail, fields))


# Litestar's word for a client that hung up while its body was being read (a 500 only to Litestar): nobody waits
# for the answer and nothing went wrong here, so it is not logged as an error (a client could flood the log).
_CLIENT_GONE = "client disconnected prematurely"


def too_deep(exc: RecursionError) -> bool:
    """Whether the decoder gave up on JSON nested deeper than Python's recursion allows (about a thousand levels,
    two kilobytes of brackets; no body or frame needs more than four). It decodes bodies before any route runs."""
    return "deserializing" in str(exc)


def _recursion_error(request: Request[Any, Any, Any], exc: RecursionError) -> Response[ErrorBody]:
    if too_deep(exc):
        return _respond(
            400, ErrorBody("invalid_request", "The JSON is nested too deeply.", {"body": "nested too deeply"})
        )
    return _unexpected(request, exc)


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    status = exc.status_code
    if status >= 500 and exc.detail == _CLIENT_GONE:
        log.info("client_disconnected while sending its body")
        return _respond(400, ErrorBody("invalid_request", "The request body never arrived in full."))
    if status >= 500:
        log.error("server error: %s", exc.detail)
        return _respond(500, ErrorBody("internal_error", "Something went wrong on our side."))
    return _respond(status, ErrorBody(_CODES.get(status, "error"), str(exc.detail)), exc.headers)


def _unexpected(_: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    log.exception("unhandled error", exc_info=exc)
    return _respond(500, ErrorBody("internal_error", "Something went wrong on our side."))


# What any API route may answer besides its own success, always in the one error shape (each route's OpenAPI entry
# lists them all: which ones a given route can give depends on the caller and the input more than on the route).
ERROR_RESPONSES = {
    status: ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)
    for status, description in {
        400: "invalid_request: a malformed body, parameter or path; `fields` names what is wrong",
        401: "unauthenticated (no valid session) or bad_credentials (log-in)",
        403: "forbidden (your role does not allow it) or csrf_failed (a cookie-authenticated write without the token)",
        404: "not_found: also for teams, channels and messages you are not in",
        409: "a conflict: username_taken, display_name_taken, channel_name_taken, client_id_reused, own_message, "
        "team_needs_owner, limit_reached, endpoint_taken, not_a_group",
        410: "invite_expired (revoked, used up or past its expiry); message_deleted (a retry of a deleted message)",
        413: "body_too_large: the request body is over 64 KiB",
        415: "unsupported_media_type: a body that is not application/json",
        429: "rate_limited: try again after the Retry-After header's seconds",
        500: "internal_error: a bug on our side (never caused by the input)",
    }.items()
}


def document_errors(router: Router) -> None:
    """Declare ERROR_RESPONSES on every HTTP route of the router, for the OpenAPI document."""
    for route in router.routes:
        for handler in route.route_handlers if isinstance(route, HTTPRoute) else []:
            handler.responses = {**ERROR_RESPONSES, **(handler.responses or {})}


exception_handlers: ExceptionHandlersMap = {
    ApiError: _api_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    RecursionError: _recursion_error,
    Exception: _unexpected,
}
