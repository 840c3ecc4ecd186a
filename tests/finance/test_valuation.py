"""The relief-from-royalty calculation against cases computed by hand."""

from decimal import Decimal

import pytest

from finance.valuation import (
    ValuationInputError,
    ValuationInputs,
    collateral_cap,
    interest_subsidy_amount,
    relief_from_royalty,
)


def inputs(**overrides) -> ValuationInputs:
    fields = dict(
        first_year_revenue=Decimal("1000000"),
        revenue_growth_rate=Decimal("0"),
        useful_life_years=3,
        royalty_rate=Decimal("0.05"),
        tax_rate=Decimal("0.25"),
        risk_free_rate=Decimal("0.03"),
        technology_premium=Decimal("0.04"),
        market_premium=Decimal("0.02"),
        management_premium=Decimal("0.01"),
        trl=9,
    )
    fields.update(overrides)
    return ValuationInputs(**fields)


def test_flat_revenue_matches_the_hand_calculation():
    # given 1,000,000 a year for 3 years, 5 % royalty, 25 % tax, 3+4+2+1 = 10 % discount, TRL 9
    # by hand: 37,500 after tax a year; 37,500/1.1 + 37,500/1.21 + 37,500/1.331
    #        = 34,090.91 + 30,991.74 + 28,174.31 = 93,256.95 (× 1.00)
    # when
    result = relief_from_royalty(inputs())
    # then
    assert result.discount_rate == Decimal("0.10")
    assert [step.after_tax_royalty for step in result.years] == [Decimal("37500.00")] * 3
    assert [step.present_value for step in result.years] == [
        Decimal("34090.91"),
        Decimal("30991.74"),
        Decimal("28174.31"),
    ]
    assert [step.discount_factor for step in result.years] == [
        Decimal("0.909091"),
        Decimal("0.826446"),
        Decimal("0.751315"),
    ]
    assert result.trl_factor == Decimal("1.00")
    assert result.value == Decimal("93256.95")


def test_growth_and_trl_adjustment_match_the_hand_calculation():
    # given 2,000,000 growing 10 %, 2 years, 4 % royalty, 15 % tax, 2.5+5+3+1.5 = 12 %, TRL 6
    # by hand: year 1: 80,000 royalty, 68,000 after tax, /1.12   = 60,714.29
    #          year 2: 88,000 royalty, 74,800 after tax, /1.2544 = 59,630.10
    #          sum 120,344.39 × 0.70 (TRL 6) = 84,241.07
    # when
    result = relief_from_royalty(
        inputs(
            first_year_revenue=Decimal("2000000"),
            revenue_growth_rate=Decimal("0.10"),
            useful_life_years=2,
            royalty_rate=Decimal("0.04"),
            tax_rate=Decimal("0.15"),
            risk_free_rate=Decimal("0.025"),
            technology_premium=Decimal("0.05"),
            market_premium=Decimal("0.03"),
            management_premium=Decimal("0.015"),
            trl=6,
        )
    )
    # then
    assert [step.revenue for step in result.years] == [Decimal("2000000.00"), Decimal("2200000.00")]
    assert [step.royalty for step in result.years] == [Decimal("80000.00"), Decimal("88000.00")]
    assert [step.present_value for step in result.years] == [
        Decimal("60714.29"),
        Decimal("59630.10"),
    ]
    assert result.present_value_sum == Decimal("120344.39")
    assert result.trl_factor == Decimal("0.70")
    assert result.value == Decimal("84241.07")


def test_a_less_mature_technology_is_worth_less():
    # given the same cash flows at TRL 9 and TRL 3
    # when
    mature = relief_from_royalty(inputs(trl=9)).value
    early = relief_from_royalty(inputs(trl=3)).value
    # then
    assert early == (Decimal("93256.949661") * Decimal("0.25")).quantize(Decimal("0.01"))
    assert early < mature


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"useful_life_years": 0}, "useful_life_years"),
        (
            {
                "risk_free_rate": Decimal("0"),
                "technology_premium": Decimal("0"),
                "market_premium": Decimal("0"),
                "management_premium": Decimal("0"),
            },
            "discount_rate",
        ),
        ({"royalty_rate": Decimal("0")}, "royalty_rate"),
        ({"tax_rate": Decimal("1")}, "tax_rate"),
        ({"first_year_revenue": Decimal("-5")}, "first_year_revenue"),
        ({"trl": 10}, "trl"),
        ({"market_premium": Decimal("-0.01")}, "market_premium"),
    ],
)
def test_impossible_inputs_are_refused_by_name(overrides, field):
    # when / then
    with pytest.raises(ValuationInputError) as error:
        relief_from_royalty(inputs(**overrides))
    assert field in error.value.errors


def test_collateral_cap_rounds_down_to_the_cent():
    # given a valuation of 93,256.95 and a 50 % loan-to-value ratio
    # then the lender may advance 46,628.47 (not .48)
    assert collateral_cap(value=Decimal("93256.95"), loan_to_value=Decimal("0.5")) == Decimal(
        "46628.47"
    )


def test_interest_subsidy_is_principal_rate_ratio_and_days_over_360():
    # given 1,000,000 at 4.35 % for 90 days, half the interest subsidised
    # by hand: 1,000,000 × 0.0435 × 0.5 × 90 / 360 = 5,437.50
    assert interest_subsidy_amount(
        principal=Decimal("1000000"),
        annual_rate=Decimal("0.0435"),
        subsidy_ratio=Decimal("0.5"),
        days=90,
    ) == Decimal("5437.50")


def test_interest_subsidy_refuses_a_zero_period():
    with pytest.raises(ValueError):
        interest_subsidy_amount(
            principal=Decimal("1000"),
            annual_rate=Decimal("0.04"),
            subsidy_ratio=Decimal("0.5"),
            days=0,
        )
