"""Shared pieces of the wire format: the strict base for request bodies, common constrained types, JSON only."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from litestar import Request
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Schema
from litestar.params import PathParameter
from litestar.typing import FieldDefinition

from api.errors import ApiError
from api.names import NAME_PATTERN, PLAIN_WORDS, clean

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every request body: unknown fields are an error, not silently dropped; names are stored as
    api/names.py says (NFC, trimmed), here once, so that no route can forget it."""

    def __post_init__(self) -> None:
        for field in _name_fields(type(self)):
            setattr(self, field, clean(getattr(self, field)))


@cache
def _name_fields(cls: type[Body]) -> tuple[str, ...]:
    """The fields of a body that hold a name: those the name pattern constrains (Name, cue labels)."""
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    # A field with a description is wrapped in Metadata.
    kinds = ((f.name, f.type.type if isinstance(f.type, msgspec.inspect.Metadata) else f.type) for f in info.fields)
    return tuple(
        name for name, kind in kinds if isinstance(kind, msgspec.inspect.StrType) and kind.pattern == NAME_PATTERN
    )


class BodySchemaPlugin(StructSchemaPlugin):
    """Litestar's OpenAPI schema for a request body, plus what the decoder enforces that Litestar leaves out:
    no unknown fields (`additionalProperties: false`) and the bounds of list items (`members: list[Id]`); and a
    lower bound of 0 on a nullable number, which it drops."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        # A union of bodies (a tagged send) is Litestar's to split; each member comes back here on its own.
        return field_definition.is_subclass_of(Body) and not field_definition.is_union

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
            if isinstance(field.type, msgspec.inspect.UnionType) and isinstance(prop, Schema):
                # Litestar reads a nullable number's `ge=0` as no bound at all (a meeting's planned_at).
                for kind in field.type.types:
                    if isinstance(kind, msgspec.inspect.IntType) and kind.ge == 0 and prop.minimum is None:
                        prop.minimum = 0
        return schema


Id = Annotated[int, msgspec.Meta(ge=1, le=2**53)]
# A stored row's id in a route's path (/api/teams/{team_id:int}): out of range is a 400, never a database error.
PathId = Annotated[int, PathParameter(ge=1, le=2**53)]
Cursor = Annotated[int, msgspec.Meta(ge=0, le=2**53)]
# Patterns mean the same to Python and to ECMA clients: see END in api/names.py.
NAME_MAX = 60


def name_meta(max_length: int) -> msgspec.Meta:
    """The constraints of a name field of at most this many characters (the rule itself is in api/names.py)."""
    return msgspec.Meta(
        min_length=1, max_length=max_length, pattern=NAME_PATTERN, description=PLAIN_WORDS[NAME_PATTERN]
    )


Name = Annotated[str, name_meta(NAME_MAX)]
Role = Literal["owner", "lead", "member"]


async def require_json(request: Request[Any, Any, Any]) -> None:
    """Before every request: a handler that takes a body takes it as ``application/json`` and nothing else.

    This also refuses the bodies a browser posts cross-site without asking first (text/plain, form encodings).
    Async on purpose: Litestar runs a sync hook in a worker thread, a thread hop on every request.
    """
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return
    if request.content_type[0] != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as JSON, with Content-Type: application/json.")
    await _refuse_coerced(request, data.annotation)


# "Expected `int`, got `str` - at `$.credibility`": what strict decoding says of a value of the wrong JSON type.
_WRONG_TYPE = re.compile(r"Expected `([^`]+)`, got `([^`]+)`(?: - at `\$\.?([^`]*)`)?")


async def _refuse_coerced(request: Request[Any, Any, Any], annotation: Any) -> None:
    """Litestar converts a route's arguments, the body among them, with msgspec's strict=False, which takes "2" for
    2 and 0 for false: values the documented schema refuses. A body that decodes only by such a coercion (a string
    for a number or a boolean, a number for a boolean) is refused here; every other body goes on to Litestar
    unchanged (its errors too)."""
    raw = await request.body()
    try:
        msgspec.json.decode(raw, type=annotation, strict=True)
    except msgspec.ValidationError as strict:
        try:
            msgspec.json.decode(raw, type=annotation, strict=False)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return  # refused either way: Litestar says why, as it always has
        wrong = _WRONG_TYPE.fullmatch(str(strict))
        if wrong is None:
            return
        expected, got, field = wrong.group(1), wrong.group(2), wrong.group(3) or "body"
        if got != "str" and expected != "bool":
            return  # 15.0 for an integer: JSON Schema's integers include it, and so does the document
        problem = f"Expected `{expected}`, got `{got}`"
        raise ApiError(400, "invalid_request", f"{field}: {problem}", {field: problem}) from None
    except msgspec.DecodeError:
        return  # not JSON: Litestar's to refuse
