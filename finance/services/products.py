"""Financing products and their eligibility rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import OrganizationType
from accounts.models import Organization, User
from core.workflow import StateMachine, Transition, TransitionNotAllowed, compare_and_set_status
from finance import selectors
from finance.choices import ProductAction, ProductStatus
from finance.eligibility import ApplicantFacts, Failure, ProductRules, check_eligibility
from finance.models import FinancingProduct, ProductEvent
from finance.services.common import FINANCIER, event_record

PRODUCT_WORKFLOW = StateMachine(
    {
        (ProductStatus.DRAFT, ProductAction.PUBLISH): Transition(
            ProductStatus.PUBLISHED, FINANCIER
        ),
        (ProductStatus.PUBLISHED, ProductAction.WITHDRAW): Transition(
            ProductStatus.WITHDRAWN, FINANCIER
        ),
        (ProductStatus.WITHDRAWN, ProductAction.PUBLISH): Transition(
            ProductStatus.PUBLISHED, FINANCIER
        ),
    }
)
PRODUCT_ACTION_LABELS = {
    ProductAction.PUBLISH: gettext_lazy("Publish"),
    ProductAction.WITHDRAW: gettext_lazy("Withdraw"),
}


def _require_financier_of(*, user: User, institution: Organization) -> None:
    if institution.pk not in selectors.financier_organization_ids(user):
        raise ValidationError(
            {
                "institution": _(
                    "Only financiers who are members of the institution may manage its products, "
                    "and only once the platform has verified it as a financial institution."
                )
            }
        )


def _product_roles(*, product: FinancingProduct, user: User) -> set[str]:
    if product.institution_id in selectors.financier_organization_ids(user):
        return {selectors.FINANCIER_ROLE}
    return set()


def product_allowed_actions(*, product: FinancingProduct, user: User) -> list[str]:
    return PRODUCT_WORKFLOW.allowed_actions(
        product.status, _product_roles(product=product, user=user)
    )


@transaction.atomic
def product_create(
    *, user: User, institution: Organization, eligible_categories=None, **fields
) -> FinancingProduct:
    _require_financier_of(user=user, institution=institution)
    if institution.kind != OrganizationType.FINANCIAL:
        raise ValidationError(
            {"institution": _("Only financial institutions publish financing products.")}
        )
    product = FinancingProduct(institution=institution, created_by=user, **fields)
    product.full_clean()
    product.save()
    if eligible_categories is not None:
        product.eligible_categories.set(eligible_categories)
    event_record(
        ProductEvent,
        product=product,
        actor=user,
        action=ProductAction.CREATE,
        source="",
        target=product.status,
    )
    return product


@transaction.atomic
def product_update(
    *, product: FinancingProduct, user: User, eligible_categories=None, **fields
) -> FinancingProduct:
    _require_financier_of(user=user, institution=product.institution)
    for name, value in fields.items():
        if name not in FinancingProduct.EDITABLE_FIELDS:
            continue
        setattr(product, name, value)
    product.full_clean()
    product.save()
    if eligible_categories is not None:
        product.eligible_categories.set(eligible_categories)
    return product


@transaction.atomic
def product_transition(*, product: FinancingProduct, user: User, action: str) -> FinancingProduct:
    current = product.status
    if action == ProductAction.PUBLISH and not (
        product.institution.verified and product.institution.kind == OrganizationType.FINANCIAL
    ):
        raise ValidationError(
            {
                "institution": _(
                    "Products of an institution the platform has not verified cannot be published."
                )
            }
        )
    transition = PRODUCT_WORKFLOW.resolve(
        current, action, _product_roles(product=product, user=user)
    )
    if not compare_and_set_status(
        FinancingProduct,
        pk=product.pk,
        expected=current,
        target=transition.target,
        updated_at=timezone.now(),
    ):
        raise TransitionNotAllowed(_("Someone else changed this product first; reload it."))
    event_record(
        ProductEvent,
        product=product,
        actor=user,
        action=action,
        source=current,
        target=transition.target,
    )
    product.refresh_from_db()
    return product


# --- Eligibility ------------------------------------------------------------------------------


def _category_codes_with_ancestors(code: str) -> frozenset[str]:
    parts = code.split(".")
    return frozenset(".".join(parts[: index + 1]) for index in range(len(parts)))


def product_rules(product: FinancingProduct) -> ProductRules:
    return ProductRules(
        category_codes=frozenset(category.code for category in product.eligible_categories.all()),
        trl_min=product.trl_min,
        trl_max=product.trl_max,
        regions=frozenset(product.eligible_regions or []),
        organization_kinds=frozenset(product.eligible_organization_kinds or []),
        organization_kind_labels={kind.value: str(kind.label) for kind in OrganizationType},
        minimum_credit_grade=product.minimum_credit_grade,
        requires_verified_organization=product.requires_verified_organization,
    )


def applicant_facts(*, organization: Organization, technology=None) -> ApplicantFacts:
    # A missing one-to-one raises RelatedObjectDoesNotExist, an AttributeError: getattr copes.
    assessment = getattr(organization, "credit_assessment", None)
    return ApplicantFacts(
        organization_kind=organization.kind,
        organization_kind_label=str(organization.get_kind_display()),
        region=organization.region,
        verified=organization.verified,
        credit_grade=assessment.grade if assessment else "",
        technology_linked=technology is not None,
        technology_category_codes=(
            _category_codes_with_ancestors(technology.category.code) if technology else frozenset()
        ),
        technology_trl=technology.trl if technology else None,
    )


def eligibility_failures(
    *, product: FinancingProduct, organization: Organization, technology=None
) -> list[Failure]:
    return check_eligibility(
        product_rules(product), applicant_facts(organization=organization, technology=technology)
    )
