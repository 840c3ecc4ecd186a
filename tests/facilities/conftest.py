import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganizationType
from facilities import services
from facilities.choices import FacilityKind, PeriodKind, PriceUnit
from finance import ledger
from finance import services as finance_services
from finance.choices import AccountKind, ProgrammeKind, TransactionKind
from finance.models import SupportProgramme
from tests.factories import OrganizationFactory, UserFactory


def at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def provider_org(db):
    return OrganizationFactory(kind=OrganizationType.INSTITUTE, region="CN-JS")


@pytest.fixture
def provider_user(provider_org):
    return UserFactory(roles=["holder"], organization=provider_org)


@pytest.fixture
def booker_org(db):
    return OrganizationFactory(kind=OrganizationType.ENTERPRISE, region="CN-ZJ")


@pytest.fixture
def booker_user(booker_org):
    return UserFactory(roles=["enterprise"], organization=booker_org)


@pytest.fixture
def outsider_user(db):
    return UserFactory(roles=["enterprise"], organization=OrganizationFactory())


def make_facility(provider_user, provider_org, *, publish=True, **overrides):
    fields = dict(
        kind=FacilityKind.PILOT_LINE, title_zh="蒸发结晶中试线", title_en="Evaporation pilot line",
        capabilities="MVR 蒸发\n分盐结晶", capacity="5 t/d", region="CN-JS",
        price=Decimal("800.00"), price_unit=PriceUnit.HOUR, currency="CNY",
    )  # fmt: skip
    fields.update(overrides)
    facility = services.facility_create(user=provider_user, provider=provider_org, **fields)
    services.period_add(
        facility=facility, user=provider_user, kind=PeriodKind.OPEN, starts_at=at(1, 0),
        ends_at=at(30, 0),
    )  # fmt: skip
    if publish:
        facility = services.facility_transition(
            facility=facility, user=provider_user, action="publish"
        )
    return facility


@pytest.fixture
def facility(provider_user, provider_org):
    return make_facility(provider_user, provider_org)


def make_programme(*, allows_facility_services: bool, name: str, amount="100000.00"):
    """A voucher programme with money in its budget (posted on the ledger directly: the two
    keys of funding are finance's own tests)."""
    operator_org = OrganizationFactory(kind=OrganizationType.OPERATOR, region="CN-GD")
    operator = UserFactory(roles=["operator"], organization=operator_org)
    with transaction.atomic():
        programme = SupportProgramme(
            kind=ProgrammeKind.VOUCHER, operator=operator_org, currency="CNY", name_zh=name,
            allows_facility_services=allows_facility_services,
            funding_account=ledger.account_open(
                kind=AccountKind.PROGRAMME_FUNDING, name=f"{name} funding", currency="CNY"
            ),
            budget_account=ledger.account_open(
                kind=AccountKind.PROGRAMME_BUDGET, name=f"{name} budget", currency="CNY"
            ),
        )  # fmt: skip
        programme.save()
        ledger.transfer(
            kind=TransactionKind.PROGRAMME_FUNDING, source=programme.funding_account,
            destination=programme.budget_account, amount=Decimal(amount), description="test",
        )  # fmt: skip
    return programme, operator


def issue_voucher(programme, operator, holder, face_value="20000.00"):
    return finance_services.voucher_issue(
        programme=programme, user=operator, holder=holder, face_value=face_value,
        expires=timezone.localdate() + datetime.timedelta(days=90),
    )  # fmt: skip


@pytest.fixture
def voucher(booker_org):
    programme, operator = make_programme(allows_facility_services=True, name="创新券（设施）")
    return issue_voucher(programme, operator, booker_org)


@pytest.fixture
def excluded_voucher(booker_org):
    programme, operator = make_programme(allows_facility_services=False, name="创新券（仅服务）")
    return issue_voucher(programme, operator, booker_org)


def completed_booking(facility, *, booker_user, provider_user, hours=3):
    booking = services.booking_request(
        facility=facility, user=booker_user, starts_at=at(2, 9), ends_at=at(2, 9 + hours)
    )
    services.booking_transition(booking=booking, user=provider_user, action="confirm")
    return services.booking_transition(booking=booking, user=provider_user, action="complete")


@pytest.fixture(autouse=True)
def english():
    """The assertions read the English source messages (the site's default is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
