import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Category
from core.workflow import TransitionNotAllowed
from exchange.models import Deal
from notifications.models import Notification
from programmes.choices import ExpertStatus
from programmes.models import ConsultingRequest, ExpertHistory, ExpertProfile
from programmes.services import experts as services
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def apply(user, **overrides):
    data = {
        "name": "刘教授",
        "title": "教授",
        "bio": "膜分离与工业废水回用。",
        "languages": ["zh", "en"],
        "fields": Category.objects.filter(code__in=["2.4", "1.6"]),
        "organization_name": "清华大学环境学院",
        **overrides,
    }
    return services.expert_profile_create(user=user, **data)


def test_applying_creates_a_pending_profile_and_tells_reviewers(reviewer):
    # given
    user = UserFactory()
    # when
    expert = apply(user)
    # then
    assert expert.status == ExpertStatus.PENDING
    assert set(expert.fields.values_list("code", flat=True)) == {"2.4", "1.6"}
    assert ExpertHistory.objects.filter(expert=expert, action="apply").exists()
    assert Notification.objects.filter(recipient=reviewer).count() == 1


def test_applying_without_fields_or_languages_is_refused_and_nothing_saved():
    # given
    user = UserFactory()
    # when
    with pytest.raises(ValidationError) as error:
        apply(user, languages=[], fields=Category.objects.none())
    # then
    assert "languages" in error.value.message_dict
    assert not ExpertProfile.objects.exists()


def test_claiming_an_organisation_one_does_not_belong_to_is_refused():
    # given
    user = UserFactory()
    other = OrganizationFactory()
    # when / then
    with pytest.raises(ValidationError) as error:
        apply(user, organization=other, organization_name="")
    assert "organization" in error.value.message_dict
    assert not ExpertProfile.objects.exists()


def test_reviewer_verifies_and_the_expert_is_told(reviewer):
    # given
    user = UserFactory()
    expert = apply(user)
    # when
    services.expert_transition(expert=expert, user=reviewer, action="verify")
    # then
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.VERIFIED and expert.verified_at
    assert Notification.objects.filter(recipient=user).exists()


def test_the_expert_cannot_verify_themself():
    # given
    user = UserFactory()
    expert = apply(user)
    # when / then
    with pytest.raises(TransitionNotAllowed):
        services.expert_transition(expert=expert, user=user, action="verify")
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.PENDING


def test_rejecting_needs_a_reason(reviewer):
    # given
    expert = apply(UserFactory())
    # when / then
    with pytest.raises(ValidationError):
        services.expert_transition(expert=expert, user=reviewer, action="reject")
    expert.refresh_from_db()
    assert expert.status == ExpertStatus.PENDING


def test_consulting_request_opens_a_consulting_deal(
    make_expert, holder_org, make_technology, enterprise
):
    # given: an expert of the holder's university that offers consulting on its technology
    expert_user = UserFactory(organization=holder_org)
    expert = make_expert(organization=holder_org, user=expert_user, offers_consulting=True)
    technology = make_technology()
    # when
    request = services.consulting_request_create(
        user=enterprise, expert=expert, technology=technology, topic="废水站改造咨询"
    )
    # then
    deal = request.deal
    assert deal.deal_type == "consulting" and deal.stage == "inquiry"
    assert deal.seller == holder_org and deal.buyer == enterprise.memberships.first().organization
    assert Notification.objects.filter(recipient=expert_user).exists()


def test_consulting_about_a_technology_outside_the_experts_organisation_is_refused(
    make_expert, make_technology, enterprise
):
    # given
    expert = make_expert(offers_consulting=True)
    technology = make_technology()
    # when / then
    with pytest.raises(ValidationError) as error:
        services.consulting_request_create(
            user=enterprise, expert=expert, technology=technology, topic="咨询"
        )
    assert "technology" in error.value.message_dict
    assert not Deal.objects.exists() and not ConsultingRequest.objects.exists()


def test_expert_search_finds_by_chinese_field_words(make_expert):
    # given
    make_expert(name="王专家", fields=("2.4",))
    make_expert(name="李专家", fields=("3.1",))
    from programmes.selectors.experts import expert_search, experts_visible_to

    # when
    found = expert_search(queryset=experts_visible_to(user=UserFactory()), text="废水")
    # then
    assert [e.name for e in found] == ["王专家"]


def test_directory_page_lists_verified_experts_only(client, make_expert):
    # given
    make_expert(name="王专家")
    make_expert(name="未审核专家", status=ExpertStatus.PENDING)
    # when
    response = client.get(reverse("programmes:expert_list"))
    # then
    assert response.status_code == 200
    assert "王专家" in response.content.decode() and "未审核专家" not in response.content.decode()


def test_directory_page_query_count_does_not_grow(
    client, make_expert, django_assert_num_queries, django_assert_max_num_queries
):
    # given
    for index in range(5):
        make_expert(name=f"专家{index}")
    url = reverse("programmes:expert_list")
    client.get(url)
    with django_assert_max_num_queries(100) as captured:
        client.get(url)
    # when
    for index in range(5, 25):
        make_expert(name=f"专家{index}")
    # then
    with django_assert_num_queries(len(captured.captured_queries)):
        client.get(url)


def test_pending_profile_is_404_for_strangers_and_visible_to_reviewer(
    client, reviewer, make_expert
):
    # given
    expert = make_expert(status=ExpertStatus.PENDING)
    url = reverse("programmes:expert_detail", args=[expert.pk])
    # when / then
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(expert.user)
    assert client.get(url).status_code == 200
    client.force_login(reviewer)
    assert client.get(url).status_code == 200


def test_apply_page_creates_a_profile(client):
    # given
    user = UserFactory()
    client.force_login(user)
    field = Category.objects.get(code="2.4")
    # when
    response = client.post(
        reverse("programmes:expert_apply"),
        {
            "name": "周工",
            "title": "高级工程师",
            "organization_name": "某设计院",
            "fields": [field.pk],
            "languages": ["zh"],
            "bio": "二十年水处理工程经验。",
        },
    )
    # then
    assert response.status_code == 302
    assert ExpertProfile.objects.get(user=user).status == ExpertStatus.PENDING


def test_reviewer_finds_profiles_awaiting_verification(client, reviewer, make_expert):
    # given
    make_expert(name="待审专家", status=ExpertStatus.PENDING)
    client.force_login(reviewer)
    # when
    page = client.get(reverse("programmes:evaluation_list")).content.decode()
    # then
    assert 'data-testid="pending-experts"' in page and "待审专家" in page
