"""Reviewers see the share of outdated technologies and needs per organisation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Category, Technology
from exchange.models import Need
from insight.selectors import freshness_by_organization
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/freshness/"


def _technology(organization, *, outdated=False, status="published"):
    valid_until = timezone.localdate() + datetime.timedelta(days=-1 if outdated else 30)
    return Technology.objects.create(
        organization=organization,
        title_zh="余热回收技术",
        summary_zh="工业余热回收。",
        category=Category.objects.get(code="2.4"),
        trl=6,
        region="CN-JS",
        status=status,
        published_at=timezone.now(),
        valid_until=valid_until,
    )


def _need(organization, *, outdated=False, status="published"):
    valid_until = timezone.localdate() + datetime.timedelta(days=-1 if outdated else 30)
    return Need.objects.create(
        organization=organization,
        title_zh="废水处理需求",
        description_zh="需要处理高浓度废水。",
        region="CN-ZJ",
        deadline=timezone.localdate() + datetime.timedelta(days=60),
        status=status,
        valid_until=valid_until,
    )


@pytest.fixture
def figures_world(db):
    stale = OrganizationFactory(name_zh="陈旧科技有限公司")
    fresh = OrganizationFactory(name_zh="常新环境有限公司")
    # stale: 2 of 3 technologies and 1 of 1 need outdated (3 of 4); a draft does not count
    _technology(stale, outdated=True)
    _technology(stale, outdated=True)
    _technology(stale)
    _technology(stale, outdated=True, status="draft")
    _need(stale, outdated=True)
    # fresh: nothing outdated; a closed past need does not count
    _technology(fresh)
    _need(fresh)
    _need(fresh, outdated=True, status="closed")
    return stale, fresh


def test_the_figures_count_live_entries_and_the_outdated_share(figures_world):
    stale, fresh = figures_world
    figures = freshness_by_organization()
    rows = {row["organization"]: row for row in figures["organizations"]}
    assert [row["organization"] for row in figures["organizations"]] == [stale.pk, fresh.pk]
    assert rows[stale.pk]["technologies"] == 3
    assert rows[stale.pk]["outdated_technologies"] == 2
    assert rows[stale.pk]["needs"] == 1
    assert rows[stale.pk]["outdated_needs"] == 1
    assert rows[stale.pk]["outdated_share"] == 0.75
    assert rows[fresh.pk]["outdated"] == 0
    assert rows[fresh.pk]["outdated_share"] == 0.0
    assert figures["totals"]["entries"] == 6
    assert figures["totals"]["outdated"] == 3
    assert figures["totals"]["outdated_share"] == 0.5
    assert rows[stale.pk]["technologies_url"] == (
        f"{reverse('catalog:technology_list')}?organization={stale.pk}&freshness=outdated"
    )


def test_the_review_desk_shows_the_share_with_links(client, figures_world, reviewer):
    stale, _fresh = figures_world
    client.force_login(reviewer)
    page = client.get(reverse("insight:review_desk")).content.decode()
    body = page[page.index("</title>") :]
    assert 'data-testid="freshness-table"' in body
    assert "陈旧科技有限公司" in body
    assert "75 %" in body
    assert f"?organization={stale.pk}&amp;freshness=outdated" in body


def test_the_linked_list_shows_exactly_the_organisations_outdated_listings(client, figures_world):
    stale, _fresh = figures_world
    response = client.get(
        reverse("catalog:technology_list"), {"organization": stale.pk, "freshness": "outdated"}
    )
    assert response.context["page_obj"].paginator.count == 2


def test_the_api_gives_reviewers_the_figures_and_refuses_the_others(
    api_client, api_client_for, figures_world, reviewer
):
    stale, _fresh = figures_world
    body = api_client_for(reviewer).get(API).data
    assert body["totals"]["outdated"] == 3
    assert body["organizations"][0]["organization"] == stale.pk
    assert body["organizations"][0]["organization_name"] == "陈旧科技有限公司"
    holder = UserFactory(roles=["holder"], organization=stale)
    assert api_client_for(holder).get(API).status_code == 403
    assert api_client.get(API).status_code in (401, 403)
