"""Green-impact accounting of one completed deal (plain Python, no database access).

Two methods, chosen per deal:
- baseline: the deal states the baseline emissions and the emissions with the technology, both
  t CO2e of one deployment over the accounting period: (baseline − technology) × deployments.
- stated rate: the technology states t CO2e avoided per deployment-year:
  rate × deployments × years, with the deal's own deployments and years when it has DealImpact
  figures, else the platform's documented defaults (ImpactDefaults).
A deal with neither is counted as not quantified (0 t) so that coverage stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from insight.choices import ImpactMethod

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class ImpactInputs:
    stated_rate: Decimal | None  # technology's t CO2e avoided per deployment-year
    deployments: int | None = None  # from the deal's DealImpact, if any
    years: Decimal | None = None
    baseline_tonnes: Decimal | None = None
    technology_tonnes: Decimal | None = None


@dataclass(frozen=True)
class ImpactEstimate:
    method: str
    tonnes: Decimal


def avoided_emissions(
    inputs: ImpactInputs, *, default_deployments: int, default_years: Decimal
) -> ImpactEstimate:
    """The avoided t CO2e of one deal and the method used (rounded to 0.1 t)."""
    if inputs.baseline_tonnes is not None and inputs.technology_tonnes is not None:
        deployments = inputs.deployments or default_deployments
        tonnes = (inputs.baseline_tonnes - inputs.technology_tonnes) * deployments
        return ImpactEstimate(ImpactMethod.BASELINE, _round(max(tonnes, Decimal(0))))
    if inputs.stated_rate is not None:
        if inputs.deployments is not None and inputs.years is not None:
            method = ImpactMethod.STATED_RATE
            deployments, years = inputs.deployments, inputs.years
        else:
            method = ImpactMethod.STATED_RATE_DEFAULTS
            deployments, years = default_deployments, default_years
        return ImpactEstimate(method, _round(inputs.stated_rate * deployments * years))
    return ImpactEstimate(ImpactMethod.NOT_QUANTIFIED, Decimal("0.0"))


def _round(value: Decimal) -> Decimal:
    return Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)
