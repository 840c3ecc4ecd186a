"""What every finance service shares: role sets, amount and rate parsing, the acting
organisation and the operator check."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Organization, User
from accounts.permissions import has_role, member_organization_ids
from core.models import TransitionEvent
from finance import selectors
from finance.choices import ProductKind
from finance.models import SupportProgramme

CENT = Decimal("0.01")
APPLICANT = frozenset({selectors.APPLICANT_ROLE})
FINANCIER = frozenset({selectors.FINANCIER_ROLE})
LOAN_KINDS = (ProductKind.GREEN_LOAN, ProductKind.IP_PLEDGE_LOAN)


def event_record(
    model: type[TransitionEvent],
    *,
    actor,
    action: str,
    source: str,
    target: str,
    note: str = "",
    **subject,
) -> TransitionEvent:
    """Write one row of a workflow's history (`subject` names the row it belongs to)."""
    return model.objects.create(
        actor=actor, action=action, from_status=source, to_status=target, note=note, **subject
    )


def applicant_of(*, user: User, applicant: Organization | None) -> Organization:
    own = member_organization_ids(user=user)
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


# numeric(18, 2): the largest amount a money column holds.
MAXIMUM_AMOUNT = Decimal("9999999999999999.99")


def parse_decimal(value, field: str, *, message: str) -> Decimal:
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


def parse_amount(value, field: str) -> Decimal:
    amount = parse_decimal(value, field, message=_("Enter an amount such as 150000.00."))
    if amount <= 0:
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if amount > MAXIMUM_AMOUNT:
        raise ValidationError(
            {field: _("The amount must be at most %(maximum)s.") % {"maximum": MAXIMUM_AMOUNT}}
        )
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("Amounts have at most two decimal places.")})
    return amount


def parse_rate(value, field: str) -> Decimal:
    """An annual rate as a fraction: above 0, below 1, at most four decimal places."""
    rate = parse_decimal(value, field, message=_("Enter the annual rate, e.g. 0.0435."))
    if not 0 < rate < 1:
        raise ValidationError({field: _("Enter the annual rate as a fraction, e.g. 0.0435.")})
    if rate != rate.quantize(Decimal("0.0001")):
        raise ValidationError({field: _("The rate has at most four decimal places.")})
    return rate


def require_operator_of(*, user: User, programme: SupportProgramme) -> None:
    if not selectors.programmes_visible_to(user=user).filter(pk=programme.pk).exists():
        raise ValidationError(_("Only the programme's operator may do this."))


def require_acting_operator(*, user: User, operator: Organization) -> None:
    """A programme belongs to a verified government or operator body the user acts for (an
    administrator may act for any verified one)."""
    allowed = operator.pk in selectors.operator_organization_ids(user) or (
        has_role(user=user, role=Role.ADMIN)
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
