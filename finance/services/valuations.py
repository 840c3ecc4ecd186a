"""Relief-from-royalty valuations of technologies, with comparable deals as a cross-check."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organization, User
from finance import selectors
from finance.models import Valuation
from finance.services.common import CENT, applicant_of
from finance.valuation import ValuationInputError, ValuationInputs, relief_from_royalty

# --- Valuations -------------------------------------------------------------------------------

VALUATION_INPUT_FIELDS = Valuation.INPUT_FIELDS
VALUATION_MESSAGES = {
    "first_year_revenue": gettext_lazy("The first-year revenue must be greater than zero."),
    "revenue_growth_rate": gettext_lazy("The growth rate must be above -100%."),
    "useful_life_years": gettext_lazy("The useful life must be between 1 and 30 years."),
    "royalty_rate": gettext_lazy("The royalty rate must be between 0 and 100%."),
    "tax_rate": gettext_lazy("The tax rate must be at least 0 and below 100%."),
    "risk_free_rate": gettext_lazy("Rates and premiums cannot be negative."),
    "technology_premium": gettext_lazy("Rates and premiums cannot be negative."),
    "market_premium": gettext_lazy("Rates and premiums cannot be negative."),
    "management_premium": gettext_lazy("Rates and premiums cannot be negative."),
    "discount_rate": gettext_lazy(
        "The discount rate (risk-free rate plus the three premiums) must be greater than zero."
    ),
    "trl": gettext_lazy("The TRL must be between 1 and 9."),
}


def comparable_deals(*, technology) -> dict[str, object]:
    """Completed deals on the platform for technologies in the same category, as a cross-check."""
    deal_model = selectors.deal_model()
    if deal_model is None:
        return {"available": False, "reason": "deals_not_available", "deals": []}
    if technology is None:
        return {"available": True, "reason": "no_technology", "deals": []}
    deals = (
        deal_model.objects.filter(
            stage="completed",
            technology__category_id=technology.category_id,
            currency=technology.currency,
        )
        .exclude(price__isnull=True)
        .order_by("-pk")[:10]
    )
    rows = [{"id": deal.pk, "price": str(deal.price), "currency": deal.currency} for deal in deals]
    prices = sorted(Decimal(row["price"]) for row in rows)
    median = None
    if prices:
        middle = len(prices) // 2
        median = prices[middle] if len(prices) % 2 else (prices[middle - 1] + prices[middle]) / 2
    return {
        "available": True,
        "reason": "" if rows else "no_comparable_deals",
        "deals": rows,
        "median_price": str(median.quantize(CENT)) if median is not None else None,
    }


@transaction.atomic
def valuation_create(
    *,
    user: User,
    title: str = "",
    currency: str = "CNY",
    organization: Organization | None = None,
    technology=None,
    **inputs,
) -> Valuation:
    organization = applicant_of(user=user, applicant=organization)
    if technology is not None:
        if technology.organization_id != organization.pk:
            raise ValidationError(
                {"technology": _("Only the holder of a technology can value it as collateral.")}
            )
        title = title or technology.title
    if not (title or "").strip():
        raise ValidationError({"title": _("Name the technology being valued.")})
    try:
        parsed = ValuationInputs(
            **{
                name: (
                    int(inputs[name])
                    if name in ("useful_life_years", "trl")
                    else Decimal(str(inputs[name]))
                )
                for name in VALUATION_INPUT_FIELDS
            }
        )
    except KeyError as missing:
        raise ValidationError({str(missing.args[0]): _("This field is required.")}) from None
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(_("Every input must be a number.")) from None
    try:
        result = relief_from_royalty(parsed)
    except ValuationInputError as error:
        raise ValidationError(
            {
                name: str(VALUATION_MESSAGES.get(name, message))
                for name, message in error.errors.items()
            }
        ) from None
    valuation = Valuation(
        organization=organization,
        created_by=user,
        technology=technology,
        title=title.strip()[:200],
        currency=currency,
        discount_rate=result.discount_rate,
        trl_factor=result.trl_factor,
        steps=result.as_dict(),
        comparables=comparable_deals(technology=technology),
        value=result.value,
        **{name: getattr(parsed, name) for name in VALUATION_INPUT_FIELDS},
    )
    valuation.full_clean()
    valuation.save()
    return valuation
