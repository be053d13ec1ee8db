"""Shared pieces of the wire format: the strict base for request bodies, common constrained types, JSON only."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request

from api.errors import ApiError


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are an error, not silently dropped."""


Id = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
Cursor = Annotated[int, msgspec.Meta(ge=0, le=2**53)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=r"\S")]
Role = Annotated[str, msgspec.Meta(pattern=r"^(owner|lead|member)$")]


async def require_json(request: Request[Any, Any, Any]) -> None:
    """Before every request: a handler that takes a body takes it as ``application/json`` and nothing else.

    This also refuses the bodies a browser posts cross-site without asking first (text/plain, form encodings).
    Async on purpose: Litestar runs a sync hook in a worker thread, a thread hop on every request.
    """
    if "data" in request.route_handler.parsed_fn_signature.parameters and request.content_type[0] != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as JSON, with Content-Type: application/json.")
