"""The OpenAPI schema says what the API does: pagination parameters and their errors, plain
lists documented as lists, the certificate check's required number. (Schemathesis proves the
whole API against the schema in tests/proof/test_fuzz.py; these pin the rules it relies on.)"""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

PLAIN_LISTS = [
    "/api/v1/technologies/{id}/history/",
    "/api/v1/deals/{id}/timeline/",
    "/api/v1/deals/{id}/messages/",
    "/api/v1/proposals/{id}/messages/",
    "/api/v1/experts/{id}/consulting-technologies/",
    "/api/v1/evaluations/{id}/experts/",
    "/api/v1/evaluations/{id}/suggestions/",
    "/api/v1/events/{id}/slots/",
    "/api/v1/events/{id}/matches/",
    "/api/v1/events/{id}/meetings/",
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _parameters(operation) -> dict[str, dict]:
    return {parameter["name"]: parameter for parameter in operation.get("parameters", [])}


@pytest.mark.parametrize("path", PLAIN_LISTS)
def test_plain_list_actions_are_documented_as_arrays_without_pages(schema, path):
    # given
    operation = schema["paths"][path]["get"]
    # when
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    # then
    assert body["type"] == "array"
    assert "page" not in _parameters(operation)


def test_paginated_lists_document_page_bounds_and_the_404_past_the_last_page(schema):
    # given
    operation = schema["paths"]["/api/v1/technologies/"]["get"]
    # when
    parameters = _parameters(operation)
    # then
    assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert {"400", "404"} <= set(operation["responses"])


@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "1.0", "1e3"])
def test_a_page_outside_the_schema_is_a_400_naming_page(api_client, page):
    response = api_client.get("/api/v1/technologies/", {"page": page})
    assert response.status_code == 400
    assert list(response.json()) == ["page"]


@pytest.mark.parametrize("size", ["0", "-1", "abc", "", "101", "99999999999999999999999"])
def test_a_page_size_outside_the_schema_is_a_400_naming_page_size(api_client, size):
    response = api_client.get("/api/v1/needs/", {"page_size": size})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_a_page_past_the_last_is_a_404(api_client):
    response = api_client.get("/api/v1/technologies/", {"page": "2"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/technologies/", "/api/v1/needs/"])
@pytest.mark.parametrize("page", ["51", "99999999999999999999999"])
def test_a_page_deeper_than_a_search_reaches_is_a_400_naming_page(api_client, path, page):
    response = api_client.get(path, {"page": page})
    assert response.status_code == 400
    assert list(response.json()) == ["page"]


def test_pages_within_the_schema_list(api_client):
    response = api_client.get("/api/v1/technologies/", {"page": "1", "page_size": "100"})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("query", [{}, {"number": ""}, {"number": "   "}])
def test_certificate_verification_without_a_number_is_a_400_naming_it(api_client, query):
    response = api_client.get("/api/v1/certificates/verify/", query)
    assert response.status_code == 400
    assert list(response.json()) == ["number"]


def test_certificate_verification_documents_number_as_required(schema):
    operation = schema["paths"]["/api/v1/certificates/verify/"]["get"]
    assert _parameters(operation)["number"]["required"] is True
    assert "400" in operation["responses"]


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/api/v1/needs/", {"open_call": "17916067"}),
        ("/api/v1/needs/", {"open_call": ""}),
        ("/api/v1/needs/", {"status": ""}),
        ("/api/v1/categories/", {"top_level": "x"}),
        ("/api/v1/technologies/", {"has_granted_patent": "-6622095"}),
        ("/api/v1/technologies/", {"sort": ""}),
        ("/api/v1/technologies/facets/", {"has_granted_patent": "yes"}),
        ("/api/v1/experts/", {"consulting": "0.35"}),
    ],
)
def test_filters_refuse_what_django_filter_would_ignore(api_client, url, query):
    # when
    response = api_client.get(url, query)
    # then
    assert response.status_code == 400
    assert list(response.json()) == list(query)


@pytest.mark.parametrize("value", ["true", "false", "True", "False"])
def test_boolean_filters_take_true_and_false(api_client, value):
    assert api_client.get("/api/v1/needs/", {"open_call": value}).status_code == 200
    assert api_client.get("/api/v1/categories/", {"top_level": value}).status_code == 200


def test_every_operation_documents_the_errors_the_shared_machinery_answers(schema):
    # given
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    # then: a refused token (401) anywhere; workflow refusals and lost races (409) on writes
    assert operations
    for path, method, operation in operations:
        assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)
        if method != "get":
            assert "409" in operation["responses"], (method, path)


def test_request_bodies_are_json_unless_the_view_takes_uploads(schema):
    patch_me = schema["paths"]["/api/v1/me/"]["patch"]["requestBody"]["content"]
    deal_message = schema["paths"]["/api/v1/deals/{id}/messages/"]["post"]["requestBody"]
    assert list(patch_me) == ["application/json"]
    assert "multipart/form-data" in deal_message["content"]


@pytest.mark.parametrize("category", ["\u0000", "2\u0000"])
def test_a_nul_character_in_json_is_a_400_not_a_database_error(api_client_for, category):
    # given: a slug field, looked up in PostgreSQL, which cannot hold NUL
    from tests.factories import OrganizationFactory, UserFactory

    user = UserFactory(roles=["enterprise"], organization=OrganizationFactory())
    # when
    response = api_client_for(user).post(
        "/api/v1/needs/", {"title_zh": "需求", "category": category}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_an_escaped_backslash_before_u0000_is_plain_text(api_client):
    body = '{"email": "a\\\\u0000@example.com", "password": "x"}'
    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")
    # then: parsed, and refused as wrong credentials, not as a NUL
    assert response.status_code == 400
    assert "code" not in response.json()


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Introduction", "deal"),
        ("Programme", "approved_budget"),
        ("MoneyRequest", "ledger_transaction"),
        ("MoneyRequest", "voucher"),
        ("MoneyRequest", "subsidy"),
    ],
)
def test_fields_that_can_be_null_are_documented_nullable(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field]["nullable"] is True


def test_a_saved_searchs_text_fields_take_strings_only(api_client_for, owner):
    # given: a signed-in user
    from catalog.models import SavedSearch

    client = api_client_for(owner)
    # when: numbers are sent where the schema says string
    response = client.post(
        "/api/v1/saved-searches/", {"name": 123, "query": 4.5, "filters": {}}, format="json"
    )
    # then: 400 naming both fields, and nothing saved; strings are still accepted
    assert response.status_code == 400
    assert {"name", "query"} <= set(response.json())
    assert not SavedSearch.objects.filter(user=owner).exists()
    accepted = client.post(
        "/api/v1/saved-searches/", {"name": "废水", "query": "废水", "filters": {}}, format="json"
    )
    assert accepted.status_code == 201


def test_only_a_lost_connection_counts_as_database_unavailable():
    # given: the errors psycopg raises, wrapped the way Django wraps them
    from django.db import OperationalError

    from core.errors import is_database_unavailable

    def wrapped(code):
        cause = Exception("server said no")
        cause.sqlstate = code
        error = OperationalError("wrapped")
        error.__cause__ = cause
        return error

    # then: refused connections and shutdowns are an outage; a refused statement is not
    assert is_database_unavailable(OperationalError("connection refused"))
    assert is_database_unavailable(wrapped("08006"))
    assert is_database_unavailable(wrapped("57P01"))
    assert not is_database_unavailable(wrapped("54000"))  # word is too long to be indexed
