from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count

from catalog.models import Technology
from exchange.models import Deal, Need
from insight import services, tasks
from insight.choices import ImpactDimension, ImpactMethod, RunStatus, RunTrigger
from insight.models import (
    ConversionStatistic,
    DealImpact,
    DealStatistic,
    ImpactDefaults,
    ImpactStatistic,
    ListingStatistic,
    MonthlyValueStatistic,
    RegionalStatistic,
    SdgStatistic,
    StatisticsRun,
)
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_refresh_counts_match_the_live_tables(make_technology, make_deal):
    # given published, draft and foreign listings and deals in several stages
    make_technology(region="CN-JS", sdg_goals=[6, 13])
    make_technology(region="CN-GD", sdg_goals=[13])
    make_technology(status="draft", region="CN-GD")
    make_deal(stage="inquiry")
    make_deal(stage="contract_signed")
    make_deal(stage="completed", seller=OrganizationFactory(region="DE"))
    # when
    run = services.statistics_refresh(trigger=RunTrigger.MANUAL)
    # then every table reflects the live data, each row stamped with the computing time
    assert run.status == RunStatus.COMPLETED
    by_region = dict(
        ListingStatistic.objects.filter(
            run=run, kind="technology", category__isnull=True
        ).values_list("region", "count")
    )
    live = dict(
        Technology.objects.filter(status="published")
        .values("region")
        .annotate(n=Count("pk"))
        .values_list("region", "n")
    )
    assert by_region == live
    stages = dict(DealStatistic.objects.filter(run=run).values_list("stage", "count"))
    assert stages == {"inquiry": 1, "contract_signed": 1, "completed": 1}
    international = DealStatistic.objects.get(run=run, stage="completed")
    assert international.scope == "international"
    conversion = ConversionStatistic.objects.get(run=run, kind="technology")
    listed = Technology.objects.filter(published_at__isnull=False).count()
    assert (conversion.listed, conversion.converted) == (listed, 2)
    value = MonthlyValueStatistic.objects.get(run=run)
    assert (value.deals, value.value) == (1, Decimal("800000.00"))
    sdg = dict(SdgStatistic.objects.filter(run=run).values_list("goal", "technologies"))
    assert sdg == {6: 1, 13: 4 - 2}
    assert {row.computed_at for row in ListingStatistic.objects.filter(run=run)} == {
        ListingStatistic.objects.filter(run=run).first().computed_at
    }


def test_green_impact_states_the_method_of_every_figure(make_technology, make_deal):
    # given one deal with its own baseline figures, one with a stated rate and platform
    # defaults, and one whose technology states nothing
    ImpactDefaults.objects.update_or_create(
        pk=1, defaults={"deployments": 2, "years": Decimal("3")}
    )
    rated = make_technology(co2e_avoided_tonnes_per_year=Decimal("10.0"), co2e_method="电耗折算")
    with_baseline = make_deal(stage="completed", technology=rated)
    DealImpact.objects.create(
        deal=with_baseline,
        deployments=4,
        baseline_tonnes=Decimal("100"),
        technology_tonnes=Decimal("40"),
    )
    make_deal(stage="completed", technology=rated)
    make_deal(stage="completed", technology=make_technology())
    # when
    run = services.statistics_refresh()
    # then
    totals = {
        row.method: (row.deals, row.tonnes)
        for row in ImpactStatistic.objects.filter(run=run, dimension=ImpactDimension.TOTAL)
    }
    assert totals == {
        ImpactMethod.BASELINE: (1, Decimal("240.0")),
        ImpactMethod.STATED_RATE_DEFAULTS: (1, Decimal("60.0")),
        ImpactMethod.NOT_QUANTIFIED: (1, Decimal("0.0")),
    }
    by_region = ImpactStatistic.objects.filter(run=run, dimension=ImpactDimension.REGION)
    assert {row.key for row in by_region} == {"CN-ZJ"}
    assert (run.default_deployments, run.default_years) == (2, Decimal("3"))


def test_regional_rows_cover_every_indicator_source(make_technology, make_deal):
    # given
    make_technology(region="CN-SH")
    make_deal(stage="in_execution", price=Decimal("500000"))
    # when
    run = services.statistics_refresh()
    # then the buyer's region counts the signed deal, the seller's region the sale
    signed = RegionalStatistic.objects.get(run=run, indicator="deals_signed")
    sold = RegionalStatistic.objects.get(run=run, indicator="deals_sold")
    assert (signed.region, signed.count, signed.amount) == ("CN-ZJ", 1, Decimal("500000"))
    assert (sold.region, sold.currency) == ("CN-JS", "CNY")
    listed = RegionalStatistic.objects.filter(run=run, indicator="technologies_listed")
    assert sum(row.count for row in listed) == Technology.objects.exclude(published_at=None).count()


def test_refresh_twice_keeps_only_the_latest_run(make_technology):
    # given
    make_technology()
    first = services.statistics_refresh()
    # when
    second = services.statistics_refresh()
    # then the older run and its rows are gone
    assert list(StatisticsRun.objects.values_list("pk", flat=True)) == [second.pk]
    assert not ListingStatistic.objects.filter(run_id=first.pk).exists()
    assert ListingStatistic.objects.filter(run=second).count() == 2  # category + region


def test_a_failing_refresh_is_recorded_and_keeps_the_previous_rows(make_technology, monkeypatch):
    # given a completed run
    make_technology()
    good = services.statistics_refresh()

    def broken(run, now):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "_deal_rows", broken)
    # when
    with pytest.raises(RuntimeError):
        services.statistics_refresh()
    # then the failure is a row and the good run still serves the pages
    failed = StatisticsRun.objects.get(status=RunStatus.FAILED)
    assert "boom" in failed.error
    assert StatisticsRun.objects.get(status=RunStatus.COMPLETED).pk == good.pk
    assert ListingStatistic.objects.filter(run=good).exists()


def test_the_beat_task_and_the_command_refresh(make_technology):
    # given
    make_technology()
    # when
    run_id = tasks.refresh_statistics()
    call_command("refresh_statistics", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then
    run = StatisticsRun.objects.get()
    assert run.trigger == RunTrigger.COMMAND
    assert run.pk != run_id


def test_beat_schedules_the_refresh(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["insight-refresh-statistics"]
    assert schedule["task"] == "insight.tasks.refresh_statistics"


def test_demo_seed_is_idempotent(demo):
    # given the demo data was seeded and refreshed once
    from insight import demo as insight_demo

    # when seeding again
    insight_demo.seed()
    # then one completed run holds figures equal to the live counts
    run = StatisticsRun.objects.get()
    assert run.status == RunStatus.COMPLETED
    assert (
        sum(
            ListingStatistic.objects.filter(run=run, kind="need", category=None).values_list(
                "count", flat=True
            )
        )
        == Need.objects.filter(status__in=["published", "in_negotiation"]).count()
    )
    assert sum(DealStatistic.objects.filter(run=run).values_list("count", flat=True)) == (
        Deal.objects.count()
    )
