"""Shared pieces of the wire format: the strict base for request bodies and common constrained types."""

from __future__ import annotations

from typing import Annotated

import msgspec


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are an error, not silently dropped."""


Id = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
Cursor = Annotated[int, msgspec.Meta(ge=0, le=2**53)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=r"\S")]
Role = Annotated[str, msgspec.Meta(pattern=r"^(owner|lead|member)$")]
