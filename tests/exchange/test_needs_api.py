import datetime

import pytest
from django.utils import timezone

from exchange.choices import NeedStatus
from exchange.models import Need
from tests.exchange.conftest import NEED_FIELDS, future
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

API_FIELDS = {
    "id",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "category",
    "trl_min",
    "budget_min",
    "budget_max",
    "currency",
    "transaction_modes",
    "region",
    "deadline",
    "status",
}


def test_create_submit_and_review_through_the_api(api_client_for, enterprise, reviewer):
    # when an enterprise user creates a need and submits it
    client = api_client_for(enterprise)
    response = client.post(
        "/api/v1/needs/",
        {**NEED_FIELDS, "category": "2.1", "deadline": future().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= API_FIELDS
    assert body["status"] == "draft" and body["category"] == "2.1"
    assert body["allowed_actions"] == ["submit"]
    need_id = body["id"]
    assert client.post(f"/api/v1/needs/{need_id}/submit/").json()["status"] == "submitted"
    # then the owner cannot approve it (409) but a reviewer can
    refused = client.post(f"/api/v1/needs/{need_id}/review/", {"decision": "approve"})
    assert refused.status_code == 409
    assert Need.objects.get(pk=need_id).status == NeedStatus.SUBMITTED
    approved = api_client_for(reviewer).post(
        f"/api/v1/needs/{need_id}/review/", {"decision": "approve", "comment": ""}, format="json"
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "published"


def test_bad_input_gets_field_errors_and_saves_nothing(api_client_for, enterprise):
    response = api_client_for(enterprise).post(
        "/api/v1/needs/",
        {
            **NEED_FIELDS,
            "budget_min": "3000000",
            "budget_max": "100",
            "deadline": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert {"budget_max", "deadline"} <= set(response.json())
    assert Need.objects.count() == 0


def test_return_without_comment_is_400(api_client_for, reviewer, make_need):
    need = make_need(status=NeedStatus.SUBMITTED)
    response = api_client_for(reviewer).post(
        f"/api/v1/needs/{need.pk}/review/", {"decision": "return"}, format="json"
    )
    assert response.status_code == 400
    need.refresh_from_db()
    assert need.status == NeedStatus.SUBMITTED


@pytest.mark.parametrize(
    ("who", "draft_status", "published_status"),
    [
        ("owner", 200, 200),
        ("colleague", 200, 200),
        ("stranger", 404, 200),
        ("anonymous", 404, 200),
        ("reviewer", 404, 200),
    ],
)
def test_visibility_cast(
    who,
    draft_status,
    published_status,
    api_client,
    api_client_for,
    enterprise,
    colleague,
    stranger,
    reviewer,
    make_need,
):
    draft = make_need()
    published = make_need(status=NeedStatus.PUBLISHED)
    users = {
        "owner": enterprise,
        "colleague": colleague,
        "stranger": stranger,
        "reviewer": reviewer,
    }
    client = api_client_for(users[who]) if who in users else api_client
    assert client.get(f"/api/v1/needs/{draft.pk}/").status_code == draft_status
    assert client.get(f"/api/v1/needs/{published.pk}/").status_code == published_status


def test_stranger_cannot_edit_or_withdraw(api_client_for, stranger, make_need):
    need = make_need(status=NeedStatus.PUBLISHED)
    client = api_client_for(stranger)
    assert client.patch(f"/api/v1/needs/{need.pk}/", {"title_zh": "x"}).status_code == 403
    assert client.post(f"/api/v1/needs/{need.pk}/withdraw/").status_code == 409
    need.refresh_from_db()
    assert (need.status, need.title_zh) == (NeedStatus.PUBLISHED, NEED_FIELDS["title_zh"])


def test_anonymous_need_hides_the_company(api_client, api_client_for, enterprise, make_need):
    need = make_need(status=NeedStatus.PUBLISHED, is_anonymous=True)
    assert api_client.get(f"/api/v1/needs/{need.pk}/").json()["organization_name"] is None
    owner_view = api_client_for(enterprise).get(f"/api/v1/needs/{need.pk}/").json()
    assert owner_view["organization_name"] == "浙江绿源化工有限公司"


def test_search_by_chinese_subphrase_and_english_and_facets(api_client, make_need):
    # given a published wastewater need and an unrelated one
    wanted = make_need(status=NeedStatus.PUBLISHED)
    make_need(
        status=NeedStatus.PUBLISHED,
        title_zh="光伏组件回收",
        title_en="Photovoltaic module recycling",
        description_zh="退役光伏组件的资源化回收。",
        description_en="Recycling of retired PV modules.",
        transaction_modes=["service"],
    )
    # when searching a Chinese sub-phrase and an English word
    for query in ("有机废水", "wastewater"):
        results = api_client.get("/api/v1/needs/", {"q": query}).json()
        # then only the wastewater need is found
        assert [row["id"] for row in results["results"]] == [wanted.pk]
    facets = api_client.get("/api/v1/needs/facets/", {"transaction_mode": "service"}).json()
    assert facets["count"] == 1
    assert [(row["mode"], row["count"]) for row in facets["transaction_mode"]] == [("service", 1)]


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_is_constant(rows, api_client_for, make_need, django_assert_num_queries):
    for _ in range(rows):
        make_need(status=NeedStatus.PUBLISHED)
    client = api_client_for(UserFactory())
    # session-less token auth: count, page, the page's translations, the user's organisations
    with django_assert_num_queries(4):
        response = client.get("/api/v1/needs/", {"page_size": 50})
    assert response.json()["count"] == rows


def test_facets_count_every_dimension_in_one_pass(api_client, make_need):
    from catalog.models import Category

    water, air = Category.objects.filter(parent__isnull=False).order_by("code")[:2]
    make_need(status="published", category=water, region="CN-JS", transaction_modes=["license"])
    make_need(
        status="published",
        category=water,
        region="CN-ZJ",
        transaction_modes=["license", "service"],
        is_open_call=True,
        call_closes_on=future(),
    )
    make_need(status="published", category=air, region="CN-JS", transaction_modes=["service"])
    make_need(status="draft", category=air, region="CN-SH", transaction_modes=["equity"])

    facets = api_client.get("/api/v1/needs/facets/").json()

    assert facets["count"] == 3
    assert [(row["code"], row["count"]) for row in facets["category"]] == [
        (water.code, 2),
        (air.code, 1),
    ]
    assert [(row["region"], row["count"]) for row in facets["region"]] == [
        ("CN-JS", 2),
        ("CN-ZJ", 1),
    ]
    assert [(row["mode"], row["count"]) for row in facets["transaction_mode"]] == [
        ("license", 2),
        ("service", 2),
    ]
    assert [(row["is_open_call"], row["count"]) for row in facets["open_call"]] == [
        (False, 2),
        (True, 1),
    ]


def test_the_reviewers_comment_on_a_need_is_for_its_organisation_and_reviewers_only(
    make_need, enterprise, api_client_for, api_client
):
    # given: a published need that a reviewer commented on
    from exchange.choices import NeedStatus
    from tests.factories import OrganizationFactory, UserFactory

    need = make_need(NeedStatus.PUBLISHED, review_comment="预算偏低，请补充工况数据")
    stranger = UserFactory(roles=["holder"], organization=OrganizationFactory())
    reviewer = UserFactory(roles=["reviewer"])
    url = f"/api/v1/needs/{need.pk}/"
    # when / then: strangers and anonymous readers see no comment; the enterprise and reviewers do
    assert api_client.get(url).json()["review_comment"] == ""
    assert api_client_for(stranger).get(url).json()["review_comment"] == ""
    assert api_client_for(enterprise).get(url).json()["review_comment"] == need.review_comment
    assert api_client_for(reviewer).get(url).json()["review_comment"] == need.review_comment


@pytest.mark.parametrize(
    "long_word",
    ["https://example.com/" + "a" * 2_100, "废" * 5_000],
    ids=["2100-character URL", "5000-character word"],
)
def test_a_long_unbroken_word_is_saved_whole_and_indexed_safely(
    api_client_for, enterprise, long_word
):
    # given: a description with one word longer than PostgreSQL indexes (2,046 bytes)
    client = api_client_for(enterprise)
    description = f"高浓度有机废水 {long_word} 厌氧处理"
    # when: the need is created
    response = client.post(
        "/api/v1/needs/",
        {**NEED_FIELDS, "description_zh": description, "deadline": future().isoformat()},
        format="json",
    )
    # then: saved (not "service unavailable"), the text kept whole, the index built
    assert response.status_code == 201, response.content[:300]
    need = Need.objects.get(pk=response.json()["id"])
    assert need.description_zh == description
    assert need.search_vector
