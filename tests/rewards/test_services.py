import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from exchange.choices import DealAction, DealStage
from exchange.services import deal_transition
from finance.choices import RewardRecipient
from finance.ledger import ledger_is_balanced
from finance.models import LedgerEntry, RewardPolicy, RewardSplit
from finance.services import rewards
from finance.services.rewards import InventorShare, PolicyTerms, reward_split_compute


def _policy_data(**overrides):
    return {
        "effective_from": timezone.localdate(),
        "inventors_share": Decimal("70"),
        "department_share": Decimal("10"),
        "unit_share": Decimal("20"),
        **overrides,
    }


# --- policies -----------------------------------------------------------------------------------


def test_admin_sets_a_policy(unit_admin, university):
    # when
    policy = rewards.reward_policy_create(
        user=unit_admin, organization=university, **_policy_data()
    )
    # then
    assert policy.inventors_share == Decimal("70")
    assert (
        rewards.reward_policy_in_force(organization=university, on=timezone.localdate()) == policy
    )


def test_shares_not_adding_up_to_100_are_refused_on_the_field(unit_admin, university):
    # when
    with pytest.raises(ValidationError) as error:
        rewards.reward_policy_create(
            user=unit_admin, organization=university, **_policy_data(unit_share=Decimal("15"))
        )
    # then
    assert "unit_share" in error.value.message_dict
    assert "95" in error.value.message_dict["unit_share"][0]
    assert not RewardPolicy.objects.exists()


def test_a_policy_below_the_statutory_minimum_is_refused(unit_admin, university):
    with pytest.raises(ValidationError) as error:
        rewards.reward_policy_create(
            user=unit_admin,
            organization=university,
            **_policy_data(inventors_share=Decimal("40"), unit_share=Decimal("50")),
        )
    assert "50" in error.value.message_dict["inventors_share"][0]
    assert not RewardPolicy.objects.exists()


def test_the_database_refuses_shares_that_do_not_add_up(university):
    with pytest.raises(IntegrityError), transaction.atomic():
        RewardPolicy.objects.create(
            organization=university,
            effective_from=timezone.localdate(),
            inventors_share=Decimal("60"),
            department_share=Decimal("10"),
            unit_share=Decimal("10"),
        )


def test_a_version_in_the_past_is_refused(unit_admin, university):
    with pytest.raises(ValidationError) as error:
        rewards.reward_policy_create(
            user=unit_admin,
            organization=university,
            **_policy_data(effective_from=timezone.localdate() - datetime.timedelta(days=1)),
        )
    assert "effective_from" in error.value.message_dict


def test_a_member_who_is_not_the_admin_may_not_set_the_policy(inventor_user, university):
    with pytest.raises(PermissionDenied):
        rewards.reward_policy_create(user=inventor_user, organization=university, **_policy_data())
    assert not RewardPolicy.objects.exists()


def test_the_version_in_force_on_the_completion_day_applies(policy, university, unit_admin):
    later = rewards.reward_policy_create(
        user=unit_admin,
        organization=university,
        **_policy_data(effective_from=timezone.localdate() + datetime.timedelta(days=10)),
    )
    today = timezone.localdate()
    assert rewards.reward_policy_in_force(organization=university, on=today) == policy
    assert (
        rewards.reward_policy_in_force(
            organization=university, on=today + datetime.timedelta(days=10)
        )
        == later
    )


# --- the computation ----------------------------------------------------------------------------


def test_split_with_deductions_exact_figures():
    # given 100,000.00 income, 1,000.00 + 5 % costs, 70/10/20, two inventors 60/40
    terms = PolicyTerms(
        inventors_share=Decimal("70"),
        department_share=Decimal("10"),
        unit_share=Decimal("20"),
        fixed_deduction=Decimal("1000.00"),
        percentage_deduction=Decimal("5"),
    )
    inventors = [
        InventorShare("李发明", "环境学院", Decimal("60")),
        InventorShare("王合作", "化工学院", Decimal("40")),
    ]
    # when
    figures = reward_split_compute(
        gross_income=Decimal("100000.00"), terms=terms, inventors=inventors, unit_name="大学"
    )
    # then
    assert figures.deductions == Decimal("6000.00")
    assert figures.net_income == Decimal("94000.00")
    assert figures.inventors_amount == Decimal("65800.00")
    assert figures.department_amount == Decimal("9400.00")
    assert figures.unit_amount == Decimal("18800.00")
    assert [(line.recipient, line.name, line.amount) for line in figures.lines] == [
        (RewardRecipient.DEDUCTION, "", Decimal("6000.00")),
        (RewardRecipient.INVENTOR, "李发明", Decimal("39480.00")),
        (RewardRecipient.INVENTOR, "王合作", Decimal("26320.00")),
        (RewardRecipient.DEPARTMENT, "环境学院", Decimal("5640.00")),
        (RewardRecipient.DEPARTMENT, "化工学院", Decimal("3760.00")),
        (RewardRecipient.UNIT, "大学", Decimal("18800.00")),
    ]


def test_rounding_half_up_pools_and_the_left_over_cent_to_the_first_inventor():
    # given 1,000.01 under the statutory default and three inventors 33.33/33.33/33.34
    inventors = [
        InventorShare("甲", "一系", Decimal("33.33")),
        InventorShare("乙", "一系", Decimal("33.33")),
        InventorShare("丙", "二系", Decimal("33.34")),
    ]
    # when
    figures = reward_split_compute(
        gross_income=Decimal("1000.01"),
        terms=rewards.STATUTORY_TERMS,
        inventors=inventors,
        unit_name="大学",
    )
    # then 500.005 rounds half up to 500.01; the unit gets the rest
    assert figures.inventors_amount == Decimal("500.01")
    assert figures.unit_amount == Decimal("500.00")
    amounts = [line.amount for line in figures.lines if line.recipient == RewardRecipient.INVENTOR]
    # 166.65 + 166.65 + 166.70 = 500.00: the cent left goes to the first-listed inventor
    assert amounts == [Decimal("166.66"), Decimal("166.65"), Decimal("166.70")]
    assert sum(line.amount for line in figures.lines) == Decimal("1000.01")


def test_deductions_never_exceed_the_income():
    terms = PolicyTerms(
        inventors_share=Decimal("50"),
        department_share=Decimal("0"),
        unit_share=Decimal("50"),
        fixed_deduction=Decimal("5000.00"),
    )
    figures = reward_split_compute(
        gross_income=Decimal("3000.00"), terms=terms, inventors=[], unit_name="大学"
    )
    assert figures.deductions == Decimal("3000.00")
    assert figures.net_income == Decimal("0.00")


# --- completion on the ledger -------------------------------------------------------------------


def test_completion_splits_the_income_on_the_ledger(
    make_deal, buyer, policy, inventors, inventor_user, django_capture_on_commit_callbacks
):
    # given a deal in execution
    deal = make_deal()
    # when the buyer confirms completion
    with django_capture_on_commit_callbacks(execute=True):
        deal_transition(deal=deal, user=buyer, action=DealAction.COMPLETE)
    # then
    split = RewardSplit.objects.get(deal=deal)
    assert split.policy == policy
    assert (split.gross_income, split.deductions, split.net_income) == (
        Decimal("100000.00"),
        Decimal("6000.00"),
        Decimal("94000.00"),
    )
    mine = split.lines.get(user=inventor_user)
    assert mine.amount == Decimal("39480.00")
    assert mine.account.balance == Decimal("39480.00")
    entries = LedgerEntry.objects.filter(transaction=split.ledger_transaction)
    assert sum(entry.amount for entry in entries) == 0
    assert entries.count() == 7  # income, costs, 2 inventors, 2 departments, unit
    assert ledger_is_balanced()


def test_completion_twice_gives_one_split(make_deal, policy, inventors):
    # given a completed deal already split
    deal = make_deal(stage=DealStage.COMPLETED)
    first = rewards.reward_split_for_deal(deal_id=deal.pk)
    # when the event is delivered again
    second = rewards.reward_split_for_deal(deal_id=deal.pk)
    # then
    assert first == second
    assert RewardSplit.objects.filter(deal=deal).count() == 1
    assert LedgerEntry.objects.filter(transaction__reward_split__deal=deal).count() == 7


def test_the_database_refuses_a_second_split_of_a_deal(make_deal, inventors):
    deal = make_deal(stage=DealStage.COMPLETED)
    split = rewards.reward_split_for_deal(deal_id=deal.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        RewardSplit.objects.create(
            **{
                field.attname: getattr(split, field.attname)
                for field in RewardSplit._meta.concrete_fields
                if field.name not in ("id", "ledger_transaction")
            },
            ledger_transaction=split.ledger_transaction,
        )


def test_without_a_policy_the_statutory_default_applies(make_deal, inventors):
    deal = make_deal(stage=DealStage.COMPLETED, price="80000.00")
    split = rewards.reward_split_for_deal(deal_id=deal.pk)
    assert split.is_statutory_default
    assert (split.inventors_amount, split.unit_amount, split.deductions) == (
        Decimal("40000.00"),
        Decimal("40000.00"),
        Decimal("0.00"),
    )


def test_deals_of_enterprises_and_deals_without_price_are_not_split(
    make_deal, technology, buyer_org, university, inventors
):
    no_price = make_deal(stage=DealStage.COMPLETED, price=None)
    assert rewards.reward_split_for_deal(deal_id=no_price.pk) is None
    university.kind = "enterprise"
    university.save()
    priced = make_deal(stage=DealStage.COMPLETED)
    assert rewards.reward_split_for_deal(deal_id=priced.pk) is None
    not_completed = make_deal(stage=DealStage.IN_EXECUTION)
    assert rewards.reward_split_for_deal(deal_id=not_completed.pk) is None
    assert not RewardSplit.objects.exists()
