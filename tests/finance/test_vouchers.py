import datetime
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from finance import ledger, services
from finance.choices import AccountKind, ProgrammeKind, TransactionKind
from finance.models import (
    InterestSubsidy,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Voucher,
    VoucherRedemption,
)
from tests.factories import OrganizationFactory, UserFactory
from tests.finance.conftest import approve, fund_with_two_keys, make_deal

URL = "/api/v1/finance/vouchers/"


def redeem(client, voucher, deal, amount, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        f"{URL}{voucher.pk}/redeem/", {"amount": amount, "deal": deal.pk}, format="json", **headers
    )


def money_snapshot():
    return (
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        sorted(LedgerAccount.objects.values_list("pk", "balance")),
    )


@pytest.mark.django_db
def test_holder_lists_vouchers_with_balance_and_expiry(api_client_for, applicant, voucher):
    response = api_client_for(applicant).get(URL)
    assert response.status_code == 200
    [row] = response.data["results"]
    assert row["balance"] == "10000.00"
    assert row["expires"] == voucher.expires.isoformat()
    assert row["currency"] == "CNY"


@pytest.mark.django_db
def test_others_do_not_see_or_redeem_a_voucher(api_client_for, stranger, voucher, service_deal):
    client = api_client_for(stranger)
    assert client.get(URL).data["count"] == 0
    before = money_snapshot()
    assert redeem(client, voucher, service_deal, "100.00").status_code == 404
    assert money_snapshot() == before


@pytest.mark.django_db
def test_partial_redemption_moves_money_in_one_balanced_transaction(
    api_client_for, applicant, voucher, service_deal, provider
):
    # when
    response = redeem(api_client_for(applicant), voucher, service_deal, "2500.00")
    # then
    assert response.status_code == 201, response.data
    assert response.data["balance"] == "7500.00"
    redemption = VoucherRedemption.objects.get()
    assert redemption.provider == provider
    entries = list(redemption.transaction.entries.values_list("amount", flat=True))
    assert sorted(entries) == [Decimal("-2500.00"), Decimal("2500.00")]
    receivable = LedgerAccount.objects.get(
        kind=AccountKind.PROVIDER_RECEIVABLE, organization=provider
    )
    assert receivable.balance == Decimal("2500.00")
    assert ledger.ledger_is_balanced()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "field"),
    [("10000.01", "amount"), ("0", "amount"), ("-5", "amount"), ("12.345", "amount")],
)
def test_bad_amounts_move_no_money(api_client_for, applicant, voucher, service_deal, amount, field):
    before = money_snapshot()
    response = redeem(api_client_for(applicant), voucher, service_deal, amount)
    assert response.status_code == 400
    assert field in response.data
    assert money_snapshot() == before


@pytest.mark.django_db
def test_expired_and_spent_vouchers_are_refused(api_client_for, applicant, voucher, service_deal):
    client = api_client_for(applicant)
    # spent: redeem the whole balance, then a cent more
    assert redeem(client, voucher, service_deal, "10000.00").status_code == 201
    before = money_snapshot()
    spent = redeem(client, voucher, service_deal, "0.01")
    assert spent.status_code == 400
    assert "0.00" in spent.data["amount"][0]
    assert money_snapshot() == before
    # expired
    Voucher.objects.filter(pk=voucher.pk).update(
        expires=timezone.localdate() - datetime.timedelta(days=1)
    )
    expired = redeem(client, voucher, service_deal, "1.00")
    assert expired.status_code == 400
    assert "expired" in expired.data["amount"][0] or "过期" in expired.data["amount"][0]
    assert money_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("deal_kwargs", "reason"),
    [
        ({"stage": "negotiation"}, "signed"),
        ({"deal_type": "license"}, "service"),
    ],
)
def test_only_signed_service_deals_of_the_holder_qualify(
    api_client_for, applicant, voucher, enterprise, provider, category, deal_kwargs, reason
):
    deal = make_deal(buyer=enterprise, seller=provider, category=category, **deal_kwargs)
    other = make_deal(buyer=OrganizationFactory(), seller=provider, category=category)
    client = api_client_for(applicant)
    before = money_snapshot()
    response = redeem(client, voucher, deal, "100.00")
    assert response.status_code == 400
    assert reason in response.data["deal"][0] or response.data["deal"]
    assert redeem(client, voucher, other, "100.00").status_code == 400
    assert money_snapshot() == before


@pytest.mark.django_db
def test_vouchers_cannot_pay_more_than_the_deals_price(
    api_client_for, applicant, voucher, enterprise, provider, category
):
    deal = make_deal(buyer=enterprise, seller=provider, category=category, price=Decimal("3000"))
    client = api_client_for(applicant)
    assert redeem(client, voucher, deal, "2000.00").status_code == 201
    response = redeem(client, voucher, deal, "1500.00")
    assert response.status_code == 400
    assert "1000.00" in response.data["amount"][0]


@pytest.mark.django_db
def test_a_retried_request_with_the_same_key_creates_one_transaction(
    api_client_for, applicant, voucher, service_deal
):
    client = api_client_for(applicant)
    key = str(uuid.uuid4())
    first = redeem(client, voucher, service_deal, "1000.00", key=key)
    transactions = LedgerTransaction.objects.count()
    # when the client retries
    again = redeem(client, voucher, service_deal, "1000.00", key=key)
    # then
    assert first.status_code == 201
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.data["id"] == first.data["id"]
    assert LedgerTransaction.objects.count() == transactions
    assert Voucher.objects.get(pk=voucher.pk).account.balance == Decimal("9000.00")
    # the same key for a different request is refused
    different = redeem(client, voucher, service_deal, "5.00", key=key)
    assert different.status_code == 422
    assert LedgerTransaction.objects.count() == transactions


@pytest.mark.django_db
def test_database_refuses_a_duplicate_idempotency_key(applicant, voucher):
    LedgerTransaction.objects.create(
        kind=TransactionKind.VOUCHER_REDEMPTION, currency="CNY", description="a",
        initiated_by=applicant, idempotency_key="k-1",
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        LedgerTransaction.objects.create(
            kind=TransactionKind.VOUCHER_REDEMPTION, currency="CNY", description="b",
            initiated_by=applicant, idempotency_key="k-1",
        )  # fmt: skip


@pytest.mark.django_db
def test_database_refuses_an_unbalanced_transaction(voucher_programme):
    # given a transaction whose only entry debits 100
    with pytest.raises(IntegrityError, match="not balanced"), transaction.atomic():
        row = LedgerTransaction.objects.create(
            kind=TransactionKind.PROGRAMME_FUNDING, currency="CNY", description="bad"
        )
        LedgerEntry.objects.create(
            transaction=row, account=voucher_programme.budget_account, amount=Decimal("100")
        )
        # the constraint trigger is deferred to COMMIT; make it fire now
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.django_db
def test_database_refuses_a_negative_balance(voucher_programme):
    with pytest.raises(IntegrityError):
        LedgerAccount.objects.filter(pk=voucher_programme.budget_account_id).update(
            balance=Decimal("-0.01")
        )


@pytest.mark.django_db
def test_issuing_more_than_the_budget_is_refused(operator, voucher_programme, enterprise, settings):
    settings.FINANCE_VOUCHER_SECOND_KEY_THRESHOLD = "5000000"
    before = money_snapshot()
    with pytest.raises(ValidationError) as error:
        services.voucher_issue(
            programme=voucher_programme, user=operator, holder=enterprise,
            face_value="1000000.01", expires=timezone.localdate() + datetime.timedelta(days=5),
        )  # fmt: skip
    assert "amount" in error.value.message_dict
    assert money_snapshot() == before
    assert not Voucher.objects.exists()


@pytest.mark.django_db
def test_vouchers_go_to_eligible_small_enterprises_only(operator, voucher_programme, enterprise):
    enterprise.credit_assessment.employee_count = 5000
    enterprise.credit_assessment.save()
    large = OrganizationFactory(kind="enterprise")
    university = OrganizationFactory(kind="university")
    for holder in (enterprise, large, university):
        with pytest.raises(ValidationError):
            services.voucher_issue(
                programme=voucher_programme, user=operator, holder=holder, face_value="100",
                expires=timezone.localdate() + datetime.timedelta(days=5),
            )  # fmt: skip
    assert not Voucher.objects.exists()


@pytest.mark.django_db
def test_only_the_operator_funds_and_issues(applicant, voucher_programme, enterprise):
    with pytest.raises(ValidationError):
        services.programme_funding_request(programme=voucher_programme, user=applicant, amount="1")
    with pytest.raises(ValidationError):
        services.voucher_issue(
            programme=voucher_programme, user=applicant, holder=enterprise, face_value="100",
            expires=timezone.localdate() + datetime.timedelta(days=5),
        )  # fmt: skip


def disbursed_loan(*, applicant, financier, product, disbursed_on, tenor_months=24):
    application = services.application_create(
        user=applicant, product=product, requested_amount=Decimal("1000000"),
        tenor_months=tenor_months, submit=True,
    )  # fmt: skip
    for action, extra in [("start_review", {}), ("approve", {"approved_amount": "1000000",
                          "approved_terms": "4.35%"}), ("disburse", {})]:  # fmt: skip
        services.application_transition(
            application=application, user=financier, action=action, **extra
        )
    moment = timezone.make_aware(datetime.datetime.combine(disbursed_on, datetime.time(10)))
    application.events.filter(action="disburse").update(created_at=moment)
    return application


@pytest.mark.django_db
def test_interest_subsidy_is_computed_and_paid_through_the_ledger(
    operator, operator_colleague, operator_org, applicant, financier, product
):
    # given a 1,000,000 loan disbursed on 1 January and a programme subsidising half the interest
    programme = services.programme_create(
        user=operator, operator=operator_org, kind=ProgrammeKind.INTEREST_SUBSIDY,
        name_zh="贷款贴息", subsidy_ratio=Decimal("0.5"),
    )  # fmt: skip
    fund_with_two_keys(programme, requester=operator, approver=operator_colleague, amount="100000")
    application = disbursed_loan(
        applicant=applicant, financier=financier, product=product,
        disbursed_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    # when 90 days at 4.35 % are requested and a second person approves
    money_request = services.interest_subsidy_request(
        programme=programme, user=operator, application=application, annual_rate="0.0435",
        period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 4, 1),
    )  # fmt: skip
    assert money_request.amount == Decimal("5437.50")
    assert not InterestSubsidy.objects.exists()
    approve(money_request, operator_colleague)
    # then 1,000,000 × 0.0435 × 0.5 × 90/360 = 5,437.50 moved from the budget to the borrower
    subsidy = InterestSubsidy.objects.get()
    assert subsidy.days == 90
    assert subsidy.amount == Decimal("5437.50")
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance == Decimal("94562.50")
    assert ledger.ledger_is_balanced()
    # and asking for the same period again is refused, moving nothing
    before = money_snapshot()
    with pytest.raises(ValidationError):
        services.interest_subsidy_request(
            programme=programme, user=operator, application=application, annual_rate="0.0435",
            period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 4, 1),
        )  # fmt: skip
    assert money_snapshot() == before
    assert InterestSubsidy.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_redemptions_never_overdraw_the_voucher(
    voucher, applicant, service_deal, provider
):
    # given a 10,000 voucher and 50 requests of 300 at once (15,000 asked for)
    Voucher.objects.filter(pk=voucher.pk)  # created by the fixture, committed
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def attempt(index: int) -> None:
        try:
            barrier.wait()
            services.voucher_redeem(
                voucher=voucher, user=applicant, amount="300.00", deal_id=service_deal.pk,
                idempotency_key=f"concurrent-{index}",
            )  # fmt: skip
            outcome = "ok"
        except ValidationError:
            outcome = "refused"
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(50)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly 33 × 300 = 9,900 were paid and 100 is left
    assert results.count("ok") == 33
    assert results.count("refused") == 17
    voucher.account.refresh_from_db()
    assert voucher.account.balance == Decimal("100.00")
    assert VoucherRedemption.objects.count() == 33
    receivable = LedgerAccount.objects.get(kind=AccountKind.PROVIDER_RECEIVABLE)
    assert receivable.balance == Decimal("9900.00")
    assert ledger.ledger_is_balanced()


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_move_money_once(voucher, applicant, service_deal):
    barrier = threading.Barrier(10)
    created: list[bool] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait()
            _redemption, was_created = services.voucher_redeem(
                voucher=voucher, user=applicant, amount="700.00", deal_id=service_deal.pk,
                idempotency_key="same-key",
            )  # fmt: skip
            with lock:
                created.append(was_created)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created) == [False] * 9 + [True]
    assert VoucherRedemption.objects.count() == 1
    voucher.account.refresh_from_db()
    assert voucher.account.balance == Decimal("9300.00")


@pytest.mark.django_db
def test_provider_receives_a_notification(applicant, voucher, service_deal, provider):
    staff = UserFactory(roles=["holder"], organization=provider)
    services.voucher_redeem(
        voucher=voucher, user=applicant, amount="10.00", deal_id=service_deal.pk
    )
    assert staff.notifications.count() == 1
