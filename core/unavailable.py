from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

RETRY_AFTER_SECONDS = 5


def wants_json(request) -> bool:
    if request is None:
        return False
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def service_unavailable_response(request) -> HttpResponse:
    """503 without touching the database: JSON for the API, a self-contained page otherwise."""
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if wants_json(request):
        response = JsonResponse({"detail": message, "code": "service_unavailable"}, status=503)
    else:
        # No request context: the context processors (navigation, unread count) need the database.
        body = loader.get_template("errors/503.html").render({"message": message})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
