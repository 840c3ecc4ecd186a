from decimal import Decimal

from insight.choices import ImpactMethod
from insight.impact import ImpactInputs, avoided_emissions

DEFAULTS = {"default_deployments": 2, "default_years": Decimal("1.5")}


def test_baseline_method_multiplies_the_difference_by_deployments():
    # given a deal that states baseline and technology emissions per deployment
    inputs = ImpactInputs(
        stated_rate=Decimal("999"),
        deployments=3,
        years=Decimal("10"),
        baseline_tonnes=Decimal("500"),
        technology_tonnes=Decimal("120.5"),
    )
    # when
    estimate = avoided_emissions(inputs, **DEFAULTS)
    # then the stated rate is ignored: (500 − 120.5) × 3
    assert estimate.method == ImpactMethod.BASELINE
    assert estimate.tonnes == Decimal("1138.5")


def test_stated_rate_with_the_deals_own_deployments_and_years():
    # given
    inputs = ImpactInputs(stated_rate=Decimal("40.0"), deployments=4, years=Decimal("2.5"))
    # when
    estimate = avoided_emissions(inputs, **DEFAULTS)
    # then 40 × 4 × 2.5
    assert estimate.method == ImpactMethod.STATED_RATE
    assert estimate.tonnes == Decimal("400.0")


def test_stated_rate_with_platform_defaults_when_the_deal_states_nothing():
    # given
    inputs = ImpactInputs(stated_rate=Decimal("100"))
    # when
    estimate = avoided_emissions(inputs, **DEFAULTS)
    # then 100 × 2 × 1.5 and the method says defaults were used
    assert estimate.method == ImpactMethod.STATED_RATE_DEFAULTS
    assert estimate.tonnes == Decimal("300.0")


def test_no_figures_is_not_quantified():
    estimate = avoided_emissions(ImpactInputs(stated_rate=None), **DEFAULTS)
    assert estimate.method == ImpactMethod.NOT_QUANTIFIED
    assert estimate.tonnes == Decimal("0.0")
