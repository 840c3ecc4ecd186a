"""A rejected financing application carries a reason code: required on the page, shown to the
applicant and in their notification, hidden from other organisations."""

import pytest
from django.urls import reverse

from finance import services
from finance.models import FinancingApplication
from notifications.models import Notification
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_review(applicant, financier, product):
    application = services.application_create(
        user=applicant, product=product, requested_amount=200000, submit=True
    )
    return services.application_transition(
        application=application, user=financier, action="start_review"
    )


def test_the_page_refuses_a_rejection_without_a_reason_and_keeps_the_note(
    client, financier, under_review
):
    client.force_login(financier)
    url = reverse("finance:application_transition", args=[under_review.pk])
    response = client.post(url, {"action": "reject", "note": "现金流不足"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "现金流不足" in html and 'data-testid="action-reject"' in html
    assert "is-invalid" in html
    assert FinancingApplication.objects.get(pk=under_review.pk).status == "under_review"
    response = client.post(
        url, {"action": "reject", "note": "现金流不足", "reason_code": "documentation_incomplete"}
    )
    assert response.status_code == 302
    assert FinancingApplication.objects.get(pk=under_review.pk).status == "rejected"


def test_the_applicant_sees_the_reason_and_others_do_not(
    client, api_client_for, applicant, financier, under_review
):
    services.application_transition(
        application=under_review, user=financier, action="reject", note="现金流不足",
        reason_code="capacity",
    )  # fmt: skip
    notification = Notification.objects.filter(recipient=applicant).latest("pk")
    assert notification.body == "现金流不足"
    assert "产能" in notification.title or "Capacity" in notification.title
    client.force_login(applicant)
    page = client.get(reverse("finance:application_detail", args=[under_review.pk]))
    assert 'data-testid="reject-reason"' in page.content.decode()
    data = api_client_for(applicant).get(f"/api/v1/finance/applications/{under_review.pk}/").data
    assert (data["reason_code"], data["decision_note"]) == ("capacity", "现金流不足")
    stranger = UserFactory(roles=["enterprise"], organization=OrganizationFactory())
    response = api_client_for(stranger).get(f"/api/v1/finance/applications/{under_review.pk}/")
    assert response.status_code == 404
