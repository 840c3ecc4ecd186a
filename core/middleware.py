"""A database that is restarting or unreachable answers 503 with a short message, never a
traceback; the request after it is back works again (CONN_HEALTH_CHECKS reconnects).

A transaction that lost a race (deadlock, serialization failure, lock not available) is not an
unavailable database: it answers 409 so the client reloads and retries.

A request whose declared body is larger than MAX_REQUEST_BYTES is refused with 413 before
anything reads it."""

import logging

from django.conf import settings
from django.utils import timezone

from core.errors import (
    conflict_retry_response,
    is_database_unavailable,
    is_transaction_conflict,
    request_too_large_response,
)
from core.timezones import activate_for
from core.unavailable import service_unavailable_response

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_transaction_conflict(exception):
            logger.warning(
                "transaction conflict: %s %s: %s", request.method, request.path, exception
            )
            return conflict_retry_response(request)
        if is_database_unavailable(exception):
            logger.warning(
                "database unavailable: %s %s: %s", request.method, request.path, exception
            )
            return service_unavailable_response(request)
        return None


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "MAX_REQUEST_BYTES", None)
        if limit:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                logger.info(
                    "request too large: %s %s: %d bytes", request.method, request.path, length
                )
                response = request_too_large_response(request, limit, length)
                # The body stays unread: tell the client the connection will not be reused.
                response["Connection"] = "close"
                return response
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Each request runs in its signed-in user's time zone (core.timezones); API calls signed
    with a token switch to it once DRF has authenticated them. The zone is reset afterwards, so
    nothing leaks into the next request on the same thread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        activate_for(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
