import pytest
from django.urls import reverse

from accounts.choices import VerificationStatus
from accounts.demo import DEMO_PASSWORD, seed_accounts
from accounts.models import Organization, User
from tests.factories import OrganizationFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db


def test_signup_in_the_browser_creates_a_user_with_roles(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "plant@example.com",
            "password1": "a-Long-pass-2026",
            "password2": "a-Long-pass-2026",
            "full_name": "刘工",
            "roles": ["enterprise"],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="plant@example.com")
    assert user.roles == ["enterprise"]
    assert user.full_name == "刘工"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password1": "123", "password2": "123"}, "密码"),
        ({"roles": []}, "必填"),
    ],
)
def test_signup_errors_show_on_the_form_in_chinese(client, changes, message):
    data = {
        "email": "new@example.com",
        "password1": "a-Long-pass-2026",
        "password2": "a-Long-pass-2026",
        "roles": ["holder"],
        **changes,
    }
    response = client.post(reverse("account_signup"), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()


def test_login_page_in_english(client):
    client.post(reverse("set_language"), {"language": "en"})
    response = client.get(reverse("account_login"))
    assert "Sign In" in response.content.decode()


@pytest.mark.parametrize(
    "email",
    [
        "holder@demo.example",
        "enterprise@demo.example",
        "broker@demo.example",
        "financier@demo.example",
        "reviewer@demo.example",
        "admin@demo.example",
    ],
)
def test_every_demo_login_reaches_its_workspace(client, email):
    # given the demo data
    seed_accounts()
    # when the demo user signs in through the log-in form
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    # then they land in their workspace, which shows their organisation
    assert response.status_code == 302
    workspace = client.get(response["Location"])
    assert workspace.status_code == 200
    assert workspace.context["organizations"].exists()


def test_seed_demo_is_idempotent():
    seed_accounts()
    seed_accounts()
    assert User.objects.filter(email__endswith="@demo.example").count() == 6
    assert Organization.objects.count() == 5


def test_reviewer_sees_the_review_queue_link_and_others_do_not(client):
    reviewer = UserFactory(roles=["reviewer"])
    holder = UserFactory(roles=["holder"])
    client.force_login(reviewer)
    assert (
        reverse("accounts:review_queue")
        in client.get(reverse("accounts:workspace")).content.decode()
    )
    client.force_login(holder)
    assert (
        reverse("accounts:review_queue")
        not in client.get(reverse("accounts:workspace")).content.decode()
    )
    assert client.get(reverse("accounts:review_queue")).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("accounts:workspace"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_create_organization_in_the_browser_with_a_wrong_credit_code(client):
    user = UserFactory()
    client.force_login(user)
    data = {
        "name_zh": "测试公司",
        "kind": "enterprise",
        "region": "CN-JS",
        "credit_code": "91350100M000100Y44",
    }
    response = client.post(
        reverse("accounts:organization_create"), data, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    assert "校验码不符" in response.content.decode()
    assert not Organization.objects.exists()
    # corrected, it is saved and the user becomes its owner
    data["credit_code"] = valid_credit_code(777)
    response = client.post(reverse("accounts:organization_create"), data)
    organization = Organization.objects.get()
    assert response["Location"] == reverse("accounts:organization_detail", args=[organization.pk])
    assert organization.memberships.get().user == user


def test_verification_in_the_browser(client):
    # given an owner who asks for verification
    organization = OrganizationFactory(verification_status=VerificationStatus.UNVERIFIED)
    owner = UserFactory(organization=organization)
    client.force_login(owner)
    url = reverse("accounts:organization_transition", args=[organization.pk])
    client.post(url, {"action": "request"})
    # when a reviewer verifies it from the queue
    reviewer = UserFactory(roles=["reviewer"])
    client.force_login(reviewer)
    queue = client.get(reverse("accounts:review_queue")).content.decode()
    assert organization.name_zh in queue
    client.post(url, {"action": "verify", "next": reverse("accounts:review_queue")})
    # then the organisation is verified and the owner has a notification
    organization.refresh_from_db()
    assert organization.verification_status == VerificationStatus.VERIFIED
    client.force_login(owner)
    assert (
        'data-testid="unread-count"' in client.get(reverse("accounts:workspace")).content.decode()
    )


def test_stranger_cannot_verify_in_the_browser(client):
    organization = OrganizationFactory(verification_status=VerificationStatus.PENDING)
    client.force_login(UserFactory(organization=OrganizationFactory()))
    response = client.post(
        reverse("accounts:organization_transition", args=[organization.pk]), {"action": "verify"}
    )
    assert response.status_code == 404
    organization.refresh_from_db()
    assert organization.verification_status == VerificationStatus.PENDING


def test_profile_update_keeps_reviewer_role(client):
    reviewer = UserFactory(roles=["reviewer"])
    client.force_login(reviewer)
    response = client.post(
        reverse("accounts:profile"),
        {
            "full_name": "新名字",
            "phone": "",
            "preferred_language": "en",
            "notification_frequency": "daily",
            "roles": ["holder"],
        },
    )
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert sorted(reviewer.roles) == ["holder", "reviewer"]
    assert reviewer.notification_frequency == "daily"


def test_password_reset_by_email(client, mailoutbox):
    # given a user who forgot their password
    user = UserFactory(email="forgot@example.com")
    # when they ask for a reset link
    response = client.post(reverse("account_reset_password"), {"email": "forgot@example.com"})
    # then an email with a reset link is sent to them
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [[user.email]]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
