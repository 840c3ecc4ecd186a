"""Technology valuation by the relief-from-royalty income method.

Plain Decimal arithmetic, no Django: the value of a technology is what its owner is spared from
paying in royalties over its useful life, after tax, discounted at a rate built from a risk-free
rate plus technology, market and management premiums, then adjusted for how far the technology
is from the market (its TRL).

    revenue_t        = first_year_revenue × (1 + growth)^(t−1)            t = 1 … useful life
    royalty_t        = revenue_t × royalty_rate
    after_tax_t      = royalty_t × (1 − tax_rate)
    discount_rate    = risk_free + technology + market + management premiums
    discount_factor_t = 1 / (1 + discount_rate)^t                  (end-of-year cash flows)
    present_value_t  = after_tax_t × discount_factor_t
    value            = Σ present_value_t × TRL factor               (rounded to 0.01 at the end)

Intermediate figures keep full precision; only the reported steps and the final value are
rounded (half up), so a hand calculation to the cent matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.000001")
MAXIMUM_USEFUL_LIFE_YEARS = 30

# Probability-of-success style haircut by technology readiness level: a laboratory result (TRL 1-3)
# is far riskier collateral than a technology proven in operation (TRL 9).
TRL_RISK_FACTORS: dict[int, Decimal] = {
    1: Decimal("0.10"),
    2: Decimal("0.15"),
    3: Decimal("0.25"),
    4: Decimal("0.40"),
    5: Decimal("0.55"),
    6: Decimal("0.70"),
    7: Decimal("0.85"),
    8: Decimal("0.95"),
    9: Decimal("1.00"),
}


class ValuationInputError(ValueError):
    """Inputs that make no sense for a valuation; `errors` maps input names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ValuationInputs:
    first_year_revenue: Decimal
    revenue_growth_rate: Decimal
    useful_life_years: int
    royalty_rate: Decimal
    tax_rate: Decimal
    risk_free_rate: Decimal
    technology_premium: Decimal
    market_premium: Decimal
    management_premium: Decimal
    trl: int


@dataclass(frozen=True)
class YearStep:
    year: int
    revenue: Decimal
    royalty: Decimal
    after_tax_royalty: Decimal
    discount_factor: Decimal
    present_value: Decimal

    def as_dict(self) -> dict[str, str | int]:
        return {
            "year": self.year,
            "revenue": str(self.revenue),
            "royalty": str(self.royalty),
            "after_tax_royalty": str(self.after_tax_royalty),
            "discount_factor": str(self.discount_factor),
            "present_value": str(self.present_value),
        }


@dataclass(frozen=True)
class ValuationResult:
    discount_rate: Decimal
    years: list[YearStep] = field(default_factory=list)
    present_value_sum: Decimal = Decimal("0")
    trl_factor: Decimal = Decimal("1")
    value: Decimal = Decimal("0")

    def as_dict(self) -> dict[str, object]:
        return {
            "discount_rate": str(self.discount_rate),
            "years": [step.as_dict() for step in self.years],
            "present_value_sum": str(self.present_value_sum),
            "trl_factor": str(self.trl_factor),
            "value": str(self.value),
        }


def _validate(inputs: ValuationInputs) -> None:
    errors: dict[str, str] = {}
    if inputs.first_year_revenue <= 0:
        errors["first_year_revenue"] = "must be greater than zero"
    if inputs.revenue_growth_rate <= -1:
        errors["revenue_growth_rate"] = "must be greater than -100%"
    if not 1 <= inputs.useful_life_years <= MAXIMUM_USEFUL_LIFE_YEARS:
        errors["useful_life_years"] = f"must be between 1 and {MAXIMUM_USEFUL_LIFE_YEARS} years"
    if not 0 < inputs.royalty_rate < 1:
        errors["royalty_rate"] = "must be between 0 and 100%"
    if not 0 <= inputs.tax_rate < 1:
        errors["tax_rate"] = "must be at least 0 and below 100%"
    for name in ("risk_free_rate", "technology_premium", "market_premium", "management_premium"):
        if getattr(inputs, name) < 0:
            errors[name] = "must not be negative"
    if discount_rate_of(inputs) <= 0:
        errors["discount_rate"] = "must be greater than zero"
    if inputs.trl not in TRL_RISK_FACTORS:
        errors["trl"] = "must be between 1 and 9"
    if errors:
        raise ValuationInputError(errors)


def discount_rate_of(inputs: ValuationInputs) -> Decimal:
    return (
        inputs.risk_free_rate
        + inputs.technology_premium
        + inputs.market_premium
        + inputs.management_premium
    )


def relief_from_royalty(inputs: ValuationInputs) -> ValuationResult:
    """Value a technology; raises ValuationInputError for impossible inputs."""
    _validate(inputs)
    with localcontext() as context:
        context.prec = 34
        rate = discount_rate_of(inputs)
        years: list[YearStep] = []
        total = Decimal("0")
        revenue = inputs.first_year_revenue
        for year in range(1, inputs.useful_life_years + 1):
            if year > 1:
                revenue = revenue * (1 + inputs.revenue_growth_rate)
            royalty = revenue * inputs.royalty_rate
            after_tax = royalty * (1 - inputs.tax_rate)
            factor = 1 / (1 + rate) ** year
            present_value = after_tax * factor
            total += present_value
            years.append(
                YearStep(
                    year=year,
                    revenue=revenue.quantize(CENT, ROUND_HALF_UP),
                    royalty=royalty.quantize(CENT, ROUND_HALF_UP),
                    after_tax_royalty=after_tax.quantize(CENT, ROUND_HALF_UP),
                    discount_factor=factor.quantize(RATE_PLACES, ROUND_HALF_UP),
                    present_value=present_value.quantize(CENT, ROUND_HALF_UP),
                )
            )
        trl_factor = TRL_RISK_FACTORS[inputs.trl]
        value = (total * trl_factor).quantize(CENT, ROUND_HALF_UP)
        return ValuationResult(
            discount_rate=rate,
            years=years,
            present_value_sum=total.quantize(CENT, ROUND_HALF_UP),
            trl_factor=trl_factor,
            value=value,
        )


def collateral_cap(*, value: Decimal, loan_to_value: Decimal) -> Decimal:
    """The most a lender advances against a valuation: value × LTV, rounded down to the cent."""
    return (value * loan_to_value).quantize(CENT, rounding="ROUND_DOWN")


def interest_subsidy_amount(
    *, principal: Decimal, annual_rate: Decimal, subsidy_ratio: Decimal, days: int
) -> Decimal:
    """principal × annual rate × subsidy ratio × period, the period in days on a 360-day year
    (the day-count convention of Chinese bank loans), rounded half up to the cent."""
    if principal <= 0 or annual_rate <= 0 or not 0 < subsidy_ratio <= 1 or days <= 0:
        raise ValueError("principal, rate and period must be positive; ratio in (0, 1]")
    with localcontext() as context:
        context.prec = 34
        amount = principal * annual_rate * subsidy_ratio * Decimal(days) / Decimal(360)
        return amount.quantize(CENT, ROUND_HALF_UP)
