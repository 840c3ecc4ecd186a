import pytest

from accounts.choices import VerificationStatus
from accounts.models import Organization, OrganizationEvent, User
from accounts.tokens.models import ApiToken
from tests.factories import PASSWORD, OrganizationFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db

GOOD_ORGANIZATION = {
    "name_zh": "苏州清源环保科技有限公司",
    "kind": "enterprise",
    "region": "CN-JS",
    "credit_code": valid_credit_code(424242),
}


def test_token_for_correct_credentials(api_client):
    # given a user
    user = UserFactory()
    # when they ask for a token with their email and password
    response = api_client.post(
        "/api/v1/auth/token/", {"email": user.email.upper(), "password": PASSWORD}, format="json"
    )
    # then they get a new token for this device, which authenticates later requests
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expiry"}
    assert ApiToken.objects.get(user=user).token_key == response.json()["token"][:15]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get("/api/v1/me/").json()["email"] == user.email


def test_token_refused_for_wrong_password_with_a_message(api_client):
    user = UserFactory()
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": "wrong"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "not correct" in response.json()["non_field_errors"][0]


def test_token_request_missing_fields(api_client):
    response = api_client.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"email", "password"}


def test_registration_creates_a_user_with_roles(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "New@Example.com", "password": "a-Long-pass-2026", "roles": ["holder"]},
        format="json",
    )
    assert response.status_code == 201
    user = User.objects.get(email="new@example.com")
    assert user.roles == ["holder"]
    assert user.check_password("a-Long-pass-2026")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "dup@example.com", "password": "123", "roles": ["holder"]}, "password"),
        ({"email": "weak@example.com", "password": "123", "roles": ["holder"]}, "password"),
        (
            {"email": "x@example.com", "password": "a-Long-pass-2026", "roles": ["reviewer"]},
            "roles",
        ),
        ({"password": "a-Long-pass-2026", "roles": ["holder"]}, "email"),
    ],
)
def test_registration_bad_input_names_the_field_and_saves_nothing(api_client, payload, field):
    # given an existing user with the email used in the duplicate cases
    UserFactory(email="dup@example.com")
    before = User.objects.count()
    # when registering with bad input
    response = api_client.post("/api/v1/auth/register/", payload, format="json")
    # then the error is on the field and nothing was saved
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == before


def test_registration_errors_in_chinese(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"password": "a-Long-pass-2026", "roles": ["holder"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "必填" in response.json()["email"][0]


def test_create_organization_makes_the_creator_its_owner(api_client_for):
    user = UserFactory(roles=["enterprise"])
    response = api_client_for(user).post("/api/v1/organizations/", GOOD_ORGANIZATION, format="json")
    assert response.status_code == 201, response.json()
    organization = Organization.objects.get(pk=response.json()["id"])
    assert organization.memberships.get().user == user
    assert organization.verification_status == VerificationStatus.UNVERIFIED
    assert response.json()["allowed_actions"] == ["request"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"credit_code": "91350100M000100Y44"}, "credit_code"),
        ({"credit_code": ""}, "credit_code"),
        ({"region": "CN-XX"}, "region"),
        ({"name_zh": ""}, "name_zh"),
        ({"kind": "pirate"}, "kind"),
    ],
)
def test_create_organization_bad_input(api_client_for, change, field):
    user = UserFactory()
    response = api_client_for(user).post(
        "/api/v1/organizations/", {**GOOD_ORGANIZATION, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Organization.objects.exists()


def test_wrong_credit_code_message_in_chinese(api_client_for):
    response = api_client_for(UserFactory()).post(
        "/api/v1/organizations/",
        {**GOOD_ORGANIZATION, "credit_code": "91350100M000100Y44"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "校验" in response.json()["credit_code"][0]


def test_foreign_organization_needs_no_credit_code(api_client_for):
    response = api_client_for(UserFactory()).post(
        "/api/v1/organizations/",
        {"name_en": "Addis Clean Water PLC", "kind": "enterprise", "region": "ET"},
        format="json",
    )
    assert response.status_code == 201


def test_verification_workflow(api_client_for):
    # given an unverified organisation with its owner, a stranger and a reviewer
    organization = OrganizationFactory(verification_status=VerificationStatus.UNVERIFIED)
    owner = UserFactory(organization=organization)
    stranger = UserFactory(organization=OrganizationFactory())
    reviewer = UserFactory(roles=["reviewer"])
    url = f"/api/v1/organizations/{organization.pk}/transition/"

    # the stranger cannot see it at all, nor act on it
    assert api_client_for(stranger).post(url, {"action": "request"}).status_code == 404
    # the reviewer cannot verify before it is requested
    response = api_client_for(reviewer).post(url, {"action": "verify"})
    assert response.status_code == 409
    # the owner asks for verification
    assert api_client_for(owner).post(url, {"action": "request"}).status_code == 200
    # the owner cannot verify it themselves
    response = api_client_for(owner).post(url, {"action": "verify"})
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert response.json()["allowed_actions"] == []
    # it is in the reviewer's queue
    queue = api_client_for(reviewer).get("/api/v1/organizations/awaiting_verification/").json()
    assert [row["id"] for row in queue["results"]] == [organization.pk]
    # refusing needs a reason
    response = api_client_for(reviewer).post(url, {"action": "reject"})
    assert response.status_code == 400
    assert "note" in response.json()
    # the reviewer verifies
    response = api_client_for(reviewer).post(url, {"action": "verify", "note": "ok"})
    assert response.status_code == 200
    assert response.json()["verified"] is True
    organization.refresh_from_db()
    assert organization.verified_by == reviewer
    assert list(organization.events.values_list("action", flat=True)) == [
        "request",
        "verify",
    ]
    # the owner is told
    assert owner.notifications.filter(title__icontains=organization.display_name).exists()


def test_verification_queue_is_for_reviewers_only(api_client_for):
    response = api_client_for(UserFactory()).get("/api/v1/organizations/awaiting_verification/")
    assert response.status_code == 403


def test_unverified_organization_is_invisible_to_strangers(api_client, api_client_for):
    organization = OrganizationFactory(verification_status=VerificationStatus.UNVERIFIED)
    assert api_client.get(f"/api/v1/organizations/{organization.pk}/").status_code == 404
    other = UserFactory(organization=OrganizationFactory())
    assert api_client_for(other).get(f"/api/v1/organizations/{organization.pk}/").status_code == 404


def test_stranger_cannot_edit_a_verified_organization(api_client_for):
    organization = OrganizationFactory()
    before = organization.name_zh
    stranger = UserFactory(organization=OrganizationFactory())
    response = api_client_for(stranger).patch(
        f"/api/v1/organizations/{organization.pk}/", {"name_zh": "篡改"}, format="json"
    )
    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.name_zh == before


def test_changing_a_verified_identity_asks_for_verification_again(api_client_for):
    organization = OrganizationFactory()
    owner = UserFactory(organization=organization)
    response = api_client_for(owner).patch(
        f"/api/v1/organizations/{organization.pk}/", {"name_zh": "新名称有限公司"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["verification_status"] == "unverified"
    assert OrganizationEvent.objects.filter(action="identity_changed").count() == 1


def test_anonymous_cannot_create_organizations(api_client):
    response = api_client.post("/api/v1/organizations/", GOOD_ORGANIZATION, format="json")
    assert response.status_code in (401, 403)
    assert not Organization.objects.exists()
