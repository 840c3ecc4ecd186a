"""The site's URLconf plus `/bench/bare/`, the floor the load test compares DRF against."""

from django.http import JsonResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as site

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bare(request):
    """A tiny JSON answer without database access, through the full middleware stack."""
    return JsonResponse({"status": "ok", "service": "gte", "items": [1, 2, 3]})


urlpatterns = [path("bench/bare/", bare), *site]
