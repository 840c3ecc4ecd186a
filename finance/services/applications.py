"""Financing applications: create, change and move along the workflow."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.choices import Role
from accounts.models import Organization, User
from accounts.permissions import members_of
from accounts.services import organization_may_transact
from core.progress import Progress, workflow_progress
from core.reasons import turn_down_reason_errors
from core.workflow import StateMachine, Transition, TransitionNotAllowed, compare_and_set_status
from finance import selectors
from finance.choices import ApplicationAction, ApplicationStatus
from finance.models import (
    ApplicationEvent,
    FinancingApplication,
    FinancingProduct,
    Valuation,
)
from finance.services.common import APPLICANT, FINANCIER, applicant_of, event_record, parse_amount
from finance.services.products import eligibility_failures
from finance.valuation import collateral_cap
from notifications.messages import Bilingual, Message, choice_label
from notifications.services import notify_users

APPLICATION_WORKFLOW = StateMachine(
    {
        (ApplicationStatus.DRAFT, ApplicationAction.SUBMIT): Transition(
            ApplicationStatus.SUBMITTED, APPLICANT
        ),
        (ApplicationStatus.DRAFT, ApplicationAction.WITHDRAW): Transition(
            ApplicationStatus.WITHDRAWN, APPLICANT
        ),
        (ApplicationStatus.SUBMITTED, ApplicationAction.START_REVIEW): Transition(
            ApplicationStatus.UNDER_REVIEW, FINANCIER
        ),
        (ApplicationStatus.SUBMITTED, ApplicationAction.WITHDRAW): Transition(
            ApplicationStatus.WITHDRAWN, APPLICANT
        ),
        (ApplicationStatus.UNDER_REVIEW, ApplicationAction.REQUEST_INFORMATION): Transition(
            ApplicationStatus.INFORMATION_REQUESTED, FINANCIER, requires_note=True
        ),
        (ApplicationStatus.UNDER_REVIEW, ApplicationAction.APPROVE): Transition(
            ApplicationStatus.APPROVED, FINANCIER
        ),
        (ApplicationStatus.UNDER_REVIEW, ApplicationAction.REJECT): Transition(
            ApplicationStatus.REJECTED, FINANCIER, requires_note=True
        ),
        (ApplicationStatus.INFORMATION_REQUESTED, ApplicationAction.RESUBMIT): Transition(
            ApplicationStatus.SUBMITTED, APPLICANT
        ),
        (ApplicationStatus.INFORMATION_REQUESTED, ApplicationAction.WITHDRAW): Transition(
            ApplicationStatus.WITHDRAWN, APPLICANT
        ),
        (ApplicationStatus.APPROVED, ApplicationAction.DISBURSE): Transition(
            ApplicationStatus.DISBURSED, FINANCIER
        ),
        (ApplicationStatus.DISBURSED, ApplicationAction.START_REPAYMENT): Transition(
            ApplicationStatus.REPAYING, FINANCIER
        ),
        (ApplicationStatus.REPAYING, ApplicationAction.CLOSE): Transition(
            ApplicationStatus.CLOSED, FINANCIER
        ),
    }
)
APPLICATION_ACTION_LABELS = {
    ApplicationAction.SUBMIT: gettext_lazy("Submit"),
    ApplicationAction.WITHDRAW: gettext_lazy("Withdraw"),
    ApplicationAction.START_REVIEW: gettext_lazy("Start review"),
    ApplicationAction.REQUEST_INFORMATION: gettext_lazy("Request more information"),
    ApplicationAction.APPROVE: gettext_lazy("Approve"),
    ApplicationAction.REJECT: gettext_lazy("Reject"),
    ApplicationAction.RESUBMIT: gettext_lazy("Submit again"),
    ApplicationAction.DISBURSE: gettext_lazy("Mark as disbursed"),
    ApplicationAction.START_REPAYMENT: gettext_lazy("Start repayment"),
    ApplicationAction.CLOSE: pgettext_lazy("loan", "Close"),
}
# Actions whose note is the financier's decision note on the application.
DECISIONS = (
    ApplicationAction.APPROVE,
    ApplicationAction.REJECT,
    ApplicationAction.REQUEST_INFORMATION,
)
# Actions of the applicant the institution's financiers are told about (the others: the applicant).
TOLD_TO_THE_INSTITUTION = (
    ApplicationAction.SUBMIT,
    ApplicationAction.RESUBMIT,
    ApplicationAction.WITHDRAW,
)
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


def _check_links(*, applicant: Organization, technology, valuation, deal=None) -> None:
    if deal is not None and applicant.pk not in (deal.buyer_id, deal.seller_id):
        raise ValidationError({"deal": _("Link a deal your organisation is a party to.")})
    if (
        technology is not None
        and not selectors.technologies_linkable_by(organization_ids=[applicant.pk])
        .filter(pk=technology.pk)
        .exists()
    ):
        raise ValidationError(
            {"technology": _("Link one of your technologies or a published one.")}
        )
    if valuation is not None and valuation.organization_id != applicant.pk:
        raise ValidationError(
            {"valuation": _("Only a valuation made by the applicant can be pledged.")}
        )


def record_application_event(
    application: FinancingApplication, *, actor, action: str, source: str, target: str, note=""
) -> None:
    event_record(
        ApplicationEvent,
        application=application,
        actor=actor,
        action=action,
        source=source,
        target=target,
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
            {
                "eligibility": [
                    ValidationError(failure.message, code=failure.rule) for failure in failures
                ]
            }
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
    applicant = applicant_of(user=user, applicant=applicant)
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
    record_application_event(
        application,
        actor=user,
        action=ApplicationAction.CREATE,
        source="",
        target=application.status,
    )
    if submit:
        application = application_transition(
            application=application, user=user, action=ApplicationAction.SUBMIT
        )
    return application


@transaction.atomic
def application_update(
    *, application: FinancingApplication, user: User, **fields
) -> FinancingApplication:
    if selectors.APPLICANT_ROLE not in selectors.application_actor_roles(
        application=application, user=user
    ):
        raise ValidationError(_("Only the applicant may change the application."))
    if application.status not in EDITABLE_STATUSES:
        raise TransitionNotAllowed(
            _("The application can only be changed as a draft or when information is requested.")
        )
    fields = {
        name: value
        for name, value in fields.items()
        if name in FinancingApplication.EDITABLE_FIELDS
    }
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


@transaction.atomic
def application_transition(
    *,
    application: FinancingApplication,
    user: User,
    action: str,
    note: str = "",
    approved_amount=None,
    approved_terms: str = "",
    reason_code: str = "",
) -> FinancingApplication:
    """Move an application along its workflow; raises TransitionNotAllowed (409) or
    ValidationError (400) and changes nothing when refused. A rejection needs a reason code
    (core.reasons) and a note, which the applicant sees."""
    application = FinancingApplication.objects.select_related(
        "product", "product__institution", "applicant", "valuation", "technology"
    ).get(pk=application.pk)
    current = application.status
    transition = APPLICATION_WORKFLOW.resolve(
        current, action, selectors.application_actor_roles(application=application, user=user)
    )
    note = (note or "").strip()
    errors = {}
    if action == ApplicationAction.REJECT:
        errors = turn_down_reason_errors(code=reason_code, note=note)
    if transition.requires_note and not note:
        errors["note"] = _("Please give a reason.")
    if errors:
        raise ValidationError(errors)
    extra: dict[str, object] = {"updated_at": timezone.now()}
    if action in (ApplicationAction.SUBMIT, ApplicationAction.RESUBMIT):
        if not selectors.products_open_for_applications().filter(pk=application.product_id):
            raise ValidationError({"product": _("This product is not open for applications.")})
        _validate_application(application, submitting=True)
        _raise_if_ineligible(application)
        extra["submitted_at"] = timezone.now()
    elif action == ApplicationAction.APPROVE:
        amount = parse_amount(approved_amount, "approved_amount") if approved_amount else None
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
    if action in DECISIONS:
        extra["decision_note"] = note
        extra["reason_code"] = reason_code if action == ApplicationAction.REJECT else ""
    if not compare_and_set_status(
        FinancingApplication,
        pk=application.pk,
        expected=current,
        target=transition.target,
        **extra,
    ):
        raise TransitionNotAllowed(_("Someone else changed this application first; reload it."))
    record_application_event(
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
    if action in TOLD_TO_THE_INSTITUTION:
        if action == ApplicationAction.WITHDRAW and not application.submitted_at:
            return
        recipients = selectors.members_with_role(
            application.product.institution_id, role=Role.FINANCIER
        )
    else:
        recipients = members_of(application.applicant_id)
    recipients = recipients.exclude(pk=actor.pk)
    if action == ApplicationAction.REJECT:
        title = Message(
            gettext_lazy("Financing application #%(id)s (%(product)s) rejected: %(reason)s"),
            id=application.pk,
            product=Bilingual.of(application.product, "name"),
            reason=choice_label(application, "reason_code"),
        )
    else:
        title = Message(
            gettext_lazy("Financing application #%(id)s (%(product)s): %(status)s"),
            id=application.pk,
            product=Bilingual.of(application.product, "name"),
            status=choice_label(application, "status"),
        )
    notify_users(
        users=list(recipients),
        title=title,
        body=note,
        url=reverse("finance:application_detail", args=[application.pk]),
    )


# The usual order of an application, for the stepper; the others are detours or ends.
APPLICATION_PATH = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.APPROVED,
    ApplicationStatus.DISBURSED,
    ApplicationStatus.REPAYING,
    ApplicationStatus.CLOSED,
)
APPLICATION_ACTOR_LABELS = {
    selectors.APPLICANT_ROLE: gettext_lazy("Applicant"),
    selectors.FINANCIER_ROLE: gettext_lazy("Financial institution"),
}


def application_progress(*, application: FinancingApplication, user: User) -> Progress:
    """The application's stepper: every step, where it is, what is next and who must act."""
    return workflow_progress(
        APPLICATION_WORKFLOW,
        path=APPLICATION_PATH,
        status=application.status,
        status_labels=dict(ApplicationStatus.choices),
        actor_labels=APPLICATION_ACTOR_LABELS,
        action_labels=APPLICATION_ACTION_LABELS,
        detours={
            ApplicationStatus.INFORMATION_REQUESTED: ApplicationStatus.UNDER_REVIEW,
            ApplicationStatus.REJECTED: ApplicationStatus.UNDER_REVIEW,
            ApplicationStatus.WITHDRAWN: ApplicationStatus.SUBMITTED,
        },
        stops=(ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN),
        reader_roles=selectors.application_actor_roles(application=application, user=user),
    )
