"""When the financier asks for more information, the applicant edits and resubmits in pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import VerificationStatus
from finance import services
from finance.models import ApplicationEvent, FinancingApplication
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(applicant, financier, product):
    """An application the financier has asked more information about."""
    application = services.application_create(
        user=applicant, product=product, requested_amount=Decimal("200000"), submit=True
    )
    services.application_transition(application=application, user=financier, action="start_review")
    return services.application_transition(
        application=application,
        user=financier,
        action="request_information",
        note="请补充项目用途与分期计划",
    )


def _snapshot(application) -> tuple:
    application = FinancingApplication.objects.get(pk=application.pk)
    return (
        application.status,
        application.requested_amount,
        application.tenor_months,
        application.purpose,
        ApplicationEvent.objects.filter(application=application).count(),
    )


def test_applicant_edits_and_resubmits_after_information_is_requested(client, applicant, asked):
    # given
    client.force_login(applicant)
    detail = client.get(reverse("finance:application_detail", args=[asked.pk])).content.decode()
    url = reverse("finance:application_edit", args=[asked.pk])
    assert url in detail
    page = client.get(url)
    assert page.status_code == 200
    assert "请补充项目用途与分期计划" in page.content.decode()
    # when
    response = client.post(
        url,
        {"requested_amount": "300000.00", "tenor_months": "24",
         "purpose": "  建设高盐废水处理线  ", "resubmit": ""},
    )  # fmt: skip
    # then
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == "submitted"
    assert asked.requested_amount == Decimal("300000.00")
    assert asked.tenor_months == 24 and asked.purpose == "建设高盐废水处理线"
    assert asked.events.order_by("pk").last().action == "resubmit"


def test_applicant_saves_changes_without_resubmitting(client, applicant, asked):
    # given
    client.force_login(applicant)
    # when
    response = client.post(
        reverse("finance:application_edit", args=[asked.pk]),
        {"requested_amount": "250000", "purpose": "补充说明", "save_only": ""},
    )
    # then
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == "information_requested"
    assert asked.requested_amount == Decimal("250000") and asked.purpose == "补充说明"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"requested_amount": "10"}, "requested_amount"),  # below the product's minimum
        ({"requested_amount": "9000000"}, "requested_amount"),  # above its maximum
        ({"requested_amount": "abc"}, "requested_amount"),
        ({"requested_amount": "200000", "tenor_months": "120"}, "tenor_months"),
        ({"requested_amount": "200000", "tenor_months": "0"}, "tenor_months"),
    ],
)
def test_bad_input_shows_form_errors_and_changes_nothing(client, applicant, asked, data, field):
    # given
    client.force_login(applicant)
    before = _snapshot(asked)
    # when
    response = client.post(
        reverse("finance:application_edit", args=[asked.pk]), {**data, "resubmit": ""}
    )
    # then
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert _snapshot(asked) == before


def test_a_refused_resubmission_keeps_the_edit_unsaved(client, applicant, asked, enterprise):
    # given: the organisation lost its verification, so the product's rule now fails
    enterprise.verification_status = VerificationStatus.UNVERIFIED
    enterprise.save(update_fields=["verification_status"])
    client.force_login(applicant)
    before = _snapshot(asked)
    # when
    response = client.post(
        reverse("finance:application_edit", args=[asked.pk]),
        {"requested_amount": "300000", "resubmit": ""},
    )
    # then
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert _snapshot(asked) == before


def test_a_submitted_application_cannot_be_edited(client, applicant, financier, product):
    # given
    application = services.application_create(
        user=applicant, product=product, requested_amount=Decimal("200000"), submit=True
    )
    client.force_login(applicant)
    before = _snapshot(application)
    # when
    response = client.post(
        reverse("finance:application_edit", args=[application.pk]),
        {"requested_amount": "300000", "resubmit": ""},
    )
    # then
    assert response.status_code == 302
    assert _snapshot(application) == before


@pytest.fixture
def cast(financier, enterprise):
    return {
        "financier": financier,
        "reviewer": UserFactory(roles=["reviewer"]),
        "stranger": UserFactory(roles=["enterprise"], organization=OrganizationFactory()),
        "anonymous": None,
    }


@pytest.mark.parametrize("who", ["financier", "reviewer", "stranger", "anonymous"])
def test_only_the_applicant_may_edit(client, cast, who, asked):
    # given
    user = cast[who]
    if user is not None:
        client.force_login(user)
    url = reverse("finance:application_edit", args=[asked.pk])
    before = _snapshot(asked)
    # when
    get = client.get(url)
    post = client.post(url, {"requested_amount": "300000", "resubmit": ""})
    # then
    expected = 302 if user is None else 404
    assert (get.status_code, post.status_code) == (expected, expected)
    assert _snapshot(asked) == before


def test_a_colleague_in_the_applying_organisation_may_edit(client, applicant_colleague, asked):
    # given
    client.force_login(applicant_colleague)
    # when
    response = client.post(
        reverse("finance:application_edit", args=[asked.pk]),
        {"requested_amount": "300000", "resubmit": ""},
    )
    # then
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == "submitted"
