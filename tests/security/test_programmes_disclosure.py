"""Ids of private rows sent in a programmes API body answer exactly like ids that belong to
nobody: no name, title or status code tells them apart. Found with the access matrix; the
programme operator (a government account) is not one of the matrix's demo roles."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from catalog.models import Category, Technology
from exchange.models import Need
from programmes.models import Evaluation, ExpertProfile, Programme
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
NOBODY = 999_999


@pytest.fixture
def operator():
    return UserFactory(roles=[], organization=OrganizationFactory(kind="government"))


@pytest.fixture
def stranger_org():
    return OrganizationFactory()


def _draft_need(organization) -> Need:
    return Need.objects.create(
        organization=organization,
        created_by=UserFactory(organization=organization),
        status="draft",
        title_zh="机密的废水零排放需求",
        description_zh="尚未发布。",
        category=Category.objects.get(code="2.4"),
        region="CN-ZJ",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )


def _answers(client, path: str, private: dict, nobody: dict) -> tuple:
    return client.post(path, private, format="json"), client.post(path, nobody, format="json")


def test_a_draft_need_in_a_new_challenge_is_as_unknown_as_a_missing_one(
    api_client_for, operator, stranger_org
):
    # given
    need = _draft_need(stranger_org)
    body = {"title": "揭榜", "description": "x", "region": "CN-ZJ"}
    body["closes_at"] = (timezone.now() + datetime.timedelta(days=9)).isoformat()
    # when
    private, missing = _answers(
        api_client_for(operator),
        "/api/v1/challenges/",
        {**body, "needs": [need.pk]},
        {**body, "needs": [NOBODY]},
    )
    # then
    assert private.status_code == missing.status_code == 400
    assert need.title_zh not in private.content.decode()
    assert str(private.json()["needs"]).replace(str(need.pk), "N") == str(
        missing.json()["needs"]
    ).replace(str(NOBODY), "N")


def test_a_pending_expert_invited_to_a_programme_is_as_unknown_as_a_missing_one(
    api_client_for, operator
):
    # given
    programme = Programme.objects.create(
        name="遴选", positioning="化工园区废水", operator=operator.memberships.get().organization
    )
    programme.status = "screening"
    programme.save()
    pending = ExpertProfile.objects.create(
        user=UserFactory(),
        name="待审核的专家甲",
        organization_name="x",
        title="教授",
        bio="x",
        status="pending",
    )
    # when
    private, missing = _answers(
        api_client_for(operator),
        f"/api/v1/programmes/{programme.pk}/invite-experts/",
        {"experts": [pending.pk]},
        {"experts": [NOBODY]},
    )
    # then
    assert private.status_code == missing.status_code == 400
    assert pending.name not in private.content.decode()
    assert not programme.experts.exists()


def test_an_evaluation_of_a_private_listing_is_as_unknown_as_a_missing_one(
    api_client_for, stranger_org
):
    # given another organisation's listing under review
    listing = Technology.objects.create(
        organization=stranger_org,
        status="submitted",
        title_zh="未公开的技术",
        summary_zh="x",
        category=Category.objects.get(code="2.4"),
        trl=6,
    )
    holder = UserFactory(roles=["holder"], organization=OrganizationFactory())
    # when
    private, missing = _answers(
        api_client_for(holder),
        "/api/v1/evaluations/",
        {"technology": listing.pk},
        {"technology": NOBODY},
    )
    # then
    assert private.status_code == missing.status_code == 400
    assert str(private.json()).replace(str(listing.pk), "N") == str(missing.json()).replace(
        str(NOBODY), "N"
    )
    assert not Evaluation.objects.exists()
