"""Starting an introduction asks for why the two fit and the commission, and shows what will be
sent before it is (#14, 7a). The commission reaches the deal; the API keeps its contract."""

import pytest
from django.urls import reverse

from exchange.models import Deal, Introduction

pytestmark = pytest.mark.django_db

URL = "/exchange/introductions/"


@pytest.fixture
def published_need(make_need):
    return make_need(status="published")


def form_data(technology, need, **overrides) -> dict:
    return {
        "technology": technology.pk,
        "need": need.pk,
        "deal_type": "license",
        "note": "反应器容积负荷与需求的COD浓度相符。",
        "commission_rate": "3.50",
        "commission_amount": "",
        **overrides,
    }


def test_an_introduction_needs_a_note_and_a_commission(client, broker, technology, published_need):
    # when a broker sends the form without a note or a commission
    client.force_login(broker)
    response = client.post(URL, form_data(technology, published_need, note="", commission_rate=""))
    # then the form says what is missing and nothing is sent
    assert response.status_code == 200
    form = response.context["form"]
    assert "note" in form.errors and "commission_rate" in form.errors
    assert not Introduction.objects.exists()


def test_the_broker_confirms_what_both_sides_will_be_sent(
    client, broker, technology, published_need
):
    client.force_login(broker)
    # when the broker fills the form in
    response = client.post(URL, form_data(technology, published_need))
    # then nothing is sent yet: the page shows the introduction to confirm
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="introduction-summary"' in page
    assert 'data-testid="introduction-confirm"' in page
    assert "3.50 %" in page
    assert not Introduction.objects.exists()
    # and "Change" goes back to the form with what was typed
    response = client.post(URL, {**form_data(technology, published_need), "edit": "1"})
    assert 'data-testid="introduction-summary"' not in response.content.decode()
    assert "反应器容积负荷" in response.content.decode()
    assert not Introduction.objects.exists()
    # when the broker confirms
    response = client.post(URL, {**form_data(technology, published_need), "confirm": "1"})
    # then the introduction is sent with its note and commission
    assert response.status_code == 302
    introduction = Introduction.objects.get()
    assert str(introduction.commission_rate) == "3.50"
    assert introduction.note.startswith("反应器")


def test_a_lead_opens_the_form_prefilled_and_sends_nothing_by_itself(
    client, broker, technology, published_need
):
    from matching.models import Match

    lead = Match.objects.create(need=published_need, technology=technology, score=95)
    client.force_login(broker)
    # when the broker opens an introduction from a lead
    response = client.get(reverse("matching:lead_introduce", args=[lead.pk]), follow=True)
    # then the form opens with the lead's technology and need chosen, and nothing is sent
    assert not Introduction.objects.exists()
    form = response.context["form"]
    assert str(form["technology"].value()) == str(technology.pk)
    assert str(form["need"].value()) == str(published_need.pk)
    # and a POST to the lead (the old one-click button) sends nothing either
    client.post(reverse("matching:lead_introduce", args=[lead.pk]))
    assert not Introduction.objects.exists()


def test_the_commission_of_an_introduction_reaches_the_deal(
    api_client_for, broker, holder, enterprise, technology, published_need
):
    # given an introduction made through the API with a commission amount
    response = api_client_for(broker).post(
        "/api/v1/introductions/",
        {
            "technology": technology.pk,
            "need": published_need.pk,
            "deal_type": "license",
            "note": "契合",
            "commission_amount": "20000.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    # when both sides accept
    for user, action in ((holder, "accept_as_seller"), (enterprise, "accept_as_buyer")):
        answer = api_client_for(user).post(
            f"/api/v1/introductions/{pk}/transition/", {"action": action}, format="json"
        )
        assert answer.status_code == 200, answer.content
    # then the deal carries the commission, and the parties see it
    deal = Deal.objects.get(introduction_id=pk)
    assert str(deal.commission_amount) == "20000.00"
    seen = api_client_for(enterprise).get(f"/api/v1/deals/{deal.pk}/").json()
    assert seen["commission_amount"] == "20000.00"
