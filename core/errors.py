"""Error answers that need nothing but the request path: JSON `{"detail", "code"}` (the API's
error format, core.api.exceptions) under /api/ or for a client asking for JSON, otherwise a
self-contained page. Neither touches the database or the request context (the host may be
disallowed, the database may be what failed), and both speak the active language."""

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from core.unavailable import wants_json
from core.uploads import MAX_UPLOAD_BYTES

# SQLSTATEs of a transaction that lost a race with another one: a retry may succeed, the
# database itself is fine. 40001 serialization_failure, 40P01 deadlock_detected,
# 55P03 lock_not_available.
CONFLICT_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
# 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def sqlstate(error: BaseException) -> str | None:
    """The PostgreSQL error code behind a Django database error, if the server sent one."""
    seen = 0
    while error is not None and seen < 5:
        code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if code:
            return str(code)
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def is_database_unavailable(error: BaseException) -> bool:
    """A lost or refused connection, or a server shutting down: worth a 503 and a retry. A
    statement the server refused for its content ("word is too long to be indexed", 54000)
    is an OperationalError too, but a bug, not an outage."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    code = sqlstate(error)
    return code is None or code.startswith("08") or code in UNAVAILABLE_SQLSTATES


def is_transaction_conflict(error: BaseException) -> bool:
    return isinstance(error, DatabaseError) and sqlstate(error) in CONFLICT_SQLSTATES


def error_response(request, *, status: int, code: str, title: str, message: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"detail": message, "code": code}, status=status)
    body = loader.get_template("errors/plain.html").render(
        {"status": status, "title": title, "message": message}
    )
    return HttpResponse(body, status=status)


def conflict_retry_response(request) -> HttpResponse:
    return error_response(
        request,
        status=409,
        code="conflict",
        title=_("Conflict"),
        message=_("Someone else changed the same data at the same moment. Reload and try again."),
    )


def request_too_large_response(
    request, limit: int | None = None, size: int | None = None
) -> HttpResponse:
    if limit and size:
        # Said in megabytes, as the upload forms say their limits (a 30 MB picture).
        message = _(
            "What you sent is too large: %(size)s MB, at most %(limit)s MB can be sent at once. "
            "A file may have at most %(file_limit)s MB."
        ) % {
            "size": round(size / 1024 / 1024, 1),
            "limit": round(limit / 1024 / 1024),
            "file_limit": MAX_UPLOAD_BYTES // 1024 // 1024,
        }
    elif limit:
        message = _("The request is larger than %(limit)d bytes.") % {"limit": limit}
    else:
        message = _("The request is too large.")
    return error_response(
        request,
        status=413,
        code="request_too_large",
        title=_("Request too large"),
        message=message,
    )


def bad_request_response(request, message: str | None = None) -> HttpResponse:
    return error_response(
        request,
        status=400,
        code="bad_request",
        title=_("Bad request"),
        message=message or _("The request could not be understood."),
    )
