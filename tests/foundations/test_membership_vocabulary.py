"""accounts.permissions: the one answer to "is this user a member of that organisation"."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from accounts import permissions
from accounts.models import Membership
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_owner_member_stranger_and_anonymous(organization, owner, member, stranger):
    assert permissions.is_member(user=owner, organization=organization)
    assert permissions.is_member(user=member, organization=organization.pk)
    assert not permissions.is_member(user=stranger, organization=organization)
    assert not permissions.is_member(user=AnonymousUser(), organization=organization)
    assert not permissions.is_member(user=owner, organization=None)
    assert permissions.member_organization_ids(user=AnonymousUser()) == []


def test_the_ids_are_kept_for_the_request_until_forgotten(organization, owner):
    # given the ids read once
    assert permissions.member_organization_ids(user=owner) == [organization.pk]
    second = OrganizationFactory()
    Membership.objects.create(user=owner, organization=second)
    # then the same request keeps its answer until told that memberships changed
    assert not permissions.is_member(user=owner, organization=second)
    permissions.forget_memberships(user=owner)
    assert permissions.is_member(user=owner, organization=second)
    assert permissions.member_organization_ids(user=owner) == [organization.pk, second.pk]


def test_members_of_lists_active_members_once(organization, owner, member):
    inactive = UserFactory(organization=organization, is_active=False)
    members = set(permissions.members_of(organization.pk, organization.pk, None))
    assert members == {owner, member}
    assert inactive not in members


def test_primary_organization_is_the_first_membership_and_a_clear_error_without_one(
    organization, owner
):
    assert permissions.primary_organization(user=owner) == organization
    with pytest.raises(ValidationError):
        permissions.primary_organization(user=UserFactory(organization=None))


def test_rules_permissions_give_templates_the_same_answers(organization, owner, stranger, reviewer):
    assert owner.has_perm("accounts.act_for_organization", organization)
    assert not stranger.has_perm("accounts.act_for_organization", organization)
    assert reviewer.has_perm("accounts.view_organization_private", organization)
    assert not stranger.has_perm("accounts.view_organization_private", organization)
    assert reviewer.has_perm("accounts.review")
    assert not owner.has_perm("accounts.review")
    assert set(permissions.platform_reviewers()) == {reviewer}
