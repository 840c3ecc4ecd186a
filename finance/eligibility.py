"""Eligibility of an applicant for a financing product, rule by rule, in plain words.

`check_eligibility` takes plain facts (no database access) and returns one failure per rule the
applicant does not meet, so the page and the API can show every reason at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.regions import region_label
from finance.choices import CREDIT_GRADE_RANK


@dataclass(frozen=True)
class ProductRules:
    category_codes: frozenset[str] = frozenset()
    trl_min: int | None = None
    trl_max: int | None = None
    regions: frozenset[str] = frozenset()
    organization_kinds: frozenset[str] = frozenset()
    organization_kind_labels: dict[str, str] = field(default_factory=dict)
    minimum_credit_grade: str = ""
    requires_verified_organization: bool = False


@dataclass(frozen=True)
class ApplicantFacts:
    organization_kind: str
    organization_kind_label: str
    region: str
    verified: bool
    credit_grade: str = ""
    technology_linked: bool = False
    # The linked technology's category code and its ancestors' codes ("2", "2.4").
    technology_category_codes: frozenset[str] = frozenset()
    technology_trl: int | None = None


@dataclass(frozen=True)
class Failure:
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


def check_eligibility(rules: ProductRules, facts: ApplicantFacts) -> list[Failure]:
    failures: list[Failure] = []
    if rules.requires_verified_organization and not facts.verified:
        failures.append(
            Failure(
                "verified_organization",
                _("Only verified organisations may apply; yours has not been verified yet."),
            )
        )
    if rules.organization_kinds and facts.organization_kind not in rules.organization_kinds:
        allowed = "、".join(
            sorted(
                rules.organization_kind_labels.get(kind, kind) for kind in rules.organization_kinds
            )
        )
        failures.append(
            Failure(
                "organization_kinds",
                _("This product is for %(allowed)s; your organisation is a %(kind)s.")
                % {"allowed": allowed, "kind": facts.organization_kind_label},
            )
        )
    if rules.regions and facts.region not in rules.regions:
        allowed = "、".join(sorted(region_label(code) for code in rules.regions))
        failures.append(
            Failure(
                "regions",
                _("This product is only for organisations in %(allowed)s; yours is in %(region)s.")
                % {"allowed": allowed, "region": region_label(facts.region)},
            )
        )
    if rules.minimum_credit_grade:
        if not facts.credit_grade:
            failures.append(
                Failure(
                    "minimum_credit",
                    _(
                        "A credit grade of at least %(grade)s is required; your organisation has "
                        "no credit assessment on file."
                    )
                    % {"grade": rules.minimum_credit_grade},
                )
            )
        elif CREDIT_GRADE_RANK[facts.credit_grade] < CREDIT_GRADE_RANK[rules.minimum_credit_grade]:
            failures.append(
                Failure(
                    "minimum_credit",
                    _("A credit grade of at least %(grade)s is required; yours is %(actual)s.")
                    % {"grade": rules.minimum_credit_grade, "actual": facts.credit_grade},
                )
            )
    needs_technology = bool(rules.category_codes) or rules.trl_min or rules.trl_max
    if needs_technology and not facts.technology_linked:
        failures.append(
            Failure(
                "technology",
                _(
                    "This product finances specific technologies: link the technology the "
                    "financing is for."
                ),
            )
        )
        return failures
    if rules.category_codes and not (rules.category_codes & facts.technology_category_codes):
        failures.append(
            Failure(
                "categories",
                _("The technology is not in one of the product's categories (%(codes)s).")
                % {"codes": ", ".join(sorted(rules.category_codes))},
            )
        )
    if rules.trl_min or rules.trl_max:
        low, high = rules.trl_min or 1, rules.trl_max or 9
        if facts.technology_trl is None or not low <= facts.technology_trl <= high:
            failures.append(
                Failure(
                    "trl",
                    _(
                        "The technology must be at readiness level TRL %(low)s–%(high)s; "
                        "it is at TRL %(trl)s."
                    )
                    % {"low": low, "high": high, "trl": facts.technology_trl or "?"},
                )
            )
    return failures
