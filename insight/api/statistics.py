"""The body of GET /api/v1/stats/, cached per run and language like the page's body
(insight.pages), and the warming of both after a refresh."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import override

from insight import selectors
from insight.api.serializers import StatisticsSerializer
from insight.models import StatisticsRun
from insight.pages import CACHE_SECONDS, cache_key, funnel_section, statistics_body


def statistics_api_data(*, run: StatisticsRun) -> dict:
    """The body of GET /api/v1/stats/ in the current language."""
    key = cache_key("api", run.pk)
    data = cache.get(key)
    if data is None:
        data = dict(StatisticsSerializer(selectors.statistics_summary(run=run)).data)
        cache.set(key, data, CACHE_SECONDS)
    return data


def statistics_cache_warm(*, run_id: int) -> None:
    """Render the page body, its default funnel section and the API body of a run in every
    language."""
    run = StatisticsRun.objects.get(pk=run_id)
    for language, _name in settings.LANGUAGES:
        with override(language):
            statistics_body(run=run)
            funnel_section(query=None, run=run)
            statistics_api_data(run=run)
