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


def funnel_industries(*, run: StatisticsRun | None) -> list:
    """The industries offered by the funnel's form, cached per run (they never change)."""
    if run is None:
        return []
    key = f"insight:funnel-industries:{run.pk}"
    industries = cache.get(key)
    if industries is None:
        industries = selectors.funnel_industries(run=run)
        cache.set(key, industries, CACHE_SECONDS)
    return industries


def funnel_section(*, query, run: StatisticsRun | None, broker=None) -> tuple[SafeString, int]:
    """The funnel section (period and industry form, charts' data and tables) and its HTTP
    status: 400 when the query is refused. The platform's sections are cached per run,
    language and query like the page body; a broker's own funnel is rendered each time."""
    from insight.forms import FunnelForm

    form = FunnelForm(query or None, industries=funnel_industries(run=run))
    if form.is_bound and not form.is_valid():
        context = {"funnel_form": form, "funnel": None}
        return render_to_string("insight/includes/funnel.html", context), 400
    data = form.cleaned_data if form.is_bound else {"period": "quarter", "industry": None}
    if run is None:
        return SafeString(""), 200
    key = None
    if broker is None:
        industry = data["industry"].code if data["industry"] else ""
        key = cache_key(f"funnel-{data['period']}-{industry}", run.pk)
        html = cache.get(key)
        if html is not None:
            return mark_safe(html), 200  # our own autoescaped template output
    funnel = selectors.funnel(
        run=run, period=data["period"], industry=data["industry"], broker=broker
    )
    context = {
        "funnel_form": form,
        "funnel": funnel,
        "funnel_charts": selectors.funnel_chart_data(funnel),
    }
    html = render_to_string("insight/includes/funnel.html", context)
    if key is not None:
        cache.set(key, str(html), CACHE_SECONDS)
    return mark_safe(html), 200
