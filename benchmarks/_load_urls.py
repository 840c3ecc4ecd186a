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


def _same(value):
    return value


# Each field of the API's need, with the column it is read from and how the API writes it.
NEED_FIELDS = {
    "id": ("id", _same),
    "title_zh": ("title_zh", _same),
    "title_en": ("title_en", _same),
    "description_zh": ("description_zh", _same),
    "description_en": ("description_en", _same),
    "category": ("category__code", _same),
    "industry": ("industry", _same),
    "context": ("context", _same),
    "trl_min": ("trl_min", _same),
    "budget_min": ("budget_min", _money),
    "budget_max": ("budget_max", _money),
    "currency": ("currency", _same),
    "transaction_modes": ("transaction_modes", _same),
    "region": ("region", _same),
    "deadline": ("deadline", _date),
    "is_anonymous": ("is_anonymous", _same),
    "is_open_call": ("is_open_call", _same),
    "call_closes_on": ("call_closes_on", _date),
    "status": ("status", _same),
    "close_reason": ("close_reason", _same),
    "review_comment": ("review_comment", _same),
    "published_at": ("published_at", _datetime),
}
NEED_COLUMNS = [
    *(column for column, _write in NEED_FIELDS.values()),
    "organization__name_zh",
    "organization__name_en",
]


def _need(row: dict) -> dict:
    """One row as the API writes it for an anonymous reader (the company of an anonymous need
    hidden, no workflow action)."""
    company = localized(row["organization__name_zh"], row["organization__name_en"])
    need = {field: write(row[column]) for field, (column, write) in NEED_FIELDS.items()}
    need["organization_name"] = None if row["is_anonymous"] else company
    need["allowed_actions"] = []
    return need


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
