"""Rendered statistics, cached per run and language.

A run's summary rows never change, so the page body and the API body (insight.api.statistics)
of a run are rendered once, cached under (run id, language) and never invalidated: the next run
has a new id. The refresh warms both languages right after it commits (`statistics_cache_warm`
there), so visitors never pay for rendering.
"""

from __future__ import annotations

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from insight import selectors
from insight.models import StatisticsRun

CACHE_SECONDS = 24 * 3600


def cache_key(kind: str, run_id: int) -> str:
    return f"insight:statistics-{kind}:{run_id}:{get_language()}"


def statistics_body(*, run: StatisticsRun) -> SafeString:
    """The statistics page's body (figures, tables and chart data) in the current language."""
    key = cache_key("body", run.pk)
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
