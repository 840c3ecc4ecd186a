"""Writes of the insight app: the refresh of the summary tables.

`statistics_refresh` recomputes every summary table from the live data in one transaction and
then deletes the older runs, so readers switch from one complete set of rows to the next. A
PostgreSQL advisory lock keeps two refreshes (beat and the command, say) from running at once.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import OrganizationEvent
from catalog.choices import TechnologyAction, TechnologyStatus
from catalog.models import Category, Technology, TechnologyEvent
from currencies.selectors import RateBook
from currencies.services import YuanTotal, yuan
from exchange.choices import DealStage, NeedAction, ProposalStatus
from exchange.crossborder import with_trade_direction
from exchange.models import (
    Deal,
    DealEvent,
    DealReview,
    Introduction,
    IntroductionEvent,
    Need,
    NeedEvent,
    Proposal,
)
from exchange.selectors import PUBLIC_NEED_STATUSES
from finance.choices import ApplicationAction, ApplicationStatus
from finance.models import ApplicationEvent, FinancingApplication, VoucherRedemption
from insight.api.statistics import statistics_cache_warm
from insight.choices import (
    DealScope,
    FunnelPeriod,
    FunnelStep,
    ImpactDimension,
    ListingKind,
    RegionalIndicator,
    ReviewQueue,
    RunStatus,
    RunTrigger,
    TurnedDownKind,
)
from insight.impact import ImpactInputs, avoided_emissions
from insight.models import (
    ConversionStatistic,
    DealStatistic,
    FunnelStatistic,
    ImpactDefaults,
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
from matching import conf as matching_conf
from matching.models import Match
from programmes.models import ChallengeSubmission

logger = logging.getLogger(__name__)

# A deal counts as signed while it is in one of these stages (a deal cancelled after signing
# no longer counts); the conversion rate and the regional "deals signed" use the same rule.
SIGNED_STAGES = (DealStage.CONTRACT_SIGNED, DealStage.IN_EXECUTION, DealStage.COMPLETED)
REVIEW_WINDOW_DAYS = 90
WORKLOAD_WINDOW_DAYS = 30
ADVISORY_LOCK_KEY = 0x1D5167  # any constant unique to this refresh
ZERO = Decimal("0")


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _month(value: datetime) -> datetime.date:
    return timezone.localtime(value).date().replace(day=1)


# --- listings, deals, value, conversion ---------------------------------------------------------


def _listing_rows(run, now) -> list[ListingStatistic]:
    rows = []
    sources = (
        (ListingKind.TECHNOLOGY, Technology.objects.filter(status=TechnologyStatus.PUBLISHED)),
        (ListingKind.NEED, Need.objects.filter(status__in=PUBLIC_NEED_STATUSES)),
    )
    for kind, queryset in sources:
        by_category = (
            queryset.filter(category__isnull=False)
            .values("category_id")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for row in by_category:
            rows.append(
                ListingStatistic(
                    run=run,
                    computed_at=now,
                    kind=kind,
                    category_id=row["category_id"],
                    count=row["count"],
                )
            )
        for row in queryset.values("region").annotate(count=Count("pk")).order_by():
            rows.append(
                ListingStatistic(
                    run=run, computed_at=now, kind=kind, region=row["region"], count=row["count"]
                )
            )
    return rows


def _deal_rows(run, now) -> list[DealStatistic]:
    # Grouped in the database by the deals' one direction rule (exchange.crossborder).
    grouped = (
        with_trade_direction(Deal.objects.all())
        .values("stage", "direction")
        .annotate(count=Count("pk"))
        .order_by("stage", "direction")
    )
    return [
        DealStatistic(
            run=run,
            computed_at=now,
            stage=row["stage"],
            scope=DealScope.INTERNATIONAL if row["direction"] else DealScope.DOMESTIC,
            direction=row["direction"] or "",
            count=row["count"],
        )
        for row in grouped
    ]


def _monthly_value_rows(run, now) -> list[MonthlyValueStatistic]:
    """Completed deals by month and currency, with their value in yuan: at the rate fixed at
    signing, or (a deal signed before rates were fixed) the rate of its completion day. A deal
    with neither is left out of the yuan figure and counted, never taken as yuan."""
    deals = list(
        Deal.objects.filter(stage=DealStage.COMPLETED, completed_at__isnull=False).values_list(
            "completed_at", "currency", "price", "fx_rate"
        )
    )
    days = [timezone.localdate(completed_at) for completed_at, *_rest in deals]
    book = RateBook.load(
        currencies={currency for _day, currency, price, fx_rate in deals if fx_rate is None},
        start=min(days, default=timezone.localdate(now)),
        end=max(days, default=timezone.localdate(now)),
    )
    groups: dict[tuple, dict] = {}
    for (_completed_at, currency, price, fx_rate), day in zip(deals, days, strict=True):
        group = groups.setdefault(
            (day.replace(day=1), currency), {"deals": 0, "value": ZERO, "yuan": YuanTotal()}
        )
        group["deals"] += 1
        group["value"] += price or ZERO
        if fx_rate is not None:
            group["yuan"].add(price, currency, fx_rate)
        else:
            group["yuan"].add_on(book, price, currency, day)
    return [
        MonthlyValueStatistic(
            run=run,
            computed_at=now,
            month=month,
            currency=currency,
            deals=group["deals"],
            value=group["value"],
            value_cny=yuan(group["yuan"].total)
            if group["yuan"].count or not group["yuan"].left_out_count
            else None,
            left_out=group["yuan"].left_out_count,
        )
        for (month, currency), group in sorted(groups.items())
    ]


def _conversion_rows(run, now) -> list[ConversionStatistic]:
    signed = Deal.objects.filter(stage__in=SIGNED_STAGES)
    rows = []
    for kind, queryset, link in (
        (ListingKind.TECHNOLOGY, Technology.objects.all(), "technology_id"),
        (ListingKind.NEED, Need.objects.all(), "need_id"),
    ):
        listed = queryset.filter(published_at__isnull=False)
        counts = listed.aggregate(
            listed=Count("pk"),
            converted=Count("pk", filter=Q(Exists(signed.filter(**{link: OuterRef("pk")})))),
        )
        rows.append(ConversionStatistic(run=run, computed_at=now, kind=kind, **counts))
    return rows


# --- green impact and SDG coverage ---------------------------------------------------------------


def completed_deal_impacts(*, default_deployments: int, default_years: Decimal) -> Iterable[dict]:
    """Each completed deal with its avoided emissions and method (one query)."""
    deals = Deal.objects.filter(stage=DealStage.COMPLETED).values(
        "pk",
        "completed_at",
        "buyer__region",
        "technology__category_id",
        "technology__sdg_goals",
        "technology__co2e_avoided_tonnes_per_year",
        "impact__deployments",
        "impact__years",
        "impact__baseline_tonnes",
        "impact__technology_tonnes",
    )
    for deal in deals.order_by("pk"):
        estimate = avoided_emissions(
            ImpactInputs(
                stated_rate=deal["technology__co2e_avoided_tonnes_per_year"],
                deployments=deal["impact__deployments"],
                years=deal["impact__years"],
                baseline_tonnes=deal["impact__baseline_tonnes"],
                technology_tonnes=deal["impact__technology_tonnes"],
            ),
            default_deployments=default_deployments,
            default_years=default_years,
        )
        yield {**deal, "method": estimate.method, "tonnes": estimate.tonnes}


def _impact_rows(run, now, impacts: list[dict]) -> tuple[list, list]:
    totals: dict[tuple[str, str, str], list] = defaultdict(lambda: [0, ZERO])
    sdg_deals: dict[int, list] = defaultdict(lambda: [0, ZERO])
    for deal in impacts:
        keys = (
            (ImpactDimension.TOTAL, ""),
            (ImpactDimension.CATEGORY, str(deal["technology__category_id"])),
            (ImpactDimension.REGION, deal["buyer__region"]),
        )
        for dimension, key in keys:
            bucket = totals[(dimension, key, deal["method"])]
            bucket[0] += 1
            bucket[1] += deal["tonnes"]
        for goal in set(deal["technology__sdg_goals"] or []):
            sdg_deals[goal][0] += 1
            sdg_deals[goal][1] += deal["tonnes"]
    impact_rows = [
        ImpactStatistic(
            run=run,
            computed_at=now,
            dimension=dimension,
            key=key,
            method=method,
            deals=deals,
            tonnes=tonnes,
        )
        for (dimension, key, method), (deals, tonnes) in sorted(totals.items())
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT goal, count(*) FROM {Technology._meta.db_table}, unnest(sdg_goals) AS goal "
            "WHERE status = %s GROUP BY goal",
            [TechnologyStatus.PUBLISHED],
        )
        technologies = dict(cursor.fetchall())
    sdg_rows = [
        SdgStatistic(
            run=run,
            computed_at=now,
            goal=goal,
            technologies=technologies.get(goal, 0),
            completed_deals=sdg_deals[goal][0] if goal in sdg_deals else 0,
            tonnes=sdg_deals[goal][1] if goal in sdg_deals else ZERO,
        )
        for goal in range(1, 18)
        if technologies.get(goal) or goal in sdg_deals
    ]
    return impact_rows, sdg_rows


# --- regional programme indicators ---------------------------------------------------------------


def _regional_rows(run, now, impacts: list[dict]) -> list[RegionalStatistic]:
    rows = []

    def add(indicator, grouped, region_key, currency_key=None):
        for row in grouped:
            rows.append(
                RegionalStatistic(
                    run=run,
                    computed_at=now,
                    region=row[region_key],
                    month=_month(row["month"]),
                    indicator=indicator,
                    currency=row[currency_key] if currency_key else "",
                    count=row["count"],
                    amount=row.get("amount") or ZERO,
                )
            )

    def monthly(queryset, field, *keys, amount=None):
        annotations = {"count": Count("pk")}
        if amount:
            annotations["amount"] = Coalesce(Sum(amount), Value(ZERO))
        return (
            queryset.annotate(month=TruncMonth(field))
            .values("month", *keys)
            .annotate(**annotations)
            .order_by()
        )

    listed_technologies = Technology.objects.filter(published_at__isnull=False)
    add(
        RegionalIndicator.TECHNOLOGIES_LISTED,
        monthly(listed_technologies, "published_at", "region"),
        "region",
    )
    add(
        RegionalIndicator.NEEDS_PUBLISHED,
        monthly(Need.objects.filter(published_at__isnull=False), "published_at", "region"),
        "region",
    )
    signed = Deal.objects.filter(stage__in=SIGNED_STAGES, signed_at__isnull=False)
    add(
        RegionalIndicator.DEALS_SIGNED,
        monthly(signed, "signed_at", "buyer__region", "currency", amount="price"),
        "buyer__region",
        "currency",
    )
    add(
        RegionalIndicator.DEALS_SOLD,
        monthly(signed, "signed_at", "seller__region", "currency", amount="price"),
        "seller__region",
        "currency",
    )
    add(
        RegionalIndicator.VOUCHERS_REDEEMED,
        monthly(
            VoucherRedemption.objects.all(),
            "created_at",
            "voucher__holder__region",
            "voucher__account__currency",
            amount="amount",
        ),
        "voucher__holder__region",
        "voucher__account__currency",
    )
    add(
        RegionalIndicator.FINANCING_APPROVED,
        monthly(
            ApplicationEvent.objects.filter(action=ApplicationAction.APPROVE),
            "created_at",
            "application__applicant__region",
            "application__currency",
            amount="application__approved_amount",
        ),
        "application__applicant__region",
        "application__currency",
    )
    emissions: dict[tuple, list] = defaultdict(lambda: [0, ZERO])
    for deal in impacts:
        if deal["completed_at"] is None:
            continue
        key = (deal["buyer__region"], _month(deal["completed_at"]), deal["method"])
        emissions[key][0] += 1
        emissions[key][1] += deal["tonnes"]
    for (region, month, method), (count, tonnes) in sorted(emissions.items()):
        rows.append(
            RegionalStatistic(
                run=run,
                computed_at=now,
                region=region,
                month=month,
                indicator=RegionalIndicator.AVOIDED_EMISSIONS,
                method=method,
                count=count,
                tonnes=tonnes,
            )
        )
    return rows


# --- review turnaround and workload -------------------------------------------------------------


def _latest_before(queryset: QuerySet, **match) -> Subquery:
    """The time of the latest row of `queryset` matching `match` at or before the outer row."""
    return Subquery(
        queryset.filter(created_at__lte=OuterRef("created_at"), **match)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )


def review_decisions(*, since: datetime) -> dict[str, list[tuple[int | None, datetime, datetime]]]:
    """Per queue, (decider id, requested at, decided at) of every decision since `since`."""
    decisions = {
        ReviewQueue.TECHNOLOGY: TechnologyEvent.objects.filter(
            action__in=[TechnologyAction.APPROVE, TechnologyAction.RETURN, TechnologyAction.REJECT],
            revision__isnull=True,
        ).annotate(
            requested_at=_latest_before(
                TechnologyEvent.objects.filter(
                    action=TechnologyAction.SUBMIT, revision__isnull=True
                ),
                technology_id=OuterRef("technology_id"),
            )
        ),
        ReviewQueue.TECHNOLOGY_CHANGE: TechnologyEvent.objects.filter(
            action__in=[
                TechnologyAction.CHANGE_APPROVE,
                TechnologyAction.CHANGE_RETURN,
                TechnologyAction.CHANGE_REJECT,
            ],
            revision__isnull=False,
        ).annotate(
            requested_at=_latest_before(
                TechnologyEvent.objects.filter(
                    action__in=[TechnologyAction.PROPOSE_CHANGE, TechnologyAction.CHANGE_SUBMIT]
                ),
                revision_id=OuterRef("revision_id"),
            )
        ),
        ReviewQueue.NEED: NeedEvent.objects.filter(
            action__in=[NeedAction.APPROVE, NeedAction.RETURN, NeedAction.REJECT]
        ).annotate(
            requested_at=_latest_before(
                NeedEvent.objects.filter(action=NeedAction.SUBMIT), need_id=OuterRef("need_id")
            )
        ),
        ReviewQueue.ORGANIZATION: OrganizationEvent.objects.filter(
            action__in=["verify", "reject"]
        ).annotate(
            requested_at=_latest_before(
                OrganizationEvent.objects.filter(action="request"),
                organization_id=OuterRef("organization_id"),
            )
        ),
        ReviewQueue.FINANCING: ApplicationEvent.objects.filter(
            action__in=[
                ApplicationAction.APPROVE,
                ApplicationAction.REJECT,
                ApplicationAction.REQUEST_INFORMATION,
            ]
        ).annotate(
            requested_at=_latest_before(
                ApplicationEvent.objects.filter(
                    action__in=[ApplicationAction.SUBMIT, ApplicationAction.RESUBMIT]
                ),
                application_id=OuterRef("application_id"),
            )
        ),
    }
    result: dict[str, list] = {}
    for queue, queryset in decisions.items():
        result[queue] = [
            row
            for row in queryset.filter(created_at__gte=since).values_list(
                "actor_id", "requested_at", "created_at"
            )
            if row[1] is not None
        ]
    result[ReviewQueue.DEAL] = list(
        DealReview.objects.filter(decided_at__gte=since).values_list(
            "reviewer_id", "requested_at", "decided_at"
        )
    )
    return {queue: result[queue] for queue in ReviewQueue.values}


def _hours(requested: datetime, decided: datetime) -> float:
    return max((decided - requested).total_seconds(), 0) / 3600


def _review_rows(run, now) -> tuple[list, list]:
    decisions = review_decisions(since=now - timedelta(days=REVIEW_WINDOW_DAYS))
    workload_since = now - timedelta(days=WORKLOAD_WINDOW_DAYS)
    statistics, workloads = [], []
    for queue, rows in decisions.items():
        hours = [_hours(requested, decided) for _actor, requested, decided in rows]
        statistics.append(
            ReviewStatistic(
                run=run,
                computed_at=now,
                queue=queue,
                window_days=REVIEW_WINDOW_DAYS,
                decisions=len(hours),
                median_hours=percentile(hours, 0.5),
                p90_hours=percentile(hours, 0.9),
            )
        )
        by_actor: dict[int, list[float]] = defaultdict(list)
        for actor, requested, decided in rows:
            if actor is not None and decided >= workload_since:
                by_actor[actor].append(_hours(requested, decided))
        for actor, actor_hours in sorted(by_actor.items()):
            workloads.append(
                ReviewerWorkload(
                    run=run,
                    computed_at=now,
                    reviewer_id=actor,
                    queue=queue,
                    window_days=WORKLOAD_WINDOW_DAYS,
                    decisions=len(actor_hours),
                    median_hours=percentile(actor_hours, 0.5),
                )
            )
    return statistics, workloads


# --- the matching funnel, matching efficiency, turn-down reasons ----------------------------------


def period_start(value: datetime, period: str) -> datetime.date | None:
    """The first day (Asia/Shanghai) of the month, quarter or year of `value`; None for all."""
    day = timezone.localtime(value).date()
    if period == FunnelPeriod.MONTH:
        return day.replace(day=1)
    if period == FunnelPeriod.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if period == FunnelPeriod.YEAR:
        return day.replace(month=1, day=1)
    return None


FUNNEL_MEDIANS = {
    FunnelStep.INTRODUCTIONS: "matches_to_introductions_hours",
    FunnelStep.DEALS: "introductions_to_deals_hours",
    FunnelStep.SIGNED: "deals_to_signed_hours",
    FunnelStep.COMPLETED: "signed_to_completed_hours",
}


@dataclass
class FunnelItem:
    """One step reached: when, in which industry, by whose work, and the hours since the
    previous step (None when the item did not pass through it)."""

    step: str
    at: datetime
    industry_id: int | None
    brokers: frozenset[int]
    hours: float | None = None


def _first_event_at(to_status: str) -> Subquery:
    return Subquery(
        DealEvent.objects.filter(deal_id=OuterRef("pk"), to_status=to_status)
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )


def funnel_items(*, industry_of: dict[int, int]) -> list[FunnelItem]:
    """Every step of the funnel reached so far, with its date from the rows' own dates or
    their event rows (signing and completion: the first event into that stage, else the
    deal's signed_at / completed_at)."""
    introductions = list(
        Introduction.objects.values(
            "pk", "broker_id", "need_id", "technology_id", "technology__category_id", "created_at"
        ).annotate(
            opened_at=Subquery(
                IntroductionEvent.objects.filter(introduction_id=OuterRef("pk"))
                .order_by("created_at", "pk")
                .values("created_at")[:1]
            )
        )
    )
    deals = list(
        Deal.objects.annotate(
            signed_event_at=_first_event_at(DealStage.CONTRACT_SIGNED),
            completed_event_at=_first_event_at(DealStage.COMPLETED),
        ).values(
            "pk",
            "broker_id",
            "need_id",
            "technology_id",
            "technology__category_id",
            "introduction_id",
            "created_at",
            "signed_at",
            "completed_at",
            "signed_event_at",
            "completed_event_at",
        )
    )
    brokers_of_pair: dict[tuple[int, int], set[int]] = defaultdict(set)
    introduction_at: dict[int, datetime] = {}
    for row in introductions:
        introduction_at[row["pk"]] = row["opened_at"] or row["created_at"]
        if row["need_id"]:
            brokers_of_pair[(row["need_id"], row["technology_id"])].add(row["broker_id"])
    for row in deals:
        if row["need_id"] and row["broker_id"]:
            brokers_of_pair[(row["need_id"], row["technology_id"])].add(row["broker_id"])
    match_at: dict[tuple[int, int], datetime] = {}
    items: list[FunnelItem] = []
    for need_id, technology_id, category_id, created_at in Match.objects.values_list(
        "need_id", "technology_id", "technology__category_id", "created_at"
    ):
        pair = (need_id, technology_id)
        match_at[pair] = created_at
        items.append(
            FunnelItem(
                FunnelStep.MATCHES,
                created_at,
                industry_of.get(category_id),
                frozenset(brokers_of_pair.get(pair, ())),
            )
        )
    for row in introductions:
        opened = introduction_at[row["pk"]]
        matched = match_at.get((row["need_id"], row["technology_id"]))
        items.append(
            FunnelItem(
                FunnelStep.INTRODUCTIONS,
                opened,
                industry_of.get(row["technology__category_id"]),
                frozenset({row["broker_id"]}),
                _hours(matched, opened) if matched and matched <= opened else None,
            )
        )
    for row in deals:
        industry = industry_of.get(row["technology__category_id"])
        brokers = frozenset({row["broker_id"]} if row["broker_id"] else ())
        introduced = introduction_at.get(row["introduction_id"])
        items.append(
            FunnelItem(
                FunnelStep.DEALS,
                row["created_at"],
                industry,
                brokers,
                _hours(introduced, row["created_at"]) if introduced else None,
            )
        )
        signed = row["signed_event_at"] or row["signed_at"]
        if signed is not None:
            items.append(
                FunnelItem(
                    FunnelStep.SIGNED, signed, industry, brokers, _hours(row["created_at"], signed)
                )
            )
        completed = row["completed_event_at"] or row["completed_at"]
        if completed is not None:
            items.append(
                FunnelItem(
                    FunnelStep.COMPLETED,
                    completed,
                    industry,
                    brokers,
                    _hours(signed, completed) if signed else None,
                )
            )
    return items


def _industries() -> dict[int, int]:
    """Category id → the id of its first-level category (its industry)."""
    return {
        pk: parent_id or pk for pk, parent_id in Category.objects.values_list("pk", "parent_id")
    }


def _funnel_rows(run, now) -> list[FunnelStatistic]:
    buckets: dict[tuple, dict] = defaultdict(
        lambda: {"counts": defaultdict(int), "hours": defaultdict(list)}
    )
    for item in funnel_items(industry_of=_industries()):
        for period in FunnelPeriod.values:
            start = period_start(item.at, period)
            for broker in (None, *item.brokers):
                for industry in {None, item.industry_id}:
                    bucket = buckets[(broker, period, start, industry)]
                    bucket["counts"][item.step] += 1
                    if item.hours is not None:
                        bucket["hours"][item.step].append(item.hours)
    rows = []
    for (broker, period, start, industry), bucket in buckets.items():
        medians = {
            field: percentile(bucket["hours"][step], 0.5) for step, field in FUNNEL_MEDIANS.items()
        }
        rows.append(
            FunnelStatistic(
                run=run,
                computed_at=now,
                broker_id=broker,
                period=period,
                period_start=start,
                industry_id=industry,
                **{step: bucket["counts"][step] for step in FunnelStep.values},
                **medians,
            )
        )
    return rows


def _matching_efficiency_rows(run, now) -> list[MatchingEfficiencyStatistic]:
    industry_of = _industries()
    strong_score = float(matching_conf.get("STRONG_SCORE"))
    needs = Need.objects.filter(status__in=PUBLIC_NEED_STATUSES).annotate(
        strong=Exists(Match.objects.strong().filter(need_id=OuterRef("pk")))
    )
    totals: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for category_id, strong in needs.values_list("category_id", "strong"):
        for industry in {None, industry_of.get(category_id)}:
            totals[industry][0] += 1
            totals[industry][1] += int(strong)
    totals.setdefault(None, [0, 0])
    return [
        MatchingEfficiencyStatistic(
            run=run,
            computed_at=now,
            industry_id=industry,
            strong_score=strong_score,
            active_needs=active,
            needs_with_strong_match=strong,
        )
        for industry, (active, strong) in totals.items()
    ]


def turn_down_reason_counts() -> list[tuple[str, str, int]]:
    """(kind, reason code, count) of the parties turned down now: declined proposals,
    rejected financing applications, challenge entries that did not win."""
    sources = (
        (
            TurnedDownKind.PROPOSAL,
            Proposal.objects.filter(status=ProposalStatus.DECLINED),
        ),
        (
            TurnedDownKind.FINANCING_APPLICATION,
            FinancingApplication.objects.filter(status=ApplicationStatus.REJECTED),
        ),
        (
            TurnedDownKind.CHALLENGE_ENTRY,
            ChallengeSubmission.objects.filter(is_winner=False),
        ),
    )
    counts = []
    for kind, queryset in sources:
        grouped = (
            queryset.exclude(reason_code="")
            .values("reason_code")
            .annotate(count=Count("pk"))
            .order_by("reason_code")
        )
        counts.extend((kind, row["reason_code"], row["count"]) for row in grouped)
    return counts


def _turn_down_reason_rows(run, now) -> list[TurnDownReasonStatistic]:
    return [
        TurnDownReasonStatistic(run=run, computed_at=now, kind=kind, reason_code=code, count=count)
        for kind, code, count in turn_down_reason_counts()
    ]


# --- the refresh ------------------------------------------------------------------------------


def _acquire_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def statistics_refresh(*, trigger: str = RunTrigger.MANUAL) -> StatisticsRun:
    """Recompute every summary table; returns the run (completed, skipped or failed).

    Idempotent: running it twice leaves one complete set of rows, the latest.
    """
    defaults = ImpactDefaults.current()
    run = StatisticsRun.objects.create(
        trigger=trigger,
        default_deployments=defaults.deployments,
        default_years=defaults.years,
    )
    started = time.perf_counter()
    try:
        with transaction.atomic():
            if not _acquire_lock():
                _finish(run, RunStatus.SKIPPED, started)
                return run
            now = timezone.now()
            impacts = list(
                completed_deal_impacts(
                    default_deployments=defaults.deployments, default_years=defaults.years
                )
            )
            impact_rows, sdg_rows = _impact_rows(run, now, impacts)
            review_rows, workload_rows = _review_rows(run, now)
            for model, rows in (
                (ListingStatistic, _listing_rows(run, now)),
                (DealStatistic, _deal_rows(run, now)),
                (MonthlyValueStatistic, _monthly_value_rows(run, now)),
                (ConversionStatistic, _conversion_rows(run, now)),
                (ImpactStatistic, impact_rows),
                (SdgStatistic, sdg_rows),
                (RegionalStatistic, _regional_rows(run, now, impacts)),
                (ReviewStatistic, review_rows),
                (ReviewerWorkload, workload_rows),
                (FunnelStatistic, _funnel_rows(run, now)),
                (MatchingEfficiencyStatistic, _matching_efficiency_rows(run, now)),
                (TurnDownReasonStatistic, _turn_down_reason_rows(run, now)),
            ):
                model.objects.bulk_create(rows, batch_size=2000)
            _finish(run, RunStatus.COMPLETED, started)
            StatisticsRun.objects.filter(started_at__lte=run.started_at).exclude(pk=run.pk).delete()
            transaction.on_commit(lambda: _warm_cache(run.pk))
    except Exception as error:
        logger.exception("statistics refresh %s failed", run.pk)
        _finish(run, RunStatus.FAILED, started, error=repr(error))
        raise
    return run


def _warm_cache(run_id: int) -> None:
    try:
        statistics_cache_warm(run_id=run_id)
    except Exception:  # the pages render on demand if the cache cannot be filled now
        logger.exception("could not warm the statistics cache for run %s", run_id)


def _finish(run, status, started, *, error: str = "") -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.duration_ms = round((time.perf_counter() - started) * 1000)
    run.error = error
    StatisticsRun.objects.filter(pk=run.pk).update(
        status=run.status,
        finished_at=run.finished_at,
        duration_ms=run.duration_ms,
        error=error,
    )
