"""Codes of the insight app. Method and indicator codes are a public contract (API, exports)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped: another refresh was running")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    COMMAND = "command", _("Command")
    DEMO = "demo", _("Demo data")
    MANUAL = "manual", _("Manual")


class ListingKind(models.TextChoices):
    TECHNOLOGY = "technology", _("Technologies")
    NEED = "need", _("Needs")


class DealScope(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    INTERNATIONAL = "international", _("International")


class ImpactMethod(models.TextChoices):
    """How the avoided emissions of one completed deal were estimated."""

    BASELINE = "baseline", _("(baseline emissions − technology emissions) × deployments")
    STATED_RATE = (
        "stated_rate",
        _("stated t CO2e per deployment-year × deployments × years (deal figures)"),
    )
    STATED_RATE_DEFAULTS = (
        "stated_rate_defaults",
        _("stated t CO2e per deployment-year × deployments × years (platform defaults)"),
    )
    NOT_QUANTIFIED = "not_quantified", _("not quantified: no emission figures")


class ImpactDimension(models.TextChoices):
    TOTAL = "total", _("Total")
    CATEGORY = "category", _("Category")
    REGION = "region", _("Region")


class ReviewQueue(models.TextChoices):
    TECHNOLOGY = "technology", _("Technology listings")
    TECHNOLOGY_CHANGE = "technology_change", _("Changes to published listings")
    NEED = "need", _("Technology needs")
    DEAL = "deal", _("Deals")
    ORGANIZATION = "organization", _("Organisations")
    FINANCING = "financing", _("Financing applications")


class RegionalIndicator(models.TextChoices):
    """The indicators a demonstration zone is assessed on, one row per region and month."""

    TECHNOLOGIES_LISTED = "technologies_listed", _("Technologies listed")
    NEEDS_PUBLISHED = "needs_published", _("Needs published")
    DEALS_SIGNED = "deals_signed", _("Deals signed (buyer in the region)")
    DEALS_SOLD = "deals_sold", _("Deals signed (seller in the region)")
    VOUCHERS_REDEEMED = "vouchers_redeemed", _("Vouchers redeemed")
    FINANCING_APPROVED = "financing_approved", _("Financing approved")
    AVOIDED_EMISSIONS = "avoided_emissions", _("Avoided emissions of completed deals")


class FunnelPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    ALL = "all", _("All time")


class FunnelStep(models.TextChoices):
    """The steps of the matching funnel, in order (a public contract: API field names)."""

    MATCHES = "matches", _("Matches made")
    INTRODUCTIONS = "introductions", _("Introductions opened")
    DEALS = "deals", _("Deals opened")
    SIGNED = "signed", _("Contracts signed")
    COMPLETED = "completed", _("Completed")


class TurnedDownKind(models.TextChoices):
    PROPOSAL = "proposal", _("Declined proposals")
    FINANCING_APPLICATION = "financing_application", _("Rejected financing applications")
    CHALLENGE_ENTRY = "challenge_entry", _("Challenge entries not chosen")
