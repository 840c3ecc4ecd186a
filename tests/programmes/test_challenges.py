import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.workflow import TransitionNotAllowed
from exchange.models import Proposal
from notifications.models import Notification
from programmes.choices import ChallengeStatus
from programmes.models import Challenge, ChallengeScore, ChallengeSubmission
from programmes.services import challenges as services
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def proposal_data(technology, need):
    return {
        "need": need,
        "technology": technology,
        "approach": "IC 厌氧反应器 + 好氧深度处理，三个月完成中试。",
        "deal_type": "license",
        "timeline": "6 个月",
    }


@pytest.fixture
def need(make_need):
    return make_need()


@pytest.fixture
def challenge(operator, need):
    challenge = services.challenge_create(
        user=operator,
        title="浙江化工园区废水治理揭榜挂帅",
        description="面向园区重点企业的废水治理难题。",
        closes_at=timezone.now() + datetime.timedelta(days=30),
        region="CN-ZJ",
        needs=[need],
    )
    return services.challenge_transition(challenge=challenge, user=operator, action="publish")


def test_needs_from_another_region_are_refused(operator, make_need):
    other = make_need(region="CN-GD")
    with pytest.raises(ValidationError) as error:
        services.challenge_create(
            user=operator,
            title="x",
            description="x",
            closes_at=timezone.now() + datetime.timedelta(days=3),
            region="CN-ZJ",
            needs=[other],
        )
    assert "needs" in error.value.message_dict
    assert not Challenge.objects.exists()


def test_holder_submits_a_proposal_through_the_exchange(
    challenge, holder, technology, need, operator
):
    # when
    submission = services.challenge_submit(
        challenge=challenge, user=holder, **proposal_data(technology, need)
    )
    # then: an ordinary exchange proposal, entered in the challenge
    assert Proposal.objects.get() == submission.proposal
    assert submission.proposal.status == "submitted"
    assert Notification.objects.filter(recipient=operator).exists()


def test_submitting_after_the_closing_time_is_refused(challenge, holder, technology, need):
    Challenge.objects.filter(pk=challenge.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    challenge.refresh_from_db()
    with pytest.raises(ValidationError):
        services.challenge_submit(
            challenge=challenge, user=holder, **proposal_data(technology, need)
        )
    assert not Proposal.objects.exists()


def test_judges_score_after_closing_and_the_winner_is_announced(
    challenge, holder, technology, need, operator, make_expert
):
    # given
    submission = services.challenge_submit(
        challenge=challenge, user=holder, **proposal_data(technology, need)
    )
    judges = [make_expert(name="甲"), make_expert(name="乙")]
    services.challenge_invite_judges(challenge=challenge, user=operator, experts=judges)
    with pytest.raises(TransitionNotAllowed):  # scoring opens when the challenge closes
        services.challenge_score(submission=submission, user=judges[0].user, score=8)
    services.challenge_transition(challenge=challenge, user=operator, action="close")
    services.challenge_score(submission=submission, user=judges[0].user, score=8)
    services.challenge_score(submission=submission, user=judges[1].user, score=9)
    with pytest.raises(ValidationError):
        services.challenge_score(submission=submission, user=judges[1].user, score=0)
    assert services.submission_median(submission) == 8.5
    with pytest.raises(ValidationError):  # no winner chosen yet
        services.challenge_transition(
            challenge=challenge, user=operator, action="announce", note="结果"
        )
    # when
    services.challenge_mark_winner(submission=submission, user=operator, award="一等奖")
    services.challenge_transition(
        challenge=challenge, user=operator, action="announce", note="经专家评审，揭榜成功。"
    )
    # then
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.ANNOUNCED and challenge.announced_at
    assert ChallengeSubmission.objects.get().is_winner
    assert Notification.objects.filter(recipient=holder, title__contains="Results").exists()


def test_a_judge_from_the_holders_organisation_cannot_score(
    challenge, holder, technology, need, operator, make_expert, holder_org
):
    submission = services.challenge_submit(
        challenge=challenge, user=holder, **proposal_data(technology, need)
    )
    insider = make_expert(organization=holder_org)
    services.challenge_invite_judges(challenge=challenge, user=operator, experts=[insider])
    services.challenge_transition(challenge=challenge, user=operator, action="close")
    with pytest.raises(ValidationError):
        services.challenge_score(submission=submission, user=insider.user, score=10)
    assert not ChallengeScore.objects.exists()


def test_winners_are_public_on_the_challenge_page(
    client, challenge, holder, technology, need, operator
):
    submission = services.challenge_submit(
        challenge=challenge, user=holder, **proposal_data(technology, need)
    )
    services.challenge_transition(challenge=challenge, user=operator, action="close")
    services.challenge_mark_winner(submission=submission, user=operator)
    services.challenge_transition(
        challenge=challenge, user=operator, action="announce", note="公告"
    )
    page = client.get(reverse("programmes:challenge_detail", args=[challenge.pk])).content.decode()
    assert 'data-testid="winners"' in page and technology.title in page


def test_draft_challenge_is_404_for_others(api_client, api_client_for, operator, need, reviewer):
    challenge = services.challenge_create(
        user=operator,
        title="草稿",
        description="x",
        closes_at=timezone.now() + datetime.timedelta(days=3),
        region="CN-ZJ",
        needs=[need],
    )
    url = reverse("challenge-detail", args=[challenge.pk])
    assert api_client.get(url).status_code == 404
    assert (
        api_client_for(UserFactory(organization=OrganizationFactory())).get(url).status_code == 404
    )
    assert api_client_for(operator).get(url).status_code == 200
    assert api_client_for(reviewer).get(url).status_code == 200


def test_api_submit_and_out_of_turn_announce(
    api_client_for, challenge, holder, technology, need, operator
):
    response = api_client_for(holder).post(
        reverse("challenge-submit", args=[challenge.pk]),
        {
            "need": need.pk,
            "technology": technology.pk,
            "approach": "方案",
            "deal_type": "license",
            "timeline": "3 个月",
        },
    )
    assert response.status_code == 201, response.data
    response = api_client_for(operator).post(
        reverse("challenge-transition", args=[challenge.pk]), {"action": "announce", "note": "x"}
    )
    assert response.status_code == 409
    assert "close" in response.data["allowed_actions"]


def test_an_entry_not_chosen_carries_a_reason_the_holder_sees(
    api_client_for, challenge, holder, technology, need, operator
):
    # given a closed challenge with one entry
    submission = services.challenge_submit(
        challenge=challenge, user=holder, **proposal_data(technology, need)
    )
    services.challenge_transition(challenge=challenge, user=operator, action="close")
    url = f"/api/v1/challenges/{challenge.pk}/turn-down/"
    client = api_client_for(operator)
    # when the operator gives no reason, then 400 and nothing stored
    response = client.post(url, {"submission": submission.pk, "note": "x"}, format="json")
    assert response.status_code == 400 and "reason_code" in response.data
    assert ChallengeSubmission.objects.get().reason_code == ""
    # when the holder tries, it is refused
    refused = api_client_for(holder).post(
        url, {"submission": submission.pk, "reason_code": "price"}, format="json"
    )
    assert refused.status_code in (403, 404, 409)
    assert ChallengeSubmission.objects.get().reason_code == ""
    # when the operator gives one
    response = client.post(
        url,
        {"submission": submission.pk, "reason_code": "readiness", "note": "中试数据不足"},
        format="json",
    )
    assert response.status_code == 200, response.data
    # then the holder sees it (API and notification); an outsider does not see the entry
    notification = Notification.objects.filter(recipient=holder).latest("pk")
    assert notification.body == "中试数据不足"
    seen = api_client_for(holder).get(f"/api/v1/challenges/{challenge.pk}/submissions/")
    assert seen.status_code == 200
    assert [row["reason_code"] for row in seen.data["results"]] == ["readiness"]
    stored = ChallengeSubmission.objects.get()
    assert (stored.reason_code, stored.reason_note) == ("readiness", "中试数据不足")
    outsider = UserFactory(roles=["holder"], organization=OrganizationFactory())
    hidden = api_client_for(outsider).get(f"/api/v1/challenges/{challenge.pk}/submissions/")
    assert "readiness" not in str(hidden.content)
