"""Writes of the financing desk. Views, serializers, forms and commands call these."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import OrganizationType, Role
from accounts.models import Organization, User
from core.uploads import OFFICE_DOCUMENTS, upload_content_type
from core.workflow import StateMachine, Transition, TransitionNotAllowed, compare_and_set_status
from finance import ledger, selectors
from finance.choices import (
    AccountKind,
    ApplicationStatus,
    ProductKind,
    ProductStatus,
    ProgrammeKind,
    TransactionKind,
)
from finance.eligibility import ApplicantFacts, Failure, ProductRules, check_eligibility
from finance.models import (
    ApplicationDocument,
    ApplicationEvent,
    FinancingApplication,
    FinancingProduct,
    InterestSubsidy,
    SupportProgramme,
    Valuation,
    Voucher,
    VoucherRedemption,
)
from finance.valuation import (
    ValuationInputError,
    ValuationInputs,
    collateral_cap,
    interest_subsidy_amount,
    relief_from_royalty,
)
from notifications.services import notify_users

CENT = Decimal("0.01")
APPLICANT = frozenset({"applicant"})
FINANCIER = frozenset({"financier"})
LOAN_KINDS = (ProductKind.GREEN_LOAN, ProductKind.IP_PLEDGE_LOAN)

# --- Products ---------------------------------------------------------------------------------

PRODUCT_WORKFLOW = StateMachine(
    {
        (ProductStatus.DRAFT, "publish"): Transition(ProductStatus.PUBLISHED, FINANCIER),
        (ProductStatus.PUBLISHED, "withdraw"): Transition(ProductStatus.WITHDRAWN, FINANCIER),
        (ProductStatus.WITHDRAWN, "publish"): Transition(ProductStatus.PUBLISHED, FINANCIER),
    }
)


def _require_financier_of(*, user: User, institution: Organization) -> None:
    if institution.pk not in selectors.financier_organization_ids(user):
        raise ValidationError(
            {
                "institution": _(
                    "Only financiers who are members of the institution may manage its products."
                )
            }
        )


def _product_roles(*, product: FinancingProduct, user: User) -> set[str]:
    if product.institution_id in selectors.financier_organization_ids(user):
        return {"financier"}
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
    return product


@transaction.atomic
def product_update(
    *, product: FinancingProduct, user: User, eligible_categories=None, **fields
) -> FinancingProduct:
    _require_financier_of(user=user, institution=product.institution)
    fields.pop("institution", None)
    for name, value in fields.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    if eligible_categories is not None:
        product.eligible_categories.set(eligible_categories)
    return product


@transaction.atomic
def product_transition(*, product: FinancingProduct, user: User, action: str) -> FinancingProduct:
    current = product.status
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
    product.refresh_from_db()
    return product


# --- Eligibility ------------------------------------------------------------------------------


def _category_codes_with_ancestors(code: str) -> frozenset[str]:
    parts = code.split(".")
    return frozenset(".".join(parts[: index + 1]) for index in range(len(parts)))


def product_rules(product: FinancingProduct) -> ProductRules:
    from accounts.choices import OrganizationType as Kinds

    return ProductRules(
        category_codes=frozenset(category.code for category in product.eligible_categories.all()),
        trl_min=product.trl_min,
        trl_max=product.trl_max,
        regions=frozenset(product.eligible_regions or []),
        organization_kinds=frozenset(product.eligible_organization_kinds or []),
        organization_kind_labels={k.value: str(k.label) for k in Kinds},
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


# --- Applications -----------------------------------------------------------------------------

APPLICATION_WORKFLOW = StateMachine(
    {
        (ApplicationStatus.DRAFT, "submit"): Transition(ApplicationStatus.SUBMITTED, APPLICANT),
        (ApplicationStatus.DRAFT, "withdraw"): Transition(ApplicationStatus.WITHDRAWN, APPLICANT),
        (ApplicationStatus.SUBMITTED, "start_review"): Transition(
            ApplicationStatus.UNDER_REVIEW, FINANCIER
        ),
        (ApplicationStatus.SUBMITTED, "withdraw"): Transition(
            ApplicationStatus.WITHDRAWN, APPLICANT
        ),
        (ApplicationStatus.UNDER_REVIEW, "request_information"): Transition(
            ApplicationStatus.INFORMATION_REQUESTED, FINANCIER, requires_note=True
        ),
        (ApplicationStatus.UNDER_REVIEW, "approve"): Transition(
            ApplicationStatus.APPROVED, FINANCIER
        ),
        (ApplicationStatus.UNDER_REVIEW, "reject"): Transition(
            ApplicationStatus.REJECTED, FINANCIER, requires_note=True
        ),
        (ApplicationStatus.INFORMATION_REQUESTED, "resubmit"): Transition(
            ApplicationStatus.SUBMITTED, APPLICANT
        ),
        (ApplicationStatus.INFORMATION_REQUESTED, "withdraw"): Transition(
            ApplicationStatus.WITHDRAWN, APPLICANT
        ),
        (ApplicationStatus.APPROVED, "disburse"): Transition(
            ApplicationStatus.DISBURSED, FINANCIER
        ),
        (ApplicationStatus.DISBURSED, "start_repayment"): Transition(
            ApplicationStatus.REPAYING, FINANCIER
        ),
        (ApplicationStatus.REPAYING, "close"): Transition(ApplicationStatus.CLOSED, FINANCIER),
    }
)
APPLICATION_ACTION_LABELS = {
    "submit": gettext_lazy("Submit"),
    "withdraw": gettext_lazy("Withdraw"),
    "start_review": gettext_lazy("Start review"),
    "request_information": gettext_lazy("Request more information"),
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "resubmit": gettext_lazy("Submit again"),
    "disburse": gettext_lazy("Mark as disbursed"),
    "start_repayment": gettext_lazy("Start repayment"),
    "close": gettext_lazy("Close"),
}
EDITABLE_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.INFORMATION_REQUESTED)
DOCUMENT_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.INFORMATION_REQUESTED,
)


def application_allowed_actions(*, application: FinancingApplication, user: User) -> list[str]:
    return APPLICATION_WORKFLOW.allowed_actions(
        application.status,
        selectors.application_actor_roles(application=application, user=user),
    )


def _loan_cap(application: FinancingApplication) -> Decimal | None:
    product = application.product
    if not product.is_ip_pledge or application.valuation is None:
        return None
    return collateral_cap(value=application.valuation.value, loan_to_value=product.loan_to_value)


def application_loan_cap(*, application: FinancingApplication) -> Decimal | None:
    """For IP-pledge loans: the product's loan-to-value ratio × the pledged valuation."""
    return _loan_cap(application)


def _validate_application(application: FinancingApplication, *, submitting: bool) -> None:
    product = application.product
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    amount = application.requested_amount
    if amount is None or amount <= 0:
        add("requested_amount", _("The amount must be greater than zero."))
    elif not product.amount_min <= amount <= product.amount_max:
        add(
            "requested_amount",
            _("This product finances between %(min)s and %(max)s %(currency)s.")
            % {"min": product.amount_min, "max": product.amount_max, "currency": product.currency},
        )
    if application.tenor_months is not None:
        low, high = product.tenor_months_min, product.tenor_months_max
        if (low and application.tenor_months < low) or (high and application.tenor_months > high):
            add(
                "tenor_months",
                _("The tenor must be between %(low)s and %(high)s months.")
                % {"low": low or 1, "high": high or "∞"},
            )
    if application.valuation is not None:
        valuation = application.valuation
        if valuation.organization_id != application.applicant_id:
            add("valuation", _("Only a valuation made by the applicant can be pledged."))
        elif valuation.currency != product.currency:
            add("valuation", _("The valuation must be in the product's currency."))
    if product.is_ip_pledge:
        if application.valuation is None:
            if submitting:
                add("valuation", _("An IP-pledge loan needs a saved valuation as collateral."))
        elif "valuation" not in errors and amount and amount > 0:
            cap = _loan_cap(application)
            if amount > cap:
                add(
                    "requested_amount",
                    _(
                        "The loan is capped at %(cap)s %(currency)s: %(ltv)s%% loan-to-value on "
                        "the valuation of %(value)s."
                    )
                    % {
                        "cap": cap,
                        "currency": product.currency,
                        "ltv": (product.loan_to_value * 100).normalize(),
                        "value": application.valuation.value,
                    },
                )
    if errors:
        raise ValidationError(errors)


def _technologies_linkable_by(organization: Organization):
    from catalog.models import Technology

    return Technology.objects.filter(organization=organization) | Technology.objects.published()


def _check_links(*, applicant: Organization, technology, valuation, deal=None) -> None:
    if deal is not None and applicant.pk not in (deal.buyer_id, deal.seller_id):
        raise ValidationError({"deal": _("Link a deal your organisation is a party to.")})
    if (
        technology is not None
        and not _technologies_linkable_by(applicant).filter(pk=technology.pk).exists()
    ):
        raise ValidationError(
            {"technology": _("Link one of your technologies or a published one.")}
        )
    if valuation is not None and valuation.organization_id != applicant.pk:
        raise ValidationError(
            {"valuation": _("Only a valuation made by the applicant can be pledged.")}
        )


def _applicant_of(*, user: User, applicant: Organization | None) -> Organization:
    own = selectors.organization_ids_of(user)
    if applicant is None:
        if len(own) != 1:
            raise ValidationError(
                {"applicant": _("Choose the organisation that applies.")}
                if own
                else {"applicant": _("Create or join an organisation before applying.")}
            )
        return Organization.objects.get(pk=own[0])
    if applicant.pk not in own:
        raise ValidationError({"applicant": _("You can only apply for your own organisation.")})
    return applicant


def _record_event(
    application: FinancingApplication, *, actor, action: str, source: str, target: str, note=""
) -> None:
    ApplicationEvent.objects.create(
        application=application,
        actor=actor,
        action=action,
        from_status=source,
        to_status=target,
        note=note,
    )


def _raise_if_ineligible(application: FinancingApplication) -> None:
    failures = eligibility_failures(
        product=application.product,
        organization=application.applicant,
        technology=application.technology,
    )
    if failures:
        raise ValidationError(
            {"eligibility": [ValidationError(f.message, code=f.rule) for f in failures]}
        )


@transaction.atomic
def application_create(
    *,
    user: User,
    product: FinancingProduct,
    requested_amount: Decimal,
    applicant: Organization | None = None,
    tenor_months: int | None = None,
    purpose: str = "",
    technology=None,
    deal=None,
    valuation: Valuation | None = None,
    submit: bool = False,
) -> FinancingApplication:
    """Create a draft application; with `submit=True` submit it at once (all or nothing)."""
    if product.status != ProductStatus.PUBLISHED:
        raise ValidationError({"product": _("This product is not open for applications.")})
    applicant = _applicant_of(user=user, applicant=applicant)
    if deal is not None and technology is None:
        technology = deal.technology
    _check_links(applicant=applicant, technology=technology, valuation=valuation, deal=deal)
    application = FinancingApplication(
        product=product,
        applicant=applicant,
        created_by=user,
        requested_amount=requested_amount,
        currency=product.currency,
        tenor_months=tenor_months,
        purpose=purpose.strip(),
        technology=technology,
        deal=deal,
        valuation=valuation,
    )
    application.full_clean()
    _validate_application(application, submitting=False)
    application.save()
    _record_event(application, actor=user, action="create", source="", target=application.status)
    if submit:
        application = application_transition(application=application, user=user, action="submit")
    return application


@transaction.atomic
def application_update(
    *, application: FinancingApplication, user: User, **fields
) -> FinancingApplication:
    if "applicant" not in selectors.application_actor_roles(application=application, user=user):
        raise ValidationError(_("Only the applicant may change the application."))
    if application.status not in EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            _("The application can only be changed as a draft or when information is requested.")
        )
    for name in ("product", "applicant", "status", "approved_amount", "currency"):
        fields.pop(name, None)
    _check_links(
        applicant=application.applicant,
        technology=fields.get("technology", application.technology),
        valuation=fields.get("valuation", application.valuation),
        deal=fields.get("deal", application.deal),
    )
    for name, value in fields.items():
        setattr(application, name, value)
    application.full_clean()
    _validate_application(application, submitting=False)
    application.save()
    return application


def _parse_amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount such as 150000.00.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("Amounts have at most two decimal places.")})
    return amount


@transaction.atomic
def application_transition(
    *,
    application: FinancingApplication,
    user: User,
    action: str,
    note: str = "",
    approved_amount=None,
    approved_terms: str = "",
) -> FinancingApplication:
    """Move an application along its workflow; raises TransitionNotAllowed (409) or
    ValidationError (400) and changes nothing when refused."""
    application = FinancingApplication.objects.select_related(
        "product", "product__institution", "applicant", "valuation", "technology"
    ).get(pk=application.pk)
    current = application.status
    transition = APPLICATION_WORKFLOW.resolve(
        current, action, selectors.application_actor_roles(application=application, user=user)
    )
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please give a reason.")})
    extra: dict[str, object] = {"updated_at": timezone.now()}
    if action in ("submit", "resubmit"):
        _validate_application(application, submitting=True)
        _raise_if_ineligible(application)
        extra["submitted_at"] = timezone.now()
    elif action == "approve":
        amount = _parse_amount(approved_amount, "approved_amount") if approved_amount else None
        if amount is None:
            raise ValidationError({"approved_amount": _("Give the approved amount.")})
        product = application.product
        if not product.amount_min <= amount <= product.amount_max:
            raise ValidationError(
                {
                    "approved_amount": _(
                        "This product finances between %(min)s and %(max)s %(currency)s."
                    )
                    % {
                        "min": product.amount_min,
                        "max": product.amount_max,
                        "currency": product.currency,
                    }
                }
            )
        cap = _loan_cap(application)
        if cap is not None and amount > cap:
            raise ValidationError(
                {
                    "approved_amount": _(
                        "The loan is capped at %(cap)s %(currency)s by the pledged valuation."
                    )
                    % {"cap": cap, "currency": product.currency}
                }
            )
        if not (approved_terms or "").strip():
            raise ValidationError({"approved_terms": _("State the approved terms.")})
        extra.update(approved_amount=amount, approved_terms=approved_terms.strip())
    if action in ("approve", "reject", "request_information"):
        extra["decision_note"] = note
    if not compare_and_set_status(
        FinancingApplication,
        pk=application.pk,
        expected=current,
        target=transition.target,
        **extra,
    ):
        raise TransitionNotAllowed(_("Someone else changed this application first; reload it."))
    _record_event(
        application,
        actor=user,
        action=action,
        source=current,
        target=transition.target,
        note=note,
    )
    application.refresh_from_db()
    _notify_application_parties(application=application, actor=user, action=action, note=note)
    return application


def _notify_application_parties(
    *, application: FinancingApplication, actor: User, action: str, note: str
) -> None:
    if action in ("submit", "resubmit", "withdraw"):
        if action == "withdraw" and not application.submitted_at:
            return
        recipients = User.objects.filter(
            memberships__organization_id=application.product.institution_id,
            roles__contains=[Role.FINANCIER],
        )
    else:
        recipients = User.objects.filter(memberships__organization_id=application.applicant_id)
    recipients = recipients.exclude(pk=actor.pk).distinct()
    notify_users(
        users=list(recipients),
        title=_("Financing application #%(id)s (%(product)s): %(status)s")
        % {
            "id": application.pk,
            "product": application.product.name,
            "status": application.get_status_display(),
        },
        body=note,
        url=reverse("finance:application_detail", args=[application.pk]),
    )


# --- Documents --------------------------------------------------------------------------------


@transaction.atomic
def application_document_add(
    *, application: FinancingApplication, user: User, title: str, uploaded
) -> ApplicationDocument:
    """Attach a file, checked by its content (not its name) and size."""
    if "applicant" not in selectors.application_actor_roles(application=application, user=user):
        raise ValidationError(_("Only the applicant may add documents."))
    if application.status not in DOCUMENT_STATUSES:
        raise TransitionNotAllowed(_("Documents cannot be added once a decision is made."))
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("Say which document this is.")
    if uploaded is None:
        errors["file"] = _("Choose a file.")
    else:
        try:
            content_type = upload_content_type(uploaded, allowed=OFFICE_DOCUMENTS)
        except ValidationError as error:
            errors["file"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    document = ApplicationDocument(
        application=application,
        title=title.strip()[:100],
        file=uploaded,
        original_name=uploaded.name[:255],
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=user,
    )
    document.save()
    _record_event(
        application,
        actor=user,
        action="document_added",
        source=application.status,
        target=application.status,
        note=document.title,
    )
    return document


# --- Valuations -------------------------------------------------------------------------------

VALUATION_INPUT_FIELDS = (
    "first_year_revenue",
    "revenue_growth_rate",
    "useful_life_years",
    "royalty_rate",
    "tax_rate",
    "risk_free_rate",
    "technology_premium",
    "market_premium",
    "management_premium",
    "trl",
)
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
    organization = _applicant_of(user=user, applicant=organization)
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


# --- Support programmes, vouchers and subsidies -------------------------------------------------


def _require_operator_of(*, user: User, programme: SupportProgramme) -> None:
    if not selectors.programmes_visible_to(user=user).filter(pk=programme.pk).exists():
        raise ValidationError(_("Only the programme's operator may do this."))


@transaction.atomic
def programme_create(
    *, user: User, operator: Organization, kind: str, currency: str = "CNY", **fields
) -> SupportProgramme:
    if operator.kind != OrganizationType.OPERATOR or (
        operator.pk not in selectors.operator_organization_ids(user)
        and not user.has_role(Role.ADMIN)
    ):
        raise ValidationError({"operator": _("Only the platform operator runs programmes.")})
    label = fields.get("name_zh") or fields.get("name_en") or ""
    programme = SupportProgramme(operator=operator, kind=kind, currency=currency, **fields)
    programme.funding_account = ledger.account_open(
        kind=AccountKind.PROGRAMME_FUNDING, name=f"{label}: funding", currency=currency
    )
    programme.budget_account = ledger.account_open(
        kind=AccountKind.PROGRAMME_BUDGET, name=f"{label}: budget", currency=currency
    )
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def programme_fund(
    *, programme: SupportProgramme, user: User, amount, idempotency_key: str | None = None
):
    """Record money received by the programme (e.g. a fiscal allocation) into its budget."""
    _require_operator_of(user=user, programme=programme)
    amount = _parse_amount(amount, "amount")
    fingerprint = f"programme_fund:{programme.pk}:{amount}"
    replay = ledger.find_replay(user=user, idempotency_key=idempotency_key, fingerprint=fingerprint)
    if replay is not None:
        return replay
    return ledger.transfer(
        kind=TransactionKind.PROGRAMME_FUNDING,
        source=programme.funding_account,
        destination=programme.budget_account,
        amount=amount,
        description=f"Funding of {programme.name}",
        initiated_by=user,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )


def voucher_eligibility_failures(*, programme: SupportProgramme, holder: Organization) -> list[str]:
    failures = []
    if holder.kind != OrganizationType.ENTERPRISE:
        failures.append(_("Vouchers are issued to enterprises only."))
    if not holder.verified:
        failures.append(_("The enterprise has not been verified."))
    assessment = getattr(holder, "credit_assessment", None)
    if programme.maximum_employees is not None:
        if assessment is None or assessment.employee_count is None:
            failures.append(_("The enterprise's size (employees) has not been assessed."))
        elif assessment.employee_count > programme.maximum_employees:
            failures.append(
                _("Only enterprises with at most %(n)s employees are eligible.")
                % {"n": programme.maximum_employees}
            )
    if programme.maximum_annual_revenue is not None:
        if assessment is None or assessment.annual_revenue is None:
            failures.append(_("The enterprise's annual revenue has not been assessed."))
        elif assessment.annual_revenue > programme.maximum_annual_revenue:
            failures.append(
                _("Only enterprises with an annual revenue up to %(amount)s are eligible.")
                % {"amount": programme.maximum_annual_revenue}
            )
    return failures


@transaction.atomic
def voucher_issue(
    *,
    programme: SupportProgramme,
    user: User,
    holder: Organization,
    face_value,
    expires: datetime.date,
    idempotency_key: str | None = None,
) -> Voucher:
    _require_operator_of(user=user, programme=programme)
    if programme.kind != ProgrammeKind.VOUCHER:
        raise ValidationError({"programme": _("This programme does not issue vouchers.")})
    if not programme.is_open:
        raise ValidationError({"programme": _("This programme is closed.")})
    face_value = _parse_amount(face_value, "face_value")
    if expires <= timezone.localdate():
        raise ValidationError({"expires": _("The expiry date must be in the future.")})
    try:
        holder = Organization.objects.select_related("credit_assessment").get(pk=holder.pk)
    except Organization.DoesNotExist:  # pragma: no cover
        raise ValidationError({"holder": _("Unknown organisation.")}) from None
    failures = voucher_eligibility_failures(programme=programme, holder=holder)
    if failures:
        raise ValidationError({"holder": failures})
    fingerprint = f"voucher_issue:{programme.pk}:{holder.pk}:{face_value}:{expires}"
    replay = ledger.find_replay(user=user, idempotency_key=idempotency_key, fingerprint=fingerprint)
    if replay is not None:
        return Voucher.objects.get(account__entries__transaction=replay)
    account = ledger.account_open(
        kind=AccountKind.VOUCHER,
        name=f"Voucher: {holder.display_name}",
        currency=programme.currency,
        organization=holder,
    )
    voucher = Voucher(
        programme=programme,
        holder=holder,
        account=account,
        face_value=face_value,
        expires=expires,
        issued_by=user,
    )
    voucher.full_clean()
    voucher.save()
    ledger.transfer(
        kind=TransactionKind.VOUCHER_ISSUE,
        source=programme.budget_account,
        destination=account,
        amount=face_value,
        description=f"Voucher #{voucher.pk} for {holder.display_name}",
        initiated_by=user,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    notify_users(
        users=list(User.objects.filter(memberships__organization=holder)),
        title=_("You received an innovation voucher of %(amount)s %(currency)s")
        % {"amount": face_value, "currency": programme.currency},
        url=reverse("finance:voucher_list"),
    )
    account.refresh_from_db()
    return voucher


QUALIFYING_DEAL_STAGES = ("contract_signed", "in_execution", "completed")


def qualifying_deal_for_voucher(*, deal_id, voucher: Voucher, lock: bool = False):
    """The deal a voucher may pay, or ValidationError: the holder's own service deal, signed or
    later, in the voucher's currency. With `lock`, the deal row stays locked until commit so
    concurrent redemptions on one deal are counted one after another."""
    from exchange.models import Deal

    queryset = Deal.objects.select_related("seller")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        deal = queryset.get(pk=int(deal_id))
    except (Deal.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"deal": _("Choose one of your deals.")}) from None
    if deal.buyer_id != voucher.holder_id:
        raise ValidationError({"deal": _("Choose one of your deals.")})
    if deal.deal_type != "service":
        raise ValidationError({"deal": _("Vouchers pay for service deals only.")})
    if deal.stage not in QUALIFYING_DEAL_STAGES:
        raise ValidationError(
            {"deal": _("The deal's contract must be signed before a voucher can pay for it.")}
        )
    if deal.currency != voucher.currency:
        raise ValidationError({"deal": _("The deal is not in the voucher's currency.")})
    return deal


def _redemption_replay(transaction_row) -> VoucherRedemption:
    return VoucherRedemption.objects.select_related("voucher", "voucher__account").get(
        transaction=transaction_row
    )


def voucher_redeem(
    *,
    voucher: Voucher,
    user: User,
    amount,
    deal_id,
    idempotency_key: str | None = None,
) -> tuple[VoucherRedemption, bool]:
    """Spend part of a voucher on a qualifying deal. Returns (redemption, created); a retry with
    the same Idempotency-Key returns the first redemption and moves no money."""
    amount = _parse_amount(amount, "amount")
    fingerprint = f"voucher_redeem:{voucher.pk}:{amount}:{deal_id}"
    replay = ledger.find_replay(user=user, idempotency_key=idempotency_key, fingerprint=fingerprint)
    if replay is not None:
        return _redemption_replay(replay), False
    try:
        with transaction.atomic():
            redemption = _voucher_redeem(
                voucher=voucher,
                user=user,
                amount=amount,
                deal_id=deal_id,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
            )
    except IntegrityError:
        # A concurrent request with the same key won the unique constraint: answer with its result.
        replay = ledger.find_replay(
            user=user, idempotency_key=idempotency_key, fingerprint=fingerprint
        )
        if replay is None:
            raise
        return _redemption_replay(replay), False
    return redemption, True


def _voucher_redeem(
    *, voucher: Voucher, user: User, amount: Decimal, deal_id, idempotency_key, fingerprint
) -> VoucherRedemption:
    voucher = Voucher.objects.select_related("account", "holder", "programme").get(pk=voucher.pk)
    if voucher.holder_id not in selectors.organization_ids_of(user):
        raise ValidationError(_("Only the voucher's holder may redeem it."))
    if voucher.is_expired():
        raise ValidationError(
            {"amount": _("This voucher expired on %(date)s.") % {"date": voucher.expires}}
        )
    deal = qualifying_deal_for_voucher(deal_id=deal_id, voucher=voucher, lock=True)
    if deal.price is not None:
        paid = VoucherRedemption.objects.filter(deal=deal).aggregate(total=Sum("amount"))["total"]
        if (paid or 0) + amount > deal.price:
            raise ValidationError(
                {
                    "amount": _(
                        "Vouchers cannot pay more than the deal's price: %(left)s %(currency)s "
                        "is left to pay on it."
                    )
                    % {"left": deal.price - (paid or 0), "currency": deal.currency}
                }
            )
    provider = deal.seller
    destination = ledger.receivable_account(
        kind=AccountKind.PROVIDER_RECEIVABLE, organization=provider, currency=voucher.currency
    )
    # ledger.post locks the voucher's account and refuses to take it below zero.
    ledger_transaction = ledger.transfer(
        kind=TransactionKind.VOUCHER_REDEMPTION,
        source=voucher.account,
        destination=destination,
        amount=amount,
        description=f"Voucher #{voucher.pk} redeemed on deal #{deal_id}",
        initiated_by=user,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    redemption = VoucherRedemption.objects.create(
        voucher=voucher,
        provider=provider,
        amount=amount,
        transaction=ledger_transaction,
        redeemed_by=user,
        deal=deal,
    )
    voucher.account.refresh_from_db(fields=["balance"])
    notify_users(
        users=list(User.objects.filter(memberships__organization=provider)),
        title=_("An innovation voucher paid %(amount)s %(currency)s on deal #%(deal)s")
        % {"amount": amount, "currency": voucher.currency, "deal": deal_id},
    )
    return redemption


@transaction.atomic
def interest_subsidy_pay(
    *,
    programme: SupportProgramme,
    user: User,
    application: FinancingApplication,
    annual_rate,
    period_start: datetime.date,
    period_end: datetime.date,
    principal=None,
    idempotency_key: str | None = None,
) -> InterestSubsidy:
    """Pay the subsidy on a disbursed green loan for one period out of the programme budget."""
    _require_operator_of(user=user, programme=programme)
    if programme.kind != ProgrammeKind.INTEREST_SUBSIDY:
        raise ValidationError({"programme": _("This programme does not pay interest subsidies.")})
    application = FinancingApplication.objects.select_related("product", "applicant").get(
        pk=application.pk
    )
    if application.product.kind not in LOAN_KINDS:
        raise ValidationError({"application": _("Subsidies are paid on loans only.")})
    if application.status not in (ApplicationStatus.DISBURSED, ApplicationStatus.REPAYING):
        raise ValidationError({"application": _("The loan has not been disbursed.")})
    if application.currency != programme.currency:
        raise ValidationError({"application": _("The loan is not in the programme's currency.")})
    principal = _parse_amount(principal, "principal") if principal else application.approved_amount
    if principal > application.approved_amount:
        raise ValidationError(
            {"principal": _("The principal cannot exceed the approved loan amount.")}
        )
    try:
        rate = Decimal(str(annual_rate))
    except (InvalidOperation, ValueError):
        raise ValidationError({"annual_rate": _("Enter the annual rate, e.g. 0.0435.")}) from None
    if not 0 < rate < 1:
        raise ValidationError(
            {"annual_rate": _("Enter the annual rate as a fraction, e.g. 0.0435.")}
        )
    if period_end <= period_start:
        raise ValidationError({"period_end": _("The period must end after it starts.")})
    days = (period_end - period_start).days
    amount = interest_subsidy_amount(
        principal=principal, annual_rate=rate, subsidy_ratio=programme.subsidy_ratio, days=days
    )
    fingerprint = f"subsidy:{programme.pk}:{application.pk}:{period_start}:{period_end}:{principal}"
    replay = ledger.find_replay(user=user, idempotency_key=idempotency_key, fingerprint=fingerprint)
    if replay is not None:
        return InterestSubsidy.objects.get(transaction=replay)
    if InterestSubsidy.objects.filter(application=application, period_start=period_start).exists():
        raise ValidationError({"period_start": _("A subsidy was already paid for this period.")})
    destination = ledger.receivable_account(
        kind=AccountKind.SUBSIDY_RECEIVED,
        organization=application.applicant,
        currency=programme.currency,
    )
    ledger_transaction = ledger.transfer(
        kind=TransactionKind.SUBSIDY_PAYMENT,
        source=programme.budget_account,
        destination=destination,
        amount=amount,
        description=f"Interest subsidy on application #{application.pk}",
        initiated_by=user,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    subsidy = InterestSubsidy(
        programme=programme,
        application=application,
        principal=principal,
        annual_rate=rate,
        subsidy_ratio=programme.subsidy_ratio,
        period_start=period_start,
        period_end=period_end,
        days=days,
        amount=amount,
        transaction=ledger_transaction,
        paid_by=user,
    )
    subsidy.full_clean(exclude=["transaction"])
    subsidy.save()
    notify_users(
        users=list(User.objects.filter(memberships__organization=application.applicant)),
        title=_("An interest subsidy of %(amount)s %(currency)s was paid on your loan")
        % {"amount": amount, "currency": programme.currency},
        url=reverse("finance:application_detail", args=[application.pk]),
    )
    return subsidy
