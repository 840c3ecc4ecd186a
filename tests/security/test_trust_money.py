"""Attack replay for issue "Trust", items 3, 4 and 7 (finance): nobody creates money alone, fake
operators and fake banks act for nobody, and hostile amounts are a 400 naming the field.

Every refused write asserts that balances and rows did not change.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.choices import OrganizationType, VerificationStatus
from finance import ledger, services
from finance.choices import CreditGrade, MoneyRequestStatus, ProductStatus
from finance.models import (
    ApplicationDocument,
    CreditAssessment,
    FinancingApplication,
    FinancingProduct,
    InterestSubsidy,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    MoneyRequest,
    SupportProgramme,
    Voucher,
    VoucherRedemption,
)
from tests.factories import OrganizationFactory, UserFactory
from tests.finance.fixtures import (  # noqa: F401  (the finance fixtures, shared)
    approve,
    bank_fixture,
    financier_fixture,
    platform_reviewer_fixture,
)
from tests.finance.fixtures import make_product as make_finance_product

pytestmark = pytest.mark.django_db

PROGRAMMES = "/api/v1/finance/programmes/"
REQUESTS = "/api/v1/finance/money-requests/"
PRODUCTS = "/api/v1/finance/products/"
APPLICATIONS = "/api/v1/finance/applications/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def money_state() -> tuple:
    """Everything money is made of: balances, transactions, vouchers, subsidies, requests."""
    return (
        tuple(LedgerAccount.objects.order_by("pk").values_list("pk", "balance")),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        Voucher.objects.count(),
        VoucherRedemption.objects.count(),
        InterestSubsidy.objects.count(),
        tuple(MoneyRequest.objects.order_by("pk").values_list("pk", "status", "decided_by_id")),
        tuple(SupportProgramme.objects.order_by("pk").values_list("pk", "approved_budget")),
    )


def make_product(institution, **overrides) -> FinancingProduct:
    """The shared finance product, open to unverified applicants (the replays test the
    institution's verification, not the applicant's)."""
    return make_finance_product(
        institution, **{"requires_verified_organization": False, **overrides}
    )


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def park(db):
    return OrganizationFactory(kind=OrganizationType.GOVERNMENT, region="CN-JS")


@pytest.fixture
def operator(park):
    return UserFactory(roles=["operator"], organization=park)


@pytest.fixture
def colleague(park):
    return UserFactory(roles=["operator"], organization=park)


@pytest.fixture
def small_enterprise(db):
    organization = OrganizationFactory(kind=OrganizationType.ENTERPRISE, region="CN-ZJ")
    CreditAssessment.objects.create(
        organization=organization,
        grade=CreditGrade.A,
        employee_count=50,
        annual_revenue=Decimal("20000000"),
    )
    return organization


@pytest.fixture
def enterprise_user(small_enterprise):
    return UserFactory(roles=["enterprise"], organization=small_enterprise)


@pytest.fixture
def voucher_programme(operator, colleague, park):
    programme = services.programme_create(
        user=operator, operator=park, kind="voucher", name_zh="创新券", budget="1000000.00"
    )
    approve(programme.money_requests.get(), colleague)
    approve(
        services.programme_funding_request(programme=programme, user=operator, amount="600000"),
        colleague,
    )
    return SupportProgramme.objects.get(pk=programme.pk)


@pytest.fixture
def subsidy_programme(operator, colleague, park):
    programme = services.programme_create(
        user=operator, operator=park, kind="interest_subsidy", name_zh="贴息",
        subsidy_ratio=Decimal("0.5"), budget="200000.00",
    )  # fmt: skip
    approve(programme.money_requests.get(), colleague)
    approve(
        services.programme_funding_request(programme=programme, user=operator, amount="200000"),
        colleague,
    )
    return SupportProgramme.objects.get(pk=programme.pk)


@pytest.fixture
def loan(bank, financier, enterprise_user):
    """A 1,000,000 loan for 12 months, disbursed on 1 March 2026."""
    product = make_product(bank)
    application = services.application_create(
        user=enterprise_user, product=product, requested_amount=Decimal("1000000"),
        tenor_months=12, submit=True,
    )  # fmt: skip
    for action, extra in [
        ("start_review", {}),
        ("approve", {"approved_amount": "1000000", "approved_terms": "4.35%"}),
        ("disburse", {}),
    ]:
        services.application_transition(
            application=application, user=financier, action=action, **extra
        )
    moment = timezone.make_aware(datetime.datetime(2026, 3, 1, 10))
    application.events.filter(action="disburse").update(created_at=moment)
    return application


# --- Item 3: anyone can create money --------------------------------------------------------


@pytest.mark.parametrize("kind", [OrganizationType.OPERATOR, OrganizationType.GOVERNMENT])
@pytest.mark.parametrize("roles", [[], ["operator"]])
def test_a_self_made_operator_organisation_cannot_create_a_programme(api_client_for, kind, roles):
    # given a user's own unverified "operator" organisation (with or without the role)
    fake = OrganizationFactory(kind=kind, verification_status=VerificationStatus.UNVERIFIED)
    user = UserFactory(roles=roles, organization=fake)
    before = (money_state(), SupportProgramme.objects.count(), LedgerAccount.objects.count())
    # when
    response = api_client_for(user).post(
        PROGRAMMES,
        {"operator": fake.pk, "kind": "voucher", "name_zh": "自制创新券", "currency": "CNY",
         "budget": "1000000000.00"},
        format="json",
    )  # fmt: skip
    # then
    assert response.status_code == 400
    assert "operator" in response.json()
    assert (money_state(), SupportProgramme.objects.count(), LedgerAccount.objects.count()) == (
        before
    )


def test_a_verified_member_without_the_operator_role_cannot_run_programmes(api_client_for, park):
    user = UserFactory(roles=["enterprise"], organization=park)
    before = SupportProgramme.objects.count()
    response = api_client_for(user).post(
        PROGRAMMES,
        {"operator": park.pk, "kind": "voucher", "name_zh": "券", "budget": "1000"},
        format="json",
    )
    assert response.status_code == 400
    assert SupportProgramme.objects.count() == before


def test_the_attack_replay_one_person_creates_no_money(
    api_client_for, operator, park, small_enterprise
):
    # given an operator who creates a programme and tries to do everything alone
    client = api_client_for(operator)
    created = client.post(
        PROGRAMMES,
        {"operator": park.pk, "kind": "voucher", "name_zh": "创新券", "budget": "1000000000.00"},
        format="json",
    )
    assert created.status_code == 201, created.content
    programme = SupportProgramme.objects.get(pk=created.json()["id"])
    assert created.json()["approved_budget"] is None
    budget_request = programme.money_requests.get()
    before = money_state()
    # when funding 1,000,000,000.00 by one API call (no approved budget yet)
    funded = client.post(
        f"{PROGRAMMES}{programme.pk}/fund/", {"amount": "1000000000.00"}, format="json"
    )
    # and approving their own budget
    self_approved = client.post(
        f"{REQUESTS}{budget_request.pk}/transition/", {"action": "approve"}, format="json"
    )
    # and issuing a 500,000 voucher to a company
    issued = client.post(
        f"{PROGRAMMES}{programme.pk}/vouchers/",
        {"holder": small_enterprise.pk, "face_value": "500000.00", "expires": in_days(90)},
        format="json",
    )
    # then nothing moved
    assert funded.status_code == 400 and "amount" in funded.json()
    assert self_approved.status_code == 409
    assert self_approved.json()["allowed_actions"] == ["withdraw"]
    assert issued.status_code == 400 and "face_value" in issued.json()
    assert money_state() == before
    programme.refresh_from_db()
    assert programme.approved_budget is None
    assert programme.budget_account.balance == 0


def test_funding_waits_for_a_second_key_and_the_requester_cannot_give_it(
    api_client_for, operator, colleague, park
):
    # given a programme with an approved budget of 1,000,000
    programme = services.programme_create(
        user=operator, operator=park, kind="voucher", name_zh="券", budget="1000000"
    )
    approve(programme.money_requests.get(), colleague)
    client = api_client_for(operator)
    # when the operator asks for funding
    response = client.post(
        f"{PROGRAMMES}{programme.pk}/fund/",
        {"amount": "400000.00", "note": "财政拨款"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="fund-1",
    )
    # then a pending request, no money
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["kind"] == "funding"
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance == 0
    # a retry with the key is the same request
    again = client.post(
        f"{PROGRAMMES}{programme.pk}/fund/",
        {"amount": "400000.00", "note": "财政拨款"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="fund-1",
    )
    assert again.json()["id"] == body["id"]
    assert MoneyRequest.objects.filter(kind="funding").count() == 1
    # when the requester approves it: refused, nothing changes
    before = money_state()
    refused = client.post(
        f"{REQUESTS}{body['id']}/transition/", {"action": "approve"}, format="json"
    )
    assert refused.status_code == 409
    assert money_state() == before
    # even straight in the database the second key must be another person
    with pytest.raises(IntegrityError), transaction.atomic():
        MoneyRequest.objects.filter(pk=body["id"]).update(
            status=MoneyRequestStatus.APPROVED, decided_by=operator
        )
    # when the colleague approves
    approved = api_client_for(colleague).post(
        f"{REQUESTS}{body['id']}/transition/", {"action": "approve"}, format="json"
    )
    # then the money moves once, in one balanced transaction
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["ledger_transaction"] is not None
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance == Decimal("400000.00")
    assert ledger.ledger_is_balanced()
    twice = api_client_for(colleague).post(
        f"{REQUESTS}{body['id']}/transition/", {"action": "approve"}, format="json"
    )
    assert twice.status_code == 409
    programme.budget_account.refresh_from_db()
    assert programme.budget_account.balance == Decimal("400000.00")


def test_second_keys_are_colleagues_of_the_verified_organisation_or_platform_reviewers(
    api_client_for, operator, colleague, platform_reviewer, park
):
    # given a pending budget request
    programme = services.programme_create(
        user=operator, operator=park, kind="voucher", name_zh="券", budget="5000"
    )
    money_request = programme.money_requests.get()
    other_operator = UserFactory(
        roles=["operator"], organization=OrganizationFactory(kind=OrganizationType.GOVERNMENT)
    )
    colleague_without_role = UserFactory(roles=["holder"], organization=park)
    url = f"{REQUESTS}{money_request.pk}/transition/"
    before = money_state()
    # when strangers try: another operator body's member sees nothing (404), a colleague
    # without the role too
    for stranger in (other_operator, colleague_without_role):
        response = api_client_for(stranger).post(url, {"action": "approve"}, format="json")
        assert response.status_code == 404
    assert money_state() == before
    # when the platform reviewer approves
    response = api_client_for(platform_reviewer).post(url, {"action": "approve"}, format="json")
    # then
    assert response.status_code == 200
    programme.refresh_from_db()
    assert programme.approved_budget == Decimal("5000.00")
    assert programme.budget_approved_by == platform_reviewer
    events = list(money_request.events.values_list("action", "actor_id"))
    assert events == [("request", operator.pk), ("approve", platform_reviewer.pk)]
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(
        kind="money_request", target_id=str(money_request.pk), actor=platform_reviewer
    ).exists()


def test_a_colleague_of_an_organisation_that_lost_its_verification_cannot_approve(
    operator, colleague, park
):
    programme = services.programme_create(
        user=operator, operator=park, kind="voucher", name_zh="券", budget="5000"
    )
    money_request = programme.money_requests.get()
    park.verification_status = VerificationStatus.REJECTED
    park.save()
    before = money_state()
    colleague = type(colleague).objects.get(pk=colleague.pk)  # no cached rights
    with pytest.raises(Exception) as error:
        approve(money_request, colleague)
    assert type(error.value).__name__ == "TransitionNotAllowed"
    assert money_state() == before


def test_funding_is_bounded_by_the_approved_budget(operator, colleague, voucher_programme):
    # given 600,000 funded of an approved 1,000,000: two requests of 300,000 each fit alone
    first = services.programme_funding_request(
        programme=voucher_programme, user=operator, amount="300000"
    )
    second = services.programme_funding_request(
        programme=voucher_programme, user=operator, amount="300000"
    )
    # and one beyond the budget is refused at once
    before = money_state()
    with pytest.raises(ValidationError) as error:
        services.programme_funding_request(
            programme=voucher_programme, user=operator, amount="400000.01"
        )
    assert "amount" in error.value.message_dict
    assert money_state() == before
    # when both are approved, the second no longer fits: refused, still pending, nothing moved
    approve(first, colleague)
    before = money_state()
    with pytest.raises(ValidationError):
        approve(second, colleague)
    assert money_state() == before
    second.refresh_from_db()
    assert second.is_pending
    voucher_programme.funding_account.refresh_from_db()
    assert voucher_programme.funding_account.balance == Decimal("900000.00")


def test_a_budget_cannot_be_approved_below_what_was_funded(operator, voucher_programme):
    before = money_state()
    with pytest.raises(ValidationError):
        services.programme_budget_request(
            programme=voucher_programme, user=operator, amount="599999.99"
        )
    assert money_state() == before


def test_a_voucher_above_the_threshold_needs_the_second_key(
    api_client_for, operator, colleague, voucher_programme, small_enterprise, settings
):
    settings.FINANCE_VOUCHER_SECOND_KEY_THRESHOLD = "50000"
    client = api_client_for(operator)
    url = f"{PROGRAMMES}{voucher_programme.pk}/vouchers/"
    # one key issues up to the threshold
    small = client.post(
        url,
        {"holder": small_enterprise.pk, "face_value": "50000.00", "expires": in_days(90)},
        format="json",
    )
    assert small.status_code == 201
    # above it, the service refuses a single key outright
    before = money_state()
    with pytest.raises(ValidationError) as error:
        services.voucher_issue(
            programme=voucher_programme, user=operator, holder=small_enterprise,
            face_value="500000.00", expires=timezone.localdate() + datetime.timedelta(days=9),
        )  # fmt: skip
    assert "face_value" in error.value.message_dict
    assert money_state() == before
    # and the API turns it into a request
    large = client.post(
        url,
        {"holder": small_enterprise.pk, "face_value": "500000.00", "expires": in_days(90)},
        format="json",
    )
    assert large.status_code == 202
    assert Voucher.objects.count() == 1
    money_request = MoneyRequest.objects.get(pk=large.json()["id"])
    # approved by the colleague, the voucher exists and the budget paid for it
    approve(money_request, colleague)
    money_request.refresh_from_db()
    assert money_request.voucher.face_value == Decimal("500000.00")
    assert money_request.voucher.issued_by == operator
    voucher_programme.budget_account.refresh_from_db()
    assert voucher_programme.budget_account.balance == Decimal("50000.00")
    assert ledger.ledger_is_balanced()


def test_the_requester_cannot_redeem_a_self_issued_voucher_for_their_own_company(
    api_client_for, operator, voucher_programme, park
):
    # the operator's own organisation is not an eligible enterprise: no voucher for it
    before = money_state()
    response = api_client_for(operator).post(
        f"{PROGRAMMES}{voucher_programme.pk}/vouchers/",
        {"holder": park.pk, "face_value": "500000.00", "expires": in_days(90)},
        format="json",
    )
    assert response.status_code == 400 and "holder" in response.json()
    assert money_state() == before


# --- Interest subsidies: past periods, within the term, never overlapping ---------------------


def test_a_subsidy_is_paid_only_after_the_second_key(
    api_client_for, operator, colleague, subsidy_programme, loan
):
    client = api_client_for(operator)
    response = client.post(
        f"{PROGRAMMES}{subsidy_programme.pk}/subsidies/",
        {"application": loan.pk, "annual_rate": "0.0435", "period_start": "2026-03-01",
         "period_end": "2026-06-01"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 202, response.content
    money_request = MoneyRequest.objects.get(pk=response.json()["id"])
    assert not InterestSubsidy.objects.exists()
    before = money_state()
    assert (
        client.post(
            f"{REQUESTS}{money_request.pk}/transition/", {"action": "approve"}, format="json"
        ).status_code
        == 409
    )
    assert money_state() == before
    approve(money_request, colleague)
    subsidy = InterestSubsidy.objects.get()
    # 1,000,000 × 0.0435 × 0.5 × 92 / 360
    assert subsidy.days == 92 and subsidy.amount == Decimal("5558.33")
    assert ledger.ledger_is_balanced()


@pytest.mark.parametrize(
    "start, end, field",
    [
        ("2030-01-01", "2031-01-01", "period_end"),  # the future
        ("2026-03-01", "2026-12-31", "period_end"),  # ends after today (1 December 2026)
        ("2026-02-01", "2026-04-01", "period_start"),  # before the disbursement
        ("2026-03-01", "2026-03-01", "period_end"),  # empty
    ],
)
def test_subsidy_periods_must_be_past_and_within_the_loan_term(
    api_client_for, operator, subsidy_programme, loan, start, end, field, settings
):
    before = money_state()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 12, 1))
        response = api_client_for(operator).post(
            f"{PROGRAMMES}{subsidy_programme.pk}/subsidies/",
            {"application": loan.pk, "annual_rate": "0.05", "period_start": start,
             "period_end": end},
            format="json",
        )  # fmt: skip
    assert response.status_code == 400
    assert field in response.json()
    assert money_state() == before


def test_a_period_beyond_the_loan_term_is_refused(operator, subsidy_programme, loan):
    # given a 12-month loan disbursed on 1 March 2025 (its term ended on 1 March 2026)
    moment = timezone.make_aware(datetime.datetime(2025, 3, 1, 10))
    loan.events.filter(action="disburse").update(created_at=moment)
    before = money_state()
    with pytest.raises(ValidationError) as error:
        services.interest_subsidy_request(
            programme=subsidy_programme, user=operator, application=loan, annual_rate="0.05",
            period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 4, 1),
        )  # fmt: skip
    assert "period_start" in error.value.message_dict
    assert money_state() == before


def test_overlapping_periods_for_one_loan_are_refused(operator, colleague, subsidy_programme, loan):
    # given a paid subsidy for March to June and a pending one for June to September
    approve(
        services.interest_subsidy_request(
            programme=subsidy_programme, user=operator, application=loan, annual_rate="0.05",
            period_start=datetime.date(2026, 3, 1), period_end=datetime.date(2026, 6, 1),
        ),
        colleague,
    )  # fmt: skip
    services.interest_subsidy_request(
        programme=subsidy_programme, user=operator, application=loan, annual_rate="0.05",
        period_start=datetime.date(2026, 6, 1), period_end=datetime.date(2026, 9, 1),
    )  # fmt: skip
    before = money_state()
    # when periods overlapping either are asked for (another start date too)
    for start, end in [((2026, 4, 1), (2026, 5, 1)), ((2026, 5, 15), (2026, 6, 15)),
                       ((2026, 8, 31), (2026, 10, 1))]:  # fmt: skip
        with pytest.raises(ValidationError) as error:
            services.interest_subsidy_request(
                programme=subsidy_programme, user=operator, application=loan,
                annual_rate="0.05", period_start=datetime.date(*start),
                period_end=datetime.date(*end),
            )  # fmt: skip
        assert "period_start" in error.value.message_dict
    # then
    assert money_state() == before


def test_the_database_refuses_overlapping_subsidy_periods_of_one_loan(
    operator, colleague, subsidy_programme, loan, bank, financier, enterprise_user
):
    # given one paid subsidy, March to June
    approve(
        services.interest_subsidy_request(
            programme=subsidy_programme, user=operator, application=loan, annual_rate="0.05",
            period_start=datetime.date(2026, 3, 1), period_end=datetime.date(2026, 6, 1),
        ),
        colleague,
    )  # fmt: skip
    paid = InterestSubsidy.objects.get()

    def insert(application, start, end):
        account = LedgerAccount.objects.filter(kind="subsidy_received").first()
        with transaction.atomic():
            row = ledger.transfer(
                kind="subsidy_payment", source=subsidy_programme.budget_account,
                destination=account, amount=Decimal("1.00"), description="raw insert",
            )  # fmt: skip
            return InterestSubsidy.objects.create(
                programme=subsidy_programme, application=application, principal=paid.principal,
                annual_rate=paid.annual_rate, subsidy_ratio=paid.subsidy_ratio,
                period_start=start, period_end=end, days=(end - start).days,
                amount=Decimal("1.00"), transaction=row,
            )  # fmt: skip

    # when a row is written past the service, overlapping by one day, with another start
    with pytest.raises(IntegrityError):
        insert(loan, datetime.date(2026, 5, 31), datetime.date(2026, 7, 1))
    assert InterestSubsidy.objects.count() == 1
    # then an adjacent period and the same period on another loan are accepted
    insert(loan, datetime.date(2026, 6, 1), datetime.date(2026, 7, 1))
    other_loan = FinancingApplication.objects.get(pk=loan.pk)
    other_loan.pk = None
    other_loan.save()
    insert(other_loan, datetime.date(2026, 3, 1), datetime.date(2026, 6, 1))
    assert InterestSubsidy.objects.count() == 3


# --- Item 7: hostile amounts are 400 with the field named -----------------------------------

HOSTILE = ["1e30", "NaN", "Infinity", "-Infinity", "9999999999999999999.99", "-5", "0", "1" * 60]


@pytest.mark.parametrize("amount", HOSTILE)
def test_hostile_amounts_on_money_endpoints_are_400_with_the_field(
    api_client_for, operator, voucher_programme, small_enterprise, enterprise_user, amount
):
    # given a voucher and a signed service deal to redeem it on
    voucher = services.voucher_issue(
        programme=voucher_programme, user=operator, holder=small_enterprise,
        face_value="10000", expires=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    before = money_state()
    operator_client = api_client_for(operator)
    calls = [
        (api_client_for(enterprise_user), f"/api/v1/finance/vouchers/{voucher.pk}/redeem/",
         {"amount": amount, "deal": 1}, "amount"),
        (operator_client, f"{PROGRAMMES}{voucher_programme.pk}/fund/", {"amount": amount},
         "amount"),
        (operator_client, f"{PROGRAMMES}{voucher_programme.pk}/budget/", {"amount": amount},
         "amount"),
        (operator_client, f"{PROGRAMMES}{voucher_programme.pk}/vouchers/",
         {"holder": small_enterprise.pk, "face_value": amount, "expires": in_days(9)},
         "face_value"),
        (operator_client, f"{PROGRAMMES}{voucher_programme.pk}/subsidies/",
         {"application": 1, "annual_rate": amount, "period_start": "2026-01-01",
          "period_end": "2026-02-01"}, "annual_rate"),
        (operator_client, f"{PROGRAMMES}{voucher_programme.pk}/subsidies/",
         {"application": 1, "annual_rate": "0.04", "principal": amount,
          "period_start": "2026-01-01", "period_end": "2026-02-01"}, "principal"),
    ]  # fmt: skip
    for client, url, payload, field in calls:
        # when
        response = client.post(url, payload, format="json")
        # then
        assert response.status_code == 400, (url, response.content)
        assert field in response.json(), (url, response.json())
    assert money_state() == before


@pytest.mark.parametrize("amount", ["1e30", "NaN", "Infinity", "12345678901234567890"])
def test_hostile_amounts_on_programme_product_application_and_valuation_are_400(
    api_client_for, operator, park, financier, bank, enterprise_user, amount
):
    product = make_product(bank)
    rows = (SupportProgramme.objects.count(), FinancingProduct.objects.count(),
            FinancingApplication.objects.count())  # fmt: skip
    calls = [
        (api_client_for(operator), PROGRAMMES,
         {"operator": park.pk, "kind": "voucher", "name_zh": "券", "budget": amount}, "budget"),
        (api_client_for(financier), PRODUCTS,
         {"institution": bank.pk, "kind": "green_loan", "name_zh": "贷", "amount_min": amount,
          "amount_max": "100"}, "amount_min"),
        (api_client_for(enterprise_user), APPLICATIONS,
         {"product": product.pk, "requested_amount": amount}, "requested_amount"),
        (api_client_for(enterprise_user), "/api/v1/finance/valuations/",
         {"title": "估值", "first_year_revenue": amount, "revenue_growth_rate": "0.05",
          "useful_life_years": 5, "royalty_rate": "0.05", "tax_rate": "0.25",
          "risk_free_rate": "0.02", "technology_premium": "0.03", "market_premium": "0.02",
          "management_premium": "0.01", "trl": 6}, "first_year_revenue"),
    ]  # fmt: skip
    for client, url, payload, field in calls:
        response = client.post(url, payload, format="json")
        assert response.status_code == 400, (url, response.content)
        assert field in response.json(), (url, response.json())
    assert rows == (SupportProgramme.objects.count(), FinancingProduct.objects.count(),
                    FinancingApplication.objects.count())  # fmt: skip


@pytest.mark.parametrize("amount", ["1e30", "NaN", "Infinity", "-1", "1" * 60])
def test_hostile_amounts_given_to_the_services_are_field_errors(
    operator, enterprise_user, voucher_programme, small_enterprise, amount
):
    voucher = services.voucher_issue(
        programme=voucher_programme, user=operator, holder=small_enterprise,
        face_value="10000", expires=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    before = money_state()
    with pytest.raises(ValidationError) as error:
        services.voucher_redeem(voucher=voucher, user=enterprise_user, amount=amount, deal_id=1)
    assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.programme_funding_request(
            programme=voucher_programme, user=operator, amount=amount
        )
    assert "amount" in error.value.message_dict
    assert money_state() == before


def test_the_ledger_refuses_a_balance_beyond_what_its_column_holds(voucher_programme):
    # given an account already holding almost the maximum
    LedgerAccount.objects.filter(pk=voucher_programme.funding_account_id).update(
        balance=Decimal("9999999999999999.00")
    )
    before = LedgerTransaction.objects.count()
    with pytest.raises(ValidationError) as error, transaction.atomic():
        ledger.transfer(
            kind="programme_funding", source=voucher_programme.funding_account,
            destination=voucher_programme.budget_account, amount=Decimal("1.00"),
            description="overflow",
        )  # fmt: skip
    assert "amount" in error.value.message_dict
    assert LedgerTransaction.objects.count() == before


# --- Item 4: fake banks ---------------------------------------------------------------------


@pytest.fixture
def fake_bank(db):
    return OrganizationFactory(
        kind=OrganizationType.FINANCIAL, verification_status=VerificationStatus.UNVERIFIED
    )


@pytest.fixture
def fake_financier(fake_bank):
    return UserFactory(roles=["financier"], organization=fake_bank)


def test_an_unverified_financier_cannot_create_or_publish_a_product(
    api_client_for, fake_financier, fake_bank
):
    # given a product the fake bank somehow holds as a draft
    draft = make_product(fake_bank, status=ProductStatus.DRAFT)
    before = FinancingProduct.objects.count()
    client = api_client_for(fake_financier)
    # when
    created = client.post(
        PRODUCTS,
        {"institution": fake_bank.pk, "kind": "green_loan", "name_zh": "假贷款",
         "amount_min": "1000", "amount_max": "100000"},
        format="json",
    )  # fmt: skip
    published = client.post(
        f"{PRODUCTS}{draft.pk}/transition/", {"action": "publish"}, format="json"
    )
    # then
    assert created.status_code == 400 and "institution" in created.json()
    assert published.status_code == 400 and "institution" in published.json()
    assert FinancingProduct.objects.count() == before
    draft.refresh_from_db()
    assert draft.status == ProductStatus.DRAFT


def test_an_unverified_institutions_product_is_not_public_and_takes_no_application(
    api_client, api_client_for, fake_bank, enterprise_user, client
):
    # given a "published" product of an unverified bank
    product = make_product(fake_bank, name_zh="冒牌银行零门槛贷")
    before = FinancingApplication.objects.count()
    # when the public and an enterprise look for it
    listed = api_client.get(PRODUCTS).json()
    ids = [row["id"] for row in listed.get("results", listed)]
    detail = api_client.get(f"{PRODUCTS}{product.pk}/")
    page = client.get("/finance/products/").content.decode()
    applied = api_client_for(enterprise_user).post(
        APPLICATIONS, {"product": product.pk, "requested_amount": "200000"}, format="json"
    )
    # then
    assert product.pk not in ids
    assert detail.status_code == 404
    assert product.name not in page
    assert applied.status_code == 400 and "product" in applied.json()
    assert FinancingApplication.objects.count() == before
    with pytest.raises(ValidationError):
        services.application_create(
            user=enterprise_user, product=product, requested_amount=Decimal("200000")
        )
    assert FinancingApplication.objects.count() == before


def test_an_institution_that_loses_verification_sees_no_application_or_document(
    api_client_for, client, bank, financier, enterprise_user
):
    # given a submitted application with a document, to a then verified bank
    product = make_product(bank)
    application = services.application_create(
        user=enterprise_user, product=product, requested_amount=Decimal("200000"), submit=True
    )
    document = services.application_document_add(
        application=application, user=enterprise_user, title="营业执照",
        uploaded=SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf"),
    )  # fmt: skip
    download = f"{APPLICATIONS}{application.pk}/documents/{document.pk}/download/"
    assert api_client_for(financier).get(download).status_code == 200
    # when its verification is withdrawn
    bank.verification_status = VerificationStatus.REJECTED
    bank.save()
    financier = type(financier).objects.get(pk=financier.pk)
    # then it neither sees the application nor downloads its documents
    api = api_client_for(financier)
    assert api.get(download).status_code == 404
    assert api.get(f"{APPLICATIONS}{application.pk}/").status_code == 404
    assert application.pk not in [row["id"] for row in api.get(APPLICATIONS).json()["results"]]
    client.force_login(financier)
    page = client.get(f"/finance/applications/{application.pk}/documents/{document.pk}/")
    assert page.status_code == 404
    before = application.status
    with pytest.raises(Exception) as error:
        services.application_transition(
            application=application, user=financier, action="start_review"
        )
    assert type(error.value).__name__ == "TransitionNotAllowed"
    application.refresh_from_db()
    assert application.status == before
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
    # and its product left the public list
    assert product.pk not in [
        row["id"] for row in api_client_for(enterprise_user).get(PRODUCTS).json()["results"]
    ]
