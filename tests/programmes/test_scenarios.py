"""Application scenarios: window, states, award → pilot agreement, lists and their exports."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from catalog.models import Category
from core.workflow import TransitionNotAllowed
from notifications.models import Notification
from programmes.choices import EntryStatus, ProgrammeStatus, ScenarioStatus
from programmes.models import PilotAgreement, ProgrammeEntry, Scenario, ScenarioHistory
from programmes.services import scenarios as services
from programmes.services.screening import programme_allowed_actions
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def scenario_fields(**overrides):
    now = timezone.now()
    return {
        "title": "太湖流域某化工园区污水处理厂提标改造",
        "site": "吴江区某化工园区污水处理厂",
        "problem": "难降解 COD 偏高，需要深度处理工艺。",
        "conditions": "现有 A/O 工艺，预留 200 m² 场地。",
        "capacity": "一条 500 t/d 处理线",
        "support": "场地、水电和运行人员免费提供。",
        "criteria": "去除效果、运行成本、稳定性。",
        "region": "CN-JS",
        "industry": Category.objects.get(code="2"),
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=30),
        "pilot_months": 6,
        **overrides,
    }


@pytest.fixture
def draft(operator):
    return services.scenario_create(user=operator, **scenario_fields())


@pytest.fixture
def published(draft, operator):
    return services.scenario_transition(scenario=draft, user=operator, action="publish")


def close_window(scenario):
    Scenario.objects.filter(pk=scenario.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=10),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )


def test_a_scenario_owns_a_programme_and_publishing_opens_its_screening(draft, operator):
    # given a draft scenario
    assert draft.status == ScenarioStatus.DRAFT
    assert draft.programme.operator == operator.memberships.first().organization
    assert draft.programme.name == draft.title
    # when the operator publishes it
    scenario = services.scenario_transition(scenario=draft, user=operator, action="publish")
    # then it takes applications and the programme screens them (no catalogue re-ranking)
    assert scenario.status == ScenarioStatus.PUBLISHED
    scenario.programme.refresh_from_db()
    assert scenario.programme.status == ProgrammeStatus.SCREENING
    assert "screen" not in programme_allowed_actions(programme=scenario.programme, user=operator)
    assert list(
        ScenarioHistory.objects.filter(scenario=scenario).values_list("action", flat=True)
    ) == [
        "create",
        "publish",
    ]


def test_a_window_that_closes_before_it_opens_is_refused(operator):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        services.scenario_create(
            user=operator,
            **scenario_fields(opens_at=now, closes_at=now - datetime.timedelta(days=1)),
        )
    assert "closes_at" in error.value.message_dict
    assert not Scenario.objects.exists()


def test_only_an_operator_creates_scenarios(holder):
    with pytest.raises(ValidationError):
        services.scenario_create(user=holder, **scenario_fields())
    assert not Scenario.objects.exists()


def test_a_holder_applies_and_the_operator_is_told(published, holder, technology, operator):
    entry = services.scenario_apply(scenario=published, user=holder, technology=technology)
    assert entry.programme_id == published.programme_id
    assert entry.status == EntryStatus.SHORTLISTED
    assert Notification.objects.filter(recipient=operator).exists()


def test_applying_twice_is_refused(published, holder, technology):
    services.scenario_apply(scenario=published, user=holder, technology=technology)
    with pytest.raises(ValidationError):
        services.scenario_apply(scenario=published, user=holder, technology=technology)
    assert ProgrammeEntry.objects.count() == 1


def test_an_application_after_the_window_closes_is_refused(published, holder, technology):
    close_window(published)
    with pytest.raises(ValidationError) as error:
        services.scenario_apply(scenario=published, user=holder, technology=technology)
    assert "Applications closed on" in error.value.message_dict["technology"][0]
    assert not ProgrammeEntry.objects.exists()


def test_an_application_before_the_window_opens_is_refused(published, holder, technology):
    Scenario.objects.filter(pk=published.pk).update(
        opens_at=timezone.now() + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        services.scenario_apply(scenario=published, user=holder, technology=technology)
    assert not ProgrammeEntry.objects.exists()


def test_a_draft_and_another_organisations_technology_are_refused(draft, holder, make_technology):
    other = make_technology(organization=OrganizationFactory())
    with pytest.raises(TransitionNotAllowed):
        services.scenario_apply(scenario=draft, user=holder, technology=other)
    services.scenario_transition(scenario=draft, user=draft.created_by, action="publish")
    with pytest.raises(ValidationError):
        services.scenario_apply(scenario=draft, user=holder, technology=other)
    assert not ProgrammeEntry.objects.exists()


def test_award_records_a_pilot_agreement_and_tells_the_holder(
    published, holder, technology, operator
):
    # given an application and a closed scenario
    entry = services.scenario_apply(scenario=published, user=holder, technology=technology)
    services.scenario_transition(scenario=published, user=operator, action="close")
    # when the operator awards the pilot
    agreement = services.scenario_award(
        scenario=published, user=operator, entry=entry, starts_on=datetime.date(2027, 1, 31)
    )
    # then
    assert agreement.holder == technology.organization
    assert agreement.site == published.site
    assert agreement.ends_on == datetime.date(2027, 7, 31)
    assert Scenario.objects.get(pk=published.pk).status == ScenarioStatus.AWARDED
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SELECTED
    assert Notification.objects.filter(recipient=holder).exists()
    # and a second award is refused
    with pytest.raises(TransitionNotAllowed):
        services.scenario_award(scenario=published, user=operator, entry=entry)
    assert PilotAgreement.objects.count() == 1


def test_award_before_closing_and_by_a_stranger_is_refused(published, holder, technology):
    entry = services.scenario_apply(scenario=published, user=holder, technology=technology)
    with pytest.raises(TransitionNotAllowed):
        services.scenario_award(scenario=published, user=published.created_by, entry=entry)
    stranger = UserFactory(roles=["operator"], organization=OrganizationFactory(kind="government"))
    services.scenario_transition(scenario=published, user=published.created_by, action="close")
    with pytest.raises(TransitionNotAllowed):
        services.scenario_award(scenario=published, user=stranger, entry=entry)
    assert not PilotAgreement.objects.exists()


def test_add_months_keeps_the_day_or_the_last_of_the_month():
    assert services.add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)
    assert services.add_months(datetime.date(2026, 11, 15), 2) == datetime.date(2027, 1, 15)


def test_a_list_groups_published_scenarios_and_refuses_drafts(published, operator):
    draft = services.scenario_create(user=operator, **scenario_fields(title="第二个场景"))
    with pytest.raises(ValidationError) as error:
        services.scenario_list_publish(
            user=operator, title="2026 年第四季度场景清单", period="2026 Q4", scenarios=[draft]
        )
    assert "scenarios" in error.value.message_dict
    scenario_list = services.scenario_list_publish(
        user=operator, title="2026 年第四季度场景清单", period="2026 Q4", scenarios=[published]
    )
    assert list(scenario_list.scenarios.all()) == [published]
    with pytest.raises(ValidationError):
        services.scenario_list_publish(
            user=operator, title="again", period="2026 Q4", scenarios=[published]
        )


# --- pages ------------------------------------------------------------------------------------


def test_list_page_and_exports(client, published, operator):
    scenario_list = services.scenario_list_publish(
        user=operator, title="2026 年第四季度场景清单", period="2026 Q4", scenarios=[published]
    )
    page = client.get(reverse("scenarios:scenario_list_detail", args=[scenario_list.pk]))
    assert page.status_code == 200
    assert published.title in page.content.decode()
    csv = client.get(reverse("scenarios:scenario_list_download", args=[scenario_list.pk, "csv"]))
    assert published.site in csv.content.decode("utf-8-sig")
    for file_format, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(
            reverse("scenarios:scenario_list_download", args=[scenario_list.pk, file_format])
        )
        assert response.status_code == 200
        assert response.content.startswith(magic)
    assert (
        client.get(
            reverse("scenarios:scenario_list_download", args=[scenario_list.pk, "doc"])
        ).status_code
        == 404
    )


def test_a_draft_is_hidden_from_others(client, draft, holder):
    client.force_login(holder)
    assert client.get(reverse("scenarios:scenario_detail", args=[draft.pk])).status_code == 404
    assert draft.title not in client.get(reverse("scenarios:scenario_list")).content.decode()


def test_apply_form_after_the_window_shows_the_error_and_saves_nothing(
    client, published, holder, technology
):
    client.force_login(holder)
    close_window(published)
    response = client.post(
        reverse("scenarios:scenario_apply", args=[published.pk]), {"technology": technology.pk}
    )
    assert response.status_code == 400
    assert not ProgrammeEntry.objects.exists()


def test_apply_and_award_through_the_pages(client, published, holder, technology, operator):
    client.force_login(holder)
    detail = client.get(reverse("scenarios:scenario_detail", args=[published.pk]))
    assert 'data-testid="apply-form"' in detail.content.decode()
    response = client.post(
        reverse("scenarios:scenario_apply", args=[published.pk]), {"technology": technology.pk}
    )
    assert response.status_code == 302
    entry = ProgrammeEntry.objects.get()
    client.force_login(operator)
    client.post(reverse("scenarios:scenario_transition", args=[published.pk, "close"]))
    response = client.post(
        reverse("scenarios:scenario_award", args=[published.pk]), {"entry": entry.pk}
    )
    assert response.status_code == 302
    client.force_login(holder)
    page = client.get(reverse("scenarios:scenario_list")).content.decode()
    assert 'data-testid="pilot-agreements"' in page
    assert published.title in page


def test_operator_creates_a_scenario_in_the_browser_form(client, operator):
    client.force_login(operator)
    fields = scenario_fields()
    data = {
        **fields,
        "industry": fields["industry"].pk,
        "opens_at": "2026-12-01T09:00",
        "closes_at": "2026-11-01T09:00",
    }
    response = client.post(reverse("scenarios:scenario_create"), data)
    assert response.status_code == 200
    assert not Scenario.objects.exists()
    assert fields["site"] in response.content.decode()
    data["closes_at"] = "2027-01-31T17:00"
    response = client.post(reverse("scenarios:scenario_create"), data)
    assert response.status_code == 302
    assert Scenario.objects.get().site == fields["site"]
