"""Export-control screening of technology export deals: prohibited, restricted (licence-intent
letter, then licence, checked by a reviewer), free (contract registration), unclassified."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from core.workflow import TransitionNotAllowed
from exchange import services
from exchange.models import Deal, DealDocument, DealEvent, DealLicenceCheck
from exportcontrol.models import ControlEntry
from exportcontrol.services import classification_declare, classification_review
from tests.exchange.conftest import PDF_BYTES
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The site's default language is Chinese; these tests read the English source messages.
    with translation.override("en"):
        yield


TODAY = datetime.date.today


def pdf(name="licence.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def thai_org(db):
    return OrganizationFactory(name_en="Siam Green Industries", region="TH", credit_code="")


@pytest.fixture
def thai_buyer(thai_org):
    return UserFactory(roles=["enterprise"], organization=thai_org)


@pytest.fixture
def restricted_entry(db):
    return ControlEntry.objects.create(
        code="086501X", level="restricted", name_zh="信息处理技术", revision="2023"
    )


@pytest.fixture
def prohibited_entry(db):
    return ControlEntry.objects.create(
        code="085001J", level="prohibited", name_zh="禁止类测试条目", revision="2023"
    )


@pytest.fixture
def export_deal(technology, holder_org, thai_org, thai_buyer):
    def make(stage="negotiation", **fields) -> Deal:
        values = {
            "deal_type": "license",
            "price": "800000.00",
            "currency": "CNY",
            "payment_terms": "30 days after signing",
            **fields,
        }
        return Deal.objects.create(
            technology=technology,
            seller=holder_org,
            buyer=thai_org,
            stage=stage,
            opened_by=thai_buyer,
            **values,
        )

    return make


def classify(technology, holder, reviewer, entry):
    classification_declare(technology=technology, user=holder, entry=entry)
    classification_review(technology=technology, user=reviewer, action="confirm")


def attach(deal, user, kind, name="licence.pdf"):
    message = services.deal_message_post(
        deal=deal, user=user, body=kind, upload=pdf(name), kind=kind
    )
    return message.documents.get()


def check(deal, reviewer, document, **fields):
    values = {
        "decision": "accepted",
        "number": "2026-EXP-0001",
        "issued_on": TODAY() - datetime.timedelta(days=10),
        "expires_on": TODAY() + datetime.timedelta(days=365),
        **fields,
    }
    return services.deal_licence_check(deal=deal, user=reviewer, document=document, **values)


def test_unclassified_export_names_who_must_classify(export_deal, holder, holder_org):
    # given an export deal on a technology nobody classified
    deal = export_deal()
    # when the seller tries to move to binding terms
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=holder, action="draft_agreement")
    # then it is refused, naming the holder who must declare, and nothing moved
    message = error.value.message_dict["export_control"][0]
    assert holder_org.display_name in message
    assert "reviewer" in message
    deal.refresh_from_db()
    assert deal.stage == "negotiation"
    # and the refusal is on the timeline (once, even when tried twice)
    with pytest.raises(ValidationError):
        services.deal_transition(deal=deal, user=holder, action="draft_agreement")
    refusals = DealEvent.objects.filter(deal=deal, action="export_screening")
    assert refusals.count() == 1
    assert refusals.get().note.startswith("Refused")


def test_declared_but_unconfirmed_still_blocks(export_deal, holder, technology, restricted_entry):
    classification_declare(technology=technology, user=holder, entry=None)
    deal = export_deal()
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=holder, action="draft_agreement")
    assert "confirm" in error.value.message_dict["export_control"][0]


def test_prohibited_export_cannot_proceed(
    export_deal, holder, reviewer, technology, prohibited_entry
):
    # given a technology confirmed as prohibited from export
    classify(technology, holder, reviewer, prohibited_entry)
    deal = export_deal(stage="inquiry")
    # when the seller starts negotiation
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=holder, action="start_negotiation")
    # then the workflow refuses it, naming the entry
    assert "085001J" in error.value.message_dict["export_control"][0]
    deal.refresh_from_db()
    assert deal.stage == "inquiry"
    # but the deal can still be cancelled
    services.deal_transition(deal=deal, user=holder, action="cancel", note="出口禁止")
    deal.refresh_from_db()
    assert deal.stage == "cancelled"


def test_a_domestic_deal_on_a_prohibited_technology_is_not_screened(
    make_deal, holder, reviewer, technology, prohibited_entry
):
    classify(technology, holder, reviewer, prohibited_entry)
    deal = make_deal(stage="inquiry")
    services.deal_transition(deal=deal, user=holder, action="start_negotiation")
    deal.refresh_from_db()
    assert deal.stage == "negotiation"


def test_restricted_export_needs_the_intent_letter_then_the_licence(
    export_deal, holder, reviewer, technology, restricted_entry, contract_upload, thai_buyer
):
    # given a restricted technology and an export deal in negotiation
    classify(technology, holder, reviewer, restricted_entry)
    deal = export_deal()
    # then binding terms wait for the checked licence-intent letter
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=holder, action="draft_agreement")
    assert "086501X" in error.value.message_dict["export_control"][0]
    intent = attach(deal, holder, "export_licence_intent", "intent.pdf")
    with pytest.raises(ValidationError):  # attached but not yet checked
        services.deal_transition(deal=deal, user=holder, action="draft_agreement")
    check(deal, reviewer, intent, number="意向-2026-001")
    services.deal_transition(deal=deal, user=holder, action="draft_agreement")
    # and, through review, signing waits for the checked licence
    services.deal_message_post(
        deal=deal, user=holder, body="合同", upload=contract_upload, kind="contract"
    )
    services.deal_transition(deal=deal, user=holder, action="submit_for_review")
    services.deal_transition(deal=deal, user=reviewer, action="approve")
    with pytest.raises(ValidationError) as signing:
        services.deal_transition(deal=deal, user=thai_buyer, action="sign_contract")
    assert "licence" in signing.value.message_dict["export_control"][0]
    licence = attach(deal, holder, "export_licence")
    check(deal, reviewer, licence, number="2026-XK-0042")
    deal = services.deal_transition(deal=deal, user=thai_buyer, action="sign_contract")
    assert deal.stage == "contract_signed"
    # and every screening decision is on the timeline
    notes = list(
        DealEvent.objects.filter(
            deal=deal, action__in=["export_screening", "licence_check"]
        ).values_list("note", flat=True)
    )
    assert any("意向-2026-001" in note for note in notes)
    assert any("2026-XK-0042" in note and note.startswith("Passed") for note in notes)


def test_an_expired_licence_is_refused_with_a_clear_message(
    export_deal, holder, reviewer, technology, restricted_entry
):
    classify(technology, holder, reviewer, restricted_entry)
    deal = export_deal()
    intent = attach(deal, holder, "export_licence_intent")
    with pytest.raises(ValidationError) as error:
        check(
            deal,
            reviewer,
            intent,
            issued_on=TODAY() - datetime.timedelta(days=800),
            expires_on=TODAY() - datetime.timedelta(days=1),
        )
    assert "expired" in error.value.message_dict["expires_on"][0]
    assert not DealLicenceCheck.objects.exists()


def test_the_licence_follows_the_intent_letter(
    export_deal, holder, reviewer, technology, restricted_entry
):
    classify(technology, holder, reviewer, restricted_entry)
    deal = export_deal()
    licence = attach(deal, holder, "export_licence")
    with pytest.raises(ValidationError) as error:
        check(deal, reviewer, licence)
    assert "document" in error.value.message_dict


def test_buyer_cannot_attach_a_licence_for_the_seller(
    export_deal, thai_buyer, holder, reviewer, technology, restricted_entry
):
    classify(technology, holder, reviewer, restricted_entry)
    deal = export_deal()
    with pytest.raises(TransitionNotAllowed):
        attach(deal, thai_buyer, "export_licence_intent")
    assert not DealDocument.objects.filter(deal=deal).exists()


def test_a_party_cannot_check_licence_documents(
    export_deal, holder, thai_buyer, reviewer, technology, restricted_entry
):
    classify(technology, holder, reviewer, restricted_entry)
    deal = export_deal()
    intent = attach(deal, holder, "export_licence_intent")
    for user in (holder, thai_buyer):
        with pytest.raises(TransitionNotAllowed):
            check(deal, user, intent)
    assert not DealLicenceCheck.objects.exists()


def test_free_export_needs_the_contract_registration_number_before_completion(
    export_deal, holder, reviewer, technology, thai_buyer
):
    # given a technology confirmed as not listed and an export deal in execution
    classify(technology, holder, reviewer, None)
    deal = export_deal(stage="in_execution")
    # when the buyer confirms completion, it waits for the registration number
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=thai_buyer, action="complete")
    assert "registration" in error.value.message_dict["export_control"][0]
    # the buyer may not record it; the seller may, and it is an event
    with pytest.raises(TransitionNotAllowed):
        services.deal_contract_registration_record(deal=deal, user=thai_buyer, number="X1")
    with pytest.raises(ValidationError):
        services.deal_contract_registration_record(deal=deal, user=holder, number="<b>")
    services.deal_contract_registration_record(deal=deal, user=holder, number="2026320000123")
    assert DealEvent.objects.filter(deal=deal, action="contract_registration").exists()
    deal = services.deal_transition(deal=deal, user=thai_buyer, action="complete")
    assert deal.stage == "completed"


def test_deal_api_shows_the_screening_and_reviewer_checks_by_api(
    api_client_for, export_deal, holder, reviewer, technology, restricted_entry, thai_buyer
):
    classify(technology, holder, reviewer, restricted_entry)
    deal = export_deal()
    intent = attach(deal, holder, "export_licence_intent")
    body = api_client_for(thai_buyer).get(f"/api/v1/deals/{deal.pk}/").json()["export_control"]
    assert body["outcome"] == "restricted"
    assert body["entry"]["code"] == "086501X"
    assert "draft_agreement" in body["blocked_actions"]
    missing = [item["code"] for item in body["requirements"] if not item["met"]]
    assert missing == ["licence_intent", "export_licence"]
    # the buyer cannot check it (409), a reviewer can (201)
    payload = {
        "document": intent.pk,
        "decision": "accepted",
        "number": "YX-1",
        "issued_on": str(TODAY()),
        "expires_on": str(TODAY() + datetime.timedelta(days=30)),
    }
    url = f"/api/v1/deals/{deal.pk}/licence-checks/"
    assert api_client_for(thai_buyer).post(url, payload, format="json").status_code == 409
    expired = {**payload, "expires_on": str(TODAY() - datetime.timedelta(days=1))}
    refused = api_client_for(reviewer).post(url, expired, format="json")
    assert refused.status_code == 400
    assert "expires_on" in refused.json()
    response = api_client_for(reviewer).post(url, payload, format="json")
    assert response.status_code == 201
    body = api_client_for(thai_buyer).get(f"/api/v1/deals/{deal.pk}/").json()["export_control"]
    assert body["licence_intent"]["number"] == "YX-1"
    assert "draft_agreement" not in body["blocked_actions"]
    # the transition through the API is a 400 naming the screening while the licence is missing
    transition = api_client_for(holder).post(
        f"/api/v1/deals/{deal.pk}/transition/", {"action": "draft_agreement"}, format="json"
    )
    assert transition.status_code == 200


def test_stranger_cannot_read_another_organisations_screening(
    api_client_for, export_deal, stranger
):
    deal = export_deal()
    assert api_client_for(stranger).get(f"/api/v1/deals/{deal.pk}/").status_code == 404
    response = api_client_for(stranger).post(
        f"/api/v1/deals/{deal.pk}/licence-checks/", {"document": 1, "decision": "accepted"}
    )
    assert response.status_code == 404


def test_deal_page_shows_the_screening_panel(client, export_deal, holder):
    deal = export_deal()
    client.force_login(holder)
    page = client.get(f"/exchange/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'data-testid="export-screening"' in page.text
    assert "must declare" in page.text


def test_expired_check_does_not_count(export_deal, holder, reviewer, technology, restricted_entry):
    classify(technology, holder, reviewer, restricted_entry)
    deal = export_deal()
    intent = attach(deal, holder, "export_licence_intent")
    check(deal, reviewer, intent)
    DealLicenceCheck.objects.update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.deal_transition(deal=deal, user=holder, action="draft_agreement")
