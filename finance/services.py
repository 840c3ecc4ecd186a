"""Writes of the financing desk. Views, serializers, forms and commands call these."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import OrganizationType, Role
from accounts.models import Organization, User
from accounts.services import organization_may_transact
from audit.choices import AuditKind
from audit.services import audit_record
from core.uploads import OFFICE_DOCUMENTS, upload_content_type
from core.workflow import StateMachine, Transition, TransitionNotAllowed, compare_and_set_status
from finance import ledger, selectors
from finance.choices import (
    AccountKind,
    ApplicationStatus,
    MoneyRequestKind,
    MoneyRequestStatus,
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
    MoneyRequest,
    MoneyRequestEvent,
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
                    "Only financiers who are members of the institution may manage its products, "
                    "and only once the platform has verified it as a financial institution."
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
    if action == "publish" and not (
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
    if not selectors.products_open_for_applications().filter(pk=product.pk).exists():
        raise ValidationError({"product": _("This product is not open for applications.")})
    applicant = _applicant_of(user=user, applicant=applicant)
    organization_may_transact(organization=applicant)
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


# numeric(18, 2): the largest amount a money column holds.
MAXIMUM_AMOUNT = Decimal("9999999999999999.99")


def _parse_decimal(value, field: str, *, message: str) -> Decimal:
    """A finite Decimal from user input, or a ValidationError naming the field (never a 500 for
    "NaN", "Infinity", "1e30" or a 1,000-digit string)."""
    if isinstance(value, Decimal):
        number = value
    else:
        text = "" if value is None else str(value).strip()
        if not text or len(text) > 40:
            raise ValidationError({field: message})
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationError({field: message}) from None
    if not number.is_finite():
        raise ValidationError({field: message})
    return number


def _parse_amount(value, field: str) -> Decimal:
    amount = _parse_decimal(value, field, message=_("Enter an amount such as 150000.00."))
    if amount <= 0:
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if amount > MAXIMUM_AMOUNT:
        raise ValidationError(
            {field: _("The amount must be at most %(maximum)s.") % {"maximum": MAXIMUM_AMOUNT}}
        )
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("Amounts have at most two decimal places.")})
    return amount


def _parse_rate(value, field: str) -> Decimal:
    """An annual rate as a fraction: above 0, below 1, at most four decimal places."""
    rate = _parse_decimal(value, field, message=_("Enter the annual rate, e.g. 0.0435."))
    if not 0 < rate < 1:
        raise ValidationError({field: _("Enter the annual rate as a fraction, e.g. 0.0435.")})
    if rate != rate.quantize(Decimal("0.0001")):
        raise ValidationError({field: _("The rate has at most four decimal places.")})
    return rate


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
        if not selectors.products_open_for_applications().filter(pk=application.product_id):
            raise ValidationError({"product": _("This product is not open for applications.")})
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
#
# Money has two keys. One operator member asks (a programme budget, funding, a voucher above
# FINANCE_VOUCHER_SECOND_KEY_THRESHOLD, an interest subsidy); a different person — an operator
# member of the same verified organisation or a platform reviewer — approves. The ledger moves
# only in `money_request_transition(action="approve")`, in the transaction that claims the
# request by compare-and-set. Funding never exceeds the programme's approved budget.


def _require_operator_of(*, user: User, programme: SupportProgramme) -> None:
    if not selectors.programmes_visible_to(user=user).filter(pk=programme.pk).exists():
        raise ValidationError(_("Only the programme's operator may do this."))


def _acting_operator(*, user: User, operator: Organization) -> None:
    """A programme belongs to a verified government or operator body the user acts for (an
    administrator may act for any verified one)."""
    allowed = operator.pk in selectors.operator_organization_ids(user) or (
        user.has_role(Role.ADMIN)
        and operator.kind in selectors.OPERATOR_KINDS
        and operator.verified
    )
    if not allowed:
        raise ValidationError(
            {
                "operator": _(
                    "Programmes are run by verified government or operator organisations, by "
                    "their members who hold the programme operator role."
                )
            }
        )


def voucher_second_key_threshold() -> Decimal:
    return Decimal(str(settings.FINANCE_VOUCHER_SECOND_KEY_THRESHOLD))


def voucher_needs_second_key(face_value) -> bool:
    return _parse_amount(face_value, "face_value") > voucher_second_key_threshold()


@transaction.atomic
def programme_create(
    *,
    user: User,
    operator: Organization,
    kind: str,
    currency: str = "CNY",
    budget=None,
    idempotency_key: str | None = None,
    **fields,
) -> SupportProgramme:
    """Open a programme and its ledger accounts; with `budget`, ask for its approval at once.
    Nothing can be funded before a second person approves a budget."""
    _acting_operator(user=user, operator=operator)
    if budget is not None:
        budget = _parse_amount(budget, "budget")
    label = fields.get("name_zh") or fields.get("name_en") or ""
    programme = SupportProgramme(
        operator=operator, kind=kind, currency=currency, created_by=user, **fields
    )
    programme.funding_account = ledger.account_open(
        kind=AccountKind.PROGRAMME_FUNDING, name=f"{label}: funding", currency=currency
    )
    programme.budget_account = ledger.account_open(
        kind=AccountKind.PROGRAMME_BUDGET, name=f"{label}: budget", currency=currency
    )
    programme.full_clean()
    programme.save()
    if budget is not None:
        programme_budget_request(
            programme=programme, user=user, amount=budget, idempotency_key=idempotency_key
        )
    return programme


MONEY_REQUEST_WORKFLOW = StateMachine(
    {
        (MoneyRequestStatus.PENDING, "approve"): Transition(
            MoneyRequestStatus.APPROVED, frozenset({"approver"})
        ),
        (MoneyRequestStatus.PENDING, "refuse"): Transition(
            MoneyRequestStatus.REFUSED, frozenset({"approver"}), requires_note=True
        ),
        (MoneyRequestStatus.PENDING, "withdraw"): Transition(
            MoneyRequestStatus.WITHDRAWN, frozenset({"requester"})
        ),
    }
)
MONEY_REQUEST_ACTION_LABELS = {
    "approve": gettext_lazy("Approve (second key)"),
    "refuse": gettext_lazy("Refuse"),
    "withdraw": gettext_lazy("Withdraw the request"),
}
MONEY_REQUEST_AUDIT_KIND = AuditKind.MONEY_REQUEST


def money_request_allowed_actions(*, money_request: MoneyRequest, user: User) -> list[str]:
    return MONEY_REQUEST_WORKFLOW.allowed_actions(
        money_request.status,
        selectors.money_request_actor_roles(money_request=money_request, user=user),
    )


def _request_event(money_request: MoneyRequest, *, actor, action, source, target, note=""):
    MoneyRequestEvent.objects.create(
        request=money_request,
        actor=actor,
        action=action,
        from_status=source,
        to_status=target,
        note=note,
    )
    audit_record(
        kind=MONEY_REQUEST_AUDIT_KIND,
        actor=actor,
        target=money_request,
        summary=f"{action} {money_request.kind} {money_request.amount} {money_request.currency}"
        f" on programme #{money_request.programme_id}",
        data={
            "action": action,
            "kind": money_request.kind,
            "amount": str(money_request.amount),
            "currency": money_request.currency,
            "programme": money_request.programme_id,
            "from": source,
            "to": target,
            "requested_by": money_request.requested_by_id,
        },
    )


def _second_keys_for(money_request: MoneyRequest):
    """Who is told that a request awaits them: operator colleagues, else platform reviewers."""
    colleagues = (
        User.objects.filter(
            memberships__organization_id=money_request.programme.operator_id,
            roles__contains=[Role.OPERATOR],
        )
        .exclude(pk=money_request.requested_by_id)
        .distinct()
    )
    if colleagues.exists():
        return list(colleagues)
    return list(
        User.objects.filter(roles__overlap=[Role.REVIEWER, Role.ADMIN])
        .exclude(pk=money_request.requested_by_id)
        .distinct()
    )


def _money_request_create(
    *,
    programme: SupportProgramme,
    user: User,
    kind: str,
    amount: Decimal,
    fingerprint: str,
    idempotency_key: str | None,
    note: str = "",
    **fields,
) -> MoneyRequest:
    if idempotency_key:
        existing = MoneyRequest.objects.filter(
            requested_by=user, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                raise ledger.IdempotencyKeyReused(
                    _("This Idempotency-Key was already used for a different request.")
                )
            return existing
    money_request = MoneyRequest(
        programme=programme,
        kind=kind,
        amount=amount,
        currency=programme.currency,
        requested_by=user,
        note=(note or "").strip(),
        idempotency_key=idempotency_key or None,
        request_fingerprint=fingerprint[:200],
        **fields,
    )
    money_request.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            money_request.save()
    except IntegrityError:
        existing = MoneyRequest.objects.filter(
            requested_by=user, idempotency_key=idempotency_key
        ).first()
        if existing is None or existing.request_fingerprint != fingerprint[:200]:
            raise
        return existing
    _request_event(
        money_request,
        actor=user,
        action="request",
        source="",
        target=MoneyRequestStatus.PENDING,
        note=money_request.note,
    )
    notify_users(
        users=_second_keys_for(money_request),
        title=_("A second approval is needed: %(kind)s of %(amount)s %(currency)s")
        % {
            "kind": money_request.get_kind_display(),
            "amount": money_request.amount,
            "currency": money_request.currency,
        },
        url=reverse("finance:money_requests"),
    )
    return money_request


@transaction.atomic
def programme_budget_request(
    *,
    programme: SupportProgramme,
    user: User,
    amount,
    note: str = "",
    idempotency_key: str | None = None,
) -> MoneyRequest:
    """Ask for the programme's budget to be approved (or changed) by a second person."""
    _require_operator_of(user=user, programme=programme)
    amount = _parse_amount(amount, "amount")
    funded = programme.funding_account.balance
    if amount < funded:
        raise ValidationError(
            {
                "amount": _(
                    "The budget cannot be below what was already funded: %(funded)s %(currency)s."
                )
                % {"funded": funded, "currency": programme.currency}
            }
        )
    return _money_request_create(
        programme=programme,
        user=user,
        kind=MoneyRequestKind.BUDGET,
        amount=amount,
        fingerprint=f"budget:{programme.pk}:{amount}",
        idempotency_key=idempotency_key,
        note=note,
    )


def _check_within_budget(*, programme: SupportProgramme, amount: Decimal) -> None:
    if programme.approved_budget is None:
        raise ValidationError(
            {
                "amount": _(
                    "The programme's budget has not been approved yet: a second person must "
                    "approve it before any funding."
                )
            }
        )
    funded = programme.funding_account.balance
    if funded + amount > programme.approved_budget:
        raise ValidationError(
            {
                "amount": _(
                    "Funding is bounded by the approved budget of %(budget)s %(currency)s; "
                    "%(left)s %(currency)s can still be funded."
                )
                % {
                    "budget": programme.approved_budget,
                    "left": programme.approved_budget - funded,
                    "currency": programme.currency,
                }
            }
        )


@transaction.atomic
def programme_funding_request(
    *,
    programme: SupportProgramme,
    user: User,
    amount,
    note: str = "",
    idempotency_key: str | None = None,
) -> MoneyRequest:
    """Ask for money received by the programme to be recorded; it reaches the budget only when
    a second person approves, and never beyond the approved budget."""
    _require_operator_of(user=user, programme=programme)
    amount = _parse_amount(amount, "amount")
    programme = SupportProgramme.objects.select_related("funding_account").get(pk=programme.pk)
    _check_within_budget(programme=programme, amount=amount)
    return _money_request_create(
        programme=programme,
        user=user,
        kind=MoneyRequestKind.FUNDING,
        amount=amount,
        fingerprint=f"funding:{programme.pk}:{amount}",
        idempotency_key=idempotency_key,
        note=note,
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


def _validate_voucher(
    *, programme: SupportProgramme, holder: Organization, expires: datetime.date
) -> Organization:
    if programme.kind != ProgrammeKind.VOUCHER:
        raise ValidationError({"programme": _("This programme does not issue vouchers.")})
    if not programme.is_open:
        raise ValidationError({"programme": _("This programme is closed.")})
    if not isinstance(expires, datetime.date) or expires <= timezone.localdate():
        raise ValidationError({"expires": _("The expiry date must be in the future.")})
    try:
        holder = Organization.objects.select_related("credit_assessment").get(pk=holder.pk)
    except Organization.DoesNotExist:  # pragma: no cover
        raise ValidationError({"holder": _("Unknown organisation.")}) from None
    failures = voucher_eligibility_failures(programme=programme, holder=holder)
    if failures:
        raise ValidationError({"holder": failures})
    return holder


def _voucher_issue(
    *,
    programme: SupportProgramme,
    issued_by: User,
    holder: Organization,
    face_value: Decimal,
    expires: datetime.date,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> Voucher:
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
        issued_by=issued_by,
    )
    voucher.full_clean()
    voucher.save()
    ledger.transfer(
        kind=TransactionKind.VOUCHER_ISSUE,
        source=programme.budget_account,
        destination=account,
        amount=face_value,
        description=f"Voucher #{voucher.pk} for {holder.display_name}",
        initiated_by=issued_by,
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
    """Issue a voucher up to the second-key threshold with one key; above it, see
    `voucher_issue_request`."""
    _require_operator_of(user=user, programme=programme)
    face_value = _parse_amount(face_value, "face_value")
    threshold = voucher_second_key_threshold()
    if face_value > threshold:
        raise ValidationError(
            {
                "face_value": _(
                    "Vouchers above %(threshold)s %(currency)s need a second person's approval: "
                    "request the issue instead."
                )
                % {"threshold": threshold, "currency": programme.currency}
            }
        )
    holder = _validate_voucher(programme=programme, holder=holder, expires=expires)
    fingerprint = f"voucher_issue:{programme.pk}:{holder.pk}:{face_value}:{expires}"
    replay = ledger.find_replay(user=user, idempotency_key=idempotency_key, fingerprint=fingerprint)
    if replay is not None:
        return Voucher.objects.get(account__entries__transaction=replay)
    return _voucher_issue(
        programme=programme,
        issued_by=user,
        holder=holder,
        face_value=face_value,
        expires=expires,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )


@transaction.atomic
def voucher_issue_request(
    *,
    programme: SupportProgramme,
    user: User,
    holder: Organization,
    face_value,
    expires: datetime.date,
    note: str = "",
    idempotency_key: str | None = None,
) -> MoneyRequest:
    """Ask a second person to approve a voucher (required above the threshold)."""
    _require_operator_of(user=user, programme=programme)
    face_value = _parse_amount(face_value, "face_value")
    holder = _validate_voucher(programme=programme, holder=holder, expires=expires)
    if face_value > programme.budget_account.balance:
        raise ValidationError(
            {
                "face_value": _(
                    "Not enough money in the programme's budget: %(balance)s %(currency)s "
                    "available."
                )
                % {"balance": programme.budget_account.balance, "currency": programme.currency}
            }
        )
    return _money_request_create(
        programme=programme,
        user=user,
        kind=MoneyRequestKind.VOUCHER_ISSUE,
        amount=face_value,
        fingerprint=f"voucher_issue:{programme.pk}:{holder.pk}:{face_value}:{expires}",
        idempotency_key=idempotency_key,
        note=note,
        holder=holder,
        expires=expires,
    )


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def loan_term(*, application: FinancingApplication) -> tuple[datetime.date, datetime.date | None]:
    """The days a loan runs: from its disbursement for its tenor (no end without a tenor)."""
    disbursed = application.events.filter(action="disburse").order_by("-created_at", "-pk").first()
    moment = disbursed.created_at if disbursed else application.updated_at
    start = timezone.localdate(moment)
    if application.tenor_months is None:
        return start, None
    return start, _add_months(start, application.tenor_months)


@dataclass(frozen=True)
class SubsidyTerms:
    application: FinancingApplication
    principal: Decimal
    annual_rate: Decimal
    period_start: datetime.date
    period_end: datetime.date
    days: int
    amount: Decimal


def _subsidy_terms(
    *,
    programme: SupportProgramme,
    application: FinancingApplication,
    annual_rate,
    period_start,
    period_end,
    principal=None,
    excluding_request: int | None = None,
) -> SubsidyTerms:
    """Validate one subsidy period: a disbursed loan of the programme's currency, a period in
    the past, within the loan's term and overlapping no subsidy paid or requested on it."""
    if programme.kind != ProgrammeKind.INTEREST_SUBSIDY:
        raise ValidationError({"programme": _("This programme does not pay interest subsidies.")})
    if not programme.is_open:
        raise ValidationError({"programme": _("This programme is closed.")})
    application = (
        FinancingApplication.objects.select_for_update(of=("self",))
        .select_related("product", "applicant")
        .get(pk=application.pk)
    )
    if application.product.kind not in LOAN_KINDS:
        raise ValidationError({"application": _("Subsidies are paid on loans only.")})
    if application.status not in (ApplicationStatus.DISBURSED, ApplicationStatus.REPAYING):
        raise ValidationError({"application": _("The loan has not been disbursed.")})
    if application.currency != programme.currency:
        raise ValidationError({"application": _("The loan is not in the programme's currency.")})
    principal = (
        _parse_amount(principal, "principal")
        if principal not in (None, "")
        else application.approved_amount
    )
    if principal > application.approved_amount:
        raise ValidationError(
            {"principal": _("The principal cannot exceed the approved loan amount.")}
        )
    rate = _parse_rate(annual_rate, "annual_rate")
    errors: dict[str, str] = {}
    if not isinstance(period_start, datetime.date):
        errors["period_start"] = _("Enter the first day of the period.")
    if not isinstance(period_end, datetime.date):
        errors["period_end"] = _("Enter the day after the period.")
    if errors:
        raise ValidationError(errors)
    if period_end <= period_start:
        raise ValidationError({"period_end": _("The period must end after it starts.")})
    today = timezone.localdate()
    if period_end > today:
        raise ValidationError(
            {
                "period_end": _(
                    "Subsidies are paid for past periods only: the period must end by today."
                )
            }
        )
    term_start, term_end = loan_term(application=application)
    if term_end is None:
        raise ValidationError({"application": _("The loan has no tenor, so its term is unknown.")})
    if period_start < term_start or period_end > term_end:
        raise ValidationError(
            {
                "period_start": _(
                    "The period must lie within the loan's term, %(start)s to %(end)s."
                )
                % {"start": term_start, "end": term_end}
            }
        )
    overlapping_paid = InterestSubsidy.objects.filter(
        application=application, period_start__lt=period_end, period_end__gt=period_start
    )
    overlapping_asked = MoneyRequest.objects.filter(
        kind=MoneyRequestKind.INTEREST_SUBSIDY,
        status=MoneyRequestStatus.PENDING,
        application=application,
        period_start__lt=period_end,
        period_end__gt=period_start,
    )
    if excluding_request is not None:
        overlapping_asked = overlapping_asked.exclude(pk=excluding_request)
    if overlapping_paid.exists() or overlapping_asked.exists():
        raise ValidationError(
            {
                "period_start": _(
                    "A subsidy was already paid or requested for part of this period on this loan."
                )
            }
        )
    days = (period_end - period_start).days
    amount = interest_subsidy_amount(
        principal=principal, annual_rate=rate, subsidy_ratio=programme.subsidy_ratio, days=days
    )
    if amount <= 0:
        raise ValidationError({"period_end": _("The subsidy for this period rounds to zero.")})
    return SubsidyTerms(application, principal, rate, period_start, period_end, days, amount)


@transaction.atomic
def interest_subsidy_request(
    *,
    programme: SupportProgramme,
    user: User,
    application: FinancingApplication,
    annual_rate,
    period_start: datetime.date,
    period_end: datetime.date,
    principal=None,
    note: str = "",
    idempotency_key: str | None = None,
) -> MoneyRequest:
    """Ask a second person to approve an interest subsidy on a disbursed loan for one past
    period: principal × rate × ratio × days / 360 out of the programme budget."""
    _require_operator_of(user=user, programme=programme)
    terms = _subsidy_terms(
        programme=programme,
        application=application,
        annual_rate=annual_rate,
        period_start=period_start,
        period_end=period_end,
        principal=principal,
    )
    fingerprint = (
        f"subsidy:{programme.pk}:{terms.application.pk}:{terms.period_start}:"
        f"{terms.period_end}:{terms.principal}:{terms.annual_rate}"
    )
    return _money_request_create(
        programme=programme,
        user=user,
        kind=MoneyRequestKind.INTEREST_SUBSIDY,
        amount=terms.amount,
        fingerprint=fingerprint,
        idempotency_key=idempotency_key,
        note=note,
        application=terms.application,
        principal=terms.principal,
        annual_rate=terms.annual_rate,
        period_start=terms.period_start,
        period_end=terms.period_end,
    )


def _pay_subsidy(*, money_request: MoneyRequest, programme: SupportProgramme) -> InterestSubsidy:
    terms = _subsidy_terms(
        programme=programme,
        application=money_request.application,
        annual_rate=money_request.annual_rate,
        period_start=money_request.period_start,
        period_end=money_request.period_end,
        principal=money_request.principal,
        excluding_request=money_request.pk,
    )
    application = terms.application
    destination = ledger.receivable_account(
        kind=AccountKind.SUBSIDY_RECEIVED,
        organization=application.applicant,
        currency=programme.currency,
    )
    ledger_transaction = ledger.transfer(
        kind=TransactionKind.SUBSIDY_PAYMENT,
        source=programme.budget_account,
        destination=destination,
        amount=terms.amount,
        description=f"Interest subsidy on application #{application.pk}",
        initiated_by=money_request.requested_by,
    )
    subsidy = InterestSubsidy(
        programme=programme,
        application=application,
        principal=terms.principal,
        annual_rate=terms.annual_rate,
        subsidy_ratio=programme.subsidy_ratio,
        period_start=terms.period_start,
        period_end=terms.period_end,
        days=terms.days,
        amount=terms.amount,
        transaction=ledger_transaction,
        paid_by=money_request.requested_by,
    )
    subsidy.full_clean(exclude=["transaction"], validate_constraints=False)
    try:
        with transaction.atomic():
            subsidy.save()
    except IntegrityError:
        # The exclusion constraint: a concurrent payment covered part of the period first.
        raise ValidationError(
            {"period_start": _("A subsidy was already paid for part of this period on this loan.")}
        ) from None
    notify_users(
        users=list(User.objects.filter(memberships__organization=application.applicant)),
        title=_("An interest subsidy of %(amount)s %(currency)s was paid on your loan")
        % {"amount": terms.amount, "currency": programme.currency},
        url=reverse("finance:application_detail", args=[application.pk]),
    )
    return subsidy


def _carry_out(money_request: MoneyRequest, *, approver: User) -> dict[str, object]:
    """The effect of an approved request; raises ValidationError (and the caller's transaction
    rolls back, leaving the request pending) when it is no longer possible."""
    programme = (
        SupportProgramme.objects.select_for_update(of=("self",))
        .select_related("operator", "funding_account", "budget_account")
        .get(pk=money_request.programme_id)
    )
    if not programme.operator.verified:
        raise ValidationError(
            _("The programme's operator organisation is not verified: no money can move.")
        )
    kind = money_request.kind
    if kind == MoneyRequestKind.BUDGET:
        if money_request.amount < programme.funding_account.balance:
            raise ValidationError(
                {"amount": _("The budget cannot be below what was already funded.")}
            )
        SupportProgramme.objects.filter(pk=programme.pk).update(
            approved_budget=money_request.amount,
            budget_approved_by=approver,
            budget_approved_at=timezone.now(),
        )
        return {}
    if kind == MoneyRequestKind.FUNDING:
        _check_within_budget(programme=programme, amount=money_request.amount)
        transaction_row = ledger.transfer(
            kind=TransactionKind.PROGRAMME_FUNDING,
            source=programme.funding_account,
            destination=programme.budget_account,
            amount=money_request.amount,
            description=f"Funding of {programme.name} (request #{money_request.pk})",
            initiated_by=money_request.requested_by,
        )
        return {"ledger_transaction": transaction_row}
    if kind == MoneyRequestKind.VOUCHER_ISSUE:
        holder = _validate_voucher(
            programme=programme, holder=money_request.holder, expires=money_request.expires
        )
        voucher = _voucher_issue(
            programme=programme,
            issued_by=money_request.requested_by,
            holder=holder,
            face_value=money_request.amount,
            expires=money_request.expires,
        )
        return {
            "voucher": voucher,
            "ledger_transaction": voucher.account.entries.get().transaction,
        }
    subsidy = _pay_subsidy(money_request=money_request, programme=programme)
    return {"subsidy": subsidy, "ledger_transaction": subsidy.transaction}


@transaction.atomic
def money_request_transition(
    *, money_request: MoneyRequest, user: User, action: str, note: str = ""
) -> MoneyRequest:
    """Approve, refuse or withdraw a pending request. Approval is the second key: a different
    person, and the money moves in this transaction or not at all."""
    money_request = MoneyRequest.objects.select_related("programme", "requested_by").get(
        pk=money_request.pk
    )
    current = money_request.status
    transition = MONEY_REQUEST_WORKFLOW.resolve(
        current,
        action,
        selectors.money_request_actor_roles(money_request=money_request, user=user),
    )
    note = (note or "").strip()
    if transition.requires_note and not note:
        raise ValidationError({"note": _("Please give a reason.")})
    decided = {"decided_by": user, "decided_at": timezone.now(), "decision_note": note}
    if not compare_and_set_status(
        MoneyRequest, pk=money_request.pk, expected=current, target=transition.target, **decided
    ):
        raise TransitionNotAllowed(_("Someone else decided this request first; reload it."))
    if action == "approve":
        results = _carry_out(money_request, approver=user)
        if results:
            MoneyRequest.objects.filter(pk=money_request.pk).update(**results)
    money_request.refresh_from_db()
    _request_event(
        money_request, actor=user, action=action, source=current, target=transition.target,
        note=note,
    )  # fmt: skip
    if action != "withdraw":
        notify_users(
            users=[money_request.requested_by],
            title=_("Your request %(kind)s of %(amount)s %(currency)s: %(status)s")
            % {
                "kind": money_request.get_kind_display(),
                "amount": money_request.amount,
                "currency": money_request.currency,
                "status": money_request.get_status_display(),
            },
            body=note,
            url=reverse("finance:money_requests"),
        )
    return money_request


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
