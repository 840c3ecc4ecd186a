"""The open-licence pages: public list and terms, accept and pay in the browser's forms, the
holder's form (errors kept beside the fields) and licensee list, the catalogue badge and filter."""

import pytest
from django.urls import reverse

from licensing import services
from licensing.choices import LicenceStatus
from licensing.models import Licence, OpenLicenceOffer

pytestmark = pytest.mark.django_db


def test_public_list_and_detail_show_the_posted_terms(client, offer):
    listing = client.get(reverse("licensing:offer_list"))
    assert listing.status_code == 200
    assert 'data-testid="offer-row"' in listing.content.decode()
    detail = client.get(reverse("licensing:offer_detail", args=[offer.pk])).content.decode()
    assert 'data-testid="posted-fee"' in detail
    assert "中国大陆" in detail
    assert 'data-testid="accept"' not in detail  # anonymous: a sign-in link instead
    assert 'data-testid="licensees"' not in detail


def test_enterprise_accepts_and_pays_in_the_pages(client, offer, enterprise):
    client.force_login(enterprise)
    detail = client.get(reverse("licensing:offer_detail", args=[offer.pk])).content.decode()
    assert 'data-testid="accept"' in detail
    # when
    response = client.post(reverse("licensing:offer_accept", args=[offer.pk]))
    licence = Licence.objects.get()
    assert response.url == reverse("licensing:licence_detail", args=[licence.pk])
    page = client.get(response.url).content.decode()
    assert 'data-testid="licence-pay"' in page
    client.post(reverse("licensing:licence_transition", args=[licence.pk]), {"action": "pay"})
    # then
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.LICENSED
    page = client.get(reverse("licensing:licence_detail", args=[licence.pk])).content.decode()
    assert 'data-testid="certificate-number"' in page
    assert licence.deal.certificate.number in page
    mine = client.get(reverse("licensing:my_licences")).content.decode()
    assert 'data-testid="licence-row"' in mine


def test_a_refused_accept_says_why_and_changes_nothing(client, offer, holder):
    client.force_login(holder)
    response = client.post(reverse("licensing:offer_accept", args=[offer.pk]), follow=True)
    assert response.status_code == 200
    assert not Licence.objects.exists()
    assert list(response.context["messages"])


def test_create_form_keeps_values_and_shows_the_bound_beside_the_field(
    client, holder, technology, patent
):
    client.force_login(holder)
    url = reverse("licensing:offer_create")
    assert client.get(url, {"technology": technology.pk}).status_code == 200
    response = client.post(
        url,
        {
            "technology": technology.pk,
            "patent": patent.pk,
            "fee_kind": "net_sales_royalty",
            "royalty_rate": "25",
            "currency": "CNY",
            "term_years": "5",
            "field_of_use": "工业废水处理，保留输入",
            "territory": "中国大陆",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "royalty_rate" in form.errors
    assert "工业废水处理，保留输入" in response.content.decode()
    assert not OpenLicenceOffer.objects.exists()


def test_create_form_posts_an_offer(client, holder, technology, patent):
    client.force_login(holder)
    response = client.post(
        reverse("licensing:offer_create"),
        {
            "technology": technology.pk,
            "patent": patent.pk,
            "fee_kind": "lump_sum",
            "fixed_fee": "30000",
            "currency": "CNY",
            "term_years": "3",
            "field_of_use": "工业废水处理",
            "territory": "中国大陆",
        },
    )
    offer = OpenLicenceOffer.objects.get()
    assert response.url == reverse("licensing:offer_detail", args=[offer.pk])


def test_others_cannot_use_the_holders_form(client, enterprise, technology, offer):
    client.force_login(enterprise)
    assert (
        client.get(reverse("licensing:offer_create"), {"technology": technology.pk}).status_code
        == 404
    )
    assert client.get(reverse("licensing:offer_edit", args=[offer.pk])).status_code == 403


def test_holder_sees_licensees_on_the_offer(client, offer, holder, enterprise):
    services.licence_accept(offer=offer, user=enterprise)
    client.force_login(holder)
    page = client.get(reverse("licensing:offer_detail", args=[offer.pk])).content.decode()
    assert page.count('data-testid="licensee-row"') == 1


def test_licence_page_of_another_enterprise_is_404(client, offer, enterprise, other_enterprise):
    licence = services.licence_accept(offer=offer, user=enterprise)
    client.force_login(other_enterprise)
    assert client.get(reverse("licensing:licence_detail", args=[licence.pk])).status_code == 404
    client.post(reverse("licensing:licence_transition", args=[licence.pk]), {"action": "pay"})
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACCEPTED


def test_catalogue_badge_and_filter(client, offer, technology):
    listing = client.get(reverse("catalog:technology_list"), {"open_licence": "true"})
    content = listing.content.decode()
    assert content.count('data-testid="result"') == 1
    assert 'data-testid="open-licence-badge"' in content
    assert (
        client.get(reverse("catalog:technology_list"), {"open_licence": "false"})
        .content.decode()
        .count('data-testid="result"')
        == 0
    )
    detail = client.get(reverse("catalog:technology_detail", args=[technology.pk])).content.decode()
    assert reverse("licensing:offer_detail", args=[offer.pk]) in detail


def test_workspace_links_for_holder_and_enterprise(client, offer, holder, enterprise):
    for user in (holder, enterprise):
        client.force_login(user)
        page = client.get(reverse("accounts:workspace")).content.decode()
        assert 'data-testid="workspace-licensing"' in page
