"""Every programmes workflow writes core.models.TransitionEvent rows; an expert's assignment
moves only through its own transition table (score, decline, withdraw with the evaluation)."""

import pytest

from core.models import TransitionEvent
from core.workflow import TransitionNotAllowed
from programmes.choices import AssignmentStatus, EvaluationStatus, ExpertStatus
from programmes.models import (
    ChallengeHistory,
    EvaluationAssignment,
    EvaluationHistory,
    EventHistory,
    ExpertHistory,
    ProgrammeHistory,
)
from programmes.services import evaluations as evaluation_services
from programmes.services import experts as expert_services
from programmes.services.evaluations import ASSIGNMENT_WORKFLOW
from tests.programmes.conftest import SCORES

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(reviewer, technology):
    return evaluation_services.evaluation_request(user=reviewer, technology=technology)


@pytest.fixture
def two_experts(make_expert):
    return [make_expert(name="王专家"), make_expert(name="李专家")]


@pytest.mark.parametrize(
    "model",
    [ExpertHistory, EvaluationHistory, ProgrammeHistory, EventHistory, ChallengeHistory],
)
def test_every_programmes_history_is_a_transition_event_with_labels(model):
    # then
    assert issubclass(model, TransitionEvent)
    assert model.status_choices is not None
    assert model.action_labels


def test_an_expert_verification_reads_as_labels_not_codes(reviewer, make_expert):
    # given
    expert = make_expert(status=ExpertStatus.PENDING)
    # when
    expert_services.expert_transition(expert=expert, user=reviewer, action="verify")
    # then
    event = ExpertHistory.objects.get(expert=expert, action="verify")
    assert event.action_label == "Verified"
    assert event.from_status_label == "Awaiting verification"
    assert event.to_status_label == "Verified"


def test_cancelling_withdraws_each_open_assignment_and_records_it(
    evaluation, reviewer, two_experts
):
    # given: one expert has scored, the other is still scoring
    evaluation_services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=two_experts)
    evaluation_services.evaluation_score_submit(
        evaluation=evaluation, user=two_experts[0].user, **SCORES
    )
    # when
    evaluation_services.evaluation_cancel(evaluation=evaluation, user=reviewer, note="重复申请")
    # then
    statuses = dict(
        EvaluationAssignment.objects.filter(evaluation=evaluation).values_list(
            "expert__name", "status"
        )
    )
    assert statuses == {"王专家": AssignmentStatus.SUBMITTED, "李专家": AssignmentStatus.WITHDRAWN}
    withdrawn = EvaluationHistory.objects.get(evaluation=evaluation, action="withdraw")
    assert withdrawn.note == "李专家"
    assert withdrawn.actor == reviewer
    assert withdrawn.to_status == EvaluationStatus.CANCELLED


def test_declining_moves_the_assignment_and_records_the_reason(evaluation, reviewer, two_experts):
    # given
    evaluation_services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=two_experts)
    expert = two_experts[0]
    # when
    evaluation_services.evaluation_decline(
        evaluation=evaluation, user=expert.user, note="与持有方有合作"
    )
    # then
    assignment = EvaluationAssignment.objects.get(evaluation=evaluation, expert=expert)
    assert assignment.status == AssignmentStatus.DECLINED
    assert assignment.decline_reason == "与持有方有合作"
    event = EvaluationHistory.objects.get(evaluation=evaluation, action="decline")
    assert event.note == "与持有方有合作"
    assert event.action_label == "An expert declined"


def test_a_declined_expert_cannot_decline_or_score_again_and_nothing_changes(
    evaluation, reviewer, two_experts
):
    # given
    evaluation_services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=two_experts)
    expert = two_experts[0]
    evaluation_services.evaluation_decline(evaluation=evaluation, user=expert.user, note="冲突")
    events_before = EvaluationHistory.objects.count()
    # when / then
    with pytest.raises(TransitionNotAllowed):
        evaluation_services.evaluation_decline(evaluation=evaluation, user=expert.user, note="再次")
    with pytest.raises(TransitionNotAllowed):
        evaluation_services.evaluation_score_submit(
            evaluation=evaluation, user=expert.user, **SCORES
        )
    assignment = EvaluationAssignment.objects.get(evaluation=evaluation, expert=expert)
    assert assignment.status == AssignmentStatus.DECLINED
    assert assignment.decline_reason == "冲突"
    assert EvaluationHistory.objects.count() == events_before


def test_the_assignment_table_allows_nothing_after_a_score():
    # then: a scored assignment is final
    actors = {"expert", "system"}
    assert ASSIGNMENT_WORKFLOW.allowed_actions(AssignmentStatus.SUBMITTED, actors) == []
    with pytest.raises(TransitionNotAllowed):
        ASSIGNMENT_WORKFLOW.resolve(AssignmentStatus.SUBMITTED, "withdraw", {"system"})
