"""Every demo login lands on a workspace made for its role: the programme operator and the
verified experts see their sections, and the operator reaches the regional report."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.world import demo_user

pytestmark = pytest.mark.django_db


def _client(user, language="zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _roles_line(html: str) -> str:
    start = html.index('data-testid="roles"')
    return html[start : html.index("</p>", start)]


def test_the_operator_workspace_shows_programmes_money_requests_and_the_report(world):
    # given the district government's programme operator of the demo
    operator = demo_user("operator")
    # when
    html = _client(operator).get(reverse("accounts:workspace")).content.decode()
    # then the roles line names the role and the operator's section is there
    assert "暂无" not in _roles_line(html)
    assert "项目运营方" in _roles_line(html) or "Programme operator" in _roles_line(html)
    assert 'data-testid="workspace-operator"' in html
    assert 'data-testid="workspace-money-requests"' in html
    assert reverse("insight:regional_report") in html
    assert reverse("programmes:programme_detail", args=[world["screening"]]) in html


def test_the_expert_workspace_shows_evaluations_and_consulting(world):
    # given a verified expert of the demo, who holds no platform role
    from accounts.models import User

    expert = User.objects.get(email="expert-water@demo.example")
    # when
    html = _client(expert, "en").get(reverse("accounts:workspace")).content.decode()
    # then
    assert "none yet" not in _roles_line(html)
    assert ">Expert<" in _roles_line(html)
    assert 'data-testid="workspace-expert"' in html
    assert "Evaluations to do" in html and "Consulting requests" in html
    assert 'data-testid="workspace-operator"' not in html


def test_the_expert_roles_line_is_not_none_in_chinese(world):
    from accounts.models import User

    expert = User.objects.get(email="expert-water@demo.example")
    html = _client(expert).get(reverse("accounts:workspace")).content.decode()
    assert "暂无" not in _roles_line(html)


@pytest.mark.parametrize(
    "name", ["regional_report", "regional_report_excel", "regional_report_pdf"]
)
def test_the_operator_may_open_the_regional_report_of_their_region(world, name):
    # when
    response = _client(demo_user("operator")).get(reverse(f"insight:{name}"))
    # then
    assert response.status_code == 200


def test_the_operator_report_is_limited_to_their_region(world):
    # given another region the report knows of
    operator = demo_user("operator")
    # when the operator asks for a region that is not theirs
    response = _client(operator, "en").get(
        reverse("insight:regional_report_excel"),
        {"start": "2026-01", "end": "2026-12", "region": "CN-ZJ"},
    )
    # then the form refuses it
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["holder", "enterprise", "broker", "financier"])
def test_a_non_operator_is_still_refused_the_regional_report(world, role):
    client = _client(demo_user(role))
    for name in ("regional_report", "regional_report_excel", "regional_report_pdf"):
        assert client.get(reverse(f"insight:{name}")).status_code == 403, name
