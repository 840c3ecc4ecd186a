"""The people who made a technology and the right a pilot gave them (职务科技成果赋权).

The holder's members name the inventors on the listing, each with a share of what the inventors
receive; the shares add up to exactly 100 %. Finance reads them when a university or institute
completes a deal and splits the income by the unit's reward policy. Only the holder's members and
reviewers see the inventors and their shares; the granted right is shown on the public page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_member, members_of
from catalog.models import Technology, TechnologyInventor, TechnologyServiceInventionRight
from catalog.selectors import technology_insider

HUNDRED = Decimal("100")
CENT = Decimal("0.01")


@dataclass
class InventorRows:
    """Inventor rows as cleaned from a form or an API body, with the errors of each row."""

    rows: list[dict]
    row_errors: list[dict[str, str]]
    total_error: str = ""

    @property
    def is_valid(self) -> bool:
        return not self.total_error and not any(self.row_errors)


def inventor_candidates(*, technology: Technology):
    """The accounts an inventor may be linked to: the holder's active members."""
    return members_of(technology.organization_id).order_by("full_name", "pk")


def inventor_rows_clean(*, technology: Technology, rows: list[dict]) -> InventorRows:
    """Check inventor rows (name, department, share, optional user id): every field readable,
    a linked account a member of the holder and named once, the shares adding up to 100 %."""
    cleaned: list[dict] = []
    errors: list[dict[str, str]] = []
    seen_users: set[int] = set()
    for row in rows:
        row_errors: dict[str, str] = {}
        name = str(row.get("name") or "").strip()
        department = str(row.get("department") or "").strip()
        if not name:
            row_errors["name"] = _("Give the inventor's name.")
        elif len(name) > 100:
            row_errors["name"] = _("At most 100 characters.")
        if not department:
            row_errors["department"] = _("Give the inventor's department.")
        elif len(department) > 200:
            row_errors["department"] = _("At most 200 characters.")
        share = None
        try:
            share = Decimal(str(row.get("share"))) if row.get("share") not in (None, "") else None
        except InvalidOperation:
            share = None
        if share is None or not share.is_finite():
            row_errors["share"] = _("Give the share as a number of percent, e.g. 60 or 37.5.")
            share = None
        elif share <= 0 or share > HUNDRED:
            row_errors["share"] = _("A share lies above 0 % and at most 100 %.")
        elif share != share.quantize(CENT):
            row_errors["share"] = _("Give the share with at most two decimals.")
        user = row.get("user")
        try:
            user_id = user.pk if isinstance(user, User) else (int(user) if user else None)
        except (TypeError, ValueError):
            user_id = None
            row_errors["user"] = _("Choose the linked account from the list.")
        if user_id is not None:
            if not members_of(technology.organization_id).filter(pk=user_id).exists():
                row_errors["user"] = _(
                    "A linked account must belong to a member of the holder organisation."
                )
            elif user_id in seen_users:
                row_errors["user"] = _("This account is already linked to another inventor.")
            seen_users.add(user_id)
        errors.append(row_errors)
        cleaned.append({"name": name, "department": department, "share": share, "user_id": user_id})
    total_error = ""
    if not rows:
        total_error = _("Name at least one inventor.")
    elif not any(errors):
        total = sum((row["share"] for row in cleaned), Decimal("0"))
        if total != HUNDRED:
            total_error = _(
                "The inventors' shares must add up to exactly 100 %%; they add up to %(total)s %%."
            ) % {"total": f"{total.normalize():f}"}
    return InventorRows(rows=cleaned, row_errors=errors, total_error=total_error)


def inventor_rows_error(result: InventorRows) -> ValidationError:
    """The errors of `result` as one ValidationError (`inventors` and `share` keys)."""
    messages: dict[str, list[str]] = {}
    if result.total_error:
        messages["share"] = [result.total_error]
    for index, row_errors in enumerate(result.row_errors, start=1):
        for message in row_errors.values():
            messages.setdefault("inventors", []).append(
                _("Inventor %(number)s: %(message)s") % {"number": index, "message": message}
            )
    return ValidationError(messages)


def inventors_may_edit(*, technology: Technology, user) -> bool:
    return is_member(user=user, organization=technology.organization_id)


def inventors_visible(*, technology: Technology, user) -> bool:
    return technology_insider(user=user, technology=technology)


@transaction.atomic
def technology_inventors_replace(
    *, user, technology: Technology, rows: list[dict]
) -> list[TechnologyInventor]:
    """Replace the inventors of `technology` by `rows`; refused (nothing changed) unless they
    are valid and the user is a member of the holder."""
    if not inventors_may_edit(technology=technology, user=user):
        raise PermissionDenied(_("Only the holder's members may name the inventors."))
    Technology.objects.select_for_update().filter(pk=technology.pk).first()
    result = inventor_rows_clean(technology=technology, rows=rows)
    if not result.is_valid:
        raise inventor_rows_error(result)
    technology.inventors.all().delete()
    return TechnologyInventor.objects.bulk_create(
        TechnologyInventor(technology=technology, position=position, **row)
        for position, row in enumerate(result.rows)
    )


@transaction.atomic
def technology_service_invention_right_set(
    *, user, technology: Technology, kind: str, document: str = "", granted_on=None,
    term_years: int | None = None,
) -> TechnologyServiceInventionRight | None:  # fmt: skip
    """Record (or, with an empty `kind`, remove) the right a pilot gave the researchers."""
    if not inventors_may_edit(technology=technology, user=user):
        raise PermissionDenied(_("Only the holder's members may record this right."))
    if not kind:
        TechnologyServiceInventionRight.objects.filter(technology=technology).delete()
        return None
    right = TechnologyServiceInventionRight.objects.filter(technology=technology).first()
    right = right or TechnologyServiceInventionRight(technology=technology)
    right.kind = kind
    right.document = (document or "").strip()
    right.granted_on = granted_on
    right.term_years = term_years
    right.full_clean()
    right.save()
    return right
