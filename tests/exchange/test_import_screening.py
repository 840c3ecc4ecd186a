"""Import-control screening of technology import deals (a seller abroad, a buyer in China),
through the same service as export screening: prohibited refuses naming the entry, restricted
needs the buyer's import licence-intent letter then licence checked by a reviewer, a free import
needs the contract registration number; each decision on the timeline, in the API and on the
deal page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.workflow import TransitionNotAllowed
from exchange import services
from exchange.models import Deal, DealEvent
from exportcontrol.models import ControlEntry, TechnologyClassification
from exportcontrol.selectors import technology_control_catalogue, technology_screening
from exportcontrol.services import classification_declare, classification_review
from tests.exchange.test_export_screening import attach, check
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def foreign_org(db):
    return OrganizationFactory(name_en="Rhein Umwelttechnik GmbH", region="DE", credit_code="")


@pytest.fixture
def foreign_holder(foreign_org):
    return UserFactory(roles=["holder"], organization=foreign_org)


@pytest.fixture
def foreign_technology(make_technology, foreign_org):
    return make_technology(organization=foreign_org, region="")


@pytest.fixture
def import_entry(db):
    def make(code: str, level: str) -> ControlEntry:
        return ControlEntry.objects.create(
            catalogue="import", code=code, level=level, name_zh=f"进口{level}", revision="2007"
        )

    return make


@pytest.fixture
def import_deal(foreign_technology, foreign_org, enterprise_org, enterprise):
    def make(stage="negotiation") -> Deal:
        return Deal.objects.create(
            technology=foreign_technology,
            seller=foreign_org,
            buyer=enterprise_org,
            stage=stage,
            deal_type="license",
            price="120000.00",
            currency="CNY",
            payment_terms="30 days after signing",
            opened_by=enterprise,
        )

    return make


def classify(technology, holder, reviewer, entry):
    classification_declare(technology=technology, user=holder, entry=entry)
    classification_review(technology=technology, user=reviewer, action="confirm")


def test_a_foreign_holder_classifies_against_the_import_catalogue(
    foreign_technology, foreign_holder, reviewer, import_entry
):
    # given a technology held abroad and an export entry with the same code as an import one
    export_entry = ControlEntry.objects.create(
        code="990101X", level="restricted", name_zh="出口条目", revision="2023"
    )
    entry = import_entry("990101X", "restricted")
    assert technology_control_catalogue(technology=foreign_technology) == "import"
    # when the holder declares an export entry, it is refused and nothing is stored
    with pytest.raises(ValidationError) as error:
        classification_declare(
            technology=foreign_technology, user=foreign_holder, entry=export_entry
        )
    assert "import catalogue" in error.value.message_dict["entry"][0]
    assert not TechnologyClassification.objects.filter(declared_entry__isnull=False).exists()
    # when it declares the import entry and a reviewer confirms
    classify(foreign_technology, foreign_holder, reviewer, entry)
    # then the technology reads as import-restricted
    screening = technology_screening(technology=foreign_technology)
    assert (screening.outcome, screening.catalogue) == ("restricted", "import")
    assert screening.outcome_label == "Import restricted: licence required"


def test_prohibited_import_refuses_naming_the_entry(
    import_deal, foreign_technology, foreign_holder, reviewer, import_entry, enterprise
):
    classify(foreign_technology, foreign_holder, reviewer, import_entry("990201J", "prohibited"))
    deal = import_deal()
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=foreign_holder, action="draft_agreement")
    message = error.value.message_dict["export_control"][0]
    assert "Import of this technology is prohibited" in message
    assert "990201J" in message
    deal.refresh_from_db()
    assert deal.stage == "negotiation"
    event = DealEvent.objects.get(deal=deal, action="export_screening")
    assert "990201J" in event.note
    assert services.deal_export_screening(deal=deal).required


def test_an_export_classification_does_not_clear_an_import(
    import_deal, foreign_technology, reviewer, import_entry
):
    # given a classification recorded against the export catalogue (the holder moved abroad)
    TechnologyClassification.objects.create(
        technology=foreign_technology, catalogue="export", status="confirmed"
    )
    deal = import_deal()
    # then the import deal still waits for an import classification
    screening = services.deal_export_screening(deal=deal)
    assert screening.outcome == "unclassified"
    assert "import-control catalogue" in screening.refusal("draft_agreement")


def test_restricted_import_needs_the_buyers_licence_documents_checked(
    import_deal, foreign_technology, foreign_holder, reviewer, import_entry, enterprise
):
    # given an import deal on a restricted import entry
    classify(foreign_technology, foreign_holder, reviewer, import_entry("990101X", "restricted"))
    deal = import_deal()
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=foreign_holder, action="draft_agreement")
    assert "import licence-intent letter" in error.value.message_dict["export_control"][0]
    # the foreign seller cannot attach the import documents: the importer applies for them
    with pytest.raises(TransitionNotAllowed):
        attach(deal, foreign_holder, "import_licence_intent")
    # an export licence-intent letter does not count for an import
    export_letter = attach(deal, foreign_holder, "export_licence_intent")
    with pytest.raises(ValidationError):
        check(deal, reviewer, export_letter)
    # the buyer attaches the intent letter, a reviewer checks it: binding terms open
    intent = attach(deal, enterprise, "import_licence_intent")
    check(deal, reviewer, intent, number="JK-YX-1")
    deal = services.deal_transition(deal=deal, user=foreign_holder, action="draft_agreement")
    attach(deal, enterprise, "contract", name="contract.pdf")
    deal = services.deal_transition(deal=deal, user=enterprise, action="submit_for_review")
    deal = services.deal_transition(deal=deal, user=reviewer, action="approve")
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=enterprise, action="sign_contract")
    assert "technology import licence" in error.value.message_dict["export_control"][0]
    licence = attach(deal, enterprise, "import_licence")
    check(deal, reviewer, licence, number="JK-XK-1")
    deal = services.deal_transition(deal=deal, user=enterprise, action="sign_contract")
    assert deal.stage == "contract_signed"
    notes = list(
        DealEvent.objects.filter(deal=deal, action__in=["export_screening", "licence_check"])
        .order_by("pk")
        .values_list("note", flat=True)
    )
    assert any("JK-XK-1" in note and note.startswith("Passed") for note in notes)
    assert any("Technology import licence no. JK-XK-1 accepted" in note for note in notes)


def test_free_import_needs_the_registration_number_recorded_by_the_buyer(
    import_deal, foreign_technology, foreign_holder, reviewer, enterprise
):
    classify(foreign_technology, foreign_holder, reviewer, None)
    deal = import_deal(stage="in_execution")
    with pytest.raises(ValidationError) as error:
        services.deal_transition(deal=deal, user=enterprise, action="complete")
    assert "free technology import" in error.value.message_dict["export_control"][0]
    # the foreign seller does not record it; the buyer in China does
    with pytest.raises(TransitionNotAllowed):
        services.deal_contract_registration_record(
            deal=deal, user=foreign_holder, number="2026JK000123"
        )
    services.deal_contract_registration_record(deal=deal, user=enterprise, number="2026JK000123")
    deal.refresh_from_db()
    assert deal.contract_registration_number == "2026JK000123"
    screening = services.deal_export_screening(deal=deal)
    assert screening.refusal("complete") is None


def test_import_screening_in_the_api_and_licence_check_by_api(
    api_client_for, import_deal, foreign_technology, foreign_holder, reviewer, import_entry,
    enterprise,
):  # fmt: skip
    classify(foreign_technology, foreign_holder, reviewer, import_entry("990101X", "restricted"))
    deal = import_deal()
    intent = attach(deal, enterprise, "import_licence_intent")
    body = (
        api_client_for(enterprise)
        .get(f"/api/v1/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )
    assert body["direction"] == "import"
    control = body["export_control"]
    assert (control["required"], control["catalogue"], control["outcome"]) == (
        True,
        "import",
        "restricted",
    )
    assert [item["code"] for item in control["requirements"] if not item["met"]] == [
        "licence_intent",
        "import_licence",
    ]
    refusal = control["blocked_actions"]["draft_agreement"]
    assert "Import of this technology is restricted" in refusal
    payload = {
        "document": intent.pk,
        "decision": "accepted",
        "number": "JK-YX-2",
        "issued_on": str(datetime.date.today()),
        "expires_on": str(datetime.date.today() + datetime.timedelta(days=90)),
    }
    url = f"/api/v1/deals/{deal.pk}/licence-checks/"
    assert api_client_for(enterprise).post(url, payload, format="json").status_code == 409
    assert api_client_for(reviewer).post(url, payload, format="json").status_code == 201
    control = api_client_for(enterprise).get(f"/api/v1/deals/{deal.pk}/").json()["export_control"]
    assert control["licence_intent"]["number"] == "JK-YX-2"
    assert "draft_agreement" not in control["blocked_actions"]


def test_import_classification_api_uses_the_import_catalogue(
    api_client_for, foreign_technology, foreign_holder, import_entry
):
    import_entry("990101X", "restricted")
    ControlEntry.objects.create(code="086501X", level="restricted", name_zh="出口", revision="2023")
    url = f"/api/v1/technologies/{foreign_technology.pk}/export-classification/"
    client = api_client_for(foreign_holder)
    assert client.get(url).json()["catalogue"] == "import"
    refused = client.post(f"{url}declare/", {"entry": "086501X"}, format="json")
    assert refused.status_code == 400
    assert "entry" in refused.json()
    declared = client.post(f"{url}declare/", {"entry": "990101X"}, format="json")
    assert declared.status_code == 200
    assert declared.json()["declared_entry"]["catalogue"] == "import"


def test_deal_page_shows_the_import_panel(
    client, import_deal, foreign_technology, foreign_holder, reviewer, import_entry, enterprise
):
    classify(foreign_technology, foreign_holder, reviewer, import_entry("990101X", "restricted"))
    deal = import_deal()
    client.force_login(enterprise)
    page = client.get(f"/exchange/deals/{deal.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert 'data-direction="import"' in page.text
    assert "Import-control screening" in page.text
    assert "This deal is a technology import" in page.text
    assert "The buyer attaches the licence-intent letter" in page.text
    assert "Import restricted: licence required" in page.text


def test_screening_notes_read_in_each_readers_language(
    api_client_for, import_deal, foreign_technology, foreign_holder, reviewer, import_entry,
    enterprise,
):  # fmt: skip
    # given a refusal written while the seller worked in English
    classify(foreign_technology, foreign_holder, reviewer, import_entry("990101X", "restricted"))
    deal = import_deal()
    with pytest.raises(ValidationError):
        services.deal_transition(deal=deal, user=foreign_holder, action="draft_agreement")
    event = DealEvent.objects.get(deal=deal, action="export_screening")
    assert event.note.startswith("Refused: Import of this technology is restricted")
    # when a Chinese reader and a Thai reader read the timeline
    with translation.override("zh-hans"):
        chinese = event.shown_note
    with translation.override("th"):
        thai = event.shown_note
    # then each reads it in their language, the entry named in both
    assert chinese.startswith("未通过：该技术属限制进口")
    assert "990101X" in chinese and "990101X" in thai
    assert "Import of this technology" not in chinese
    # and the API gives the request's language
    events = (
        api_client_for(enterprise)
        .get(f"/api/v1/deals/{deal.pk}/timeline/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        .json()
    )
    assert any(row["note"] == chinese for row in events)


def test_the_deal_room_offers_the_licence_documents_of_the_deals_direction(
    client, import_deal, make_deal, enterprise
):
    client.force_login(enterprise)
    imported = client.get(f"/exchange/deals/{import_deal().pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'value="import_licence_intent"' in imported.text
    assert 'value="export_licence_intent"' not in imported.text
    domestic = client.get(f"/exchange/deals/{make_deal().pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'value="contract"' in domestic.text
    assert "licence_intent" not in domestic.text
