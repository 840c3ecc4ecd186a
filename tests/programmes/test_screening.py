import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.models import Category
from core.workflow import TransitionNotAllowed
from notifications.models import Notification
from programmes.choices import EntryStatus, ProgrammeStatus
from programmes.models import Programme, ProgrammeEntry, ProgrammeExpertScore
from programmes.services import evaluations as evaluation_services
from programmes.services import screening as services
from tests.factories import OrganizationFactory, UserFactory
from tests.programmes.conftest import SCORES

pytestmark = pytest.mark.django_db

CRITERIA = {
    "name": "苏州工业园区 2026 绿色技术遴选",
    "positioning": "园区以精细化工为主，急需高浓度有机废水处理与中水回用技术。",
    "trl_min": 5,
    "trl_max": 9,
}


@pytest.fixture
def catalogue(make_technology, holder_org):
    """Three water technologies (one evaluated later), one energy technology, one at TRL 3."""
    water = make_technology(title_zh="高浓度有机废水厌氧处理技术")
    reuse = make_technology(
        title_zh="化工园区中水回用膜技术",
        summary_zh="工业废水深度处理与回用。",
        co2e_avoided_tonnes_per_year=5000,
        co2e_method="按吨水能耗折算",
    )
    sludge = make_technology(title_zh="污泥干化技术", summary_zh="市政污泥低温干化。", trl=6)
    solar = make_technology(
        title_zh="钙钛矿光伏组件",
        summary_zh="高效太阳能电池。",
        category=Category.objects.get(code="3.1"),
    )
    early = make_technology(title_zh="废水电催化氧化实验技术", trl=3)
    return {"water": water, "reuse": reuse, "sludge": sludge, "solar": solar, "early": early}


@pytest.fixture
def programme(operator):
    programme = services.programme_create(
        user=operator, categories=Category.objects.filter(code="2"), **CRITERIA
    )
    return programme


def test_only_government_or_operator_members_create_programmes(enterprise):
    with pytest.raises(ValidationError):
        services.programme_create(user=enterprise, **CRITERIA)
    assert not Programme.objects.exists()


def test_weights_all_zero_are_refused(operator):
    with pytest.raises(ValidationError) as error:
        services.programme_create(
            user=operator,
            **CRITERIA,
            weight_fit=0,
            weight_market=0,
            weight_feasibility=0,
            weight_green=0,
        )
    assert "weight_fit" in error.value.message_dict
    assert not Programme.objects.exists()


def test_trl_range_is_a_database_constraint(operator_org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(
            operator=operator_org, name="x", positioning="x", trl_min=8, trl_max=3
        )


def test_screening_filters_and_ranks_with_each_contribution(programme, operator, catalogue):
    # when
    entries = services.programme_screen(programme=programme, user=operator)
    # then: categories and TRL filter; water technologies first, fit from the engine
    ids = [entry.technology_id for entry in entries]
    assert catalogue["solar"].pk not in ids and catalogue["early"].pk not in ids
    assert set(ids) == {catalogue["water"].pk, catalogue["reuse"].pk, catalogue["sludge"].pk}
    first = entries[0]
    assert first.rank == 1
    parts = first.components
    assert set(parts) == {"fit", "market", "feasibility", "green"}
    assert parts["fit"]["basis"] == "engine" and parts["fit"]["score"] > 0
    assert float(first.total_score) == pytest.approx(
        sum(part["contribution"] for part in parts.values()), abs=0.02
    )
    assert [float(e.total_score) for e in entries] == sorted(
        (float(e.total_score) for e in entries), reverse=True
    )
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.SCREENING


def test_a_completed_evaluation_feeds_the_criteria(
    programme, operator, catalogue, reviewer, make_expert
):
    # given
    technology = catalogue["sludge"]
    evaluation = evaluation_services.evaluation_request(user=reviewer, technology=technology)
    experts = [make_expert(name="甲"), make_expert(name="乙")]
    evaluation_services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=experts)
    for expert in experts:
        evaluation_services.evaluation_score_submit(
            evaluation=evaluation, user=expert.user, **{**SCORES, "green_benefit": 10}
        )
    evaluation_services.evaluation_complete(evaluation=evaluation, user=reviewer, summary="好")
    # when
    services.programme_screen(programme=programme, user=operator)
    # then
    entry = ProgrammeEntry.objects.get(programme=programme, technology=technology)
    assert entry.components["green"] == {
        "score": 1.0,
        "weight": 15,
        "contribution": 15.0,
        "basis": "evaluation",
    }


def test_selected_technologies_stay_when_screening_again(programme, operator, catalogue):
    # given
    entries = services.programme_screen(programme=programme, user=operator)
    last = entries[-1]
    services.programme_select(entry=last, user=operator)
    services.programme_update(programme=programme, user=operator, shortlist_size=1)
    # when
    entries = services.programme_screen(programme=programme, user=operator)
    # then
    assert last.technology_id in [entry.technology_id for entry in entries]
    assert len(entries) == 2


def test_a_stranger_cannot_screen(programme, enterprise):
    with pytest.raises(TransitionNotAllowed):
        services.programme_screen(programme=programme, user=enterprise)
    assert not ProgrammeEntry.objects.exists()


def test_selection_before_screening_is_out_of_turn(programme, operator, technology):
    entry = ProgrammeEntry(programme=programme, technology=technology, rank=1, total_score=1)
    entry.save()
    programme.status = ProgrammeStatus.DRAFT
    with pytest.raises(TransitionNotAllowed):
        services.programme_select(entry=entry, user=operator)


def test_experts_score_the_shortlist_but_not_their_own_organisation(
    programme, operator, catalogue, make_expert, holder_org
):
    # given
    entries = services.programme_screen(programme=programme, user=operator)
    outsider = make_expert(name="外部专家")
    insider = make_expert(name="本校专家", organization=holder_org)
    services.programme_invite_experts(
        programme=programme, user=operator, experts=[outsider, insider]
    )
    # when
    services.programme_expert_score(entry=entries[0], user=outsider.user, score=9)
    # then
    assert ProgrammeExpertScore.objects.get().score == 9
    with pytest.raises(ValidationError):
        services.programme_expert_score(entry=entries[0], user=insider.user, score=10)
    with pytest.raises(ValidationError):
        services.programme_expert_score(entry=entries[1], user=outsider.user, score=11)
    assert ProgrammeExpertScore.objects.count() == 1


def test_invite_holders_of_selected_technologies(programme, operator, catalogue, holder):
    # given
    entries = services.programme_screen(programme=programme, user=operator)
    services.programme_select(entry=entries[0], user=operator)
    # when
    invited = services.programme_invite_holders(programme=programme, user=operator)
    # then
    assert [e.pk for e in invited] == [entries[0].pk]
    assert Notification.objects.filter(recipient=holder, title__contains=programme.name).exists()
    # the holder answers
    services.programme_invitation_respond(entry=entries[0], user=holder, accept=True)
    entries[0].refresh_from_db()
    assert entries[0].holder_response == "accepted"
    assert entries[0].status == EntryStatus.SELECTED


def test_export_csv_has_every_contribution(client, programme, operator, catalogue):
    # given
    services.programme_screen(programme=programme, user=operator)
    client.force_login(operator)
    # when
    response = client.get(reverse("programmes:programme_export", args=[programme.pk, "csv"]))
    # then
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["rank", "technology_id", "title"]
    assert "fit_contribution" in rows[0] and len(rows) == 4


def test_export_excel(client, programme, operator, catalogue):
    from openpyxl import load_workbook

    services.programme_screen(programme=programme, user=operator)
    client.force_login(operator)
    response = client.get(reverse("programmes:programme_export", args=[programme.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 4


def test_programme_pages_access(client, programme, operator, reviewer):
    url = reverse("programmes:programme_detail", args=[programme.pk])
    assert client.get(url).status_code == 302  # anonymous: sign in
    client.force_login(UserFactory(organization=OrganizationFactory()))
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(organization=programme.operator))
    assert client.get(url).status_code == 200
    client.force_login(reviewer)
    assert client.get(url).status_code == 200


def test_api_screen_shortlist_and_select(api_client_for, operator, catalogue):
    client = api_client_for(operator)
    response = client.post(
        reverse("programme-list"),
        {**CRITERIA, "categories": ["2"], "weight_green": 30},
        format="json",
    )
    assert response.status_code == 201, response.data
    pk = response.data["id"]
    response = client.post(reverse("programme-screen", args=[pk]))
    assert response.status_code == 200 and response.data["count"] == 3
    first = response.data["results"][0]
    assert set(first["components"]) == {"fit", "market", "feasibility", "green"}
    response = client.post(
        reverse("programme-select", args=[pk]), {"technology": first["technology"]}, format="json"
    )
    assert response.status_code == 200 and response.data["status"] == "selected"


def test_api_programme_is_404_for_other_organisations(api_client_for, programme):
    stranger = UserFactory(organization=OrganizationFactory())
    assert (
        api_client_for(stranger).get(reverse("programme-detail", args=[programme.pk])).status_code
        == 404
    )
