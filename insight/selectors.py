"""Reads of the insight app: the public statistics, the review desk and the regional report.

The statistics and the regional report read only the summary tables of the latest completed
run. The review desk's queue sizes are live (one small indexed count per queue: a desk needs
them current); its turnaround times and workloads come from the summary tables.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from decimal import Decimal

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.choices import VerificationStatus
from accounts.models import Organization, OrganizationEvent
from accounts.permissions import platform_reviewers
from catalog.choices import SDG_GOALS, RevisionStatus, TechnologyAction, TechnologyStatus
from catalog.models import Category, Technology, TechnologyEvent, TechnologyRevision
from core.db import read_replica
from core.reasons import TurnDownReason
from core.regions import region_label
from exchange.choices import DealStage, NeedStatus
from exchange.crossborder import TradeDirection
from exchange.models import Deal, Need
from finance.choices import ApplicationStatus
from finance.models import FinancingApplication
from insight.choices import (
    DealScope,
    FunnelPeriod,
    FunnelStep,
    ImpactDimension,
    ImpactMethod,
    ListingKind,
    RegionalIndicator,
    ReviewQueue,
    RunStatus,
    TurnedDownKind,
)
from insight.models import (
    ConversionStatistic,
    DealStatistic,
    FunnelStatistic,
    ImpactStatistic,
    ListingStatistic,
    MatchingEfficiencyStatistic,
    MonthlyValueStatistic,
    RegionalStatistic,
    ReviewerWorkload,
    ReviewStatistic,
    SdgStatistic,
    StatisticsRun,
    TurnDownReasonStatistic,
)
from programmes.access import operator_organizations

ZERO = Decimal("0")
CHANGE_REQUESTED = (TechnologyAction.PROPOSE_CHANGE, TechnologyAction.CHANGE_SUBMIT)


def latest_run() -> StatisticsRun | None:
    """The newest completed refresh, read from the replica when there is one; the figures of a
    run are read from the database the run came from (_database_of)."""
    return (
        StatisticsRun.objects.using(read_replica())
        .filter(status=RunStatus.COMPLETED)
        .order_by("-finished_at", "-pk")
        .first()
    )


def _database_of(run: StatisticsRun | None) -> str:
    return (run._state.db if run is not None else None) or DEFAULT_DB_ALIAS


def method_label(method: str, run: StatisticsRun) -> str:
    """The method of a figure in words; the defaults' values are part of the method."""
    label = str(ImpactMethod(method).label)
    if method == ImpactMethod.STATED_RATE_DEFAULTS:
        label += " " + _("= %(deployments)s deployment(s) × %(years)s year(s)") % {
            "deployments": run.default_deployments,
            "years": run.default_years.normalize(),
        }
    return label


def _categories() -> dict[int, Category]:
    return {category.pk: category for category in Category.objects.all()}


# --- public statistics ---------------------------------------------------------------------------


def statistics_summary(*, run: StatisticsRun | None = None) -> dict | None:
    """Everything the statistics page and GET /api/v1/stats/ show, from the summary tables.

    None when no refresh has completed yet.
    """
    run = run or latest_run()
    if run is None:
        return None
    categories = _categories()
    listings = _listings(run, categories)
    deal_scope, deal_direction = _deal_scope_and_direction(run)
    return {
        "run_id": run.pk,
        "as_of": listings.pop("computed_at") or run.finished_at,
        "listings": listings,
        "deals_by_stage": _deals_by_stage(run),
        "deal_scope": deal_scope,
        "deal_direction": deal_direction,
        "completed_value_by_month": _completed_value_by_month(run),
        "conversion": _conversion(run),
        "green_impact": _green_impact(run, categories),
        "sdg_coverage": _sdg_coverage(run),
        "funnel": funnel(run=run, period=FunnelPeriod.QUARTER),
        "matching_efficiency": matching_efficiency(run=run),
        "turn_down_reasons": turn_down_reasons(run=run),
    }


def _listings(run, categories) -> dict:
    by_category: dict[int, dict[str, int]] = defaultdict(lambda: {"technology": 0, "need": 0})
    by_region: dict[str, dict[str, int]] = defaultdict(lambda: {"technology": 0, "need": 0})
    computed_at = None
    rows = (
        ListingStatistic.objects.using(_database_of(run))
        .filter(run=run)
        .values_list("kind", "category_id", "region", "count", "computed_at")
    )
    for kind, category_id, region, count, row_computed_at in rows:
        computed_at = row_computed_at
        if category_id is not None:
            by_category[category_id][kind] += count
        else:
            by_region[region][kind] += count
    industries: dict[int, dict] = {}
    category_rows = []
    for category_id, counts in by_category.items():
        category = categories[category_id]
        industry = categories.get(category.parent_id, category)
        category_rows.append(
            {
                "code": category.code,
                "name": category.name,
                "industry_code": industry.code,
                "technologies": counts[ListingKind.TECHNOLOGY],
                "needs": counts[ListingKind.NEED],
            }
        )
        entry = industries.setdefault(
            industry.pk,
            {"code": industry.code, "name": industry.name, "technologies": 0, "needs": 0},
        )
        entry["technologies"] += counts[ListingKind.TECHNOLOGY]
        entry["needs"] += counts[ListingKind.NEED]
    region_rows = [
        {
            "region": region,
            "label": region_label(region),
            "technologies": counts[ListingKind.TECHNOLOGY],
            "needs": counts[ListingKind.NEED],
        }
        for region, counts in by_region.items()
    ]
    region_rows.sort(key=lambda row: (-row["technologies"] - row["needs"], row["region"]))
    technologies = sum(row["technologies"] for row in region_rows)
    needs = sum(row["needs"] for row in region_rows)
    return {
        "computed_at": computed_at,
        "technologies": technologies,
        "needs": needs,
        "needs_without_category": needs - sum(row["needs"] for row in category_rows),
        "by_industry": sorted(industries.values(), key=lambda row: _code_key(row["code"])),
        "by_category": sorted(category_rows, key=lambda row: _code_key(row["code"])),
        "by_region": region_rows,
    }


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def _deals_by_stage(run) -> list[dict]:
    counts: dict[str, int] = defaultdict(int)
    for stage, count in (
        DealStatistic.objects.using(_database_of(run)).filter(run=run).values_list("stage", "count")
    ):
        counts[stage] += count
    return [
        {"stage": stage, "label": str(label), "count": counts.get(stage, 0)}
        for stage, label in DealStage.choices
    ]


SIGNED_STAGES = (DealStage.CONTRACT_SIGNED, DealStage.IN_EXECUTION, DealStage.COMPLETED)


def _deal_scope_and_direction(run) -> tuple[list[dict], list[dict]]:
    """International and domestic deals, and the cross-border ones by direction from China's
    side (export, import, foreign), from one read of the deal statistics."""
    scopes = {scope: {"deals": 0, "signed": 0} for scope in DealScope.values}
    directions = {direction: {"deals": 0, "signed": 0} for direction in TradeDirection.values}
    rows = (
        DealStatistic.objects.using(_database_of(run))
        .filter(run=run)
        .values_list("stage", "scope", "direction", "count")
    )
    for stage, scope, direction, count in rows:
        signed = count if stage in SIGNED_STAGES else 0
        scopes[scope]["deals"] += count
        scopes[scope]["signed"] += signed
        if direction:
            directions[direction]["deals"] += count
            directions[direction]["signed"] += signed
    return (
        [
            {"scope": scope, "label": str(label), **scopes[scope]}
            for scope, label in DealScope.choices
        ],
        [
            {"direction": direction, "label": str(label), **directions[direction]}
            for direction, label in TradeDirection.choices
        ],
    )


def _completed_value_by_month(run) -> list[dict]:
    return [
        {
            "month": row.month.strftime("%Y-%m"),
            "currency": row.currency,
            "deals": row.deals,
            "value": row.value,
            "value_cny": row.value_cny,
            "left_out": row.left_out,
        }
        for row in MonthlyValueStatistic.objects.using(_database_of(run))
        .filter(run=run)
        .order_by("month", "currency")
    ]


def _conversion(run) -> list[dict]:
    labels = {
        ListingKind.TECHNOLOGY: _("Published technologies that reached a signed deal"),
        ListingKind.NEED: _("Published needs that reached a signed deal"),
    }
    rows = {
        row.kind: row
        for row in ConversionStatistic.objects.using(_database_of(run)).filter(run=run)
    }
    return [
        {
            "kind": kind,
            "label": str(labels[kind]),
            "listed": rows[kind].listed,
            "converted": rows[kind].converted,
            "percent": rows[kind].percent,
        }
        for kind in ListingKind.values
        if kind in rows
    ]


def _green_impact(run, categories) -> dict:
    total, by_category, by_region = [], [], []
    for row in (
        ImpactStatistic.objects.using(_database_of(run))
        .filter(run=run)
        .order_by("dimension", "key", "method")
    ):
        figure = {
            "method": row.method,
            "method_label": method_label(row.method, run),
            "deals": row.deals,
            "tonnes": row.tonnes,
        }
        if row.dimension == ImpactDimension.TOTAL:
            total.append(figure)
        elif row.dimension == ImpactDimension.CATEGORY:
            category = categories.get(int(row.key))
            by_category.append(
                {
                    "code": category.code if category else row.key,
                    "name": category.name if category else row.key,
                    **figure,
                }
            )
        else:
            by_region.append({"region": row.key, "label": region_label(row.key), **figure})
    by_category.sort(key=lambda row: (_code_key(row["code"]), row["method"]))
    by_region.sort(key=lambda row: (-row["tonnes"], row["region"], row["method"]))
    return {
        "total_tonnes": sum((row["tonnes"] for row in total), ZERO),
        "completed_deals": sum(row["deals"] for row in total),
        "defaults": {"deployments": run.default_deployments, "years": run.default_years},
        "total": total,
        "by_category": by_category,
        "by_region": by_region,
    }


def _sdg_coverage(run) -> list[dict]:
    return [
        {
            "goal": row.goal,
            "label": str(SDG_GOALS.get(row.goal, row.goal)),
            "technologies": row.technologies,
            "completed_deals": row.completed_deals,
            "tonnes": row.tonnes,
        }
        for row in SdgStatistic.objects.using(_database_of(run)).filter(run=run).order_by("goal")
    ]


def chart_data(summary: dict) -> dict:
    """The numbers the charts draw (floats and plain labels), for json_script blocks."""
    listings = summary["listings"]
    months = sorted({row["month"] for row in summary["completed_value_by_month"]})
    currencies = sorted({row["currency"] for row in summary["completed_value_by_month"]})
    # Drawn in yuan, so the bars of different currencies compare; unconverted amounts are not drawn.
    values = {
        (r["month"], r["currency"]): float(r["value_cny"] or 0)
        for r in summary["completed_value_by_month"]
    }
    impact = summary["green_impact"]
    return {
        "industries": {
            "labels": [row["name"] for row in listings["by_industry"]],
            "technologies": [row["technologies"] for row in listings["by_industry"]],
            "needs": [row["needs"] for row in listings["by_industry"]],
        },
        "regions": {
            "labels": [row["label"] for row in listings["by_region"][:15]],
            "technologies": [row["technologies"] for row in listings["by_region"][:15]],
            "needs": [row["needs"] for row in listings["by_region"][:15]],
        },
        "stages": {
            "labels": [row["label"] for row in summary["deals_by_stage"]],
            "counts": [row["count"] for row in summary["deals_by_stage"]],
        },
        "scope": {
            "labels": [row["label"] for row in summary["deal_scope"]],
            "counts": [row["deals"] for row in summary["deal_scope"]],
        },
        "value": {
            "labels": months,
            "datasets": [
                {"label": currency, "data": [values.get((month, currency), 0) for month in months]}
                for currency in currencies
            ],
        },
        "impact": {
            "labels": [row["label"] for row in impact["by_region"]],
            "tonnes": [float(row["tonnes"]) for row in impact["by_region"]],
        },
        "sdg": {
            "labels": [f"SDG {row['goal']}" for row in summary["sdg_coverage"]],
            "technologies": [row["technologies"] for row in summary["sdg_coverage"]],
        },
    }


# --- the matching funnel, matching efficiency, turn-down reasons ----------------------------------

FUNNEL_MEDIAN_FIELDS = (
    (FunnelStep.MATCHES, FunnelStep.INTRODUCTIONS, "matches_to_introductions_hours"),
    (FunnelStep.INTRODUCTIONS, FunnelStep.DEALS, "introductions_to_deals_hours"),
    (FunnelStep.DEALS, FunnelStep.SIGNED, "deals_to_signed_hours"),
    (FunnelStep.SIGNED, FunnelStep.COMPLETED, "signed_to_completed_hours"),
)


def period_label(period: str, start: datetime.date | None) -> str:
    if start is None:
        return str(FunnelPeriod.ALL.label)
    if period == FunnelPeriod.MONTH:
        return start.strftime("%Y-%m")
    if period == FunnelPeriod.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def _funnel_figures(row: FunnelStatistic | None) -> dict:
    """Steps with counts, the conversion rate from each step to the next (%) and the median
    days between them."""
    counts = {step: (row.count(step) if row else 0) for step in FunnelStep.values}
    steps = [
        {"step": step, "label": str(label), "count": counts[step]}
        for step, label in FunnelStep.choices
    ]
    transitions = []
    for source, target, field in FUNNEL_MEDIAN_FIELDS:
        hours = getattr(row, field) if row else None
        transitions.append(
            {
                "from_step": source,
                "to_step": target,
                "label": f"{FunnelStep(source).label} → {FunnelStep(target).label}",
                "conversion_percent": round(100 * counts[target] / counts[source], 1)
                if counts[source]
                else None,
                "median_days": round(hours / 24, 1) if hours is not None else None,
            }
        )
    # Each step also carries its conversion and median from the step before (tables).
    for step, transition in zip(steps[1:], transitions, strict=True):
        step["conversion_percent"] = transition["conversion_percent"]
        step["median_days"] = transition["median_days"]
    steps[0]["conversion_percent"] = steps[0]["median_days"] = None
    return {"steps": steps, "transitions": transitions}


def funnel_industries(*, run: StatisticsRun | None) -> list[Category]:
    """The industries (first-level categories) with a funnel row in the run."""
    if run is None:
        return []
    ids = (
        FunnelStatistic.objects.using(_database_of(run))
        .filter(run=run, industry__isnull=False)
        .values_list("industry_id", flat=True)
        .distinct()
    )
    return sorted(Category.objects.filter(pk__in=ids), key=lambda row: _code_key(row.code))


def funnel(
    *,
    run: StatisticsRun,
    period: str = FunnelPeriod.QUARTER,
    industry: Category | None = None,
    broker=None,
) -> dict:
    """The funnel of the platform (or of one broker's own work) in each period, newest first,
    with the all-time totals and, for the totals, each industry beside them."""
    rows = (
        FunnelStatistic.objects.using(_database_of(run))
        .filter(run=run, broker=broker, period__in=[period, FunnelPeriod.ALL])
        .select_related("industry")
    )
    periods, total, by_industry = [], None, []
    for row in rows.order_by("-period_start"):
        if row.period == FunnelPeriod.ALL:
            if row.industry_id is None:
                total = row
            elif industry is None:
                by_industry.append(
                    {
                        "code": row.industry.code,
                        "name": row.industry.name,
                        **_funnel_figures(row),
                    }
                )
            if industry is not None and row.industry_id == industry.pk:
                total = row
            continue
        if row.industry_id == (industry.pk if industry else None):
            periods.append(
                {
                    "period_start": row.period_start,
                    "label": period_label(period, row.period_start),
                    **_funnel_figures(row),
                }
            )
    by_industry.sort(key=lambda entry: _code_key(entry["code"]))
    return {
        "period": period,
        "period_label": str(FunnelPeriod(period).label),
        "industry": industry.code if industry else "",
        "industry_name": industry.name if industry else "",
        "scope": "mine" if broker is not None else "platform",
        "total": _funnel_figures(total),
        "periods": periods,
        "by_industry": by_industry,
    }


def funnel_chart_data(funnel_data: dict) -> dict:
    """The numbers the funnel chart draws: the steps of the total and of each period shown."""
    recent = list(reversed(funnel_data["periods"][:8]))
    return {
        "labels": [step["label"] for step in funnel_data["total"]["steps"]],
        "total": [step["count"] for step in funnel_data["total"]["steps"]],
        "periods": {
            "labels": [entry["label"] for entry in recent],
            "datasets": [
                {
                    "label": label,
                    "data": [entry["steps"][index]["count"] for entry in recent],
                }
                for index, (_step, label) in enumerate(FunnelStep.choices)
            ],
        },
    }


def matching_efficiency(*, run: StatisticsRun) -> dict:
    """Share of active needs with at least one strong match, in total and by industry."""
    rows = list(
        MatchingEfficiencyStatistic.objects.using(_database_of(run))
        .filter(run=run)
        .select_related("industry")
    )
    total = next((row for row in rows if row.industry_id is None), None)
    strong_score = total.strong_score if total else None

    def figures(row) -> dict:
        return {
            "active_needs": row.active_needs,
            "needs_with_strong_match": row.needs_with_strong_match,
            "percent": round(100 * row.needs_with_strong_match / row.active_needs, 1)
            if row.active_needs
            else None,
        }

    by_industry = [
        {"code": row.industry.code, "name": row.industry.name, **figures(row)}
        for row in rows
        if row.industry_id is not None
    ]
    by_industry.sort(key=lambda entry: _code_key(entry["code"]))
    empty = {"active_needs": 0, "needs_with_strong_match": 0, "percent": None}
    return {
        "strong_score": strong_score,
        "definition": _(
            "A strong match scores %(score)s or more out of 100 and fails none of the need's "
            "hard constraints (the threshold the matching engine uses to tell the parties and "
            "to fill the brokers' lead board). Active needs are published needs and needs in "
            "negotiation."
        )
        % {"score": number_format(strong_score, decimal_pos=0) if strong_score else "–"},
        **(figures(total) if total else empty),
        "by_industry": by_industry,
    }


def turn_down_reasons(*, run: StatisticsRun) -> list[dict]:
    """How often each reason was given, by what was turned down (the vocabulary's order)."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, code, count in (
        TurnDownReasonStatistic.objects.using(_database_of(run))
        .filter(run=run)
        .values_list("kind", "reason_code", "count")
    ):
        counts[code][kind] = counts[code].get(kind, 0) + count
    rows = []
    for code, label in TurnDownReason.choices:
        if code not in counts:
            continue
        by_kind = {kind: counts[code].get(kind, 0) for kind in TurnedDownKind.values}
        rows.append({"code": code, "label": str(label), **by_kind, "total": sum(by_kind.values())})
    return rows


# --- review desk ----------------------------------------------------------------------------------


def _latest_event_time(queryset, **match):
    return Subquery(
        queryset.filter(**match).order_by("-created_at", "-pk").values("created_at")[:1]
    )


def review_queues(*, now: datetime.datetime | None = None) -> list[dict]:
    """Live queue sizes: how many items wait, how many longer than the target, the oldest."""
    now = now or timezone.now()
    target_days = settings.INSIGHT_REVIEW_TARGET_DAYS
    cutoff = now - datetime.timedelta(days=target_days)
    sources = [
        (
            ReviewQueue.TECHNOLOGY,
            Technology.objects.filter(status=TechnologyStatus.SUBMITTED).annotate(
                since=Coalesce("submitted_at", "updated_at")
            ),
            "catalog:review_queue",
        ),
        (
            ReviewQueue.TECHNOLOGY_CHANGE,
            TechnologyRevision.objects.filter(status=RevisionStatus.SUBMITTED).annotate(
                since=Coalesce(
                    _latest_event_time(
                        TechnologyEvent.objects.filter(action__in=CHANGE_REQUESTED),
                        revision_id=OuterRef("pk"),
                    ),
                    "created_at",
                )
            ),
            "catalog:review_queue",
        ),
        (
            ReviewQueue.NEED,
            Need.objects.filter(status=NeedStatus.SUBMITTED).annotate(
                since=Coalesce("submitted_at", "updated_at")
            ),
            "exchange:deal_review_queue",
        ),
        (
            ReviewQueue.DEAL,
            Deal.objects.filter(stage=DealStage.SUBMITTED_FOR_REVIEW).annotate(
                since=Coalesce("review_requested_at", "updated_at")
            ),
            "exchange:deal_review_queue",
        ),
        (
            ReviewQueue.ORGANIZATION,
            Organization.objects.filter(verification_status=VerificationStatus.PENDING).annotate(
                since=Coalesce(
                    _latest_event_time(
                        OrganizationEvent.objects.filter(action="request"),
                        organization_id=OuterRef("pk"),
                    ),
                    "updated_at",
                )
            ),
            "accounts:review_queue",
        ),
        (
            ReviewQueue.FINANCING,
            FinancingApplication.objects.filter(
                status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
            ).annotate(since=Coalesce("submitted_at", "updated_at")),
            "finance:workspace",
        ),
    ]
    queues = []
    for queue, queryset, url_name in sources:
        counts = queryset.aggregate(
            waiting=Count("pk"),
            overdue=Count("pk", filter=Q(since__lt=cutoff)),
            oldest=Min("since"),
        )
        try:
            url = reverse(url_name)
        except Exception:
            url = ""
        queues.append(
            {
                "queue": queue,
                "label": str(ReviewQueue(queue).label),
                "waiting": counts["waiting"],
                "overdue": counts["overdue"],
                "oldest_since": counts["oldest"],
                "url": url,
            }
        )
    return queues


def review_desk(*, now: datetime.datetime | None = None) -> dict:
    run = latest_run()
    turnaround, workloads, computed_at = [], [], None
    if run is not None:
        for row in ReviewStatistic.objects.using(_database_of(run)).filter(run=run):
            computed_at = row.computed_at
            turnaround.append(
                {
                    "queue": row.queue,
                    "label": str(ReviewQueue(row.queue).label),
                    "window_days": row.window_days,
                    "decisions": row.decisions,
                    "median_hours": row.median_hours,
                    "p90_hours": row.p90_hours,
                }
            )
        order = {queue: index for index, queue in enumerate(ReviewQueue.values)}
        turnaround.sort(key=lambda row: order[row["queue"]])
        workloads = _workloads(run)
    return {
        "target_days": settings.INSIGHT_REVIEW_TARGET_DAYS,
        "queues": review_queues(now=now),
        "turnaround": turnaround,
        "workloads": workloads,
        "workload_window_days": workloads[0]["window_days"] if workloads else 30,
        "as_of": computed_at,
    }


def _workloads(run) -> list[dict]:
    reviewers = {user.pk: user for user in platform_reviewers()}
    decisions: dict[int, dict[str, int]] = defaultdict(dict)
    window = 30
    rows = (
        ReviewerWorkload.objects.using(_database_of(run)).filter(run=run).select_related("reviewer")
    )
    for row in rows:
        reviewers.setdefault(row.reviewer_id, row.reviewer)
        decisions[row.reviewer_id][row.queue] = row.decisions
        window = row.window_days
    result = []
    for user_id, user in reviewers.items():
        per_queue = [decisions[user_id].get(queue, 0) for queue in ReviewQueue.values]
        result.append(
            {
                "reviewer": user,
                "name": user.full_name or user.email,
                "email": user.email,
                "per_queue": per_queue,
                "total": sum(per_queue),
                "window_days": window,
            }
        )
    result.sort(key=lambda row: (-row["total"], row["email"]))
    return result


# --- regional programme report --------------------------------------------------------------------

MONEY_INDICATORS = (
    RegionalIndicator.DEALS_SIGNED,
    RegionalIndicator.DEALS_SOLD,
    RegionalIndicator.VOUCHERS_REDEEMED,
    RegionalIndicator.FINANCING_APPROVED,
)


def _empty_region(region: str) -> dict:
    entry: dict = {"region": region, "label": region_label(region) if region else _("All regions")}
    for indicator in RegionalIndicator.values:
        entry[indicator] = {"count": 0, "amounts": {}, "tonnes": ZERO, "methods": {}}
    return entry


def format_amount(value: Decimal, decimals: int = 2) -> str:
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def indicator_text(indicator: str, cell: dict) -> str:
    """One report cell in words: the count, the amounts by currency, or tonnes with methods."""
    if indicator == RegionalIndicator.AVOIDED_EMISSIONS:
        if not cell["count"]:
            return "0"
        methods = "; ".join(
            f"{format_amount(item['tonnes'], 1)} t: {item['label']}"
            for item in cell["method_labels"]
        )
        return _("%(tonnes)s t CO2e from %(deals)s completed deal(s) (%(methods)s)") % {
            "tonnes": format_amount(cell["tonnes"], 1),
            "deals": cell["count"],
            "methods": methods,
        }
    if indicator in MONEY_INDICATORS and cell["amounts"]:
        amounts = "; ".join(
            f"{currency} {format_amount(amount)}" for currency, amount in cell["amounts"].items()
        )
        return f"{cell['count']} · {amounts}"
    return str(cell["count"])


def regional_regions(*, run: StatisticsRun | None = None) -> list[tuple[str, str]]:
    """Regions that have any indicator, as (code, label) choices."""
    run = run or latest_run()
    if run is None:
        return []
    codes = (
        RegionalStatistic.objects.using(_database_of(run))
        .filter(run=run)
        .values_list("region", flat=True)
        .distinct()
    )
    return sorted(((code, region_label(code)) for code in codes), key=lambda pair: pair[0])


def regional_report(
    *,
    start: datetime.date,
    end: datetime.date,
    region: str = "",
    regions: Collection[str] | None = None,
    run: StatisticsRun | None = None,
) -> dict | None:
    """Indicators per region for the months from `start` to `end` (inclusive), and the total;
    `regions` (when given) limits the report to those regions (a programme operator's own)."""
    run = run or latest_run()
    if run is None:
        return None
    start, end = start.replace(day=1), end.replace(day=1)
    rows = RegionalStatistic.objects.using(_database_of(run)).filter(
        run=run, month__gte=start, month__lte=end
    )
    if regions is not None:
        rows = rows.filter(region__in=list(regions))
    if region:
        rows = rows.filter(region=region)
    by_region: dict[str, dict] = {}
    total = _empty_region("")
    computed_at = None
    for row in rows.order_by("region", "month"):
        computed_at = row.computed_at
        entry = by_region.setdefault(row.region, _empty_region(row.region))
        for target in (entry, total):
            cell = target[row.indicator]
            cell["count"] += row.count
            if row.indicator in MONEY_INDICATORS:
                cell["amounts"][row.currency] = cell["amounts"].get(row.currency, ZERO) + row.amount
            if row.indicator == RegionalIndicator.AVOIDED_EMISSIONS:
                cell["tonnes"] += row.tonnes
                cell["methods"][row.method] = cell["methods"].get(row.method, ZERO) + row.tonnes
    ordered = sorted(by_region.values(), key=lambda entry: entry["region"])
    for entry in [*ordered, total]:
        for indicator in RegionalIndicator.values:
            cell = entry[indicator]
            cell["amounts"] = dict(sorted(cell["amounts"].items()))
            cell["method_labels"] = [
                {"method": method, "label": method_label(method, run), "tonnes": tonnes}
                for method, tonnes in sorted(cell["methods"].items())
            ]
            cell["text"] = indicator_text(indicator, cell)
    return {
        "run_id": run.pk,
        "as_of": computed_at or run.finished_at,
        "start": start,
        "end": end,
        "region": region,
        "regions": ordered,
        "total": total,
        "indicators": [
            {"code": code, "label": str(label)} for code, label in RegionalIndicator.choices
        ],
    }


def operator_report_regions(*, user) -> list[str]:
    """The regions of the government or operator organisations a programme operator acts for."""
    codes = operator_organizations(user=user).values_list("region", flat=True)
    return sorted({code for code in codes if code})


# --- freshness (core.freshness) ------------------------------------------------------------------

FRESHNESS_ROWS = 100


def freshness_by_organization(*, limit: int = FRESHNESS_ROWS) -> dict:
    """Per organisation, its live listings and needs (published; needs also in negotiation),
    how many of them are outdated and that share; the organisations with the largest outdated
    share first (then the most outdated), at most `limit` rows, plus the platform's totals.
    Two grouped queries and one for the names."""
    from catalog.models import FRESHNESS_STATUSES
    from core.freshness import today
    from exchange.models import NEED_FRESHNESS_STATUSES

    day = today()
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: {"technologies": 0, "outdated_technologies": 0, "needs": 0, "outdated_needs": 0}
    )
    for model, statuses, live, outdated in (
        (Technology, FRESHNESS_STATUSES, "technologies", "outdated_technologies"),
        (Need, NEED_FRESHNESS_STATUSES, "needs", "outdated_needs"),
    ):
        rows = (
            model.objects.filter(status__in=list(statuses))
            .values("organization_id")
            .annotate(live=Count("pk"), outdated=Count("pk", filter=Q(valid_until__lt=day)))
            .order_by()
        )
        for row in rows:
            counts[row["organization_id"]][live] = row["live"]
            counts[row["organization_id"]][outdated] = row["outdated"]
    totals = {"technologies": 0, "outdated_technologies": 0, "needs": 0, "outdated_needs": 0}
    rows = []
    for organization_id, figures in counts.items():
        for key in totals:
            totals[key] += figures[key]
        entries = figures["technologies"] + figures["needs"]
        outdated = figures["outdated_technologies"] + figures["outdated_needs"]
        rows.append(
            {
                "organization": organization_id,
                **figures,
                "entries": entries,
                "outdated": outdated,
                "outdated_share": round(outdated / entries, 4) if entries else 0.0,
            }
        )
    rows.sort(key=lambda row: (-row["outdated_share"], -row["outdated"], row["organization"]))
    rows = rows[:limit]
    names = {
        organization.pk: organization.display_name
        for organization in Organization.objects.filter(
            pk__in=[row["organization"] for row in rows]
        )
    }
    technologies_url = reverse("catalog:technology_list")
    needs_url = reverse("exchange:need_list")
    for row in rows:
        row["organization_name"] = names.get(row["organization"], "")
        query = f"?organization={row['organization']}&freshness=outdated"
        row["technologies_url"] = technologies_url + query
        row["needs_url"] = needs_url + query
    entries = totals["technologies"] + totals["needs"]
    outdated = totals["outdated_technologies"] + totals["outdated_needs"]
    return {
        "on": day,
        "totals": {
            **totals,
            "entries": entries,
            "outdated": outdated,
            "outdated_share": round(outdated / entries, 4) if entries else 0.0,
        },
        "organizations": rows,
    }
