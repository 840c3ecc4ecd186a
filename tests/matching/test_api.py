import pytest
from django.urls import reverse

from matching import services
from matching.choices import RunSubject, RunTrigger
from matching.models import Match, MatchFeedback
from tests.factories import UserFactory
from tests.matching.conftest import make_need, make_technology


def _match(need):
    run = services.matching_run_create(
        subject=RunSubject.NEED, subject_id=need.pk, trigger=RunTrigger.MANUAL
    )
    services.matching_run_execute(run_id=run.pk)


@pytest.fixture
def matched(leachate_need, leachate_technology, solar_technology):
    _match(leachate_need)
    return leachate_need


@pytest.mark.parametrize(
    ("who", "status"),
    [("enterprise", 200), ("broker", 200), ("reviewer", 200), ("other", 404), ("anonymous", 404)],
)
def test_need_matches_visibility(matched, api_client, api_client_for, who, status, request):
    # given the fixed cast
    client = api_client if who == "anonymous" else api_client_for(request.getfixturevalue(who))
    # when they ask for the need's matches
    response = client.get(f"/api/v1/needs/{matched.pk}/matches/")
    # then only the need's organisation, brokers and reviewers see them
    assert response.status_code == status
    if status == 200:
        best = response.json()["results"][0]
        assert {"score", "components", "reasons"} <= set(best)
        assert best["components"]["text"]["reason"]
        assert response.json()["run"]["status"] == "completed"


@pytest.mark.parametrize(
    ("who", "status"),
    [("holder", 200), ("broker", 200), ("reviewer", 200), ("enterprise", 404), ("anonymous", 404)],
)
def test_technology_matches_visibility(
    matched, leachate_technology, api_client, api_client_for, who, status, request
):
    client = api_client if who == "anonymous" else api_client_for(request.getfixturevalue(who))
    response = client.get(f"/api/v1/technologies/{leachate_technology.pk}/matches/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["results"][0]["need"]["id"] == matched.pk


def test_need_matches_query_count_does_not_grow(
    matched, holder_org, api_client_for, broker, django_assert_num_queries
):
    # given the count of queries for the first matches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client_for(broker)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/v1/needs/{matched.pk}/matches/")
    # when many more technologies match
    for number in range(10):
        make_technology(
            holder_org,
            title_en=f"Leachate reverse osmosis plant {number}",
            summary="Landfill leachate reverse osmosis with ammonia removal.",
            description="Leachate treatment by reverse osmosis.",
            modes=("service",),
        )
    _match(matched)
    assert Match.objects.filter(need=matched).count() > 5
    # then the list costs the same number of queries
    with django_assert_num_queries(len(few)):
        response = client.get(f"/api/v1/needs/{matched.pk}/matches/")
    assert response.status_code == 200


def test_ad_hoc_search_for_anyone(api_client, leachate_technology, solar_technology):
    response = api_client.post(
        "/api/v1/match/",
        {"text": "垃圾填埋场渗滤液处理能力不足，氨氮很高，需要反渗透设备", "limit": 5},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "zh"
    assert body["results"][0]["technology"]["id"] == leachate_technology.pk
    assert body["results"][0]["reasons"]
    assert len(body["results"]) <= 5


@pytest.mark.parametrize(
    "text",
    ["", "   ", "x" * 50_000, "Нам нужна технология очистки сточных вод от аммиака и фенола",
     "Nous cherchons une technologie de traitement des lixiviats de la décharge pour réduire "
     "la charge et les coûts de l'usine et des bassins"],
)  # fmt: skip
def test_ad_hoc_search_bad_text_is_a_clear_400(api_client, leachate_technology, text):
    response = api_client.post("/api/v1/match/", {"text": text}, format="json")
    assert response.status_code == 400
    assert response.json()["text"]


def test_ad_hoc_search_bad_limit(api_client):
    response = api_client.post("/api/v1/match/", {"text": "leachate", "limit": 0}, format="json")
    assert response.status_code == 400
    assert "limit" in response.json()


@pytest.mark.parametrize(("who", "status"), [("enterprise", 200), ("holder", 200),
                                             ("broker", 200), ("other", 404)])  # fmt: skip
def test_feedback_api(matched, api_client_for, who, status, request):
    match = Match.objects.filter(need=matched).first()
    user = request.getfixturevalue(who)
    response = api_client_for(user).post(
        f"/api/v1/matches/{match.pk}/feedback/", {"useful": True}, format="json"
    )
    assert response.status_code == status
    assert MatchFeedback.objects.filter(user=user).exists() == (status == 200)


def test_feedback_needs_sign_in(matched, api_client):
    match = Match.objects.filter(need=matched).first()
    response = api_client.post(f"/api/v1/matches/{match.pk}/feedback/", {"useful": True})
    assert response.status_code in (401, 403)
    assert not MatchFeedback.objects.exists()


def test_feedback_report_by_score_band(matched, api_client_for, enterprise, broker, reviewer):
    match = Match.objects.filter(need=matched).first()
    services.match_feedback_record(user=enterprise, match=match, useful=True)
    services.match_feedback_record(user=broker, match=match, useful=False)
    response = api_client_for(reviewer).get("/api/v1/matches/feedback-report/")
    assert response.status_code == 200
    band = next(row for row in response.json() if row["low"] <= match.score < row["high"] or
                (row["high"] == 100 and match.score == 100))  # fmt: skip
    assert (band["total"], band["useful"], band["usefulness_rate"]) == (2, 1, 0.5)
    assert api_client_for(enterprise).get("/api/v1/matches/feedback-report/").status_code == 403


def test_pages(client, matched, broker, reviewer, enterprise, settings):
    settings.MATCHING_STRONG_SCORE = 1
    _match(matched)
    # anyone can use the ad-hoc search page
    response = client.post(reverse("matching:search"), {"text": "landfill leachate ammonia"})
    assert response.status_code == 200
    assert "search-results" in response.content.decode()
    response = client.post(reverse("matching:search"), {"text": "x" * 50_000})
    assert response.status_code == 200
    assert "too long" in response.content.decode() or "描述过长" in response.content.decode()
    # brokers see the lead board, others do not
    client.force_login(broker)
    response = client.get(reverse("matching:lead_board"))
    assert response.status_code == 200
    assert "lead-row" in response.content.decode()
    client.force_login(enterprise)
    assert client.get(reverse("matching:lead_board")).status_code == 403
    # the panel shows the need's matches to its organisation, nothing to strangers
    panel = client.get(reverse("matching:need_matches_panel", args=[matched.pk]))
    assert "match-row" in panel.content.decode()
    client.force_login(UserFactory(roles=["enterprise"]))
    panel = client.get(reverse("matching:need_matches_panel", args=[matched.pk]))
    assert panel.content == b""
    client.force_login(reviewer)
    assert client.get(reverse("matching:feedback_report")).status_code == 200


def test_lead_board_query_count_is_fixed(client, matched, broker, settings,
                                         django_assert_max_num_queries):  # fmt: skip
    settings.MATCHING_STRONG_SCORE = 1
    client.force_login(broker)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("matching:lead_board"))
    assert response.status_code == 200


def test_broker_opens_an_introduction_from_a_lead(client, matched, broker, settings):
    from exchange.models import Introduction

    settings.MATCHING_STRONG_SCORE = 1
    lead = Match.objects.filter(need=matched).order_by("-score").first()
    client.force_login(broker)
    # the lead opens the introduction form with its need and technology chosen
    response = client.get(reverse("matching:lead_introduce", args=[lead.pk]), follow=True)
    assert not Introduction.objects.exists()
    form = response.context["form"]
    data = {
        "technology": form["technology"].value(),
        "need": form["need"].value(),
        "deal_type": form["deal_type"].value(),
        "note": "契合",
        "commission_rate": "3",
        "confirm": "1",
    }
    response = client.post(reverse("exchange:introduction_list"), data)
    assert response.status_code == 302
    introduction = Introduction.objects.get()
    assert (introduction.need_id, introduction.technology_id) == (matched.pk, lead.technology_id)
    # the lead leaves the board
    assert "lead-row" not in client.get(reverse("matching:lead_board")).content.decode()


def test_a_broker_cannot_read_the_matches_of_a_draft_need(api_client_for, enterprise_org, broker):
    # given a need still in draft (private to its organisation)
    need = make_need(enterprise_org, title_en="Leachate treatment", status="draft")
    # when a broker asks for its matches
    response = api_client_for(broker).get(f"/api/v1/needs/{need.pk}/matches/")
    # then it does not exist for them
    assert response.status_code == 404


def test_a_broker_cannot_read_the_matches_of_an_unpublished_technology(
    api_client_for, holder_org, broker
):
    technology = make_technology(holder_org, title_en="Membrane unit", status="draft")
    response = api_client_for(broker).get(f"/api/v1/technologies/{technology.pk}/matches/")
    assert response.status_code == 404
