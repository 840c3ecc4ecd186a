import pytest
from django.urls import reverse

from programmes.choices import EvaluationStatus
from programmes.models import Evaluation, EvaluationScore
from programmes.services import evaluations as services
from tests.factories import OrganizationFactory, UserFactory
from tests.programmes.conftest import SCORES

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"evaluation-{name}", args=args)


@pytest.fixture
def experts(make_expert):
    return [make_expert(name="王专家"), make_expert(name="李专家")]


@pytest.fixture
def completed(reviewer, technology, experts):
    evaluation = services.evaluation_request(user=reviewer, technology=technology)
    services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=experts)
    services.evaluation_score_submit(
        evaluation=evaluation, user=experts[0].user, identity_disclosed=True, **SCORES
    )
    services.evaluation_score_submit(evaluation=evaluation, user=experts[1].user, **SCORES)
    return services.evaluation_complete(evaluation=evaluation, user=reviewer, summary="推荐。")


def test_full_workflow_through_the_api(api_client_for, holder, reviewer, technology, experts):
    # given: the holder asks
    response = api_client_for(holder).post(
        url("list"), {"technology": technology.pk, "paid": True}, format="json"
    )
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    assert response.data["paid"] is True and response.data["requested_as"] == "holder"
    # the reviewer sees suggestions and assigns both experts
    suggestions = api_client_for(reviewer).get(url("suggestions", pk))
    assert {row["id"] for row in suggestions.data} == {e.pk for e in experts}
    response = api_client_for(reviewer).post(
        url("assign", pk), {"experts": [e.pk for e in experts]}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "in_progress"
    # each expert scores
    for expert in experts:
        response = api_client_for(expert.user).post(url("score", pk), SCORES, format="json")
        assert response.status_code == 200, response.data
    # when
    response = api_client_for(reviewer).post(
        url("complete", pk), {"summary": "技术成熟，推荐。"}, format="json"
    )
    # then
    assert response.status_code == 200
    assert response.data["status"] == "completed"
    assert response.data["combined_score"] == "7.80"
    assert response.data["combined_scores"]["method"] == "median"


def test_out_of_turn_action_is_409_with_allowed_actions(api_client_for, reviewer, technology):
    evaluation = services.evaluation_request(user=reviewer, technology=technology)
    response = api_client_for(reviewer).post(url("complete", evaluation.pk), {"summary": "x"})
    assert response.status_code == 409
    assert "assign" in response.data["allowed_actions"]


def test_score_out_of_range_is_400_and_nothing_saved(api_client_for, reviewer, technology, experts):
    evaluation = services.evaluation_request(user=reviewer, technology=technology)
    services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=experts)
    response = api_client_for(experts[0].user).post(
        url("score", evaluation.pk), {**SCORES, "technical_novelty": 15}, format="json"
    )
    assert response.status_code == 400
    assert "technical_novelty" in response.data
    assert not EvaluationScore.objects.exists()


def test_conflicted_expert_assignment_is_400(
    api_client_for, reviewer, technology, make_expert, holder_org
):
    evaluation = services.evaluation_request(user=reviewer, technology=technology)
    colleague = make_expert(name="本校专家", organization=holder_org)
    response = api_client_for(reviewer).post(
        url("assign", evaluation.pk), {"experts": [colleague.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "本校专家" in str(response.data["experts"])
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.REQUESTED


def test_holder_sees_only_the_names_experts_agreed_to_show(api_client_for, holder, completed):
    # when
    response = api_client_for(holder).get(url("detail", completed.pk))
    # then
    labels = [row["label"] for row in response.data["assignments"]]
    assert labels[0] == "王专家"
    assert "李专家" not in labels and labels[1] != ""


def test_holder_reading_the_named_roster_gets_a_clear_refusal(api_client_for, holder, completed):
    response = api_client_for(holder).get(url("experts", completed.pk), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "reviewers" in response.data["detail"]


def test_reviewer_reads_the_named_roster(api_client_for, reviewer, completed):
    response = api_client_for(reviewer).get(url("experts", completed.pk))
    assert response.status_code == 200
    assert {row["name"] for row in response.data} == {"王专家", "李专家"}


def test_public_sees_the_combined_result_only(api_client, completed):
    response = api_client.get(url("detail", completed.pk))
    assert response.status_code == 200
    assert response.data["assignments"] == []
    assert response.data["summary"] == "推荐。"


def test_open_evaluation_is_404_for_other_organisations_and_anonymous(
    api_client, api_client_for, reviewer, technology, holder, holder_colleague
):
    # given
    evaluation = services.evaluation_request(user=reviewer, technology=technology)
    detail = url("detail", evaluation.pk)
    # then: the fixed cast
    assert api_client.get(detail).status_code == 404
    stranger = UserFactory(organization=OrganizationFactory())
    assert api_client_for(stranger).get(detail).status_code == 404
    assert api_client_for(holder).get(detail).status_code == 200
    assert api_client_for(holder_colleague).get(detail).status_code == 200
    assert api_client_for(reviewer).get(detail).status_code == 200


def test_stranger_cannot_request(api_client_for, technology):
    stranger = UserFactory(organization=OrganizationFactory())
    response = api_client_for(stranger).post(url("list"), {"technology": technology.pk})
    assert response.status_code == 409
    assert not Evaluation.objects.exists()


def test_list_query_count_is_flat(
    api_client_for,
    reviewer,
    make_technology,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    # given
    def make(count):
        for _ in range(count):
            services.evaluation_request(user=reviewer, technology=make_technology())

    make(5)
    client = api_client_for(reviewer)
    client.get(url("list"))
    with django_assert_max_num_queries(100) as first:
        client.get(url("list"))
    make(15)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url("list"))
