import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.workflow import TransitionNotAllowed
from notifications.models import Notification
from programmes.choices import AssignmentStatus, CombinationMethod, EvaluationStatus
from programmes.models import Evaluation, EvaluationAssignment, EvaluationScore
from programmes.services import evaluations as services
from tests.factories import OrganizationFactory, UserFactory
from tests.programmes.conftest import SCORES

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(reviewer, technology):
    return services.evaluation_request(user=reviewer, technology=technology, paid=False)


@pytest.fixture
def two_experts(make_expert):
    return [make_expert(name="王专家"), make_expert(name="李专家")]


def scored(evaluation, reviewer, experts, scores=None):
    services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=experts)
    for index, expert in enumerate(experts):
        values = {**SCORES, **((scores or [{}] * len(experts))[index])}
        services.evaluation_score_submit(evaluation=evaluation, user=expert.user, **values)
    return evaluation


def test_holder_requests_a_paid_evaluation_and_reviewers_hear(holder, reviewer, technology):
    # when
    evaluation = services.evaluation_request(user=holder, technology=technology, paid=True)
    # then
    assert evaluation.requested_as == "holder" and evaluation.paid
    assert evaluation.status == EvaluationStatus.REQUESTED
    assert Notification.objects.filter(recipient=reviewer).exists()


def test_a_stranger_cannot_request_an_evaluation(technology):
    # when / then
    with pytest.raises(TransitionNotAllowed):
        services.evaluation_request(
            user=UserFactory(organization=OrganizationFactory()), technology=technology
        )
    assert not Evaluation.objects.exists()


def test_second_open_evaluation_is_refused(evaluation, reviewer, technology):
    with pytest.raises(ValidationError):
        services.evaluation_request(user=reviewer, technology=technology)
    assert Evaluation.objects.count() == 1


def test_suggestions_follow_the_field_and_leave_out_conflicts(evaluation, make_expert, holder_org):
    # given
    exact = make_expert(name="同组专家", fields=("2.4",))
    industry = make_expert(name="同行业专家", fields=("2.3",))
    make_expert(name="其他领域专家", fields=("3.1",))
    make_expert(name="本校专家", organization=holder_org)
    make_expert(name="声明冲突专家", conflicts=[holder_org])
    make_expert(name="未审核专家", status="pending")
    # when
    suggested = services.evaluation_suggest_experts(evaluation=evaluation)
    # then
    assert [e.pk for e in suggested] == [exact.pk, industry.pk]


def test_assigning_an_expert_of_the_holders_organisation_is_refused(
    evaluation, reviewer, make_expert, holder_org
):
    # given
    colleague = make_expert(name="本校专家", organization=holder_org)
    outsider = make_expert(name="外部专家")
    # when
    with pytest.raises(ValidationError) as error:
        services.evaluation_assign(
            evaluation=evaluation, user=reviewer, experts=[outsider, colleague]
        )
    # then: a clear message and nothing changed
    assert "本校专家" in " ".join(error.value.messages)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.REQUESTED
    assert not EvaluationAssignment.objects.exists()


def test_an_expert_who_is_a_member_of_the_holder_is_a_conflict(
    evaluation, reviewer, make_expert, holder_org
):
    # given: the profile names another organisation, but the user belongs to the holder
    expert = make_expert(name="兼职专家", user=UserFactory(organization=holder_org))
    # when / then
    with pytest.raises(ValidationError):
        services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=[expert])
    assert not EvaluationAssignment.objects.exists()


def test_declared_conflict_is_refused(evaluation, reviewer, make_expert, holder_org):
    expert = make_expert(conflicts=[holder_org])
    with pytest.raises(ValidationError):
        services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=[expert])
    assert not EvaluationAssignment.objects.exists()


def test_assignment_moves_to_in_progress_and_notifies_experts(evaluation, reviewer, two_experts):
    # when
    services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=two_experts)
    # then
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.IN_PROGRESS
    for expert in two_experts:
        assert Notification.objects.filter(recipient=expert.user).exists()


@pytest.mark.parametrize(
    "field, value", [("maturity", 11), ("green_benefit", 0), ("assessed_trl", 10)]
)
def test_a_score_out_of_range_is_refused_and_nothing_saved(
    evaluation, reviewer, two_experts, field, value
):
    # given
    services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=two_experts)
    # when
    with pytest.raises(ValidationError) as error:
        services.evaluation_score_submit(
            evaluation=evaluation, user=two_experts[0].user, **{**SCORES, field: value}
        )
    # then
    assert field in error.value.message_dict
    assert not EvaluationScore.objects.exists()
    assert EvaluationAssignment.objects.filter(status=AssignmentStatus.ASSIGNED).count() == 2


def test_the_database_refuses_an_out_of_range_score(evaluation, reviewer, two_experts):
    from django.db import IntegrityError, transaction

    services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=two_experts)
    assignment = EvaluationAssignment.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationScore.objects.create(assignment=assignment, **{**SCORES, "market_prospects": 12})


def test_scoring_twice_is_out_of_turn(evaluation, reviewer, two_experts):
    services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=two_experts)
    services.evaluation_score_submit(evaluation=evaluation, user=two_experts[0].user, **SCORES)
    with pytest.raises(TransitionNotAllowed):
        services.evaluation_score_submit(evaluation=evaluation, user=two_experts[0].user, **SCORES)
    assert EvaluationScore.objects.count() == 1


def test_completion_combines_by_median(evaluation, reviewer, make_expert):
    # given: three experts, one outlier
    experts = [make_expert(name=f"专家{i}") for i in range(3)]
    scored(
        evaluation,
        reviewer,
        experts,
        [{"maturity": 2}, {"maturity": 8}, {"maturity": 9}],
    )
    # when
    services.evaluation_complete(evaluation=evaluation, user=reviewer, summary="工艺成熟。")
    # then
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.COMPLETED
    assert evaluation.combined_scores["criteria"]["maturity"] == 8.0
    assert evaluation.combined_scores["experts"] == 3
    assert evaluation.assessed_trl == 7
    assert evaluation.completed_at is not None


def test_trimmed_mean_drops_the_extremes():
    assert services.combine([2, 8, 9, 10], CombinationMethod.TRIMMED_MEAN) == 8.5
    assert services.combine([2, 8, 9], CombinationMethod.MEDIAN) == 8


def test_completion_needs_two_scores(evaluation, reviewer, make_expert):
    # given
    experts = [make_expert(name="王专家")]
    scored(evaluation, reviewer, experts)
    # when / then
    with pytest.raises(ValidationError):
        services.evaluation_complete(evaluation=evaluation, user=reviewer, summary="x")
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.IN_PROGRESS


def test_completion_before_assignment_is_out_of_turn(evaluation, reviewer):
    with pytest.raises(TransitionNotAllowed):
        services.evaluation_complete(evaluation=evaluation, user=reviewer, summary="x")


def test_holder_replies_to_a_completed_evaluation(evaluation, reviewer, two_experts, holder):
    # given
    scored(evaluation, reviewer, two_experts)
    services.evaluation_complete(evaluation=evaluation, user=reviewer, summary="良好")
    # when
    services.evaluation_reply(evaluation=evaluation, user=holder, reply="感谢专家意见。")
    # then
    evaluation.refresh_from_db()
    assert evaluation.holder_reply == "感谢专家意见。" and evaluation.holder_replied_at


def test_badge_shows_on_the_technology_page_after_completion(
    client, evaluation, reviewer, two_experts, technology
):
    # given
    url = reverse("catalog:technology_detail", args=[technology.pk])
    assert 'data-testid="evaluation-badge"' not in client.get(url).content.decode()
    scored(evaluation, reviewer, two_experts)
    # when
    services.evaluation_complete(evaluation=evaluation, user=reviewer, summary="推荐转化。")
    # then
    page = client.get(url).content.decode()
    assert 'data-testid="evaluation-badge"' in page and "推荐转化。" in page
