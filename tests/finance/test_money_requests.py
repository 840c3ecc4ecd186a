"""Two-key money requests: the list and decision in the API and in the browser, the withdrawal,
the audit trail, and flat query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from finance import services
from finance.choices import MoneyRequestKind, MoneyRequestStatus
from finance.models import MoneyRequest, SupportProgramme, Voucher
from tests.factories import UserFactory
from tests.finance.conftest import approve

pytestmark = pytest.mark.django_db

URL = "/api/v1/finance/money-requests/"


def _voucher_requests(programme, user, holder, count: int) -> list[MoneyRequest]:
    return [
        services.voucher_issue_request(
            programme=programme,
            user=user,
            holder=holder,
            face_value=f"{60000 + index}.00",
            expires=timezone.localdate() + datetime.timedelta(days=30),
        )
        for index in range(count)
    ]


def test_colleague_sees_and_approves_in_the_api_the_requester_only_withdraws(
    api_client_for, operator, operator_colleague, voucher_programme, enterprise
):
    # given
    money_request, other = _voucher_requests(voucher_programme, operator, enterprise, 2)
    # when the requester lists them
    mine = api_client_for(operator).get(URL).json()["results"]
    # then they see them, may only withdraw
    assert {row["id"] for row in mine} >= {money_request.pk, other.pk}
    row = next(row for row in mine if row["id"] == money_request.pk)
    assert row["allowed_actions"] == ["withdraw"]
    assert row["kind"] == MoneyRequestKind.VOUCHER_ISSUE and row["status"] == "pending"
    # when the colleague approves one and the requester withdraws the other
    colleague = api_client_for(operator_colleague)
    detail = colleague.get(f"{URL}{money_request.pk}/").json()
    assert detail["allowed_actions"] == ["approve", "refuse"]
    approved = colleague.post(
        f"{URL}{money_request.pk}/transition/", {"action": "approve"}, format="json"
    )
    withdrawn = api_client_for(operator).post(
        f"{URL}{other.pk}/transition/", {"action": "withdraw"}, format="json"
    )
    # then
    assert approved.status_code == 200 and approved.json()["voucher"] is not None
    assert [event["action"] for event in approved.json()["history"]] == ["request", "approve"]
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert Voucher.objects.filter(face_value=Decimal("60000.00")).count() == 1
    assert not Voucher.objects.filter(face_value=Decimal("60001.00")).exists()
    # and a refusal needs a reason
    third = _voucher_requests(voucher_programme, operator, enterprise, 1)[0]
    no_reason = colleague.post(f"{URL}{third.pk}/transition/", {"action": "refuse"}, format="json")
    assert no_reason.status_code == 400 and "note" in no_reason.json()
    third.refresh_from_db()
    assert third.status == MoneyRequestStatus.PENDING


def test_the_second_key_is_told_and_the_requester_hears_the_decision(
    operator, operator_colleague, voucher_programme, enterprise
):
    # given (the fixture's budget and funding were already two requests)
    told, heard = operator_colleague.notifications.count(), operator.notifications.count()
    # when
    money_request = _voucher_requests(voucher_programme, operator, enterprise, 1)[0]
    # then
    assert operator_colleague.notifications.count() == told + 1
    assert operator.notifications.count() == heard
    approve(money_request, operator_colleague)
    assert operator.notifications.count() == heard + 1


def test_a_request_that_no_longer_fits_stays_pending_in_the_browser(
    client, operator, operator_colleague, voucher_programme, enterprise
):
    # given a request for 600,000 while the budget holds 1,000,000, then 500,000 spent
    money_request = services.voucher_issue_request(
        programme=voucher_programme, user=operator, holder=enterprise, face_value="600000",
        expires=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    approve(
        services.voucher_issue_request(
            programme=voucher_programme, user=operator, holder=enterprise, face_value="500000",
            expires=timezone.localdate() + datetime.timedelta(days=30),
        ),
        operator_colleague,
    )  # fmt: skip
    # when the colleague approves the first in the browser
    client.force_login(operator_colleague)
    response = client.post(
        reverse("finance:money_request_transition", args=[money_request.pk]),
        {"action": "approve"},
        follow=True,
    )
    # then the ledger's refusal is shown and nothing moved
    assert "500000.00" in response.content.decode()
    money_request.refresh_from_db()
    assert money_request.is_pending
    voucher_programme.budget_account.refresh_from_db()
    assert voucher_programme.budget_account.balance == Decimal("500000.00")


@pytest.mark.parametrize("who", ["holder", "financier", "anonymous"])
def test_outsiders_see_no_request_page(client, who, financier):
    user = {"holder": UserFactory(roles=["holder"]), "financier": financier}.get(who)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("finance:money_requests"))
    assert response.status_code == (302 if user is None else 404)


def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


def test_request_list_and_page_have_a_flat_query_count(
    api_client_for, client, operator, platform_reviewer, voucher_programme, enterprise
):
    # given 5, then 50 requests
    api = api_client_for(platform_reviewer)
    client.force_login(platform_reviewer)
    _voucher_requests(voucher_programme, operator, enterprise, 5)
    few_api = _queries(lambda: api.get(URL))
    few_page = _queries(lambda: client.get(reverse("finance:money_requests")))
    _voucher_requests(voucher_programme, operator, enterprise, 45)
    # when
    many_api = _queries(lambda: api.get(URL))
    many_page = _queries(lambda: client.get(reverse("finance:money_requests")))
    # then
    assert many_api == few_api
    assert many_page == few_page


def test_a_reused_idempotency_key_on_programme_creation_is_422_and_creates_nothing(
    api_client_for, operator, operator_org
):
    # given a budget request made with a key
    client = api_client_for(operator)
    body = {"operator": operator_org.pk, "kind": "voucher", "name_zh": "券", "budget": "1000"}
    first = client.post(
        "/api/v1/finance/programmes/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == 201
    before = (MoneyRequest.objects.count(), SupportProgramme.objects.count())
    # when the key is sent again for another programme
    again = client.post(
        "/api/v1/finance/programmes/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    # then
    assert again.status_code == 422
    assert (MoneyRequest.objects.count(), SupportProgramme.objects.count()) == before
