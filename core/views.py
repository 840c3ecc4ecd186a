import logging
import sys

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework import exceptions as drf_exceptions

from core import status
from core.errors import (
    bad_request_response,
    conflict_retry_response,
    is_database_unavailable,
    is_transaction_conflict,
    request_too_large_response,
)
from core.unavailable import service_unavailable_response, wants_json

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """For machines (container health checks): 503 when the database or the broker is down;
    how the workers and the read replica (if any: its state and replay lag) do is reported, but
    neither fails the web container: the primary still serves every write."""
    results = {check.code: check for check in status.service_checks()}
    checks = {code: check.state for code, check in results.items()}
    down = [code for code in ("database", "broker") if checks[code] != "ok"]
    body = {
        "status": "ok" if not down else "unavailable",
        "checks": {code: checks[code] for code in ("database", "broker")},
        "workers": checks["worker"],
    }
    if "replica" in results:
        body["replica"] = {
            "state": checks["replica"],
            "lag_seconds": results["replica"].lag_seconds,
        }
    if down:
        body["down"] = down
    return JsonResponse(body, status=200 if not down else 503)


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico before reading the page's icon link."""
    return redirect(static("favicon.svg"), permanent=True)


@never_cache
@require_GET
def service_status(request):
    """For people: each component in a sentence. Rendered without the request's context
    processors, which read the database, so the page opens when the database is down."""
    checks = status.service_checks()
    html = loader.render_to_string(
        "core/status.html",
        {
            "checks": checks,
            "all_ok": all(check.state == "ok" for check in checks),
            "checked_at": timezone.now(),
            "last_heartbeat": status.last_heartbeat(),
        },
    )
    down = any(check.state == "down" for check in checks)
    return HttpResponse(html, status=503 if down else 200)


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
