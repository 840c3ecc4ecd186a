import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.api.serializers import TechnologyDetailSerializer, TechnologySerializer
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from tests.catalog.conftest import make_technology, technology_data

pytestmark = pytest.mark.django_db
URL = "/api/v1/technologies/"


def test_holder_creates_and_submits_reviewer_returns_then_approves(api_client_for, owner, reviewer):
    holder = api_client_for(owner)
    # create
    response = holder.post(URL, technology_data(), format="json")
    assert response.status_code == 201, response.data
    body = response.data
    assert body["status"] == "draft"
    assert body["category"] == "2.4"
    assert body["transaction_modes"] == ["license", "transfer"]
    assert body["patents"][0]["number"] == "ZL202010123456.2"
    assert body["description_zh"]  # the holder sees the confidential detail
    pk = body["id"]
    # submit, return with a comment, fix, resubmit, approve
    assert holder.post(f"{URL}{pk}/submit/").data["status"] == "submitted"
    review = api_client_for(reviewer)
    response = review.post(
        f"{URL}{pk}/review/", {"decision": "return", "comment": "请补充经济性对比"}, format="json"
    )
    assert response.data["status"] == "returned"
    holder.patch(f"{URL}{pk}/", {"economic_comparison": "吨水成本降低 30%"}, format="json")
    holder.post(f"{URL}{pk}/submit/")
    response = review.post(f"{URL}{pk}/review/", {"decision": "approve"}, format="json")
    assert response.data["status"] == "published"
    history = holder.get(f"{URL}{pk}/history/").data
    assert [event["action"] for event in history][-2:] == ["submit", "approve"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"trl": 0}, "trl"),
        ({"asking_price": "-5"}, "asking_price"),
        ({"category": None}, "category"),
        (
            {
                "patents": [
                    {"number": "ZL202010123456.9", "kind": "invention_patent", "status": "granted"}
                ]
            },
            "patents",
        ),
        ({"transaction_modes": ["barter"]}, "transaction_modes"),
        ({"title_zh": "", "title_en": ""}, "title_zh"),
    ],
)
def test_bad_input_is_400_with_field_errors_and_nothing_saved(
    api_client_for, owner, changes, field
):
    data = {key: value for key, value in technology_data(**changes).items() if value is not None}
    response = api_client_for(owner).post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not Technology.objects.exists()


def test_review_by_a_non_reviewer_is_403(api_client_for, owner):
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    response = api_client_for(owner).post(
        f"{URL}{technology.pk}/review/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 403
    technology.refresh_from_db()
    assert technology.status == TechnologyStatus.SUBMITTED


def test_wrong_state_is_409(api_client_for, owner):
    technology = make_technology(owner)
    response = api_client_for(owner).post(f"{URL}{technology.pk}/withdraw/")
    assert response.status_code == 409
    assert response.data["code"] == "transition_not_allowed"


@pytest.mark.parametrize(
    ("who", "draft_status", "published_status"),
    [
        ("owner", 200, 200),
        ("member", 200, 200),
        ("stranger", 404, 200),
        ("anonymous", 404, 200),
        ("reviewer", 404, 200),
    ],
)
def test_visibility_for_the_fixed_cast(
    request, api_client, api_client_for, owner, who, draft_status, published_status
):
    draft = make_technology(owner)
    published = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    client = api_client if who == "anonymous" else api_client_for(request.getfixturevalue(who))
    assert client.get(f"{URL}{draft.pk}/").status_code == draft_status
    response = client.get(f"{URL}{published.pk}/")
    assert response.status_code == published_status
    has_access = who in ("owner", "member", "reviewer")
    assert ("description_zh" in response.data) is has_access
    assert ("performance_figures" in response.data) is has_access


@pytest.mark.parametrize(
    ("who", "published_status", "draft_status"),
    [("stranger", 403, 404), ("anonymous", 403, 403), ("reviewer", 403, 404)],
)
def test_editing_another_organisations_listing_is_refused(
    request, api_client, api_client_for, owner, who, published_status, draft_status
):
    published = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    draft = make_technology(owner)
    client = api_client if who == "anonymous" else api_client_for(request.getfixturevalue(who))
    response = client.patch(f"{URL}{published.pk}/", {"trl": 2}, format="json")
    assert response.status_code == published_status
    response = client.patch(f"{URL}{draft.pk}/", {"trl": 2}, format="json")
    assert response.status_code == draft_status
    published.refresh_from_db()
    assert published.trl == 7 and not published.revisions.exists()


def test_list_search_and_facets(api_client, owner):
    make_technology(owner, status=TechnologyStatus.PUBLISHED)
    make_technology(
        owner,
        status=TechnologyStatus.PUBLISHED,
        title_zh="余热发电",
        category="1.1",
        summary_zh="钢铁行业余热发电。",
        title_en="",
        summary_en="",
        description_zh="",
        description_en="",
        keywords=[],
    )
    response = api_client.get(URL, {"q": "有机废水"})
    assert response.data["count"] == 1
    assert "description_zh" not in response.data["results"][0]
    facets = api_client.get(f"{URL}facets/", {"q": ""}).data
    assert facets["total"] == 2
    assert sum(item["count"] for item in facets["trl_band"]) == 2


@pytest.mark.parametrize("who", ["owner", "reviewer", "stranger", "anonymous"])
def test_a_list_row_is_the_detail_without_its_detail_only_fields(
    request, api_client, api_client_for, owner, who
):
    # given a published listing with every kind of nested row
    technology = make_technology(
        owner,
        status=TechnologyStatus.PUBLISHED,
        offers=[
            {"mode": "license", "asking_price": "500000.00", "exclusive": False},
            {"mode": "transfer", "asking_price": "1200000.50", "negotiable": True},
        ],
        resource_savings=[{"resource": "water", "amount": "1200", "unit": "t/a", "note": "回用"}],
    )
    client = api_client if who == "anonymous" else api_client_for(request.getfixturevalue(who))
    # when it is read in the list (nested rows read from prefetched lists) and in the detail
    row = client.get(URL, {"q": "有机废水"}).json()["results"][0]
    detail = client.get(f"{URL}{technology.pk}/").json()
    # then the row is the detail without the detail-only fields, nested rows included
    detail_only = set(TechnologyDetailSerializer.Meta.fields) - set(
        TechnologySerializer.Meta.fields
    )
    assert row == {name: value for name, value in detail.items() if name not in detail_only}
    assert [offer["asking_price"] for offer in row["offers"]] == ["500000.00", "1200000.50"]
    assert row["patents"] and row["resource_savings"]
    has_access = who in ("owner", "reviewer")
    assert ("performance_figures" in row) is has_access
    assert not has_access or row["performance_figures"][0]["metric"] == "容积负荷上限"


def test_access_request_then_approval_opens_the_detail(api_client_for, owner, stranger):
    published = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    client = api_client_for(stranger)
    assert client.post(f"{URL}{published.pk}/access/", {"accept_nda": False}).status_code == 400
    assert client.post(f"{URL}{published.pk}/access/", {"accept_nda": True}).status_code == 201
    assert "description_zh" not in client.get(f"{URL}{published.pk}/").data
    from catalog import services

    services.access_request_decide(
        user=owner, access_request=published.access_requests.get(), approve=True
    )
    assert "description_zh" in client.get(f"{URL}{published.pk}/").data


def test_inquiry_through_the_api(api_client_for, owner, stranger):
    published = make_technology(owner, status=TechnologyStatus.PUBLISHED)
    response = api_client_for(stranger).post(f"{URL}{published.pk}/inquire/", {"message": "询价"})
    assert response.status_code == 201
    assert published.inquiries.count() == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_does_not_grow_with_rows(api_client_for, stranger, owner, rows):
    for index in range(rows):
        make_technology(owner, status=TechnologyStatus.PUBLISHED, title_zh=f"有机废水技术{index}")
    client = api_client_for(stranger)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "有机废水", "page_size": 100})
    assert response.data["count"] == rows
    # session/user + membership + cache lookup + count + rows + 3 prefetches (offers, patents,
    # resource savings) + access requests; the confidential performance figures are fetched
    # only for rows the reader may see in full (was 9 while every row's figures were fetched)
    assert len(queries) == 8, [q["sql"][:80] for q in queries]
