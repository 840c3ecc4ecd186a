from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from core.workflow import TransitionNotAllowed
from exchange.choices import DealAction, DealStage
from exchange.services import deal_transition
from registry.choices import ContractType, RecordAction, RecordStatus
from registry.models import ContractRecord
from registry.regions import GB_T_2260_PROVINCES, administrative_division_code, country_code
from registry.selectors import (
    record_amount_cny,
    record_checklist,
    record_parties,
    record_tax_flags,
    records_visible_to,
)
from registry.services import record_transition, record_update
from tests.factories import OrganizationFactory


def test_completing_a_deal_opens_its_draft_record(
    deal_in_execution, buyer, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        deal_transition(deal=deal_in_execution, user=buyer, action=DealAction.COMPLETE)
    # then
    record = ContractRecord.objects.get(deal=deal_in_execution)
    assert record.status == RecordStatus.DRAFT
    assert record.contract_type == ContractType.LICENCE  # from the deal's licence mode
    assert record.amount == record.technology_income == Decimal("1200000.00")
    assert record.currency == "CNY"
    assert record.signed_on is not None and record.completed_on is not None
    assert list(record.events.values_list("action", flat=True)) == [RecordAction.CREATE]


def test_the_backfill_opens_one_record_per_completed_deal_and_is_idempotent(make_deal):
    # given
    completed = [make_deal(), make_deal(deal_type="joint_development")]
    make_deal(stage=DealStage.IN_EXECUTION)
    # when
    call_command("backfill_contract_records", verbosity=0)
    call_command("backfill_contract_records", verbosity=0)
    # then
    assert ContractRecord.objects.count() == 2
    assert set(ContractRecord.objects.values_list("deal_id", flat=True)) == {
        deal.pk for deal in completed
    }
    development = ContractRecord.objects.get(deal=completed[1])
    assert development.contract_type == ContractType.DEVELOPMENT
    assert development.events.count() == 1


def test_regions_map_to_gb_t_2260_and_iso_3166():
    assert administrative_division_code("CN-BJ") == "110000"
    assert administrative_division_code("CN-JS") == "320000"
    assert administrative_division_code("CN-XJ") == "650000"
    assert administrative_division_code("TH") == ""
    assert country_code("CN-GD") == "CN"
    assert country_code("TH") == "TH"
    assert len(GB_T_2260_PROVINCES) == 34
    assert all(len(code) == 6 and code.endswith("0000") for code in GB_T_2260_PROVINCES.values())


def test_the_parties_carry_codes_and_regions(record, seller_org, buyer_org):
    seller, buyer = record_parties(record=record)
    assert (seller.name, seller.credit_code, seller.region_code, seller.country) == (
        seller_org.name_zh,
        seller_org.credit_code,
        "320000",
        "CN",
    )
    assert buyer.region_code == "330000"
    assert all(item.passed for item in record_checklist(record=record))


def test_the_checklist_names_the_party_with_a_missing_or_wrong_code(record, buyer_org):
    # given: the buyer's code lost (a legacy row) -- the model validator is bypassed
    type(buyer_org).objects.filter(pk=buyer_org.pk).update(credit_code="")
    record.refresh_from_db()
    # when
    missing = {item.key: item for item in record_checklist(record=record) if not item.passed}
    # then
    assert set(missing) == {"buyer_credit_code"}
    # a code with a wrong check character is named too
    type(buyer_org).objects.filter(pk=buyer_org.pk).update(credit_code="91320000000000001X")
    record = ContractRecord.objects.get(pk=record.pk)
    problem = {i.key: i.problem for i in record_checklist(record=record) if not i.passed}
    assert "GB 32100-2015" in problem["buyer_credit_code"]


def test_a_foreign_buyer_needs_no_credit_code(make_record, buyer_org):
    # given
    thai = OrganizationFactory(region="TH", credit_code="", name_en="Siam Agro Co.")
    record = make_record(buyer=thai)
    # when
    _seller, buyer = record_parties(record=record)
    # then
    assert (buyer.country, buyer.region_code, buyer.credit_code_problem) == ("TH", "", "")
    assert all(item.passed for item in record_checklist(record=record))


def test_the_seller_edits_a_draft_and_each_change_is_an_event(record, seller):
    # when
    record_update(
        record=record,
        user=seller,
        contract_type=ContractType.TRANSFER,
        technology_income=Decimal("1000000.00"),
    )
    # then
    record.refresh_from_db()
    assert record.contract_type == ContractType.TRANSFER
    assert record.technology_income == Decimal("1000000.00")
    event = record.events.get(action=RecordAction.EDIT)
    assert event.changes["technology_income"] == ["1200000.00", "1000000.00"]


def test_technology_income_above_the_amount_is_refused(record, seller):
    with pytest.raises(ValidationError) as error:
        record_update(record=record, user=seller, technology_income=Decimal("1200000.01"))
    assert "technology_income" in error.value.error_dict
    record.refresh_from_db()
    assert record.technology_income == Decimal("1200000.00")
    # and the database refuses it too
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractRecord.objects.filter(pk=record.pk).update(technology_income=Decimal("2000000"))


@pytest.mark.parametrize("user_name", ["buyer", "broker", "stranger", "reviewer"])
def test_only_the_seller_edits(record, request, user_name):
    user = request.getfixturevalue(user_name)
    with pytest.raises(TransitionNotAllowed):
        record_update(record=record, user=user, technology_income=Decimal("1"))
    record.refresh_from_db()
    assert record.technology_income == Decimal("1200000.00")
    assert not record.events.filter(action=RecordAction.EDIT).exists()


def test_submit_register_and_the_snapshot_of_the_parties(record, seller, reviewer, seller_org):
    # when
    record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    type(seller_org).objects.filter(pk=seller_org.pk).update(name_zh="改名后的大学")
    record = record_transition(
        record=record, user=reviewer, action=RecordAction.REGISTER, registration_number="3201a01"
    )
    # then
    assert record.status == RecordStatus.REGISTERED
    assert record.registration_number == "3201A01"
    assert record.registered_on is not None
    assert record_parties(record=record)[0].name == "江南环境工程大学"  # as submitted
    assert list(record.events.values_list("action", "from_status", "to_status")) == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("register", "submitted", "registered"),
    ]
    with pytest.raises(TransitionNotAllowed):
        record_update(record=record, user=seller, note="x")


def test_submit_is_refused_while_something_is_missing(record, seller, buyer_org):
    type(buyer_org).objects.filter(pk=buyer_org.pk).update(credit_code="")
    ContractRecord.objects.filter(pk=record.pk).update(signed_on=None)
    with pytest.raises(ValidationError) as error:
        record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    assert set(error.value.error_dict) == {"buyer_credit_code", "signed_on"}
    record.refresh_from_db()
    assert record.status == RecordStatus.DRAFT


def test_the_seller_may_not_register_its_own_record(record, seller):
    # given: a seller's member who is also a platform reviewer
    seller.roles = ["holder", "reviewer"]
    seller.save()
    record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    # when / then
    with pytest.raises(TransitionNotAllowed):
        record_transition(
            record=record, user=seller, action=RecordAction.REGISTER, registration_number="X1"
        )
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED and record.registration_number == ""


def test_return_needs_a_reason_and_a_returned_record_is_editable_again(record, seller, reviewer):
    record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    with pytest.raises(ValidationError):
        record_transition(record=record, user=reviewer, action=RecordAction.RETURN)
    record = record_transition(
        record=record, user=reviewer, action=RecordAction.RETURN, note="请补充合同签订日期的证明。"
    )
    assert record.status == RecordStatus.RETURNED
    record_update(record=record, user=seller, note="已补充。")
    record = record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    assert record.status == RecordStatus.SUBMITTED


def test_a_registration_number_is_used_once(make_record, seller, reviewer):
    first, second = make_record(), make_record()
    for record in (first, second):
        record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    record_transition(
        record=first, user=reviewer, action=RecordAction.REGISTER, registration_number="R-1"
    )
    with pytest.raises(ValidationError) as error:
        record_transition(
            record=second, user=reviewer, action=RecordAction.REGISTER, registration_number="r-1"
        )
    assert "registration_number" in error.value.error_dict


def test_visibility_follows_the_deal(record, seller, buyer, broker, stranger, reviewer):
    for user in (seller, buyer, broker, reviewer):
        assert list(records_visible_to(user=user)) == [record]
    assert not records_visible_to(user=stranger).exists()


# --- tax --------------------------------------------------------------------------------------


def test_vat_flags_by_contract_type(make_record):
    licence = make_record()
    consulting = make_record(deal_type="consulting")
    assert record_tax_flags(record=licence, show_seller_year=False).vat_treatment == "exempt"
    flags = record_tax_flags(record=consulting, show_seller_year=False)
    assert flags.vat_treatment == "exempt_if_related"
    assert not flags.eit_applies


def test_the_yearly_transfer_income_relief_above_five_million(make_record, seller):
    # given: three declared transfer records of the seller this year, 7.2 million in all
    records = [make_record(price=price) for price in ("3000000.00", "3000000.00", "1200000.00")]
    for record in records:
        record_transition(record=record, user=seller, action=RecordAction.SUBMIT)
    make_record(price="9000000.00")  # a draft: not declared, not counted
    # when
    flags = record_tax_flags(record=records[0], show_seller_year=True)
    # then
    assert flags.eit_applies and flags.shows_seller_year
    assert flags.yearly_transfer_income_cny == Decimal("7200000.00")
    assert flags.exempt_part_cny == Decimal("5000000")
    assert flags.halved_part_cny == Decimal("2200000.00")
    assert flags.taxable_after_relief_cny == Decimal("1100000.00")
    # the buyer's view leaves the seller's other deals out
    assert (
        record_tax_flags(record=records[0], show_seller_year=False).yearly_transfer_income_cny
        is None
    )


def test_an_amount_in_another_currency_is_never_taken_for_yuan(make_record, seller):
    # given
    usd = make_record(currency="USD", price="100000.00")
    record_transition(record=usd, user=seller, action=RecordAction.SUBMIT)
    cny = make_record(price="1000000.00")
    record_transition(record=cny, user=seller, action=RecordAction.SUBMIT)
    # when
    flags = record_tax_flags(record=usd, show_seller_year=True)
    # then
    assert record_amount_cny(usd) is None
    assert record_amount_cny(cny) == Decimal("1000000.00")
    assert flags.record_income_cny is None
    assert "no exchange rate" in flags.not_computed_reason
    assert flags.yearly_transfer_income_cny is None
    assert "1" in flags.year_not_computed_reason


def test_an_amount_in_another_currency_is_converted_at_the_rate_fixed_at_signing(
    make_record, seller
):
    # given: a baht deal signed at 0.2 yuan per baht
    thb = make_record(currency="THB", price="1000000.00", fx_rate=Decimal("0.2"))
    record_transition(record=thb, user=seller, action=RecordAction.SUBMIT)
    # when
    flags = record_tax_flags(record=thb, show_seller_year=True)
    # then
    assert record_amount_cny(thb) == Decimal("200000.00")
    assert flags.record_income_cny == Decimal("200000.00")
    assert flags.not_computed_reason == ""
    assert flags.yearly_transfer_income_cny == Decimal("200000.00")
