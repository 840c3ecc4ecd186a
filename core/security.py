"""Brute-force protection glue for django-axes: which account an attempt names, the backend that
refuses locked-out attempts, and the response a locked-out client sees (JSON for the API, a page
for browsers)."""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def attempted_username(request, credentials: dict | None) -> str:
    """The email address an attempt names: allauth and the token API pass `email`, the allauth
    form posts `login`. Lower-cased so `A@x` and `a@x` share one counter."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = getattr(request, "POST", {}).get("login") or getattr(request, "POST", {}).get(
            "email"
        )
    return str(value or "").strip().lower()


class AxesBackend(AxesStandaloneBackend):
    """Refuse attempts of a locked-out username+IP before any password is checked.

    Authentication without a request (management commands, the test client's `login()`) did not
    come over HTTP, so there is no client to lock out: it passes through to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else None
    message = _("Too many failed sign-in attempts. Try again in %(minutes)s minutes.") % {
        "minutes": minutes or 15
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return render(request, "errors/locked_out.html", {"message": message}, status=429)
