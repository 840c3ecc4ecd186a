"""Rendered statistics, cached per run and language.

A run's summary rows never change, so the page body and the API body of a run are rendered
once, cached under (run id, language) and never invalidated: the next run has a new id. The
refresh warms both languages right after it commits, so visitors never pay for rendering.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from insight import selectors
from insight.models import StatisticsRun

CACHE_SECONDS = 24 * 3600


def _key(kind: str, run_id: int) -> str:
    return f"insight:statistics-{kind}:{run_id}:{get_language()}"


def statistics_body(*, run: StatisticsRun) -> SafeString:
    """The statistics page's body (figures, tables and chart data) in the current language."""
    key = _key("body", run.pk)
    body = cache.get(key)
    if body is None:
        summary = selectors.statistics_summary(run=run)
        charts = selectors.chart_data(summary)
        charts["text"] = {
            "technologies": _("Technologies"),
            "needs": _("Needs"),
            "deals": _("Deals"),
            "tonnes": _("t CO2e avoided"),
        }
        body = render_to_string(
            "insight/includes/statistics_body.html", {"summary": summary, "charts": charts}
        )
        cache.set(key, str(body), CACHE_SECONDS)
    # Our own autoescaped template output, stored in the cache as plain text.
    return mark_safe(body)


def statistics_api_data(*, run: StatisticsRun) -> dict:
    """The body of GET /api/v1/stats/ in the current language."""
    from insight.api.serializers import StatisticsSerializer

    key = _key("api", run.pk)
    data = cache.get(key)
    if data is None:
        data = dict(StatisticsSerializer(selectors.statistics_summary(run=run)).data)
        cache.set(key, data, CACHE_SECONDS)
    return data


def statistics_cache_warm(*, run_id: int) -> None:
    run = StatisticsRun.objects.get(pk=run_id)
    for language, _name in settings.LANGUAGES:
        with override(language):
            statistics_body(run=run)
            statistics_api_data(run=run)
