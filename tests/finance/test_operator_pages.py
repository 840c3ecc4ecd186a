"""Operator pages: create a programme, fund its budget and issue vouchers in the browser."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import OrganizationType
from finance.choices import MoneyRequestKind
from finance.models import (
    LedgerAccount,
    LedgerTransaction,
    MoneyRequest,
    SupportProgramme,
    Voucher,
)
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _in_90_days() -> str:
    return (timezone.localdate() + datetime.timedelta(days=90)).isoformat()


def _ledger_state() -> tuple[int, ...]:
    return (
        SupportProgramme.objects.count(),
        LedgerAccount.objects.count(),
        LedgerTransaction.objects.count(),
        Voucher.objects.count(),
        MoneyRequest.objects.count(),
    )


def test_operator_creates_funds_and_issues_a_voucher_in_pages(
    client, operator, operator_colleague, operator_org, enterprise
):
    # given
    client.force_login(operator)
    dashboard = client.get(reverse("finance:programmes")).content.decode()
    assert reverse("finance:programme_create") in dashboard
    # when: the programme is created with the budget it asks for
    response = client.post(
        reverse("finance:programme_create"),
        {"operator": operator_org.pk, "kind": "voucher", "name_zh": "科技创新券",
         "currency": "CNY", "budget": "500000.00", "maximum_employees": "300"},
    )  # fmt: skip
    # then the budget waits for a second key and nothing can be funded yet
    programme = SupportProgramme.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("finance:programme_detail", args=[programme.pk])
    assert programme.operator == operator_org and programme.maximum_employees == 300
    assert programme.approved_budget is None
    budget_request = MoneyRequest.objects.get(kind=MoneyRequestKind.BUDGET)
    refused = client.post(
        reverse("finance:programme_fund", args=[programme.pk]), {"amount": "500000.00"}
    )
    assert "amount" in refused.context["fund_form"].errors
    # when the requester tries to approve their own budget, nothing changes
    client.post(
        reverse("finance:money_request_transition", args=[budget_request.pk]),
        {"action": "approve"},
    )
    budget_request.refresh_from_db()
    assert budget_request.is_pending
    # when a colleague approves it in the browser
    client.force_login(operator_colleague)
    page = client.get(reverse("finance:money_requests")).content.decode()
    assert 'data-testid="request-approve"' in page
    client.post(
        reverse("finance:money_request_transition", args=[budget_request.pk]),
        {"action": "approve"},
    )
    programme.refresh_from_db()
    assert programme.approved_budget == Decimal("500000.00")
    # when the operator asks for funding and the colleague approves it
    client.force_login(operator)
    response = client.post(
        reverse("finance:programme_fund", args=[programme.pk]), {"amount": "500000.00"}
    )
    assert response.status_code == 302
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance == 0
    funding = MoneyRequest.objects.get(kind=MoneyRequestKind.FUNDING)
    client.force_login(operator_colleague)
    client.post(
        reverse("finance:money_request_transition", args=[funding.pk]),
        {"action": "approve", "next": "programme"},
    )
    # and a voucher below the threshold is issued with one key
    client.force_login(operator)
    response = client.post(
        reverse("finance:programme_issue", args=[programme.pk]),
        {"holder": enterprise.pk, "face_value": "20000.00", "expires": _in_90_days()},
    )
    # then
    assert response.status_code == 302
    voucher = Voucher.objects.get()
    assert voucher.holder == enterprise and voucher.balance == Decimal("20000.00")
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance == Decimal("480000.00")
    page = client.get(reverse("finance:programme_detail", args=[programme.pk])).content.decode()
    assert "480,000.00 元" in page and enterprise.display_name in page
    assert (
        reverse("finance:programme_detail", args=[programme.pk])
        in client.get(reverse("finance:programmes")).content.decode()
    )


def test_a_voucher_above_the_threshold_waits_for_the_second_key_in_pages(
    client, operator, operator_colleague, voucher_programme, enterprise
):
    # given
    client.force_login(operator)
    # when
    response = client.post(
        reverse("finance:programme_issue", args=[voucher_programme.pk]),
        {"holder": enterprise.pk, "face_value": "60000.00", "expires": _in_90_days()},
    )
    # then no voucher yet, a pending request instead
    assert response.status_code == 302
    assert not Voucher.objects.exists()
    money_request = MoneyRequest.objects.get(kind=MoneyRequestKind.VOUCHER_ISSUE)
    # when the colleague refuses without a reason, then with one
    client.force_login(operator_colleague)
    url = reverse("finance:money_request_transition", args=[money_request.pk])
    client.post(url, {"action": "refuse"})
    money_request.refresh_from_db()
    assert money_request.is_pending
    client.post(url, {"action": "refuse", "note": "金额过大"})
    # then
    money_request.refresh_from_db()
    assert money_request.status == "refused" and money_request.decision_note == "金额过大"
    assert not Voucher.objects.exists()
    voucher_programme.budget_account.refresh_from_db()
    assert voucher_programme.budget_account.balance == Decimal("1000000.00")


def test_a_bad_subsidy_request_shows_the_error_beside_the_field(client, operator, operator_org):
    # given
    from finance import services

    programme = services.programme_create(
        user=operator, operator=operator_org, kind="interest_subsidy", name_zh="贴息",
        subsidy_ratio=Decimal("0.5"),
    )  # fmt: skip
    client.force_login(operator)
    # when a rate of 1e30 % is sent
    response = client.post(
        reverse("finance:programme_subsidy", args=[programme.pk]),
        {"application": "", "annual_rate": "1e30", "period_start": "2026-01-01",
         "period_end": "2026-04-01"},
    )  # fmt: skip
    # then
    assert response.status_code == 200
    form = response.context["subsidy_form"]
    assert "annual_rate" in form.errors and "application" in form.errors
    assert 'data-testid="error-summary"' in response.content.decode()
    assert not MoneyRequest.objects.exists()


def test_an_admin_creates_an_interest_subsidy_programme_for_the_operator(client, operator_org):
    # given
    admin = UserFactory(roles=["admin"])
    client.force_login(admin)
    # when
    response = client.post(
        reverse("finance:programme_create"),
        {"operator": operator_org.pk, "kind": "interest_subsidy", "name_en": "Green loan aid",
         "currency": "CNY", "subsidy_ratio": "50", "budget": "300000"},
    )  # fmt: skip
    # then
    assert response.status_code == 302
    programme = SupportProgramme.objects.get()
    assert programme.subsidy_ratio == Decimal("0.5")
    assert MoneyRequest.objects.get().amount == Decimal("300000.00")


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "voucher", "currency": "CNY"}, "name_zh"),
        ({"kind": "interest_subsidy", "name_zh": "贴息", "currency": "CNY"}, "subsidy_ratio"),
        (
            {"kind": "voucher", "name_zh": "券", "currency": "CNY", "maximum_employees": "-3"},
            "maximum_employees",
        ),
        ({"kind": "nonsense", "name_zh": "券", "currency": "CNY"}, "kind"),
    ],
)
def test_bad_programme_input_shows_form_errors_and_saves_nothing(
    client, operator, operator_org, data, field
):
    # given
    client.force_login(operator)
    before = _ledger_state()
    # when
    response = client.post(
        reverse("finance:programme_create"), {"operator": operator_org.pk, **data}
    )
    # then
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert _ledger_state() == before


def test_an_operator_cannot_create_a_programme_for_another_operator(client, operator):
    # given
    other_operator = OrganizationFactory(kind=OrganizationType.OPERATOR)
    client.force_login(operator)
    # when
    response = client.post(
        reverse("finance:programme_create"),
        {"operator": other_operator.pk, "kind": "voucher", "name_zh": "券", "currency": "CNY",
         "budget": "1000"},
    )  # fmt: skip
    # then
    assert response.status_code == 200
    assert "operator" in response.context["form"].errors
    assert not SupportProgramme.objects.exists()


@pytest.mark.parametrize(
    "amount", ["-5", "0", "abc", "1.234", "NaN", "Infinity", "1e30", "9999999999999999.99"]
)
def test_bad_funding_shows_a_form_error_and_moves_no_money(
    client, operator, voucher_programme, amount
):
    # given
    client.force_login(operator)
    before = _ledger_state()
    # when
    response = client.post(
        reverse("finance:programme_fund", args=[voucher_programme.pk]), {"amount": amount}
    )
    # then
    assert response.status_code == 200
    assert "amount" in response.context["fund_form"].errors
    assert _ledger_state() == before


@pytest.mark.parametrize(
    "case, field",
    [
        ("unverified", "holder"),
        ("expired", "expires"),
        ("over_budget", "face_value"),  # more than the budget holds
        ("not_an_enterprise", "holder"),
    ],
)
def test_bad_voucher_issue_shows_a_form_error_and_moves_no_money(
    client, operator, voucher_programme, enterprise, unverified_enterprise, provider, case, field
):
    # given
    data = {"holder": enterprise.pk, "face_value": "10000.00", "expires": _in_90_days()}
    if case == "unverified":
        data["holder"] = unverified_enterprise.pk
    elif case == "expired":
        data["expires"] = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    elif case == "over_budget":
        data["face_value"] = "1000000.01"
    else:
        data["holder"] = provider.pk
    client.force_login(operator)
    before = _ledger_state()
    # when
    response = client.post(reverse("finance:programme_issue", args=[voucher_programme.pk]), data)
    # then
    assert response.status_code == 200
    assert field in response.context["issue_form"].errors
    assert _ledger_state() == before
    voucher_programme.budget_account.refresh_from_db()
    assert voucher_programme.budget_account.balance == Decimal("1000000.00")


@pytest.fixture
def cast(enterprise, bank):
    return {
        "enterprise member": UserFactory(roles=["enterprise"], organization=enterprise),
        "financier": UserFactory(roles=["financier"], organization=bank),
        "other operator": UserFactory(
            roles=["operator"], organization=OrganizationFactory(kind=OrganizationType.OPERATOR)
        ),
        "anonymous": None,
    }


@pytest.mark.parametrize("who", ["enterprise member", "financier", "other operator", "anonymous"])
def test_strangers_cannot_see_or_move_a_programme(
    client, cast, who, voucher_programme, operator_org, enterprise
):
    # given
    user = cast[who]
    if user is not None:
        client.force_login(user)
    before = _ledger_state()
    pk = voucher_programme.pk
    # when
    responses = [
        client.get(reverse("finance:programme_detail", args=[pk])),
        client.post(reverse("finance:programme_fund", args=[pk]), {"amount": "100.00"}),
        client.post(
            reverse("finance:programme_issue", args=[pk]),
            {"holder": enterprise.pk, "face_value": "100.00", "expires": _in_90_days()},
        ),
    ]
    # then
    expected = 302 if user is None else 404
    assert [response.status_code for response in responses] == [expected] * 3
    if user is None:
        assert all(reverse("account_login") in response.url for response in responses)
    assert _ledger_state() == before


@pytest.mark.parametrize("who", ["enterprise member", "financier", "anonymous"])
def test_only_operators_may_create_programmes(client, cast, who, operator_org):
    # given
    user = cast[who]
    if user is not None:
        client.force_login(user)
    url = reverse("finance:programme_create")
    # when
    get = client.get(url)
    post = client.post(
        url, {"operator": operator_org.pk, "kind": "voucher", "name_zh": "券", "currency": "CNY"}
    )
    # then
    expected = 302 if user is None else 404
    assert (get.status_code, post.status_code) == (expected, expected)
    assert not SupportProgramme.objects.exists()
