"""Reusable OpenAPI descriptions of the error bodies the API returns."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

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
