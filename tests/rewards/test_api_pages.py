import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import TechnologyInventor, TechnologyServiceInventionRight
from exchange.choices import DealStage
from finance.models import RewardPolicy
from finance.services import rewards


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def split(make_deal, policy, inventors):
    return rewards.reward_split_for_deal(deal_id=make_deal(stage=DealStage.COMPLETED).pk)


# --- API: policies ------------------------------------------------------------------------------


def test_admin_adds_a_policy_version_through_the_api(unit_admin, university):
    response = api(unit_admin).post(
        "/api/v1/reward-policies/",
        {
            "effective_from": timezone.localdate().isoformat(),
            "inventors_share": "60",
            "department_share": "15",
            "unit_share": "25",
            "percentage_deduction": "3",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["organization"] == university.pk
    assert RewardPolicy.objects.get().unit_share == Decimal("25")


def test_api_refuses_shares_not_adding_up_with_a_field_error(unit_admin):
    response = api(unit_admin).post(
        "/api/v1/reward-policies/",
        {
            "effective_from": timezone.localdate().isoformat(),
            "inventors_share": "60",
            "department_share": "15",
            "unit_share": "20",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "unit_share" in response.json()
    assert not RewardPolicy.objects.exists()


def test_api_refuses_a_share_below_the_statutory_minimum(unit_admin):
    response = api(unit_admin).post(
        "/api/v1/reward-policies/",
        {
            "effective_from": timezone.localdate().isoformat(),
            "inventors_share": "45",
            "unit_share": "55",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "inventors_share" in response.json()


def test_policies_are_hidden_from_members_strangers_and_anonymous(
    policy, inventor_user, stranger, university
):
    assert api(inventor_user).get("/api/v1/reward-policies/").json()["results"] == []
    assert api(stranger).get(f"/api/v1/reward-policies/{policy.pk}/").status_code == 404
    assert api().get("/api/v1/reward-policies/").status_code in (401, 403)
    response = api(stranger).post(
        "/api/v1/reward-policies/",
        {
            "organization": university.pk,
            "effective_from": timezone.localdate().isoformat(),
            "inventors_share": "100",
        },
        format="json",
    )
    assert response.status_code == 404  # another institute's owner: not theirs to set
    member = api(inventor_user).post(
        "/api/v1/reward-policies/",
        {"effective_from": timezone.localdate().isoformat(), "inventors_share": "100"},
        format="json",
    )
    assert member.status_code == 403  # administers no university or institute
    assert RewardPolicy.objects.count() == 1


# --- API: splits --------------------------------------------------------------------------------


def test_the_admin_sees_every_line_of_the_split(split, unit_admin):
    body = api(unit_admin).get("/api/v1/reward-splits/").json()["results"]
    assert [row["id"] for row in body] == [split.pk]
    assert [line["amount"] for line in body[0]["lines"]] == [
        "6000.00",
        "39480.00",
        "26320.00",
        "5640.00",
        "3760.00",
        "18800.00",
    ]


def test_an_inventor_sees_only_their_own_share(split, inventor_user):
    body = api(inventor_user).get(f"/api/v1/reward-splits/{split.pk}/").json()
    assert [(line["name"], line["amount"], line["is_mine"]) for line in body["lines"]] == [
        ("李发明", "39480.00", True)
    ]


def test_splits_are_404_to_other_organisations_and_refused_to_anonymous(split, stranger, buyer):
    assert api(stranger).get(f"/api/v1/reward-splits/{split.pk}/").status_code == 404
    assert api(buyer).get("/api/v1/reward-splits/").json()["results"] == []
    assert api().get("/api/v1/reward-splits/").status_code in (401, 403)


# --- API: inventors -----------------------------------------------------------------------------


def test_holder_replaces_the_inventors_through_the_api(technology, unit_admin, inventor_user):
    response = api(unit_admin).put(
        f"/api/v1/technologies/{technology.pk}/inventors/",
        {
            "inventors": [
                {
                    "name": "李发明",
                    "department": "环境学院",
                    "share": "75",
                    "user": inventor_user.pk,
                },
                {"name": "赵外聘", "department": "化工学院", "share": "25"},
            ],
            "service_invention_right": {
                "kind": "long_term_use",
                "document": "赋权协议 JN-2026-07",
                "granted_on": "2026-03-01",
                "term_years": 15,
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [i.share for i in technology.inventors.all()] == [Decimal("75"), Decimal("25")]
    assert TechnologyServiceInventionRight.objects.get(technology=technology).term_years == 15


def test_inventor_shares_not_adding_up_are_refused_and_nothing_changes(
    technology, inventors, unit_admin
):
    response = api(unit_admin).put(
        f"/api/v1/technologies/{technology.pk}/inventors/",
        {"inventors": [{"name": "甲", "department": "一系", "share": "70"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "100" in response.json()["share"][0]
    assert TechnologyInventor.objects.filter(technology=technology).count() == 2


def test_a_linked_account_outside_the_holder_is_refused(technology, unit_admin, stranger):
    response = api(unit_admin).put(
        f"/api/v1/technologies/{technology.pk}/inventors/",
        {"inventors": [{"name": "甲", "department": "一系", "share": "100", "user": stranger.pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert not TechnologyInventor.objects.exists()


def test_a_short_right_of_use_is_refused(technology, unit_admin):
    response = api(unit_admin).put(
        f"/api/v1/technologies/{technology.pk}/inventors/",
        {
            "inventors": [{"name": "甲", "department": "一系", "share": "100"}],
            "service_invention_right": {
                "kind": "long_term_use",
                "document": "协议",
                "granted_on": "2026-03-01",
                "term_years": 5,
            },
        },
        format="json",
    )
    assert response.status_code == 400
    assert "term_years" in response.json()


def test_inventors_are_hidden_from_outsiders(technology, inventors, stranger):
    assert api(stranger).get(f"/api/v1/technologies/{technology.pk}/inventors/").status_code == 404
    response = api(stranger).put(
        f"/api/v1/technologies/{technology.pk}/inventors/",
        {"inventors": [{"name": "甲", "department": "一系", "share": "100"}]},
        format="json",
    )
    assert response.status_code == 404
    assert TechnologyInventor.objects.count() == 2


# --- pages --------------------------------------------------------------------------------------


def test_policy_page_states_the_rule_and_saves_a_version(client, unit_admin, university):
    client.force_login(unit_admin)
    page = client.get(reverse("finance:reward_policy"))
    assert page.status_code == 200
    assert "第四十五条" in page.content.decode()
    response = client.post(
        reverse("finance:reward_policy"),
        {
            "organization": university.pk,
            "effective_from": timezone.localdate().isoformat(),
            "inventors_share": "70",
            "department_share": "10",
            "unit_share": "20",
            "fixed_deduction": "0",
            "percentage_deduction": "0",
        },
    )
    assert response.status_code == 302
    assert RewardPolicy.objects.filter(organization=university).count() == 1


def test_policy_page_keeps_the_values_and_shows_the_field_error(client, unit_admin, university):
    client.force_login(unit_admin)
    response = client.post(
        reverse("finance:reward_policy"),
        {
            "organization": university.pk,
            "effective_from": timezone.localdate().isoformat(),
            "inventors_share": "70",
            "department_share": "10",
            "unit_share": "10",
            "fixed_deduction": "0",
            "percentage_deduction": "0",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["unit_share"]
    assert 'value="70"' in response.content.decode()
    assert not RewardPolicy.objects.exists()


def test_policy_page_is_404_for_a_member_who_is_not_the_admin(client, inventor_user):
    client.force_login(inventor_user)
    assert client.get(reverse("finance:reward_policy")).status_code == 404


def test_splits_page_shows_the_inventor_their_own_line_only(client, split, inventor_user):
    client.force_login(inventor_user)
    page = client.get(reverse("finance:reward_splits")).content.decode()
    assert "李发明" in page and "39,480.00" in page
    assert "王合作" not in page and "18,800.00" not in page


def test_export_for_the_finance_office(client, split, unit_admin):
    client.force_login(unit_admin)
    csv_text = client.get(reverse("finance:reward_splits_export", args=["csv"])).content.decode(
        "utf-8-sig"
    )
    rows = csv_text.strip().splitlines()
    assert len(rows) == 7  # header + six lines
    assert "李发明" in rows[2] and "39480.00" in rows[2]
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("finance:reward_splits_export", args=["xlsx"])).content)
    )
    values = [row for row in workbook.active.iter_rows(values_only=True)]
    assert values[6][-1] == Decimal("18800.00") or float(values[6][-1]) == 18800.0


def test_inventor_export_holds_only_their_line(client, split, second_inventor_user):
    client.force_login(second_inventor_user)
    rows = (
        client.get(reverse("finance:reward_splits_export", args=["csv"]))
        .content.decode("utf-8-sig")
        .strip()
        .splitlines()
    )
    assert len(rows) == 2 and "王合作" in rows[1] and "26320.00" in rows[1]


def test_inventors_page_saves_and_refuses_a_wrong_total(client, technology, unit_admin):
    client.force_login(unit_admin)
    url = reverse("catalog:technology_inventors", args=[technology.pk])
    assert client.get(url).status_code == 200
    data = {
        "inventors-TOTAL_FORMS": "2",
        "inventors-INITIAL_FORMS": "0",
        "inventors-0-name": "李发明",
        "inventors-0-department": "环境学院",
        "inventors-0-share": "60",
        "inventors-1-name": "王合作",
        "inventors-1-department": "化工学院",
        "inventors-1-share": "30",
        "right-kind": "ownership",
        "right-document": "赋权决定 2026-3",
        "right-granted_on": "2026-02-01",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "90" in refused.context["total_error"]
    assert 'value="王合作"' in refused.content.decode()
    assert not TechnologyInventor.objects.exists()
    data["inventors-1-share"] = "40"
    assert client.post(url, data).status_code == 302
    assert TechnologyInventor.objects.filter(technology=technology).count() == 2
    detail = client.get(reverse("catalog:technology_detail", args=[technology.pk])).content
    assert "赋权决定 2026-3" in detail.decode()


def test_public_page_shows_the_right_but_not_the_inventors(
    client, technology, inventors, unit_admin
):
    TechnologyServiceInventionRight.objects.create(
        technology=technology,
        kind="ownership",
        document="赋权决定 2026-3",
        granted_on=datetime.date(2026, 2, 1),
    )
    page = client.get(reverse("catalog:technology_detail", args=[technology.pk])).content.decode()
    assert "赋权决定 2026-3" in page
    assert "李发明" not in page
