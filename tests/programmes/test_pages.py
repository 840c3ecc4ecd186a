import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import EvaluationScore
from programmes.services import challenges as challenge_services
from programmes.services import evaluations as evaluation_services
from programmes.services import events as event_services
from tests.factories import OrganizationFactory, UserFactory
from tests.programmes.conftest import SCORES

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(db):
    return UserFactory(roles=["broker"], organization=OrganizationFactory(kind="intermediary"))


def make_event(broker, technology, index=0):
    start = timezone.now() + datetime.timedelta(days=10 + index)
    event = event_services.event_create(
        user=broker,
        technologies=[technology],
        kind="roadshow",
        title=f"路演 {index}",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        registration_closes_at=start - datetime.timedelta(days=1),
        online_url="https://meeting.example.com/x",
        capacity=10,
        languages=["zh"],
    )
    return event_services.event_transition(event=event, user=broker, action="open")


def test_event_list_query_count_is_flat(
    client, broker, technology, django_assert_num_queries, django_assert_max_num_queries
):
    for index in range(5):
        make_event(broker, technology, index)
    url = reverse("programmes:event_list")
    client.get(url)
    with django_assert_max_num_queries(100) as first:
        client.get(url)
    for index in range(5, 25):
        make_event(broker, technology, index)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("list-group-item-action") == 25


def test_challenge_list_query_count_is_flat(
    client, operator, make_need, django_assert_num_queries, django_assert_max_num_queries
):
    need = make_need()

    def make(count):
        for index in range(count):
            challenge = challenge_services.challenge_create(
                user=operator,
                title=f"揭榜 {index}",
                description="x",
                closes_at=timezone.now() + datetime.timedelta(days=5),
                region="CN-ZJ",
                needs=[need],
            )
            challenge_services.challenge_transition(
                challenge=challenge, user=operator, action="publish"
            )

    make(5)
    url = reverse("programmes:challenge_list")
    client.get(url)
    with django_assert_max_num_queries(100) as first:
        client.get(url)
    make(20)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_fair_page_offers_registration_to_an_enterprise(client, broker, technology, enterprise):
    event = make_event(broker, technology)
    client.force_login(enterprise)
    page = client.get(reverse("programmes:event_detail", args=[event.pk])).content.decode()
    assert 'data-testid="register-form"' in page
    response = client.post(
        reverse("programmes:event_action", args=[event.pk, "register"]), {"role": "enterprise"}
    )
    assert response.status_code == 302
    page = client.get(reverse("programmes:event_detail", args=[event.pk])).content.decode()
    assert 'data-testid="event-matches"' in page and 'data-testid="booking-form"' in page


def test_evaluation_page_hides_names_from_holder_and_shows_reviewer(
    client, reviewer, technology, make_expert, holder
):
    evaluation = evaluation_services.evaluation_request(user=reviewer, technology=technology)
    experts = [make_expert(name="王专家"), make_expert(name="李专家")]
    evaluation_services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=experts)
    for expert in experts:
        evaluation_services.evaluation_score_submit(
            evaluation=evaluation, user=expert.user, **SCORES
        )
    url = reverse("programmes:evaluation_detail", args=[evaluation.pk])
    client.force_login(holder)
    page = client.get(url).content.decode()
    assert "王专家" not in page and "李专家" not in page
    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert "王专家" in page and "李专家" in page


def test_score_out_of_range_on_the_page_stays_on_the_form_with_a_summary(
    client, reviewer, technology, make_expert
):
    evaluation = evaluation_services.evaluation_request(user=reviewer, technology=technology)
    expert = make_expert()
    evaluation_services.evaluation_assign(evaluation=evaluation, user=reviewer, experts=[expert])
    client.force_login(expert.user)
    response = client.post(
        reverse("programmes:evaluation_action", args=[evaluation.pk, "score"]),
        {**SCORES, "maturity": 12},
    )
    # the page comes back with the scores as typed and the summary linking to the refused one
    assert response.status_code == 400
    content = response.content.decode()
    summary = content[content.index('data-testid="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#id_maturity"' in summary and "10" in summary
    assert 'value="12"' in content
    assert not EvaluationScore.objects.exists()


def test_demo_seed_is_idempotent(db):
    from catalog import demo as catalog_demo
    from exchange import demo as exchange_demo
    from programmes import demo
    from programmes.models import Challenge, Evaluation, Event, ExpertProfile, Meeting

    catalog_demo.seed()
    exchange_demo.seed()
    demo.seed()
    counts = (
        ExpertProfile.objects.count(),
        Evaluation.objects.filter(status="completed").count(),
        Event.objects.count(),
        Meeting.objects.count(),
        Challenge.objects.count(),
    )
    demo.seed()
    assert counts == (
        ExpertProfile.objects.count(),
        Evaluation.objects.filter(status="completed").count(),
        Event.objects.count(),
        Meeting.objects.count(),
        Challenge.objects.count(),
    )
    assert counts[1] == 2 and counts[3] == 3 and counts[4] == 1


def test_demo_roadshow_is_international_and_a_thai_enterprise_on_bangkok_time_is_booked():
    from catalog import demo as catalog_demo
    from exchange import demo as exchange_demo
    from programmes import demo
    from programmes.models import Event

    catalog_demo.seed()
    exchange_demo.seed()
    demo.seed()
    roadshow = Event.objects.get(title=demo.ROADSHOW_TITLE)
    assert roadshow.languages == ["zh", "en", "th"]
    assert roadshow.organizer_time_zone == "Asia/Shanghai"
    assert roadshow.online_url.startswith("https://") and not roadshow.venue
    assert "TH" in roadshow.target_countries
    thai = roadshow.meetings.get().booked_by
    assert thai.email == demo.THAI_ENTERPRISE_EMAIL and thai.time_zone == "Asia/Bangkok"
