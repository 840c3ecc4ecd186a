"""Similar technologies on a listing (issue #14 item 10): ranked by the matching engine's scoring,
served by matching (catalog does not import it) as an API and an htmx fragment; only published
listings the reader may see; an unpublished listing has none (404 / empty fragment)."""

import pytest
from django.urls import reverse

from catalog.models import Technology
from tests.factories import PASSWORD, OrganizationFactory
from tests.matching.conftest import make_technology

pytestmark = pytest.mark.django_db


@pytest.fixture
def leachate_twin(holder_org):
    return make_technology(
        OrganizationFactory(region="CN-ZJ"),
        title_zh="垃圾渗滤液膜处理集成技术",
        summary="反渗透膜处理垃圾填埋场渗滤液，浓缩液回灌，出水达标。",
        description="渗滤液 COD 10000 mg/L 以上的填埋场与焚烧厂。",
        keywords=["渗滤液", "反渗透", "膜处理"],
    )


@pytest.fixture
def leachate_draft(holder_org):
    return make_technology(
        holder_org,
        title_zh="渗滤液反渗透草稿技术",
        summary="反渗透处理垃圾渗滤液，草稿。",
        keywords=["渗滤液", "反渗透"],
        status="draft",
    )


def test_the_api_ranks_the_leachate_twin_first_and_leaves_out_itself_the_unrelated_and_drafts(
    api_client, leachate_technology, leachate_twin, solar_technology, leachate_draft
):
    # when an anonymous reader asks for technologies like the leachate listing
    response = api_client.get(f"/api/v1/technologies/{leachate_technology.pk}/similar/")
    # then the other leachate listing comes first; the listing itself and the draft never appear
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids[0] == leachate_twin.pk
    assert leachate_technology.pk not in ids
    assert leachate_draft.pk not in ids
    first = response.json()["results"][0]
    assert 0 < first["similarity"] <= 100
    assert first["url"] == reverse("catalog:technology_detail", args=[leachate_twin.pk])


def test_a_listing_withdrawn_later_drops_out_even_from_a_cached_ranking(
    api_client, leachate_technology, leachate_twin
):
    url = f"/api/v1/technologies/{leachate_technology.pk}/similar/"
    assert [row["id"] for row in api_client.get(url).json()["results"]] == [leachate_twin.pk]
    Technology.objects.filter(pk=leachate_twin.pk).update(status="withdrawn")
    assert api_client.get(url).json()["results"] == []


def test_a_draft_has_no_similar_technologies_for_anyone_but_404(
    api_client, api_client_for, holder, leachate_draft, leachate_twin
):
    url = f"/api/v1/technologies/{leachate_draft.pk}/similar/"
    assert api_client.get(url).status_code == 404
    assert api_client_for(holder).get(url).status_code == 404


def test_the_panel_fragment_lists_similar_listings_and_is_empty_for_a_draft(
    client, holder, leachate_technology, leachate_twin, leachate_draft
):
    page = client.get(
        reverse("matching:similar_technologies_panel", args=[leachate_technology.pk])
    ).content.decode()
    assert "垃圾渗滤液膜处理集成技术" in page
    assert 'data-testid="similar-item"' in page
    assert "<html" not in page
    client.login(email=holder.email, password=PASSWORD)
    draft_panel = client.get(
        reverse("matching:similar_technologies_panel", args=[leachate_draft.pk])
    )
    assert draft_panel.status_code == 200
    assert draft_panel.content == b""


def test_the_detail_page_loads_the_panel_with_htmx(client, leachate_technology):
    page = client.get(
        reverse("catalog:technology_detail", args=[leachate_technology.pk])
    ).content.decode()
    assert (
        f'hx-get="{reverse("matching:similar_technologies_panel", args=[leachate_technology.pk])}"'
        in page
    )


def test_a_listing_alone_in_its_field_says_so(client, solar_technology):
    page = client.get(
        reverse("matching:similar_technologies_panel", args=[solar_technology.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert 'data-testid="no-similar"' in page
