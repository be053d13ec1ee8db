"""Shared pieces of the wire format: the strict base for request bodies, common constrained types, JSON only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from litestar import Request
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Schema
from litestar.params import PathParameter
from litestar.typing import FieldDefinition

from api.errors import ApiError

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are an error, not silently dropped."""


class BodySchemaPlugin(StructSchemaPlugin):
    """Litestar's OpenAPI schema for a request body, plus two things the decoder enforces that Litestar leaves out:
    no unknown fields (`additionalProperties: false`) and the bounds of list items (`members: list[Id]`)."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return field_definition.is_subclass_of(Body)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        info = msgspec.inspect.type_info(field_definition.type_)
        assert isinstance(info, msgspec.inspect.StructType)
        for field in info.fields:
            prop = (schema.properties or {}).get(field.encode_name)
            if isinstance(field.type, msgspec.inspect.ListType) and isinstance(prop, Schema):
                item = field.type.item_type
                if isinstance(item, msgspec.inspect.IntType) and isinstance(prop.items, Schema):
                    prop.items.minimum, prop.items.maximum = item.ge, item.le
        return schema


Id = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
# A stored row's id in a route's path (/api/teams/{team_id:int}): out of range is a 400, never a database error.
PathId = Annotated[int, PathParameter(ge=1, le=2**53)]
Cursor = Annotated[int, msgspec.Meta(ge=0, le=2**53)]
# A pattern must accept the same strings in msgspec (Python's re) as in OpenAPI clients (ECMA regexes). Two traps:
# Python's `$` also matches before a final newline ("lead\n" passed `^(lead|member)$`), so END is a `$` that does
# not; and the two `\s` differ (\x1c-\x1f and \x85 are spaces only to Python, \ufeff only to ECMA), so NOT_BLANK
# names them all.
END = r"$(?!\n)"
NOT_BLANK = r"[^\s\x1c-\x1f\x85\ufeff]"
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=NOT_BLANK)]
Role = Literal["owner", "lead", "member"]


async def require_json(request: Request[Any, Any, Any]) -> None:
    """Before every request: a handler that takes a body takes it as ``application/json`` and nothing else.

    This also refuses the bodies a browser posts cross-site without asking first (text/plain, form encodings).
    Async on purpose: Litestar runs a sync hook in a worker thread, a thread hop on every request.
    """
    if "data" in request.route_handler.parsed_fn_signature.parameters and request.content_type[0] != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as JSON, with Content-Type: application/json.")
