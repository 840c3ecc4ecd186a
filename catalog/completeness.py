"""How complete a listing is from a buyer's point of view: a score 0-100 and a checklist.

Plain Python: the criteria read a `ListingFacts` (built from a technology and its rows by
`listing_facts`, which only reads attributes and related managers, so prefetched rows and the
historical models of a migration work too). Each criterion has a code (an API contract), a
translated label, a weight (the weights add up to 100), a check and a hint saying how to meet it;
`section` names where the holder fixes it (catalog.forms.TechnologyForm.SECTION_ANCHORS, or the
attachments of the manage page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.validators import validate_patent_number

# Kinds of right whose number is checked (catalog.choices.PATENT_KINDS, by value: no import of
# the model layer here).
PATENT_KIND_VALUES = frozenset({"invention_patent", "utility_model", "design"})


@dataclass(frozen=True)
class PatentFact:
    number: str
    kind: str
    jurisdiction: str

    @property
    def number_is_valid(self) -> bool:
        if self.kind not in PATENT_KIND_VALUES:
            return bool(self.number.strip())
        try:
            validate_patent_number(self.number, kind=self.kind, jurisdiction=self.jurisdiction)
        except ValidationError:
            return False
        return True


@dataclass(frozen=True)
class OfferFact:
    mode: str
    asking_price: Decimal | None
    negotiable: bool


@dataclass(frozen=True)
class ListingFacts:
    """What the criteria read of one listing."""

    advantages: str = ""
    trl: int | None = None
    application_scope: str = ""
    document_count: int = 0
    patents: tuple[PatentFact, ...] = ()
    performance_figure_count: int = 0
    offers: tuple[OfferFact, ...] = ()
    target_regions: tuple[str, ...] = ()
    public_picture_count: int = 0
    co2e_avoided_tonnes_per_year: Decimal | None = None
    co2e_method: str = ""
    resource_saving_count: int = 0


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    weight: int
    check: Callable[[ListingFacts], bool]
    hint: str
    section: str


def _has_value_statement(facts: ListingFacts) -> bool:
    return len(facts.advantages.strip()) >= 10


def _has_trl_evidence(facts: ListingFacts) -> bool:
    return facts.trl is not None and (
        bool(facts.application_scope.strip()) or facts.document_count > 0
    )


def _has_checked_ip(facts: ListingFacts) -> bool:
    return bool(facts.patents) and all(patent.number_is_valid for patent in facts.patents)


def _has_performance_figure(facts: ListingFacts) -> bool:
    return facts.performance_figure_count > 0


def _has_priced_offer(facts: ListingFacts) -> bool:
    return bool(facts.offers) and all(
        offer.asking_price is not None or offer.negotiable for offer in facts.offers
    )


def _has_target_region(facts: ListingFacts) -> bool:
    return bool(facts.target_regions)


def _has_picture(facts: ListingFacts) -> bool:
    return facts.public_picture_count > 0


def _has_green_impact(facts: ListingFacts) -> bool:
    estimated = facts.co2e_avoided_tonnes_per_year is not None and bool(facts.co2e_method.strip())
    return estimated or facts.resource_saving_count > 0


ATTACHMENTS_SECTION = "attachments"

CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "value_statement",
        _("One-line value statement"),
        15,
        _has_value_statement,
        _("Say in a sentence what the technology does better than the usual solution."),
        "section-case",
    ),
    Criterion(
        "trl_evidence",
        _("Readiness level with its evidence"),
        15,
        _has_trl_evidence,
        _("Back the readiness level: describe where it has run, or attach a test report."),
        "section-case",
    ),
    Criterion(
        "intellectual_property",
        _("Intellectual property with checked numbers"),
        15,
        _has_checked_ip,
        _("List the patents or other rights; patent numbers must pass their check digit."),
        "section-patents",
    ),
    Criterion(
        "performance",
        _("At least one performance figure"),
        15,
        _has_performance_figure,
        _("Give a key figure of performance: metric, value and unit."),
        "section-figures",
    ),
    Criterion(
        "offer",
        _("Transaction modes with a price or price basis"),
        15,
        _has_priced_offer,
        _("Choose how you offer the technology and give a price, or mark it negotiable."),
        "section-offer",
    ),
    Criterion(
        "region",
        _("Regions where it can be applied"),
        5,
        _has_target_region,
        _("Name the regions where you would deploy or license the technology."),
        "section-impact",
    ),
    Criterion(
        "picture",
        _("A picture or diagram"),
        10,
        _has_picture,
        _("Attach a public picture or diagram (PNG, JPEG or WebP)."),
        ATTACHMENTS_SECTION,
    ),
    Criterion(
        "green_impact",
        _("Green impact"),
        10,
        _has_green_impact,
        _("Estimate the emissions avoided (with the method) or list the resources saved."),
        "section-impact",
    ),
)
CRITERIA_BY_CODE = {criterion.code: criterion for criterion in CRITERIA}


@dataclass(frozen=True)
class CriterionResult:
    criterion: Criterion
    met: bool

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def label(self) -> str:
        return str(self.criterion.label)

    @property
    def hint(self) -> str:
        return str(self.criterion.hint)

    @property
    def section(self) -> str:
        return self.criterion.section

    @property
    def on_form(self) -> bool:
        return self.criterion.section != ATTACHMENTS_SECTION


@dataclass(frozen=True)
class Completeness:
    score: int
    results: tuple[CriterionResult, ...]

    @property
    def met(self) -> list[CriterionResult]:
        return [result for result in self.results if result.met]

    @property
    def missing(self) -> list[CriterionResult]:
        return [result for result in self.results if not result.met]


def completeness_of(facts: ListingFacts) -> Completeness:
    results = tuple(CriterionResult(criterion, criterion.check(facts)) for criterion in CRITERIA)
    score = sum(result.criterion.weight for result in results if result.met)
    return Completeness(score=score, results=results)


def listing_facts(technology, *, rows: Mapping[str, Iterable] | None = None) -> ListingFacts:
    """The facts of a technology. `rows` overrides relations not saved yet (the unsaved rows a
    service is about to write); the others are read through the related managers (`.all()`, so
    a prefetch is used when there is one). An unsaved technology has no rows."""
    rows = rows or {}

    def related(name: str) -> list:
        if name in rows:
            return list(rows[name])
        if technology.pk is None:
            return []
        return list(getattr(technology, name).all())

    attachments = related("attachments")
    return ListingFacts(
        advantages=technology.advantages or "",
        trl=technology.trl,
        application_scope=technology.application_scope or "",
        document_count=sum(1 for attachment in attachments if not attachment.thumbnail),
        patents=tuple(
            PatentFact(patent.number or "", patent.kind, patent.jurisdiction or "")
            for patent in related("patents")
        ),
        performance_figure_count=len(related("performance_figures")),
        offers=tuple(
            OfferFact(offer.mode, offer.asking_price, bool(offer.negotiable))
            for offer in related("offers")
        ),
        target_regions=tuple(technology.target_regions or ()),
        public_picture_count=sum(
            1 for attachment in attachments if attachment.thumbnail and not attachment.confidential
        ),
        co2e_avoided_tonnes_per_year=technology.co2e_avoided_tonnes_per_year,
        co2e_method=technology.co2e_method or "",
        resource_saving_count=len(related("resource_savings")),
    )


def technology_completeness(technology, *, rows: Mapping[str, Iterable] | None = None):
    return completeness_of(listing_facts(technology, rows=rows))


class CompletenessBelowMinimum(ValidationError):
    """A listing is refused for review, for publication, or a published listing's change is
    refused: its score is below the minimum the administrator set. The message names what is
    missing; `completeness` and `minimum` give the detail (API)."""

    SUBMIT, APPROVE, EDIT = "submit", "approve", "edit"

    def __init__(self, completeness: Completeness, minimum: int, *, purpose: str = SUBMIT):
        self.completeness = completeness
        self.minimum = minimum
        self.purpose = purpose
        missing = ", ".join(result.label for result in completeness.missing)
        values = {"score": completeness.score, "minimum": minimum, "missing": missing}
        if purpose == self.APPROVE:
            message = _(
                "This listing is %(score)s%% complete; %(minimum)s%% is needed to publish it. "
                "Return it to the holder for the missing items: %(missing)s."
            )
        elif purpose == self.EDIT:
            message = _(
                "With this change the published listing would be %(score)s%% complete; "
                "%(minimum)s%% is the minimum. Nothing was changed. Missing: %(missing)s."
            )
        else:
            message = _(
                "This listing is %(score)s%% complete; %(minimum)s%% is needed to send it for "
                "review. Missing: %(missing)s."
            )
        super().__init__({"completeness": [message % values]})
