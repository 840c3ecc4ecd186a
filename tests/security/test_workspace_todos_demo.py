"""On the seeded demo, every role's workspace to-dos equal the queues they link to (#14, 7d and
item 13): the reviewer's counts are the review pages' lengths, the expert's evaluations to score
are the assignments its section lists."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.world import demo_user

pytestmark = pytest.mark.django_db

QUEUE_ITEMS = {
    "organizations_to_verify": 'data-testid="verification-item"',
    "technologies_to_review": 'data-testid="review-item"',
    "technology_changes_to_review": 'data-testid="review-change"',
    "needs_to_review": 'data-testid="need-review-item"',
    "deals_to_review": 'data-testid="deal-review-item"',
}


def todos(html: str) -> dict[str, tuple[int, str]]:
    items = {}
    for key, body in re.findall(r'data-todo="([a-z_]+)">(.*?)</li>', html, re.S):
        link = re.search(r'href="([^"]+)"', body).group(1)
        count = int(re.search(r'data-testid="todo-count">(\d+)<', body).group(1))
        items[key] = (count, link)
    return items


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_the_demo_reviewer_counts_equal_the_queues(world):
    client = _client(demo_user("reviewer"))
    items = todos(client.get(reverse("accounts:workspace")).content.decode())
    assert sum(count for count, _ in items.values()) > 0
    for key, marker in QUEUE_ITEMS.items():
        count, link = items[key]
        assert client.get(link.split("#")[0]).content.decode().count(marker) == count, key


@pytest.mark.parametrize(
    "role", ["holder", "enterprise", "broker", "financier", "reviewer", "operator", "admin"]
)
def test_every_demo_login_opens_on_its_to_dos(world, role):
    client = _client(demo_user(role))
    html = client.get(reverse("accounts:workspace")).content.decode()
    items = todos(html)
    assert items, f"{role} has no to-do list"
    # every link opens a page of the site
    for key, (_count, link) in items.items():
        assert client.get(link.split("#")[0]).status_code == 200, (role, key, link)


def test_the_demo_expert_counts_the_evaluations_its_section_lists(world):
    from accounts.models import User

    client = _client(User.objects.get(email="expert-water@demo.example"))
    html = client.get(reverse("accounts:workspace")).content.decode()
    count, link = todos(html)["evaluations_to_score"]
    section = html[html.index('data-testid="workspace-expert"') :]
    to_do = section[: section.index("</ul>")]
    listed = len(re.findall(r'href="/programmes/evaluations/\d+/"', to_do))
    assert count == listed
    assert client.get(link).status_code == 200
