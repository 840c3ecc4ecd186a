from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance import services
from finance.choices import ApplicationStatus, CreditGrade
from finance.models import ApplicationDocument, ApplicationEvent, FinancingApplication
from notifications.models import Notification
from tests.factories import OrganizationFactory, UserFactory
from tests.finance.conftest import make_product, make_technology

pytestmark = pytest.mark.django_db
URL = "/api/v1/finance/applications/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def transition(client, application_id, action, **fields):
    return client.post(
        f"{URL}{application_id}/transition/", {"action": action, **fields}, format="json"
    )


def create_draft(client, product, **overrides):
    payload = {"product": product.pk, "requested_amount": "800000.00", "tenor_months": 24}
    payload.update(overrides)
    return client.post(URL, payload, format="json")


def test_ineligible_submission_names_every_failing_rule_and_changes_nothing(
    api_client_for, bank, unverified_enterprise
):
    # given a product for verified enterprises in Jiangsu with at least an AA grade
    product = make_product(bank, eligible_regions=["CN-JS"], minimum_credit_grade=CreditGrade.AA)
    user = UserFactory(roles=["enterprise"], organization=unverified_enterprise)
    client = api_client_for(user)
    draft = create_draft(client, product)
    assert draft.status_code == 201, draft.data
    # when
    response = transition(client, draft.data["id"], "submit")
    # then every failing rule is named in plain words
    assert response.status_code == 400
    messages = response.data["eligibility"]
    assert [message.code for message in messages] == [
        "verified_organization",
        "regions",
        "minimum_credit",
    ]
    assert "江苏" in messages[1]  # the region's name, in the page's language
    assert "AA" in messages[2]
    # and nothing changed
    application = FinancingApplication.objects.get(pk=draft.data["id"])
    assert application.status == ApplicationStatus.DRAFT
    assert list(application.events.values_list("action", flat=True)) == ["create"]


def test_eligibility_preview_lists_failures_without_changing_anything(
    api_client_for, applicant, bank
):
    product = make_product(bank, minimum_credit_grade=CreditGrade.AAA, trl_min=7)
    client = api_client_for(applicant)
    draft = create_draft(client, product)
    # when
    response = client.get(f"{URL}{draft.data['id']}/eligibility/")
    # then
    assert response.status_code == 200
    assert response.data["eligible"] is False
    assert [failure["rule"] for failure in response.data["failures"]] == [
        "minimum_credit",
        "technology",
    ]


def test_trl_and_category_rules_use_the_linked_technology(applicant, enterprise, bank, category):
    # given a product for TRL 7-9 in the technology's industry
    product = make_product(bank, trl_min=7, trl_max=9)
    product.eligible_categories.set([category.parent])
    technology = make_technology(enterprise, category, trl=5)
    # when
    failures = services.eligibility_failures(
        product=product, organization=enterprise, technology=technology
    )
    # then the category (via its industry) passes and the TRL fails
    assert [failure.rule for failure in failures] == ["trl"]
    technology.trl = 8
    assert (
        services.eligibility_failures(
            product=product, organization=enterprise, technology=technology
        )
        == []
    )


def test_amount_outside_the_range_is_refused_and_nothing_is_created(
    api_client_for, applicant, product
):
    response = create_draft(api_client_for(applicant), product, requested_amount="50.00")
    assert response.status_code == 400
    assert "100000" in response.data["requested_amount"][0]
    assert not FinancingApplication.objects.exists()


def test_eligible_application_is_approved_disbursed_and_closed(
    api_client_for, applicant, financier, product, django_capture_on_commit_callbacks
):
    # given
    client = api_client_for(applicant)
    bank_client = api_client_for(financier)
    application_id = create_draft(client, product).data["id"]
    # when the applicant submits
    response = transition(client, application_id, "submit")
    # then
    assert response.status_code == 200, response.data
    assert response.data["status"] == "submitted"
    assert response.data["allowed_actions"] == ["withdraw"]
    assert Notification.objects.filter(recipient=financier).count() == 1
    # the financier reviews and approves
    assert transition(bank_client, application_id, "start_review").status_code == 200
    refused = transition(bank_client, application_id, "approve", approved_terms="3.8%")
    assert refused.status_code == 400
    assert "approved_amount" in refused.data
    with django_capture_on_commit_callbacks(execute=True):
        response = transition(
            bank_client, application_id, "approve", approved_amount="750000.00",
            approved_terms="3.85% p.a., 24 months", note="Collateral checked",
        )  # fmt: skip
    assert response.status_code == 200, response.data
    assert response.data["approved_amount"] == "750000.00"
    assert response.data["allowed_actions"] == ["disburse"]
    for action in ("disburse", "start_repayment", "close"):
        assert transition(bank_client, application_id, action).status_code == 200
    # then the history has every step
    events = ApplicationEvent.objects.filter(application_id=application_id)
    assert list(events.values_list("action", "from_status", "to_status")) == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "under_review"),
        ("approve", "under_review", "approved"),
        ("disburse", "approved", "disbursed"),
        ("start_repayment", "disbursed", "repaying"),
        ("close", "repaying", "closed"),
    ]
    assert Notification.objects.filter(recipient=applicant).count() == 5
    assert client.get(f"{URL}{application_id}/").data["history"][-1]["action"] == "close"


def test_actions_not_allowed_now_are_409_and_change_nothing(
    api_client_for, applicant, financier, product
):
    # given a submitted application
    client = api_client_for(applicant)
    application_id = create_draft(client, product).data["id"]
    transition(client, application_id, "submit")
    # when the applicant tries to approve it, and the financier to disburse it
    by_applicant = transition(client, application_id, "approve", approved_amount="100000")
    by_financier = transition(api_client_for(financier), application_id, "disburse")
    # then
    assert by_applicant.status_code == 409
    assert by_applicant.data["allowed_actions"] == ["withdraw"]
    assert by_financier.status_code == 409
    assert by_financier.data["allowed_actions"] == ["start_review"]
    assert FinancingApplication.objects.get(pk=application_id).status == "submitted"


def test_rejection_needs_a_reason(api_client_for, applicant, financier, product):
    client = api_client_for(applicant)
    application_id = create_draft(client, product).data["id"]
    transition(client, application_id, "submit")
    bank_client = api_client_for(financier)
    transition(bank_client, application_id, "start_review")
    assert transition(bank_client, application_id, "reject").status_code == 400
    refused = transition(bank_client, application_id, "reject", note="现金流不足")
    assert refused.status_code == 400
    assert "reason_code" in refused.data
    response = transition(
        bank_client, application_id, "reject", note="现金流不足", reason_code="capacity"
    )
    assert response.status_code == 200
    assert response.data["decision_note"] == "现金流不足"
    assert response.data["reason_code"] == "capacity"


def test_only_applicant_financier_and_reviewers_see_an_application(
    api_client, api_client_for, applicant, applicant_colleague, financier, product, reviewer
):
    # given a submitted application
    application_id = create_draft(api_client_for(applicant), product).data["id"]
    stranger = UserFactory(roles=["enterprise"], organization=OrganizationFactory())
    other_bank = UserFactory(
        roles=["financier"], organization=OrganizationFactory(kind="financial")
    )
    # the institution does not see drafts
    assert api_client_for(financier).get(f"{URL}{application_id}/").status_code == 404
    transition(api_client_for(applicant), application_id, "submit")
    # then
    for user, expected in [
        (applicant, 200),
        (applicant_colleague, 200),
        (financier, 200),
        (reviewer, 200),
        (stranger, 404),
        (other_bank, 404),
    ]:
        assert api_client_for(user).get(f"{URL}{application_id}/").status_code == expected, user
    assert api_client.get(f"{URL}{application_id}/").status_code in (401, 403)
    # a stranger's action is 404 and changes nothing
    assert transition(api_client_for(stranger), application_id, "withdraw").status_code == 404
    assert FinancingApplication.objects.get(pk=application_id).status == "submitted"


def test_documents_are_checked_and_served_only_to_those_who_may_see(
    api_client_for, client, applicant, financier, product, settings, tmp_path
):
    # given
    settings.MEDIA_ROOT = tmp_path
    api = api_client_for(applicant)
    application_id = create_draft(api, product).data["id"]
    # when a real PDF is uploaded
    response = api.post(
        f"{URL}{application_id}/documents/",
        {"title": "营业执照", "file": SimpleUploadedFile("licence.pdf", PDF)},
        format="multipart",
    )
    # then
    assert response.status_code == 201, response.data
    document = ApplicationDocument.objects.get()
    assert document.content_type == "application/pdf"
    assert str(tmp_path) in document.file.path
    assert "licence" not in document.file.name
    # a text file named .pdf, an executable and an empty file are refused
    for name, content in [("fake.pdf", b"hello, not a pdf"), ("x.pdf", b""),
                          ("run.exe", b"MZ\x90\x00" + b"\x00" * 64)]:  # fmt: skip
        refused = api.post(
            f"{URL}{application_id}/documents/",
            {"title": "x", "file": SimpleUploadedFile(name, content)},
            format="multipart",
        )
        assert refused.status_code == 400, name
    assert ApplicationDocument.objects.count() == 1
    # the applicant downloads it through the checked view; a stranger gets 404
    client.force_login(applicant)
    download = client.get(response.data["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    stranger = UserFactory(roles=["enterprise"], organization=OrganizationFactory())
    client.force_login(stranger)
    assert client.get(response.data["download_url"]).status_code == 404
    api_download = f"{URL}{application_id}/documents/{document.pk}/download/"
    assert api_client_for(stranger).get(api_download).status_code == 404
    assert api.get(api_download).status_code == 200


@pytest.mark.parametrize("rows", [5, 50])
def test_application_list_query_count_does_not_grow(
    api_client_for, applicant, enterprise, applicant_colleague, product, rows,
    django_assert_num_queries,
):  # fmt: skip
    # given applications with history
    for _ in range(rows):
        services.application_create(
            user=applicant, product=product, requested_amount=Decimal("200000")
        )
    client = api_client_for(applicant)
    # then: memberships, count, page, documents, events with their actors
    with django_assert_num_queries(5):
        response = client.get(URL, {"page_size": 100})
    assert response.data["count"] == rows
