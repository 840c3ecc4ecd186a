"""Cross-border deals: one database expression says export / import / foreign / domestic."""

import pytest

from exchange import selectors
from exchange.crossborder import deal_direction, with_trade_direction
from exchange.models import Deal
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _deal(technology, seller_region: str, buyer_region: str) -> Deal:
    seller = OrganizationFactory(region=seller_region)
    buyer = OrganizationFactory(region=buyer_region, credit_code="")
    technology.organization = seller
    technology.save(update_fields=["organization"])
    return Deal.objects.create(
        technology=technology, seller=seller, buyer=buyer, deal_type="license", stage="inquiry"
    )


@pytest.mark.parametrize(
    ("seller_region", "buyer_region", "direction"),
    [
        ("CN-JS", "CN-GD", None),  # two provinces: domestic
        ("CN-JS", "TH", "export"),
        ("DE", "CN-ZJ", "import"),
        ("TH", "VN", "foreign"),
        ("TH", "TH", None),  # both in Thailand: domestic to them
    ],
)
def test_direction_from_chinas_side(technology, seller_region, buyer_region, direction):
    # given a deal between organisations in these regions
    deal = _deal(technology, seller_region, buyer_region)
    # when its direction is read through the annotated queryset and for a bare instance
    annotated = with_trade_direction(Deal.objects.filter(pk=deal.pk)).get()
    bare = Deal.objects.get(pk=deal.pk)
    # then both say the same thing
    assert annotated.direction == direction
    assert deal_direction(bare) == direction


def test_deal_list_has_the_direction_without_a_query_per_row(technology, django_assert_num_queries):
    for region in ("TH", "VN", "DE"):
        _deal(technology, "CN-JS", region)
    reviewer = UserFactory(roles=["reviewer"])
    deals = list(selectors.deals_listed(user=reviewer))
    with django_assert_num_queries(0):
        assert [deal.trade_direction for deal in deals] == ["export"] * 3


def test_deal_api_says_cross_border_and_direction(api_client_for, technology):
    # given an export deal and a domestic one
    export = _deal(technology, "CN-JS", "TH")
    buyer_user = UserFactory(roles=["enterprise"], organization=export.buyer)
    # when the Thai buyer reads the deal
    body = api_client_for(buyer_user).get(f"/api/v1/deals/{export.pk}/").json()
    # then it is a cross-border technology export from China's side
    assert body["cross_border"] is True
    assert body["direction"] == "export"
    assert body["export_control"]["required"] is True
    assert body["export_control"]["outcome"] == "unclassified"


def test_domestic_deal_is_not_cross_border(api_client_for, technology):
    deal = _deal(technology, "CN-JS", "CN-SH")
    user = UserFactory(roles=["enterprise"], organization=deal.buyer)
    body = api_client_for(user).get(f"/api/v1/deals/{deal.pk}/").json()
    assert body["cross_border"] is False
    assert body["direction"] is None
    assert body["export_control"]["required"] is False
    assert body["export_control"]["outcome"] is None


def test_deal_page_shows_the_export_badge(client, technology):
    deal = _deal(technology, "CN-JS", "TH")
    user = UserFactory(roles=["holder"], organization=deal.seller)
    client.force_login(user)
    page = client.get(f"/exchange/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'data-direction="export"' in page.text
    assert "Technology export" in page.text


def test_statistics_count_cross_border_deals_by_direction(technology, api_client):
    from insight.services import statistics_refresh

    # given two exports, an import and a domestic deal, one export signed
    first = _deal(technology, "CN-JS", "TH")
    _deal(technology, "CN-GD", "VN")
    _deal(technology, "DE", "CN-SH")
    _deal(technology, "CN-JS", "CN-SH")
    Deal.objects.filter(pk=first.pk).update(stage="contract_signed")
    # when the statistics are refreshed
    statistics_refresh()
    body = api_client.get("/api/v1/stats/").json()
    # then the API counts them by direction
    rows = {row["direction"]: row for row in body["deal_direction"]}
    assert rows["export"]["deals"] == 2
    assert rows["export"]["signed"] == 1
    assert rows["import"]["deals"] == 1
    assert rows["foreign"]["deals"] == 0
    scope = {row["scope"]: row["deals"] for row in body["deal_scope"]}
    assert scope == {"domestic": 1, "international": 3}
