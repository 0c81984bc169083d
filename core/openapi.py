"""The OpenAPI description every API shares: its errors, filters and inputs.

The hooks `error_responses` and `empty_filters_mean_unfiltered` are registered
in SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]. Views document their own
outcomes; `error_responses` adds what the stack answers for any of them (the
error shape of core.serializers.ErrorSerializer for
400/401/403/404/413/415/429/503). The extensions below (registered when
CoreConfig imports this module) describe strict input, decimals and bounded
lists exactly as the API checks them.
"""

from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import build_array_type
from rest_framework import serializers

ERROR = {"$ref": "#/components/schemas/Error"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "string"},
    }
}
_WHOLE = {"type": "string", "pattern": "^[0-9]+$"}
# On every answer to a shop (catalog/throttling.py); not sent to staff sessions.
RATE_LIMIT = {
    "X-RateLimit-Limit": {
        "description": "The shop's burst: requests its bucket holds when full.",
        "schema": _WHOLE,
    },
    "X-RateLimit-Remaining": {
        "description": "Requests the shop may still send at once.",
        "schema": _WHOLE,
    },
    "X-RateLimit-Reset": {
        "description": "Seconds until the bucket is full again.",
        "schema": _WHOLE,
    },
}
GENERIC = {
    "400": "Invalid input (a field, a query parameter or a header).",
    "401": "No or invalid credentials.",
    "403": "The caller's role may not do this (or the CSRF token is missing).",
    "404": "No such object for this caller, or no such page.",
    "413": "The request body is too large.",
    "415": "The body is not JSON.",
    "429": "The shop's request bucket is empty; retry after `Retry-After` seconds.",
    "503": "The database is unavailable for a moment; retry shortly.",
}
# A write is not always undone (core.unavailable): the connection may drop
# during its COMMIT.
WRITE_503 = (
    "The database is unavailable for a moment. A write that met it was rolled "
    "back, unless the connection dropped during its COMMIT: then it may or may not "
    "have been saved. A shop's retry with the same `Idempotency-Key` is safe "
    "either way (a saved write replays its first answer, a lost one runs once)."
)
# Operations documented without a request body refuse one (core.api.NoBodyApi).
NO_BODY = "Takes no request body: send none, or `{}`; any other body is a 400."
NO_BODY_400 = (
    "Invalid input (a parameter or a header), or a request body: this operation "
    "takes none (send none, or `{}`)."
)

# Django and DRF refuse a NUL character in any text (a query parameter or a
# body field) with a 400; a required text field is also trimmed, so it needs
# one character that is not whitespace.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"


def _error(code: str, method: str, headers: dict | None = None) -> dict:
    writes = method in {"post", "put", "patch", "delete"}
    response = {
        "description": WRITE_503 if code == "503" and writes else GENERIC[code],
        "content": {"application/json": {"schema": ERROR}},
    }
    if headers:
        response["headers"] = headers
    return response


def error_responses(result, generator, request, public):
    """Every error answer an operation can give, in the `Error` shape."""
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            codes = {"503"}
            security = operation.get("security") or []
            if any(requirement for requirement in security):
                codes |= {"401", "403"}
            # The shop key's scheme (named in catalog.openapi): rate-limited.
            if any("shopKey" in requirement for requirement in security):
                codes.add("429")
            parameters = operation.get("parameters", [])
            if parameters or "requestBody" in operation:
                codes.add("400")
            if any(p.get("in") == "path" for p in parameters) or any(
                p.get("name") == "page" for p in parameters
            ):
                codes.add("404")
            if method in {"post", "put", "patch"}:
                codes |= {"400", "413", "415"}
            for code in sorted(codes):
                found = responses.get(code)
                if found is None:
                    responses[code] = _error(
                        code, method, RETRY_AFTER if code in {"429", "503"} else None
                    )
                elif code in {"429", "503"}:
                    found.setdefault("headers", {}).update(RETRY_AFTER)
            if method in {"post", "put", "patch"} and "requestBody" not in operation:
                responses["400"]["description"] = NO_BODY_400
                operation["description"] = (
                    f"{operation.get('description', '')}\n\n{NO_BODY}".strip()
                )
            if "429" in codes:  # a shop may call it
                for response in responses.values():
                    response.setdefault("headers", {}).update(RATE_LIMIT)
    return result


def _plain_text(schema: dict) -> bool:
    """A string schema with no format, enum or pattern of its own."""
    return schema.get("type") == "string" and not (
        {"format", "enum", "pattern"} & set(schema)
    )


def empty_filters_mean_unfiltered(result, generator, request, public):
    """django-filter ignores a filter given empty (`?status=`), and an empty
    `?page=` is the first page: say so. Text filters refuse a NUL character."""
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if method != "get":
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query" or parameter["name"] == "page_size":
                    continue
                schema = parameter.get("schema", {})
                if _plain_text(schema):
                    schema["pattern"] = NO_NUL
                    continue
                parameter["schema"] = {
                    "anyOf": [schema, {"type": "string", "enum": [""]}]
                }
                parameter.setdefault("description", "")
                meaning = (
                    "the first page" if parameter["name"] == "page" else "unfiltered"
                )
                parameter["description"] = (
                    f"{parameter['description']} An empty value means {meaning}."
                ).strip()
    return result


class BoundedListSerializerExtension(OpenApiSerializerFieldExtension):
    """`many=True` with min_length / max_length: minItems / maxItems."""

    target_class = "rest_framework.serializers.ListSerializer"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        component = auto_schema.resolve_serializer(self.target.child, direction)
        schema = build_array_type(component.ref if component else {})
        if self.target.min_length is not None:
            schema["minItems"] = self.target.min_length
        if self.target.max_length is not None:
            schema["maxItems"] = self.target.max_length
        return schema


class DecimalStringExtension(OpenApiSerializerFieldExtension):
    """A decimal as a string with at least one digit, and no sign when the
    field refuses negatives (drf-spectacular's pattern allows "" and "-")."""

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        whole = (field.max_digits or 20) - (field.decimal_places or 0)
        places = field.decimal_places or 0
        sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
        fraction = rf"(?:\.[0-9]{{0,{places}}})?" if places else ""
        schema = {
            "type": "string",
            "format": "decimal",
            "pattern": rf"^{sign}[0-9]{{1,{whole}}}{fraction}$",
        }
        if field.allow_null:
            schema["nullable"] = True
        return schema


class StrictInputExtension(OpenApiSerializerExtension):
    """A StrictInputSerializer refuses unknown keys (`additionalProperties:
    false`) and, like every DRF text field, NUL characters; a required text
    field is trimmed, so blank-only text is refused too."""

    target_class = "core.serializers.StrictInputSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(
            self.target, direction, bypass_extensions=True
        )
        schema["additionalProperties"] = False
        for name, prop in schema.get("properties", {}).items():
            field = self.target.fields.get(name)
            if isinstance(field, serializers.ListField):
                field, prop = field.child, prop.get("items", {})
            if isinstance(field, serializers.CharField) and _plain_text(prop):
                blank_refused = not field.allow_blank and field.trim_whitespace
                prop["pattern"] = NOT_BLANK if blank_refused else NO_NUL
        return schema
