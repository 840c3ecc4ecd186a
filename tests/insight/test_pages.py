import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from openpyxl import load_workbook

from accounts.models import Organization, OrganizationEvent
from catalog.models import Category, Technology, TechnologyEvent
from catalog.synthetic import generate_technologies
from core.regions import region_label
from exchange.models import Deal, Need
from finance.models import ApplicationEvent, FinancingApplication, VoucherRedemption
from insight import selectors, services
from insight.choices import ReviewQueue
from insight.models import ImpactDefaults
from tests.factories import OrganizationFactory, UserFactory
from tests.insight.conftest import days_ago

pytestmark = pytest.mark.django_db

SIGNED = ("contract_signed", "in_execution", "completed")


def client_for(user=None, language="zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def row_cells(html: str, attribute: str, value: str, table: str | None = None) -> list[str]:
    """The text of the cells of the table row marked `attribute="value"` (in table `table`)."""
    if table is not None:
        found = re.search(rf'<table[^>]*data-testid="{table}"[^>]*>(.*?)</table>', html, re.S)
        assert found, f"no table {table}"
        html = found.group(1)
    match = re.search(rf'<tr[^>]*{attribute}="{re.escape(value)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", text).strip() for text in cells]


# --- statistics page ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "stage_label"),
    [("zh-hans", "平台统计", "已完成"), ("en", "Platform statistics", "Completed")],
)
def test_statistics_page_shows_the_demo_data(demo, language, heading, stage_label):
    # given the demo data and a refresh (the demo fixture)
    # when anyone opens the statistics page
    response = client_for(language=language).get(reverse("insight:statistics"))
    html = response.content.decode()
    # then the figures equal counts computed directly from the models
    assert response.status_code == 200
    assert heading in html
    published = Technology.objects.filter(status="published")
    assert f'data-testid="total-technologies">{published.count()}<' in html
    public_needs = Need.objects.filter(status__in=["published", "in_negotiation"]).count()
    assert f'data-testid="total-needs">{public_needs}<' in html
    for region, count in published.values_list("region").annotate(n=Count("pk")):
        with override(language):
            label = region_label(region)
        assert row_cells(html, "data-region", region)[:2] == [label, str(count)]
    for stage, count in Deal.objects.values_list("stage").annotate(n=Count("pk")):
        assert row_cells(html, "data-stage", stage)[1] == str(count)
    assert row_cells(html, "data-stage", "completed")[0] == stage_label
    listed = Technology.objects.exclude(published_at=None)
    converted = listed.filter(deals__stage__in=SIGNED).distinct().count()
    percent = round(100 * converted / listed.count(), 1)
    assert f'data-testid="conversion-technology">{percent} %<' in html
    group = Category.objects.get(code="2.4")
    in_group = published.filter(category=group).count()
    assert row_cells(html, "data-code", "2.4")[1] == str(in_group)
    # the charts get their data from a JSON block and a static script, never inline code
    assert 'id="insight-chart-data" type="application/json"' in html
    assert "vendor/chartjs/chart.umd.js" in html and "js/insight.js" in html
    assert "<script>" not in html
    assert 'data-testid="as-of"' in html


def test_statistics_page_states_the_method_of_the_impact_figures(demo):
    # given the demo's completed deal, whose technology states a rate but no deal figures
    completed = Deal.objects.get(stage="completed")
    rate = completed.technology.co2e_avoided_tonnes_per_year
    defaults = ImpactDefaults.current()
    expected = (rate * defaults.deployments * defaults.years).quantize(Decimal("0.1"))
    # when
    html = client_for(language="en").get(reverse("insight:statistics")).content.decode()
    # then the figure and its method (platform defaults) are shown together
    method_row = row_cells(html, "data-method", "stated_rate_defaults")
    assert "platform defaults" in method_row[0]
    assert method_row[1:] == ["1", f"{expected:,}"]
    region_row = row_cells(html, "data-region", completed.buyer.region, "impact-region-table")
    assert region_row[1:] == method_row


def test_statistics_page_before_any_refresh_says_so(db):
    response = client_for(language="en").get(reverse("insight:statistics"))
    assert response.status_code == 200
    assert b'data-testid="statistics-pending"' in response.content


def _page_queries(django_assert_num_queries) -> None:
    services.statistics_refresh()
    client = client_for()
    # the first request after a refresh reads the summary tables (run, categories, 7 tables,
    # funnel, efficiency, reasons; then the funnel section's industries and rows) ...
    with django_assert_num_queries(14):
        assert client.get(reverse("insight:statistics")).status_code == 200
    # ... and the next ones only which run is the latest: the body is cached per run
    with django_assert_num_queries(1):
        assert client.get(reverse("insight:statistics")).status_code == 200


def test_statistics_page_query_count_does_not_grow_with_data(django_assert_num_queries, make_deal):
    # given 5 technologies, then 50 more and more deals
    generate_technologies(5)
    make_deal(stage="completed")
    _page_queries(django_assert_num_queries)
    generate_technologies(50, seed=7)
    for stage in ("completed", "inquiry", "in_execution"):
        make_deal(stage=stage, buyer=OrganizationFactory(region="DE"))
    # then the page reads the same number of summary queries
    _page_queries(django_assert_num_queries)


def test_the_refresh_warms_the_page_cache_after_commit(
    django_assert_num_queries, django_capture_on_commit_callbacks, make_technology
):
    # given
    make_technology()
    # when the refresh commits
    with django_capture_on_commit_callbacks(execute=True):
        services.statistics_refresh()
    # then the first visitor, in either language, reads only which run is the latest
    for language in ("zh-hans", "en"):
        with django_assert_num_queries(1):
            response = client_for(language=language).get(reverse("insight:statistics"))
        assert 'data-testid="total-technologies">1<' in response.content.decode()


def test_a_new_refresh_shows_new_figures_despite_the_cache(make_technology):
    # given a cached page
    make_technology()
    services.statistics_refresh()
    client = client_for()
    client.get(reverse("insight:statistics"))
    # when a listing is added and the statistics refreshed
    make_technology()
    services.statistics_refresh()
    # then the page shows the new count
    html = client.get(reverse("insight:statistics")).content.decode()
    assert 'data-testid="total-technologies">2<' in html


# --- review desk -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("holder", 403), ("financier", 403), ("reviewer", 200), ("admin", 200)],
)
def test_review_desk_is_for_reviewers_and_admins(db, who, expected):
    # given
    user = None if who == "anonymous" else UserFactory(roles=[who])
    # when
    for name in ("review_desk", "regional_report", "regional_report_excel", "regional_report_pdf"):
        response = client_for(user).get(reverse(f"insight:{name}"))
        # then
        assert response.status_code == expected, name
        if expected == 302:
            assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("language", "queue_label"), [("zh-hans", "交易"), ("en", "Deals")])
def test_review_desk_shows_queues_turnaround_and_workload(demo, language, queue_label):
    # given the demo's deal waiting since 30 hours and an old organisation request
    reviewer = demo["reviewer"]
    org = OrganizationFactory(verification_status="pending")
    OrganizationEvent.objects.create(
        organization=org, action="request", from_status="unverified", to_status="pending"
    )
    OrganizationEvent.objects.filter(organization=org).update(created_at=days_ago(5))
    # when
    html = client_for(reviewer, language).get(reverse("insight:review_desk")).content.decode()
    # then the live queue sizes equal the model counts and the old request is past the target
    deals_waiting = Deal.objects.filter(stage="submitted_for_review").count()
    assert row_cells(html, "data-queue", "deal")[:2] == [queue_label, str(deals_waiting)]
    pending = Organization.objects.filter(verification_status="pending").count()
    assert row_cells(html, "data-queue", "organization")[1:3] == [str(pending), "1"]
    technologies = Technology.objects.filter(status="submitted").count()
    assert row_cells(html, "data-queue", "technology")[1] == str(technologies)
    financing = FinancingApplication.objects.filter(
        status__in=["submitted", "under_review"]
    ).count()
    assert row_cells(html, "data-queue", "financing")[1] == str(financing)
    # turnaround and workload come from the summary tables: the demo reviewer decided listings
    decisions = TechnologyEvent.objects.filter(action__in=["approve", "return", "reject"])
    turnaround = row_cells(html, "data-queue", ReviewQueue.TECHNOLOGY, "turnaround-table")
    assert turnaround[1] == str(decisions.filter(revision=None).count())
    workload = row_cells(html, "data-reviewer", reviewer.email, "workload-table")
    assert workload[-1] == str(decisions.filter(actor=reviewer).count())


def test_review_turnaround_median_and_p90(make_technology, reviewer, admin_user):
    # given three listing decisions after 10, 20 and 60 hours
    for hours, actor in ((10, reviewer), (20, reviewer), (60, admin_user)):
        technology = make_technology()
        submitted = days_ago(10)
        TechnologyEvent.objects.create(
            technology=technology, action="submit", created_at=submitted - datetime.timedelta(1)
        )
        TechnologyEvent.objects.create(technology=technology, action="submit", created_at=submitted)
        TechnologyEvent.objects.create(
            technology=technology,
            action="approve",
            actor=actor,
            created_at=submitted + datetime.timedelta(hours=hours),
        )
    # when
    services.statistics_refresh()
    desk = selectors.review_desk()
    # then the latest submission before each decision counts
    row = next(item for item in desk["turnaround"] if item["queue"] == "technology")
    assert row["decisions"] == 3
    assert row["median_hours"] == pytest.approx(20)
    assert row["p90_hours"] == pytest.approx(52)
    totals = {item["email"]: item["total"] for item in desk["workloads"]}
    assert totals[reviewer.email] == 2
    assert totals[admin_user.email] == 1


def test_review_desk_query_count_is_pinned(django_assert_num_queries, reviewer, make_deal):
    # given
    for _ in range(3):
        make_deal(stage="submitted_for_review", review_requested_at=days_ago(4))
    services.statistics_refresh()
    client = client_for(reviewer)
    client.get(reverse("insight:review_desk"))
    # when / then: session, user, 6 queue counts, run, turnaround, reviewers, workloads, nav,
    # and the freshness figures (technologies and needs per organisation, their names)
    with django_assert_num_queries(16):
        response = client.get(reverse("insight:review_desk"))
    assert row_cells(response.content.decode(), "data-queue", "deal")[1:3] == ["3", "3"]


# --- regional report ---------------------------------------------------------------------------


def _period() -> dict:
    month = timezone.localdate().strftime("%Y-%m")
    return {"start": month, "end": month}


@pytest.mark.parametrize(("language", "total_label"), [("zh-hans", "合计"), ("en", "Total")])
def test_regional_report_shows_the_demo_indicators(demo, language, total_label):
    # given
    reviewer = demo["reviewer"]
    # when the report for the current month is shown
    response = client_for(reviewer, language).get(reverse("insight:regional_report"), _period())
    html = response.content.decode()
    # then each region's indicators equal counts computed from the models
    assert response.status_code == 200
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    listed = (
        Technology.objects.filter(published_at__gte=month_start)
        .values_list("region")
        .annotate(n=Count("pk"))
    )
    for region, count in listed:
        assert row_cells(html, "data-region", region)[1] == str(count)
    signed = Deal.objects.filter(stage__in=SIGNED, signed_at__gte=month_start)
    buyer_region = "CN-ZJ"
    value = signed.filter(buyer__region=buyer_region).aggregate(total=Sum("price"))["total"]
    cells = row_cells(html, "data-region", buyer_region)
    assert cells[3].startswith(f"{signed.filter(buyer__region=buyer_region).count()} · CNY")
    assert f"{value:,.2f}".replace(",", "") in cells[3].replace(",", "")
    approved = ApplicationEvent.objects.filter(action="approve", created_at__gte=month_start)
    assert cells[6].startswith(str(approved.filter(application__applicant__region="CN-ZJ").count()))
    redeemed = VoucherRedemption.objects.filter(created_at__gte=month_start).count()
    total = row_cells(html, "data-region", "total")
    assert total[0] == total_label
    assert total[5].startswith(str(redeemed))
    assert "t CO2e" in cells[7]


def test_regional_report_refuses_a_reversed_period(reviewer):
    services.statistics_refresh()
    response = client_for(reviewer, "en").get(
        reverse("insight:regional_report"), {"start": "2026-05", "end": "2026-01"}
    )
    assert response.status_code == 200
    assert "The period must end in or after the month it starts." in response.content.decode()
    download = client_for(reviewer, "en").get(
        reverse("insight:regional_report_excel"), {"start": "2026-05", "end": "2026-01"}
    )
    assert download.status_code == 400


def test_regional_report_downloads_excel_and_pdf(demo):
    # given
    client = client_for(demo["reviewer"], "zh-hans")
    # when
    excel = client.get(reverse("insight:regional_report_excel"), _period())
    pdf = client.get(reverse("insight:regional_report_pdf"), _period())
    # then the workbook's figures equal the models' and the PDF is a PDF
    assert excel.status_code == 200 and "attachment" in excel["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(excel.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for region, count in (
        Technology.objects.filter(published_at__gte=month_start)
        .values_list("region")
        .annotate(n=Count("pk"))
    ):
        assert rows[region][2] == count
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_regional_report_query_count_is_pinned(django_assert_num_queries, reviewer, make_deal):
    # given deals in two regions, then in five more
    client = client_for(reviewer)
    for regions in (("CN-JS", "CN-ZJ"), ("CN-SH", "CN-GD", "CN-BJ", "DE", "VN")):
        for region in regions:
            make_deal(stage="completed", buyer=OrganizationFactory(region=region))
        services.statistics_refresh()
        client.get(reverse("insight:regional_report"), _period())
        # when / then: session, user, run, regions, rows, navigation
        with django_assert_num_queries(6):
            response = client.get(reverse("insight:regional_report"), _period())
        regions = (
            set(Deal.objects.values_list("buyer__region", flat=True))
            | set(Deal.objects.values_list("seller__region", flat=True))
            | set(Technology.objects.values_list("region", flat=True))
        )
        # one row per region and the total
        assert response.content.decode().count("<tr data-region=") == len(regions) + 1


def test_navigation_links(reviewer):
    html = client_for(reviewer, "en").get(reverse("home")).content.decode()
    assert reverse("insight:statistics") in html
    assert reverse("insight:review_desk") in html
    holder_html = client_for(UserFactory(roles=["holder"]), "en").get(reverse("home"))
    assert reverse("insight:review_desk") not in holder_html.content.decode()
