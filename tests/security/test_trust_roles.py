"""Privileged roles are granted, not chosen: attacks on registration, the profile and the grant
workflow, each checking that nothing changed when refused."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import services
from accounts.choices import RoleGrantStatus, VerificationStatus
from accounts.models import Membership, RoleGrant, RoleGrantEvent, User
from audit.choices import AuditKind
from audit.models import AuditEvent
from core.workflow import TransitionNotAllowed
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def agency(db):
    return OrganizationFactory(kind="intermediary", name_en="Honest Transfer Agency")


@pytest.fixture
def applicant(agency):
    return UserFactory(roles=["holder"], organization=agency)


@pytest.fixture
def admin_user(db):
    return UserFactory(roles=["admin", "reviewer"])


def _request_broker(user, organization, **fields):
    return services.role_grant_request(
        user=user,
        role="broker",
        organization=organization,
        credential_number=fields.pop("credential_number", "技术经纪人证书 JS-2026-0042"),
        **fields,
    )


# --- Registration and profile ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["broker", "financier", "operator", "reviewer", "admin"])
def test_registering_as_a_privileged_role_through_the_api_is_refused(api_client, role):
    # when a stranger registers and picks a privileged role
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "fresh@example.com", "password": "Str0ng-test-pass!", "roles": [role]},
        format="json",
    )
    # then the request is refused with a field error and no account holds the role
    assert response.status_code == 400
    assert "roles" in response.json()
    assert not User.objects.filter(roles__contains=[role], email="fresh@example.com").exists()


def test_registration_service_refuses_a_privileged_role_with_labels_not_codes():
    with pytest.raises(ValidationError) as caught:
        services.user_register(
            email="sneaky@example.com", password="Str0ng-test-pass!", roles=["holder", "broker"]
        )
    message = " ".join(caught.value.message_dict["roles"])
    assert "broker" not in message
    assert not User.objects.filter(email="sneaky@example.com").exists()


def test_the_browser_sign_up_form_offers_only_holder_and_enterprise(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert 'value="holder"' in page and 'value="enterprise"' in page
    for role in ("broker", "financier", "operator", "reviewer", "admin"):
        assert f'value="{role}"' not in page


def test_a_self_registered_user_cannot_add_broker_by_api_profile_update(api_client_for):
    # given a self-registered holder
    user = UserFactory(roles=["holder"])
    # when they patch their profile to add the broker role
    response = api_client_for(user).patch("/api/v1/me/", {"roles": ["holder", "broker"]}, "json")
    # then it is refused and their roles are unchanged
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.roles == ["holder"]


def test_a_self_registered_user_cannot_add_broker_by_the_profile_page(client):
    user = UserFactory(roles=["holder"])
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {
            "full_name": "X",
            "phone": "",
            "preferred_language": "en",
            "notification_frequency": "daily",
            "roles": ["holder", "broker"],
        },
    )
    assert response.status_code == 200  # the form shows the error
    user.refresh_from_db()
    assert user.roles == ["holder"]


def test_a_profile_update_keeps_granted_privileged_roles():
    user = UserFactory(roles=["broker", "financier", "holder"])
    services.user_update_profile(user=user, roles=["enterprise"])
    user.refresh_from_db()
    assert user.roles == ["broker", "enterprise", "financier"]


# --- Requesting a role ----------------------------------------------------------------------


def test_a_request_needs_an_organisation_of_the_right_kind(applicant):
    # given the applicant also belongs to an enterprise
    enterprise = OrganizationFactory(kind="enterprise")
    Membership.objects.create(user=applicant, organization=enterprise)
    # when they ask to be a financier for it, or a broker for the enterprise
    with pytest.raises(ValidationError) as caught:
        services.role_grant_request(
            user=applicant, role="financier", organization=enterprise, credential_number="L-1"
        )
    assert "organization" in caught.value.message_dict
    with pytest.raises(ValidationError):
        _request_broker(applicant, enterprise)
    # then no request exists
    assert not RoleGrant.objects.exists()


def test_a_request_for_someone_elses_organisation_is_refused(applicant):
    other_agency = OrganizationFactory(kind="intermediary")
    with pytest.raises(ValidationError) as caught:
        _request_broker(applicant, other_agency)
    assert "organization" in caught.value.message_dict
    assert not RoleGrant.objects.exists()


def test_a_broker_request_needs_the_certificate_number(applicant, agency):
    with pytest.raises(ValidationError) as caught:
        _request_broker(applicant, agency, credential_number="  ")
    assert "credential_number" in caught.value.message_dict
    assert not RoleGrant.objects.exists()


def test_the_evidence_file_is_checked_by_its_content(applicant, agency):
    fake = SimpleUploadedFile("licence.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationError) as caught:
        _request_broker(applicant, agency, evidence=fake)
    assert "evidence" in caught.value.message_dict
    assert not RoleGrant.objects.exists()


def test_a_second_open_request_for_the_same_role_is_refused(applicant, agency):
    _request_broker(applicant, agency)
    with pytest.raises(ValidationError):
        _request_broker(applicant, agency)
    assert RoleGrant.objects.count() == 1


# --- Deciding -------------------------------------------------------------------------------


def test_a_reviewer_grants_and_it_is_recorded_in_the_audit_log(applicant, agency, reviewer):
    # given a request with evidence
    grant = _request_broker(
        applicant, agency, evidence=SimpleUploadedFile("cert.pdf", PDF_BYTES, "application/pdf")
    )
    assert not User.objects.get(pk=applicant.pk).has_role("broker")
    # when a reviewer grants it
    services.role_grant_decide(grant=grant, user=reviewer, decision="grant")
    # then the user is a broker, the grant and its events say who and when, the audit log too
    applicant.refresh_from_db()
    assert applicant.has_role("broker")
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.GRANTED
    assert grant.decided_by == reviewer and grant.decided_at is not None
    assert list(grant.events.values_list("action", flat=True)) == ["request", "grant"]
    event = AuditEvent.objects.get(kind=AuditKind.ROLES_CHANGED, actor=reviewer)
    assert event.data["role"] == "broker"
    assert event.data["credential_number"] == "技术经纪人证书 JS-2026-0042"
    assert event.data["evidence"] == "cert.pdf"


def test_a_grant_needs_a_verified_organisation(reviewer):
    # given an unverified agency asks for the broker role
    agency = OrganizationFactory(kind="intermediary", verification_status="pending")
    user = UserFactory(roles=["holder"], organization=agency)
    grant = _request_broker(user, agency)
    # when a reviewer tries to grant it, it is refused (409 in the API) and nothing changed
    with pytest.raises(TransitionNotAllowed):
        services.role_grant_decide(grant=grant, user=reviewer, decision="grant")
    grant.refresh_from_db()
    user.refresh_from_db()
    assert grant.status == RoleGrantStatus.REQUESTED
    assert not user.has_role("broker")
    assert not AuditEvent.objects.filter(target_type="accounts.rolegrant").exists()


def test_a_grant_is_refused_once_the_user_left_the_organisation(applicant, agency, reviewer):
    grant = _request_broker(applicant, agency)
    applicant.memberships.all().delete()
    with pytest.raises(TransitionNotAllowed):
        services.role_grant_decide(grant=grant, user=reviewer, decision="grant")
    assert not User.objects.get(pk=applicant.pk).has_role("broker")


def test_nobody_grants_their_own_request():
    # given a reviewer of the platform operator asks to be a broker as well
    operator = OrganizationFactory(kind="operator")
    reviewer = UserFactory(roles=["reviewer"], organization=operator)
    grant = _request_broker(reviewer, operator)
    # when they try to grant it themselves, it is refused
    with pytest.raises(TransitionNotAllowed):
        services.role_grant_decide(grant=grant, user=reviewer, decision="grant")
    assert not User.objects.get(pk=reviewer.pk).has_role("broker")


def test_only_an_administrator_grants_the_reviewer_role(reviewer, admin_user):
    operator = OrganizationFactory(kind="operator")
    user = UserFactory(roles=[], organization=operator)
    grant = services.role_grant_request(user=user, role="reviewer", organization=operator)
    with pytest.raises(TransitionNotAllowed):
        services.role_grant_decide(grant=grant, user=reviewer, decision="grant")
    assert not User.objects.get(pk=user.pk).has_role("reviewer")
    services.role_grant_decide(grant=grant, user=admin_user, decision="grant")
    assert User.objects.get(pk=user.pk).has_role("reviewer")


def test_the_reviewer_role_needs_a_platform_operator_organisation(agency, applicant):
    with pytest.raises(ValidationError):
        services.role_grant_request(user=applicant, role="reviewer", organization=agency)
    assert not RoleGrant.objects.exists()


def test_refusing_needs_a_reason_and_is_audited(applicant, agency, reviewer):
    grant = _request_broker(applicant, agency)
    with pytest.raises(ValidationError):
        services.role_grant_decide(grant=grant, user=reviewer, decision="refuse")
    assert RoleGrant.objects.get(pk=grant.pk).status == RoleGrantStatus.REQUESTED
    services.role_grant_decide(
        grant=grant, user=reviewer, decision="refuse", note="证书编号查无此人"
    )
    grant.refresh_from_db()
    assert grant.status == RoleGrantStatus.REFUSED
    assert not User.objects.get(pk=applicant.pk).has_role("broker")
    event = AuditEvent.objects.get(kind=AuditKind.ROLES_CHANGED, actor=reviewer)
    assert event.data["action"] == "refuse" and event.data["note"] == "证书编号查无此人"


def test_revoking_the_organisations_verification_revokes_its_grants(applicant, agency, reviewer):
    # given a granted broker
    grant = _request_broker(applicant, agency)
    services.role_grant_decide(grant=grant, user=reviewer, decision="grant")
    # when the agency's verification is revoked
    services.organization_transition(
        organization=agency, user=reviewer, action="revoke", note="营业执照已注销"
    )
    # then the grant is revoked and the role is gone
    grant.refresh_from_db()
    applicant.refresh_from_db()
    assert grant.status == RoleGrantStatus.REVOKED
    assert not applicant.has_role("broker")
    assert RoleGrantEvent.objects.filter(grant=grant, action="revoke").exists()


def test_changing_a_verified_identity_revokes_its_grants(applicant, agency, reviewer):
    grant = _request_broker(applicant, agency)
    services.role_grant_decide(grant=grant, user=reviewer, decision="grant")
    services.organization_update(organization=agency, user=applicant, name_zh="另一个名字")
    assert RoleGrant.objects.get(pk=grant.pk).status == RoleGrantStatus.REVOKED
    assert not User.objects.get(pk=applicant.pk).has_role("broker")


def test_a_reviewer_revokes_a_grant_with_a_reason(applicant, agency, reviewer):
    grant = _request_broker(applicant, agency)
    services.role_grant_decide(grant=grant, user=reviewer, decision="grant")
    with pytest.raises(ValidationError):
        services.role_grant_revoke(grant=grant, user=reviewer, note="")
    assert User.objects.get(pk=applicant.pk).has_role("broker")
    services.role_grant_revoke(grant=grant, user=reviewer, note="投诉属实")
    assert not User.objects.get(pk=applicant.pk).has_role("broker")


def test_a_decision_is_compare_and_set(applicant, agency, reviewer):
    grant = _request_broker(applicant, agency)
    stale = RoleGrant.objects.get(pk=grant.pk)
    services.role_grant_decide(grant=grant, user=reviewer, decision="refuse", note="no")
    # a second reviewer acting on the stale copy cannot grant what was just refused
    second_reviewer = UserFactory(roles=["reviewer"])
    with pytest.raises(TransitionNotAllowed):
        services.role_grant_decide(grant=stale, user=second_reviewer, decision="grant")
    assert not User.objects.get(pk=applicant.pk).has_role("broker")


# --- API --------------------------------------------------------------------------------------


def test_api_request_list_and_grant(api_client_for, applicant, agency, reviewer, stranger):
    # when the applicant asks through the API (multipart, with evidence)
    response = api_client_for(applicant).post(
        "/api/v1/role-grants/",
        {
            "role": "broker",
            "organization": agency.pk,
            "credential_number": "JS-2026-0042",
            "evidence": SimpleUploadedFile("cert.pdf", PDF_BYTES, "application/pdf"),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    grant_id = response.json()["id"]
    assert response.json()["status"] == "requested"
    assert response.json()["allowed_actions"] == []
    # then a stranger does not see it, the reviewer does and grants it
    assert api_client_for(stranger).get(f"/api/v1/role-grants/{grant_id}/").status_code == 404
    assert api_client_for(stranger).get("/api/v1/role-grants/").json()["count"] == 0
    reviewer_client = api_client_for(reviewer)
    listed = reviewer_client.get("/api/v1/role-grants/").json()
    assert [row["id"] for row in listed["results"]] == [grant_id]
    assert listed["results"][0]["allowed_actions"] == ["grant", "refuse"]
    granted = reviewer_client.post(f"/api/v1/role-grants/{grant_id}/grant/", {}, format="json")
    assert granted.status_code == 200
    assert granted.json()["status"] == "granted"
    assert User.objects.get(pk=applicant.pk).has_role("broker")
    # and granting again is a conflict
    again = reviewer_client.post(f"/api/v1/role-grants/{grant_id}/grant/", {}, format="json")
    assert again.status_code == 409


def test_api_applicant_cannot_grant_their_own_request(api_client_for, applicant, agency):
    grant = _request_broker(applicant, agency)
    response = api_client_for(applicant).post(f"/api/v1/role-grants/{grant.pk}/grant/", {}, "json")
    assert response.status_code == 409
    assert not User.objects.get(pk=applicant.pk).has_role("broker")


def test_api_request_for_another_organisation_is_a_field_error(api_client_for, applicant):
    other = OrganizationFactory(kind="intermediary")
    response = api_client_for(applicant).post(
        "/api/v1/role-grants/",
        {"role": "broker", "organization": other.pk, "credential_number": "X"},
        format="json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()
    assert not RoleGrant.objects.exists()


def test_api_grant_of_an_unverified_organisation_is_409(api_client_for, reviewer):
    agency = OrganizationFactory(kind="intermediary", verification_status="unverified")
    user = UserFactory(roles=[], organization=agency)
    grant = _request_broker(user, agency)
    response = api_client_for(reviewer).post(f"/api/v1/role-grants/{grant.pk}/grant/", {}, "json")
    assert response.status_code == 409
    assert RoleGrant.objects.get(pk=grant.pk).status == RoleGrantStatus.REQUESTED


def test_api_refuse_without_a_reason_is_400(api_client_for, applicant, agency, reviewer):
    grant = _request_broker(applicant, agency)
    response = api_client_for(reviewer).post(f"/api/v1/role-grants/{grant.pk}/refuse/", {}, "json")
    assert response.status_code == 400
    assert "note" in response.json()


def test_the_schema_documents_the_role_grant_actions(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for action in ("grant", "refuse", "revoke"):
        operation = paths[f"/api/v1/role-grants/{{id}}/{action}/"]["post"]
        assert "409" in operation["responses"]


# --- Pages ------------------------------------------------------------------------------------


def test_my_roles_page_says_what_is_missing(client):
    # given a member of an unverified agency
    agency = OrganizationFactory(kind="intermediary", verification_status="unverified")
    user = UserFactory(roles=["holder"], organization=agency)
    client.force_login(user)
    # when they open "My roles" in English
    page = client.get(reverse("accounts:role_grants"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then they read that their organisation is not verified, with a link to ask for it
    assert "is not verified yet" in page
    assert reverse("accounts:organization_detail", args=[agency.pk]) in page
    assert "technology broker certificate" in page


def test_my_roles_page_request_and_reviewer_queue(client, applicant, agency, reviewer):
    client.force_login(applicant)
    response = client.post(
        reverse("accounts:role_grants"),
        {
            "role": "broker",
            "organization": agency.pk,
            "credential_number": "JS-2026-0042",
            "note": "",
            "evidence": SimpleUploadedFile("cert.pdf", PDF_BYTES, "application/pdf"),
        },
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get()
    # the reviewer sees it in the queue, downloads the evidence and grants it
    client.force_login(reviewer)
    queue = client.get(reverse("accounts:review_queue")).content.decode()
    assert 'data-testid="role-grant-item"' in queue
    assert reverse("accounts:role_grant_evidence", args=[grant.pk]) in queue
    evidence = client.get(reverse("accounts:role_grant_evidence", args=[grant.pk]))
    assert evidence.status_code == 200
    assert b"".join(evidence.streaming_content) == PDF_BYTES
    client.post(reverse("accounts:role_grant_transition", args=[grant.pk]), {"action": "grant"})
    assert User.objects.get(pk=applicant.pk).has_role("broker")


def test_a_stranger_cannot_see_or_decide_a_request(client, applicant, agency, stranger):
    grant = _request_broker(applicant, agency)
    client.force_login(stranger)
    assert client.get(reverse("accounts:role_grant_detail", args=[grant.pk])).status_code == 404
    assert client.get(reverse("accounts:role_grant_evidence", args=[grant.pk])).status_code == 404
    response = client.post(
        reverse("accounts:role_grant_transition", args=[grant.pk]), {"action": "grant"}
    )
    assert response.status_code == 404
    assert RoleGrant.objects.get(pk=grant.pk).status == RoleGrantStatus.REQUESTED


def test_demo_privileged_users_hold_granted_roles(db):
    from unittest import mock

    from django.core.management import call_command

    with mock.patch("celery.app.task.Task.apply_async"):
        call_command("seed_demo", verbosity=0)
        call_command("seed_demo", verbosity=0)  # idempotent
    for email, role in [
        ("broker@demo.example", "broker"),
        ("financier@demo.example", "financier"),
        ("operator@demo.example", "operator"),
        ("reviewer@demo.example", "reviewer"),
    ]:
        user = User.objects.get(email=email)
        assert user.has_role(role)
        grant = RoleGrant.objects.get(user=user, role=role)
        assert grant.status == RoleGrantStatus.GRANTED
        assert grant.organization.verification_status == VerificationStatus.VERIFIED
        assert user.check_password("demo-pass-2026")
    assert User.objects.get(email="admin@demo.example").has_role("admin")


def _grants(count: int) -> None:
    for _ in range(count):
        agency = OrganizationFactory(kind="intermediary")
        _request_broker(UserFactory(roles=[], organization=agency), agency)


@pytest.mark.parametrize("count", [5, 15])
def test_the_role_grant_list_query_count_is_flat(
    api_client_for, reviewer, count, django_assert_num_queries
):
    _grants(count)
    client = api_client_for(reviewer)
    with django_assert_num_queries(2):  # the count and one page of grants with their joins
        response = client.get("/api/v1/role-grants/")
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [5, 15])
def test_the_review_queue_query_count_does_not_grow_with_role_requests(
    client, reviewer, count, django_assert_max_num_queries
):
    _grants(count)
    client.force_login(reviewer)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("accounts:review_queue")).content.decode()
    assert page.count('data-testid="role-grant-item"') == count
