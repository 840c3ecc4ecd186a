"""A database that went away answers 503 (JSON for the API, a page otherwise), never a
traceback or a 500."""

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from core.middleware import DatabaseUnavailableMiddleware
from core.views import server_error


@pytest.mark.parametrize(
    ("path", "accept", "json_body"),
    [("/api/v1/technologies/", "", True), ("/technologies/", "text/html", False)],
)
def test_a_lost_database_connection_in_a_view_answers_503(path, accept, json_body):
    # given
    request = RequestFactory().get(path, HTTP_ACCEPT=accept)
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    # when
    response = middleware.process_exception(request, OperationalError("server closed"))
    # then
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    if json_body:
        assert json.loads(response.content)["code"] == "service_unavailable"
    else:
        assert b"503" in response.content
        assert b"Traceback" not in response.content


def test_other_exceptions_are_left_to_the_normal_error_handling():
    # given
    request = RequestFactory().get("/")
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    # when
    response = middleware.process_exception(request, ValueError("bug"))
    # then
    assert response is None


def test_the_500_handler_answers_503_when_the_database_failed_outside_a_view():
    # given
    request = RequestFactory().get("/")
    # when
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    # then
    assert response.status_code == 503


def test_the_500_handler_still_answers_500_for_a_bug():
    # given
    request = RequestFactory().get("/")
    # when
    try:
        raise ValueError("bug")
    except ValueError:
        response = server_error(request)
    # then
    assert response.status_code == 500
