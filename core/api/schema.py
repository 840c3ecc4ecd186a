"""Reusable OpenAPI descriptions of the error bodies the API returns."""

import drf_spectacular.openapi
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.settings import api_settings

ERROR_BODY = inline_serializer(
    name="Error",
    fields={"detail": serializers.CharField(), "code": serializers.CharField()},
)
CONFLICT_BODY = inline_serializer(
    name="Conflict",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(),
        "allowed_actions": serializers.ListField(child=serializers.CharField(), required=False),
    },
)
VALIDATION_ERROR = OpenApiResponse(
    response=inline_serializer(
        name="ValidationError",
        fields={
            "field_name": serializers.ListField(child=serializers.CharField(), required=False),
            "non_field_errors": serializers.ListField(
                child=serializers.CharField(), required=False
            ),
        },
    ),
    description="Invalid input: a list of messages for each field that is wrong.",
)
ERROR_RESPONSES = {
    400: VALIDATION_ERROR,
    403: OpenApiResponse(ERROR_BODY, description="Not allowed."),
    404: OpenApiResponse(ERROR_BODY, description="Not found, or not visible to you."),
    409: OpenApiResponse(CONFLICT_BODY, description="Not possible in the current state."),
}


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail", "code"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Field name -> list of messages; `non_field_errors` for the rest.",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
}
COMMON_RESPONSES = {
    "401": "The token sent was refused (unknown, revoked or expired), or this operation "
    "needs a token and none was sent: sign in again.",
    "403": "Not signed in, or not allowed.",
    "429": "Too many requests: throttled, or signing in is locked for a while.",
}


def _json(schema_ref: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}


def document_common_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the errors the shared
    machinery can answer with, whatever the view declared — 401 (a refused token), 403
    (authentication/permissions, CSRF), 429 (throttles, lock-out), 404 for paths with an id
    (objects you may not see are 404) and for paginated lists (a page past the last), 400 for
    operations taking a body or query parameters (validation, bad filters), 409 for writes (a
    service's workflow refusal, a transaction that lost a race), 413 and 415 for bodies (too
    large, or in a content type the operation does not take)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("FieldErrors", VALIDATION_ERROR_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in COMMON_RESPONSES.items():
                responses.setdefault(
                    status, {"description": description, "content": _json("Error")}
                )
            if "{" in path:
                responses.setdefault(
                    "404",
                    {"description": "Not found, or not visible to you.", "content": _json("Error")},
                )
            paginated = any(
                parameter.get("in") == "query" and parameter.get("name") == "page"
                for parameter in operation.get("parameters", [])
            )
            if paginated:
                responses.setdefault(
                    "404",
                    {"description": "No such page (past the last one).", "content": _json("Error")},
                )
            takes_input = "requestBody" in operation or any(
                parameter.get("in") == "query" for parameter in operation.get("parameters", [])
            )
            if takes_input:
                responses.setdefault(
                    "400", {"description": "Invalid input.", "content": _json("FieldErrors")}
                )
            if method != "get":
                responses.setdefault(
                    "409",
                    {
                        "description": "Not possible in the current state (a workflow refusal, "
                        "with `allowed_actions`), or a concurrent change: reload and try again.",
                        "content": _json("Error"),
                    },
                )
            if "requestBody" in operation:
                responses.setdefault(
                    "413",
                    {"description": "The request body is too large.", "content": _json("Error")},
                )
                responses.setdefault(
                    "415",
                    {
                        "description": "A body in a content type the operation does not take, "
                        "or one its parser cannot read.",
                        "content": _json("Error"),
                    },
                )
    return result


class AutoSchema(drf_spectacular.openapi.AutoSchema):
    """drf-spectacular's AutoSchema, plus `Meta.schema_optional_fields` on a serializer: fields
    that are sometimes left out of a response (confidential details shown only to those with
    access), so the schema must not call them required.

    Request bodies are documented as JSON, the API's format. The default form and multipart
    parsers stay (the browsable API posts forms) but are not promised, as a malformed form body
    parses to "no fields" rather than failing; a view that takes uploads declares its own
    `parser_classes`, and those are documented as they are."""

    def map_parsers(self):
        media_types = super().map_parsers()
        if list(self.view.parser_classes) != list(api_settings.DEFAULT_PARSER_CLASSES):
            return media_types
        return [media_type for media_type in media_types if media_type == "application/json"]

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        optional = set(getattr(getattr(serializer, "Meta", None), "schema_optional_fields", ()))
        if optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema
