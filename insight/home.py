"""The home page: search the exchange, see what is new and featured, the headline figures of the
latest statistics refresh and the industries to browse. It reads the catalogue, the demand side
and the statistics, so it lives in insight, the app above them (core knows no app)."""

from __future__ import annotations

from django.core.cache import cache
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from catalog import selectors as catalog_selectors
from catalog.models import Category
from exchange import selectors as exchange_selectors
from insight import selectors

LATEST_TECHNOLOGIES = 6
FEATURED_TECHNOLOGIES = 3
LATEST_NEEDS = 4
# Featured: published listings with a granted patent and at least this readiness, newest first.
# The same set is a catalogue search anyone can open (featured_search_params).
FEATURED_MIN_TRL = 7
FIGURES_CACHE_SECONDS = 3600


def featured_search_params() -> dict[str, str]:
    return {"has_granted_patent": "true", "trl_min": str(FEATURED_MIN_TRL), "sort": "newest"}


def home_figures() -> dict | None:
    """The headline figures of the latest statistics refresh and the listings per industry code
    (None before the first refresh). A run never changes, so they are cached per run."""
    run = selectors.latest_run()
    if run is None:
        return None
    key = f"insight:home-figures:{run.pk}"
    figures = cache.get(key)
    if figures is None:
        summary = selectors.statistics_summary(run=run)
        stages = {row["stage"]: row["count"] for row in summary["deals_by_stage"]}
        listings = summary["listings"]
        figures = {
            "as_of": summary["as_of"],
            "technologies": listings["technologies"],
            "needs": listings["needs"],
            "deals": sum(stages.values()),
            "completed_deals": stages.get("completed", 0),
            "tonnes": summary["green_impact"]["total_tonnes"],
            "by_industry": {
                row["code"]: {"technologies": row["technologies"], "needs": row["needs"]}
                for row in listings["by_industry"]
            },
        }
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def home(request):
    figures = home_figures()
    counts = figures["by_industry"] if figures else {}
    industries = []
    for industry in Category.objects.filter(parent__isnull=True).prefetch_related("children"):
        industries.append(
            {
                "category": industry,
                "url": reverse("catalog:technology_list")
                + "?"
                + urlencode({"category": industry.code}),
                "counts": counts.get(industry.code),
                "groups": [
                    {
                        "category": group,
                        "url": reverse("catalog:technology_list")
                        + "?"
                        + urlencode({"category": group.code}),
                    }
                    for group in industry.children.all()
                ],
            }
        )
    needs = (
        exchange_selectors.needs_public(user=request.user)
        .select_related("category")
        .order_by("-published_at", "-pk")[:LATEST_NEEDS]
    )
    return render(
        request,
        "core/home.html",
        {
            "figures": figures,
            "industries": industries,
            "latest_technologies": catalog_selectors.latest_published_technologies(
                limit=LATEST_TECHNOLOGIES
            ),
            "featured_technologies": catalog_selectors.latest_published_technologies(
                limit=FEATURED_TECHNOLOGIES, granted_patent=True, min_trl=FEATURED_MIN_TRL
            ),
            "featured_url": reverse("catalog:technology_list")
            + "?"
            + urlencode(featured_search_params()),
            "latest_needs": list(needs),
            "featured_min_trl": FEATURED_MIN_TRL,
        },
    )


SEARCH_TARGETS = {"technologies": "catalog:technology_list", "needs": "exchange:need_list"}


def site_search(request):
    """The home page's search box: the words go to the technology or the need search."""
    target = SEARCH_TARGETS.get(request.GET.get("in", ""), SEARCH_TARGETS["technologies"])
    words = (request.GET.get("q") or "").strip()
    url = reverse(target)
    return redirect(f"{url}?{urlencode({'q': words})}" if words else url)
