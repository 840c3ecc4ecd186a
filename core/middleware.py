"""A database that is restarting or unreachable answers 503 with a short message, never a
traceback; the request after it is back works again (CONN_HEALTH_CHECKS reconnects)."""

import logging

from django.db import InterfaceError, OperationalError

from core.unavailable import service_unavailable_response

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning(
                "database unavailable: %s %s: %s", request.method, request.path, exception
            )
            return service_unavailable_response(request)
        return None
