"""One error format for the whole API.

Validation errors keep DRF's shape (`{"field": ["message"]}`, non-field errors under
`non_field_errors`) so clients can show messages next to fields; every other error is
`{"detail": "...", "code": "..."}`. Domain errors raised by services are mapped here once:
Django's ValidationError becomes 400 with field errors, TransitionNotAllowed becomes 409.
A body above the size limits is 413, other suspicious requests (too many fields) 400. Errors
that never reach a DRF view (unmatched URLs, 500s) get the same JSON shape from core.views.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from core.api.parsers import RequestTooLarge
from core.workflow import TransitionNotAllowed


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


def exception_handler(exc, context):
    allowed_actions = (
        getattr(exc, "allowed", None) if isinstance(exc, TransitionNotAllowed) else None
    )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, TransitionNotAllowed):
        exc = Conflict(detail=str(exc), code=exc.code)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):
        # Too many fields or files, a malformed multipart body: the client's fault, a 400.
        exc = exceptions.ParseError()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(response.data, list):
            response.data = {"non_field_errors": response.data}
        return response
    detail = response.data.get("detail") if isinstance(response.data, dict) else response.data
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    response.data = {"detail": detail, "code": codes if isinstance(codes, str) else "error"}
    if allowed_actions is not None:
        response.data["allowed_actions"] = allowed_actions
    return response


def conflict_response(message: str) -> Response:
    return Response({"detail": message, "code": "conflict"}, status=status.HTTP_409_CONFLICT)
