"""Organisation and role-grant events are core.models.TransitionEvent rows read as labels; a new
membership written by a service is seen at once by the per-request membership cache."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.choices import OrganizationType, VerificationStatus
from accounts.models import OrganizationEvent, RoleGrantEvent
from accounts.permissions import is_member, member_organization_ids
from core.models import TransitionEvent
from tests.factories import OrganizationFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db


def test_organisation_and_role_grant_events_are_transition_events():
    # then
    assert issubclass(OrganizationEvent, TransitionEvent)
    assert issubclass(RoleGrantEvent, TransitionEvent)
    assert RoleGrantEvent.action_labels["grant"]


def test_a_verification_request_reads_as_labels(reviewer):
    # given
    owner = UserFactory(roles=["holder"])
    organization = OrganizationFactory(verification_status=VerificationStatus.UNVERIFIED)
    organization.memberships.create(user=owner)
    # when
    services.organization_transition(organization=organization, user=owner, action="request")
    # then
    event = OrganizationEvent.objects.get(organization=organization, action="request")
    with translation.override("en"):
        assert event.action_label == "verification requested"
        assert event.to_status_label == str(VerificationStatus.PENDING.label)
    assert event.to_status == VerificationStatus.PENDING


def test_creating_an_organisation_refreshes_the_membership_cache():
    # given: the user's (empty) memberships are already kept for the request
    user = UserFactory(roles=["enterprise"], organization=None)
    assert member_organization_ids(user=user) == []
    # when
    organization = services.organization_create(
        user=user,
        name_zh="苏州绿能科技有限公司",
        kind=OrganizationType.ENTERPRISE,
        region="CN-JS",
        credit_code=valid_credit_code(987654),
    )
    # then
    assert member_organization_ids(user=user) == [organization.pk]
    assert is_member(user=user, organization=organization)
    assert OrganizationEvent.objects.get(organization=organization).action == "create"


def test_the_organisation_history_shows_labels_not_codes(client):
    # given
    owner = UserFactory(roles=["holder"])
    organization = OrganizationFactory(verification_status=VerificationStatus.UNVERIFIED)
    organization.memberships.create(user=owner)
    services.organization_transition(organization=organization, user=owner, action="request")
    event = OrganizationEvent.objects.get(organization=organization, action="request")
    with translation.override("zh-hans"):
        expected = (
            f"{event.action_label} ({event.from_status_label} "
            f'<span class="flow-arrow">→</span> {event.to_status_label})'
        )
    client.force_login(owner)
    # when
    response = client.get(reverse("accounts:organization_detail", args=[organization.pk]))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert expected in body
    assert "unverified → pending" not in body
