"""The security audit log: sign-ins, failures, sign-outs, changes of rights and memberships,
and reviewers' decisions; admins read it in the admin site."""

import pytest

from accounts import services as account_services
from accounts.choices import VerificationStatus
from audit.choices import AuditKind
from audit.models import AuditEvent
from tests.factories import PASSWORD, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_sign_in_and_a_sign_out_are_recorded_with_the_client_address(client):
    # given
    user = UserFactory(roles=["holder"])
    # when
    client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.5"
    )
    client.post("/accounts/logout/", REMOTE_ADDR="192.0.2.5")
    # then
    login = AuditEvent.objects.get(kind=AuditKind.LOGIN)
    assert (login.actor, login.ip_address) == (user, "192.0.2.5")
    assert AuditEvent.objects.filter(kind=AuditKind.LOGOUT, actor=user).count() == 1


def test_a_failed_sign_in_is_recorded_with_the_email_tried_but_not_the_password(client):
    # when
    client.post("/accounts/login/", {"login": "Ghost@Example.com", "password": "s3cret-guess"})
    # then
    event = AuditEvent.objects.get(kind=AuditKind.LOGIN_FAILED)
    assert event.actor is None
    assert event.actor_email == "ghost@example.com"
    assert "s3cret-guess" not in str(event.data)


def test_a_change_of_roles_or_staff_rights_is_recorded(db):
    # given
    user = UserFactory(roles=["holder"])
    # when
    user.roles.append("reviewer")
    user.is_staff = True
    user.save()
    # then
    event = AuditEvent.objects.get(kind=AuditKind.ROLES_CHANGED)
    assert event.data["roles"] == {"from": ["holder"], "to": ["holder", "reviewer"]}
    assert event.data["is_staff"] == {"from": False, "to": True}
    assert event.target_id == str(user.pk)


def test_saving_a_user_without_changing_rights_records_nothing(db):
    # given
    user = UserFactory(roles=["holder"])
    # when
    user.full_name = "另一个名字"
    user.save()
    # then
    assert not AuditEvent.objects.filter(kind=AuditKind.ROLES_CHANGED).exists()


def test_an_organisation_verification_decision_is_recorded(db):
    # given
    organization = OrganizationFactory(verification_status=VerificationStatus.PENDING)
    reviewer = UserFactory(roles=["reviewer"])
    # when
    account_services.organization_transition(
        organization=organization, user=reviewer, action="verify"
    )
    # then
    event = AuditEvent.objects.get(kind=AuditKind.ORGANIZATION_VERIFICATION)
    assert event.actor == reviewer
    assert (event.target_type, event.target_id) == ("accounts.organization", str(organization.pk))
    assert event.data["action"] == "verify"


def test_membership_changes_are_recorded(db):
    # given
    organization = OrganizationFactory()
    # when
    user = UserFactory(organization=organization)
    user.memberships.all().delete()
    # then
    summaries = list(
        AuditEvent.objects.filter(kind=AuditKind.MEMBERSHIP_CHANGED)
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert summaries == ["added", "removed"]


def test_admins_read_the_audit_log_in_the_admin_site_and_cannot_edit_it(client):
    # given
    admin = UserFactory(roles=["admin"])
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    # when
    listing = client.get("/admin/audit/auditevent/")
    add = client.get("/admin/audit/auditevent/add/")
    # then
    assert listing.status_code == 200
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN, actor=admin).exists()
    assert add.status_code == 403


def test_a_non_staff_user_cannot_read_the_audit_log(client):
    # given
    client.force_login(UserFactory(roles=["reviewer"]))
    # when
    response = client.get("/admin/audit/auditevent/")
    # then
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
