"""The site's URLconf plus the two floors the load test compares DRF against.

`/bench/bare/` is Django's floor: a tiny JsonResponse without the database. `/bench/needs/` is
the floor for the data of GET /api/v1/needs/: the same count and first page (same queryset,
ordering and fields, as an anonymous reader sees them) built with `.values()` and a
JsonResponse, without DRF. Neither is a public URL of the site.
"""

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as site
from core.i18n import localized
from exchange.selectors import needs_visible_to

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

PAGE_SIZE = 20  # REST_FRAMEWORK["PAGE_SIZE"], the API's default page
NEED_COLUMNS = [
    "id",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "category__code",
    "industry",
    "context",
    "trl_min",
    "budget_min",
    "budget_max",
    "currency",
    "transaction_modes",
    "region",
    "deadline",
    "is_anonymous",
    "is_open_call",
    "call_closes_on",
    "status",
    "close_reason",
    "review_comment",
    "organization__name_zh",
    "organization__name_en",
    "published_at",
]


def bare(request):
    """A tiny JSON answer without database access, through the full middleware stack."""
    return JsonResponse({"status": "ok", "service": "gte", "items": [1, 2, 3]})


def _datetime(value):
    # As DRF's DateTimeField writes it: in the current time zone, UTC as `Z`.
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value):
    return None if value is None else value.isoformat()


def _money(value):
    return None if value is None else str(value)


def _need(row: dict) -> dict:
    """One row as the API writes it for an anonymous reader (the company of an anonymous need
    hidden, no workflow action)."""
    company = localized(row["organization__name_zh"], row["organization__name_en"])
    return {
        "id": row["id"],
        "title_zh": row["title_zh"],
        "title_en": row["title_en"],
        "description_zh": row["description_zh"],
        "description_en": row["description_en"],
        "category": row["category__code"],
        "industry": row["industry"],
        "context": row["context"],
        "trl_min": row["trl_min"],
        "budget_min": _money(row["budget_min"]),
        "budget_max": _money(row["budget_max"]),
        "currency": row["currency"],
        "transaction_modes": row["transaction_modes"],
        "region": row["region"],
        "deadline": _date(row["deadline"]),
        "is_anonymous": row["is_anonymous"],
        "is_open_call": row["is_open_call"],
        "call_closes_on": _date(row["call_closes_on"]),
        "status": row["status"],
        "close_reason": row["close_reason"],
        "review_comment": row["review_comment"],
        "organization_name": None if row["is_anonymous"] else company,
        "published_at": _datetime(row["published_at"]),
        "allowed_actions": [],
    }


def bare_needs(request):
    """GET /api/v1/needs/'s first page as an anonymous reader gets it, without DRF."""
    rows = needs_visible_to(user=AnonymousUser()).values(*NEED_COLUMNS)
    page = Paginator(rows, PAGE_SIZE).page(1)
    return JsonResponse(
        {
            "count": page.paginator.count,
            "next": request.build_absolute_uri("?page=2") if page.has_next() else None,
            "previous": None,
            "results": [_need(row) for row in page],
        }
    )


urlpatterns = [path("bench/bare/", bare), path("bench/needs/", bare_needs), *site]
