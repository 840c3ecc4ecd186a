"""Error summary, required marker, defaults and breadcrumbs on the exchange's pages (#14)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from exchange.models import Deal, DealMilestone, Need, Proposal
from tests.exchange.conftest import NEED_FIELDS, future
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _summary(content: str) -> str:
    match = re.search(r'<div[^>]*data-testid="error-summary".*?</div>', content, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def _breadcrumbs(content: str) -> str:
    match = re.search(r'<nav[^>]*data-testid="breadcrumbs".*?</nav>', content, re.S)
    assert match, "no breadcrumbs on the page"
    return match.group(0)


def test_a_refused_need_form_lists_each_error_as_a_link_to_its_field(client, enterprise):
    # given an enterprise user on the need form
    client.force_login(enterprise)
    # when the form is sent without a title and with a budget range upside down
    response = client.post(
        reverse("exchange:need_create"),
        {
            **NEED_FIELDS,
            "organization": enterprise.memberships.get().organization_id,
            "title_zh": "",
            "title_en": "",
            "budget_min": "10",
            "budget_max": "1",
            "deadline": future().isoformat(),
        },
    )
    # then the summary, focusable, links every refused field by its id, which the page carries
    content = response.content.decode()
    summary = _summary(content)
    assert 'tabindex="-1"' in summary
    form = response.context["form"]
    assert form.errors
    for name in form.errors:
        if name == "__all__":
            continue
        field_id = form[name].id_for_label
        assert f'href="#{field_id}"' in summary
        assert f'id="{field_id}"' in content
    # and each field keeps its own message beside it, with what was typed
    assert 'class="invalid-feedback"' in content
    assert "800 吨高浓度有机废水" in content
    assert not Need.objects.exists()


def test_the_need_form_marks_required_fields_once_and_has_one_primary_button(client, enterprise):
    client.force_login(enterprise)
    content = client.get(reverse("exchange:need_create")).content.decode()
    form_html = content[content.index('data-testid="need-form"') :]
    form_html = form_html[: form_html.index("</form>")]
    assert form_html.count('data-testid="required-legend"') == 1
    assert "asteriskField" in form_html
    # the organisation, region and deadline are required: the inputs say so too (Django writes
    # no `required` on a select without an empty first option, so the region says aria-required)
    for name in ("organization", "deadline"):
        assert re.search(rf'<[^>]*name="{name}"[^>]*required', form_html), name
    assert re.search(r'<select[^>]*name="region"[^>]*aria-required="true"', form_html)
    # an optional field says neither
    assert not re.search(r'<[^>]*name="context"[^>]*required', form_html)
    assert form_html.count("btn-primary") == 1
    assert "btn-success" not in form_html


def test_a_new_need_is_placed_in_the_organisations_region(client):
    # given an enterprise in Guangdong (the common fixtures use Zhejiang like the sample need)
    organization = OrganizationFactory(region="CN-GD")
    user = UserFactory(roles=["enterprise"], organization=organization)
    client.force_login(user)
    # when the user opens the need form, the region is the organisation's
    response = client.get(reverse("exchange:need_create"))
    assert response.context["form"]["region"].value() == "CN-GD"
    assert re.search(r'<option value="CN-GD"[^>]*selected', response.content.decode())


def test_an_api_need_without_a_region_is_placed_in_the_organisations_region(api_client_for):
    organization = OrganizationFactory(region="CN-GD")
    user = UserFactory(roles=["enterprise"], organization=organization)
    fields = {k: v for k, v in NEED_FIELDS.items() if k != "region"}
    response = api_client_for(user).post(
        "/api/v1/needs/", {**fields, "deadline": future().isoformat()}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["region"] == "CN-GD"
    assert Need.objects.get().region == "CN-GD"


def test_an_api_need_keeps_the_region_it_was_given(api_client_for):
    organization = OrganizationFactory(region="CN-GD")
    user = UserFactory(roles=["enterprise"], organization=organization)
    response = api_client_for(user).post(
        "/api/v1/needs/",
        {**NEED_FIELDS, "region": "CN-JS", "deadline": future().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Need.objects.get().region == "CN-JS"


def test_an_api_need_with_a_bad_region_is_still_refused(api_client_for, enterprise):
    response = api_client_for(enterprise).post(
        "/api/v1/needs/",
        {**NEED_FIELDS, "region": "XX-99", "deadline": future().isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "region" in response.json()
    assert not Need.objects.exists()


def test_the_need_page_has_breadcrumbs_to_the_needs_list(client, make_need):
    need = make_need(status="published")
    content = client.get(reverse("exchange:need_detail", args=[need.pk])).content.decode()
    trail = _breadcrumbs(content)
    assert f'href="{reverse("exchange:need_list")}"' in trail
    assert re.search(r'aria-current="page">\s*' + re.escape(need.title), trail)


def test_a_members_need_page_and_edit_page_lead_back_to_my_needs(client, make_need, enterprise):
    need = make_need()
    client.force_login(enterprise)
    detail = _breadcrumbs(
        client.get(reverse("exchange:need_detail", args=[need.pk])).content.decode()
    )
    assert f'href="{reverse("exchange:my_needs")}"' in detail
    edit = _breadcrumbs(client.get(reverse("exchange:need_edit", args=[need.pk])).content.decode())
    assert f'href="{reverse("exchange:my_needs")}"' in edit
    assert f'href="{reverse("exchange:need_detail", args=[need.pk])}"' in edit
    assert edit.count('aria-current="page"') == 1


def test_the_deal_page_has_breadcrumbs_to_the_deal_list(client, make_deal, enterprise):
    deal = make_deal(stage="negotiation")
    client.force_login(enterprise)
    content = client.get(reverse("exchange:deal_detail", args=[deal.pk])).content.decode()
    trail = _breadcrumbs(content)
    assert f'href="{reverse("exchange:deal_list")}"' in trail
    assert re.search(rf'aria-current="page">[^<]*#{deal.pk}', trail)


def test_refused_deal_terms_stay_on_the_form_with_a_summary(client, make_deal, enterprise):
    # given a deal in negotiation
    deal = make_deal(stage="negotiation")
    client.force_login(enterprise)
    # when a party sends a price that is not a number
    response = client.post(
        reverse("exchange:deal_terms", args=[deal.pk]),
        {"price": "eight hundred", "currency": "CNY", "payment_terms": "分三期支付"},
    )
    # then the deal room comes back (400) with the summary linking to the price field, the
    # terms as typed, and nothing saved
    assert response.status_code == 400
    content = response.content.decode()
    assert 'href="#terms_price"' in _summary(content)
    assert 'id="terms_price"' in content
    assert "分三期支付" in content
    deal.refresh_from_db()
    assert deal.payment_terms == ""


def test_a_refused_milestone_stays_on_the_form(client, make_deal, enterprise):
    deal = make_deal(stage="negotiation")
    client.force_login(enterprise)
    response = client.post(
        reverse("exchange:milestone_add", args=[deal.pk]),
        {"kind": "payment", "title": "首付款", "amount": "", "due_date": ""},
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert 'href="#milestone_due_date"' in _summary(content)
    assert 'value="首付款"' in content
    assert not DealMilestone.objects.filter(deal=deal).exists()


def test_an_outsiders_refused_terms_are_still_404(client, make_deal):
    deal = make_deal(stage="negotiation")
    client.force_login(UserFactory(roles=["enterprise"], organization=OrganizationFactory()))
    response = client.post(reverse("exchange:deal_terms", args=[deal.pk]), {"price": "x"})
    assert response.status_code == 404
    assert Deal.objects.get(pk=deal.pk).price == Decimal("800000.00")


def test_a_refused_proposal_stays_on_the_need_page(client, make_need, holder, technology):
    # given a published need and a holder with a published technology
    need = make_need(status="published")
    client.force_login(holder)
    # when the holder sends a proposal without the approach
    response = client.post(
        reverse("exchange:proposal_create", args=[need.pk]),
        {
            "technology": technology.pk,
            "deal_type": "license",
            "approach": "",
            "price": "",
            "currency": "CNY",
            "timeline": "六个月",
        },
    )
    # then the need page comes back with the summary linking to the field and the typed timeline
    assert response.status_code == 400
    content = response.content.decode()
    assert 'href="#proposal_approach"' in _summary(content)
    assert 'value="六个月"' in content
    assert not Proposal.objects.exists()


def test_a_proposal_from_someone_who_may_not_propose_is_a_message(client, make_need, enterprise):
    # the need's own organisation gets no proposal form: the refusal comes back as a message
    need = make_need(status="published")
    client.force_login(enterprise)
    response = client.post(reverse("exchange:proposal_create", args=[need.pk]), {})
    assert response.status_code == 302
    assert not Proposal.objects.exists()
