"""Codes of the technology catalogue. The codes are a public contract (API, imports, exports)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from currencies.choices import Currency as _Currency


class TechnologyStatus(models.TextChoices):
    """Lifecycle of a listing.

    draft -> submitted -> published (the reviewer's decision "approve") | returned | rejected;
    returned -> submitted again; published -> withdrawn | archived; withdrawn -> submitted.
    A reviewer merges a duplicate into another listing of its holder (`merged`, for good: its
    page sends readers to the listing it was merged into). Only `published` listings are public.
    """

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Returned for changes")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ARCHIVED = "archived", _("Archived")
    MERGED = "merged", _("Merged into another listing")


# The Bootstrap badge of each status (the status badge component); others are grey.
TECHNOLOGY_STATUS_BADGES = {
    TechnologyStatus.PUBLISHED: "text-bg-success",
    TechnologyStatus.SUBMITTED: "text-bg-info",
    TechnologyStatus.RETURNED: "text-bg-warning",
    TechnologyStatus.REJECTED: "text-bg-danger",
}


class RevisionStatus(models.TextChoices):
    """A proposed change to a published listing, reviewed before it replaces the public version."""

    DRAFT = "draft", _("Draft change")
    SUBMITTED = "submitted", _("Change awaiting review")
    RETURNED = "returned", _("Change returned")
    APPLIED = "applied", _("Change approved and applied")
    REJECTED = "rejected", _("Change rejected")


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Return for changes")
    REJECT = "reject", _("Reject")


class TechnologyAction(models.TextChoices):
    """What happens to a listing: the workflow's actions (an API contract) and the other entries
    of its history. The labels name the step in the history a reader sees."""

    CREATE = "create", _("Listing created")
    EDIT = "edit", _("Listing edited")
    SUBMIT = "submit", _("Sent for review")
    APPROVE = "approve", _("Approved and published")
    RETURN = "return", _("Returned for changes")
    REJECT = "reject", _("Rejected")
    WITHDRAW = "withdraw", _("Withdrawn")
    ARCHIVE = "archive", _("Archived")
    PROPOSE_CHANGE = "propose_change", _("Change proposed")
    CHANGE_SUBMIT = "change_submit", _("Change resubmitted")
    CHANGE_APPROVE = "change_approve", _("Change approved and applied")
    CHANGE_RETURN = "change_return", _("Change returned")
    CHANGE_REJECT = "change_reject", _("Change rejected")
    ATTACH = "attach", _("Document added")
    ACCESS_APPROVED = "access_approved", _("Access to the confidential detail granted")
    ACCESS_DECLINED = "access_declined", _("Access to the confidential detail declined")
    MERGE = "merge", _("Merged into another listing")
    ABSORB = "absorb", _("A duplicate listing was merged into this one")
    CONFIRM = "confirm", _("Confirmed as current")
    TRANSLATE = "translate", _("Translation saved")
    TRANSLATION_DELETE = "translation_delete", _("Translation deleted")
    TRANSLATION_CONFIRM = "translation_confirm", _("Draft translation confirmed by the holder")


class TransactionMode(models.TextChoices):
    TRANSFER = "transfer", _("Transfer of ownership")
    LICENSE = "license", _("Licence")
    JOINT_DEVELOPMENT = "joint_development", _("Joint development")
    CONSULTING = "consulting", _("Technical consulting")
    SERVICE = "service", _("Technical service")
    EQUITY = "equity", pgettext_lazy("transaction mode", "Equity investment")


# One list of currencies for the whole platform (currencies.choices): prices, budgets, offers,
# deals, products and vouchers alike.
Currency = _Currency


class IntellectualPropertyKind(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN = "design", _("Design patent")
    SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")
    TRADE_SECRET = "trade_secret", _("Trade secret")
    OTHER = "other", _("Other")


PATENT_KINDS = (
    IntellectualPropertyKind.INVENTION_PATENT,
    IntellectualPropertyKind.UTILITY_MODEL,
    IntellectualPropertyKind.DESIGN,
)


class IntellectualPropertyStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    GRANTED = "granted", pgettext_lazy("patent status", "Granted")


class ResourceKind(models.TextChoices):
    ENERGY = "energy", _("Energy")
    WATER = "water", _("Water")
    MATERIALS = "materials", _("Materials")
    EMISSIONS = "emissions", _("Emissions")
    LAND = "land", _("Land")


class AccessRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class TrlBand(models.TextChoices):
    """TRL bands used as a search facet."""

    RESEARCH = "1-3", _("TRL 1–3 (research)")
    DEVELOPMENT = "4-6", _("TRL 4–6 (development and pilot)")
    DEPLOYMENT = "7-9", _("TRL 7–9 (demonstration and deployment)")


TRL_BAND_RANGES = {
    TrlBand.RESEARCH: (1, 3),
    TrlBand.DEVELOPMENT: (4, 6),
    TrlBand.DEPLOYMENT: (7, 9),
}

# The definitions of the technology readiness levels. The English msgids follow ISO 16290:2013;
# their Chinese translations in catalog's catalogue follow GB/T 22900-2022 (科学技术研究项目
# 评价通则), which words the nine levels its own way: a context keeps them from taking another
# catalogue's translation of the same English.
# TO CHECK: the Chinese wording is written after the standard's level scale for development
# projects as far as it could be reconstructed (观察到基本原理… / 形成技术概念或开发方案 /
# 关键功能分析和实验结论成立 / … / 实际系统通过实际应用的成功考验); it is a close paraphrase,
# not a copy checked against the text of GB/T 22900-2022: compare it with the standard's table
# before relying on it verbatim.
TRL_DEFINITIONS = {
    1: pgettext_lazy("TRL definition", "Basic principles observed and reported"),
    2: pgettext_lazy("TRL definition", "Technology concept and/or application formulated"),
    3: pgettext_lazy(
        "TRL definition",
        "Analytical and experimental critical function and/or characteristic proof of concept",
    ),
    4: pgettext_lazy(
        "TRL definition",
        "Component and/or breadboard functional verification in a laboratory environment",
    ),
    5: pgettext_lazy(
        "TRL definition",
        "Component and/or breadboard critical function verification in a relevant environment",
    ),
    6: pgettext_lazy(
        "TRL definition",
        "Model demonstrating the critical functions of the element in a relevant environment",
    ),
    7: pgettext_lazy(
        "TRL definition",
        "Model demonstrating the element performance for the operational environment",
    ),
    8: pgettext_lazy(
        "TRL definition", "Actual system completed and accepted for operation (qualified)"
    ),
    9: pgettext_lazy(
        "TRL definition", "Actual system proven through successful operation in its mission"
    ),
}


class TrlAssessmentStatus(models.TextChoices):
    """claimed -> confirmed | rejected (a reviewer or a verified expert outside the holder)."""

    CLAIMED = "claimed", _("Claimed, not yet confirmed")
    CONFIRMED = "confirmed", pgettext_lazy("TRL assessment", "Confirmed")
    REJECTED = "rejected", pgettext_lazy("TRL assessment", "Not confirmed")


class TrlAssessmentAction(models.TextChoices):
    CLAIM = "claim", _("Level claimed")
    CONFIRM = "confirm", _("Level confirmed")
    REJECT = "reject", _("Level not confirmed")


class TrlConfirmerRole(models.TextChoices):
    """In which capacity someone confirmed or refused a claimed level."""

    REVIEWER = "reviewer", _("Platform reviewer")
    EXPERT = "expert", _("Verified expert")


class TrlReadiness(models.TextChoices):
    """What the listing says about its readiness level (catalog.selectors.technology_readiness)."""

    CONFIRMED = "confirmed", pgettext_lazy("TRL assessment", "Confirmed")
    CLAIMED = "claimed", _("Claimed, not yet confirmed")
    NEEDS_REASSESSMENT = "needs_reassessment", _("Needs reassessment for the current context")
    DECLARED = "declared", _("Declared by the holder, not assessed")


class SearchSort(models.TextChoices):
    RELEVANCE = "relevance", _("Relevance")
    NEWEST = "newest", _("Newest")
    PRICE_ASCENDING = "price", _("Price, lowest first")
    PRICE_DESCENDING = "-price", _("Price, highest first")
    TRL_DESCENDING = "-trl", _("Readiness (TRL), highest first")


SDG_GOALS = {
    1: _("No poverty"),
    2: _("Zero hunger"),
    3: _("Good health and well-being"),
    4: _("Quality education"),
    5: _("Gender equality"),
    6: _("Clean water and sanitation"),
    7: _("Affordable and clean energy"),
    8: _("Decent work and economic growth"),
    9: _("Industry, innovation and infrastructure"),
    10: _("Reduced inequalities"),
    11: _("Sustainable cities and communities"),
    12: _("Responsible consumption and production"),
    13: _("Climate action"),
    14: _("Life below water"),
    15: _("Life on land"),
    16: _("Peace, justice and strong institutions"),
    17: _("Partnerships for the goals"),
}


class DuplicateFlagStatus(models.TextChoices):
    """A pair of listings that read alike: open until a reviewer dismisses it (not duplicates)
    or merges one listing into the other."""

    OPEN = "open", _("To check")
    DISMISSED = "dismissed", _("Not duplicates")
    MERGED = "merged", pgettext_lazy("duplicate pair", "Merged")


class DuplicateSource(models.TextChoices):
    """When a pair was found."""

    SUBMIT = "submit", _("On submission")
    IMPORT = "import", _("On import")


class ServiceInventionRightKind(models.TextChoices):
    """What a pilot of 职务科技成果赋权 gave the researchers of a service invention."""

    OWNERSHIP = "ownership", _("Ownership given to the researchers")
    LONG_TERM_USE = "long_term_use", _("Long-term right of use given to the researchers")


# The pilot plan (赋予科研人员职务科技成果所有权或长期使用权试点实施方案, 2020) gives a long-term
# right of use for no less than ten years.
LONG_TERM_USE_MINIMUM_YEARS = 10
