import logging
import sys

from celery import current_app as celery_app
from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework import exceptions as drf_exceptions

from core.errors import (
    bad_request_response,
    conflict_retry_response,
    is_database_unavailable,
    is_transaction_conflict,
    request_too_large_response,
)
from core.unavailable import service_unavailable_response, wants_json

logger = logging.getLogger(__name__)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health check: database does not answer", exc_info=True)
        return False


def _broker_answers() -> bool:
    # The project's Celery app is the current one (config imports it at start-up); core knows
    # no project module, config included.
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("health check: broker does not answer", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_answers(), "broker": _broker_answers()}
    down = [name for name, answered in checks.items() if not answered]
    body = {
        "status": "ok" if not down else "unavailable",
        "checks": {name: ("ok" if answered else "down") for name, answered in checks.items()},
    }
    if down:
        body["down"] = down
    return JsonResponse(body, status=200 if not down else 503)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return request_too_large_response(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exception, DisallowedHost) or wants_json(request):
        # A disallowed host must not reach the context processors: they ask for the host again.
        return bad_request_response(request)
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    message = _("You do not have access to this page.")
    if wants_json(request):
        return JsonResponse(
            {
                "detail": str(drf_exceptions.PermissionDenied.default_detail),
                "code": "permission_denied",
            },
            status=403,
        )
    return render(request, "errors/403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    """404: JSON under /api/ (unmatched URLs and ids included), the site's page elsewhere."""
    if wants_json(request):
        return JsonResponse(
            {"detail": str(drf_exceptions.NotFound.default_detail), "code": "not_found"},
            status=404,
        )
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Called while the exception is being handled: a database that went away (raised outside a
    # view, e.g. by the session middleware) is a 503 the client may retry, not a server error;
    # a transaction that lost a race (deadlock) is a 409.
    error = sys.exc_info()[1]
    if is_transaction_conflict(error):
        return conflict_retry_response(request)
    if is_database_unavailable(error):
        return service_unavailable_response(request)
    if wants_json(request):
        return JsonResponse(
            {"detail": str(drf_exceptions.APIException.default_detail), "code": "server_error"},
            status=500,
        )
    # Rendered without the request context: the database may be what failed.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
