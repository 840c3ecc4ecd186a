"""Finance asks accounts.permissions who belongs where: the organisations a user acts for, and
the members to tell. Deactivated members are told nothing."""

import pytest

from accounts.choices import OrganizationType, VerificationStatus
from accounts.models import Membership
from accounts.permissions import member_organization_ids
from finance import selectors, services
from finance.choices import ProgrammeKind
from notifications.models import Notification
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_second_keys_told_are_active_operator_colleagues(operator, operator_org):
    # given: an active and a deactivated operator colleague, and a member without the role
    active = UserFactory(roles=["operator"], organization=operator_org)
    gone = UserFactory(roles=["operator"], organization=operator_org, is_active=False)
    plain_member = UserFactory(roles=["enterprise"], organization=operator_org)
    programme = services.programme_create(
        user=operator, operator=operator_org, kind=ProgrammeKind.VOUCHER, name_zh="创新券"
    )
    # when: the operator asks for a budget
    services.programme_budget_request(programme=programme, user=operator, amount="1000.00")
    # then: only the active colleague with the role is told, never the requester
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert active.pk in told
    assert not told & {gone.pk, plain_member.pk, operator.pk}


def test_without_colleagues_the_platform_reviewers_are_told(platform_reviewer):
    # given: an operator alone in a verified operator body
    body = OrganizationFactory(kind=OrganizationType.GOVERNMENT)
    lone_operator = UserFactory(roles=["operator"], organization=body)
    programme = services.programme_create(
        user=lone_operator, operator=body, kind=ProgrammeKind.VOUCHER, name_zh="创新券"
    )
    # when: they ask for a budget
    services.programme_budget_request(programme=programme, user=lone_operator, amount="1000.00")
    # then: the platform reviewer is the one told
    assert Notification.objects.filter(recipient=platform_reviewer).count() == 1


def test_acting_organisations_come_from_the_shared_membership_answer(financier, bank):
    # given: a financier of a verified bank who also belongs to an unverified one
    unverified = OrganizationFactory(
        kind=OrganizationType.FINANCIAL, verification_status=VerificationStatus.UNVERIFIED
    )
    Membership.objects.create(user=financier, organization=unverified)
    # when: finance asks in whose name the financier acts
    acting = selectors.financier_organization_ids(financier)
    # then: the verified bank only, among the memberships accounts.permissions names
    assert acting == [bank.pk]
    assert set(member_organization_ids(user=financier)) == {bank.pk, unverified.pk}
