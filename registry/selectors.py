"""Reads of contract records: who sees one, the parties as the registry wants them, what is
still missing, and the tax treatment the record supports (computed, never legal advice)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.validators import validate_unified_social_credit_code
from exchange.selectors import deals_visible_to
from registry.choices import ContractType, RecordActor, RecordStatus
from registry.models import ContractRecord
from registry.regions import administrative_division_code, country_code

# Which contract type a deal's transaction mode is recorded as; the seller may change it before
# submitting. A technology contributed as capital (作价入股) transfers the rights in it.
CONTRACT_TYPE_OF_MODE = {
    "transfer": ContractType.TRANSFER,
    "license": ContractType.LICENCE,
    "joint_development": ContractType.DEVELOPMENT,
    "consulting": ContractType.CONSULTING,
    "service": ContractType.SERVICE,
    "equity": ContractType.TRANSFER,
}

# 企业所得税法实施条例第九十条: a resident enterprise's technology-transfer income of up to
# 5,000,000 yuan a year is exempt; the part above is taxed at half.
EIT_EXEMPT_CEILING_CNY = Decimal("5000000")
# Contract types whose income counts as technology-transfer income (licences included:
# 财税〔2015〕116号 extends the relief to licences of five years or more).
TRANSFER_TYPES = (ContractType.TRANSFER, ContractType.LICENCE)
# Records whose income the seller has declared to the registry.
DECLARED_STATUSES = (RecordStatus.SUBMITTED, RecordStatus.REGISTERED)

TAX_DISCLAIMER = _(
    "These figures are computed from the record to help prepare a tax filing; they are not tax "
    "or legal advice. Whether a relief applies is decided by the tax authority on the "
    "registered contract and the taxpayer's own accounts."
)


def records_visible_to(*, user) -> QuerySet[ContractRecord]:
    """The record follows its deal: the parties' members, the broker and reviewers see it;
    anyone else gets 404."""
    return ContractRecord.objects.filter(deal__in=deals_visible_to(user=user)).with_parties()


def records_awaiting_registration() -> QuerySet[ContractRecord]:
    """The reviewers' queue: submitted records, oldest first."""
    return (
        ContractRecord.objects.filter(status=RecordStatus.SUBMITTED)
        .with_parties()
        .order_by("submitted_at", "pk")
    )


def record_amount_cny(record: ContractRecord, *, field_name: str = "technology_income"):
    """The record's `field_name` amount in yuan, or None when no rate converts it.

    The one place a record's money becomes yuan: at the rate fixed on the deal at signing
    (currencies, `Deal.fx_rate`). Without one, an amount in another currency is never treated
    as yuan (the tax figures then say "not computed").
    """
    amount = getattr(record, field_name)
    if amount is None:
        return None
    if record.currency == "CNY":
        return amount
    deal = record.deal
    if deal.fx_rate is not None and deal.currency == record.currency:
        return (amount * deal.fx_rate).quantize(Decimal("0.01"))
    return None


@dataclass(frozen=True)
class RecordParty:
    """One party as the registry lists it."""

    role: str
    role_label: str
    organization_id: int | None
    name: str
    credit_code: str
    region_code: str
    country: str

    @property
    def in_china(self) -> bool:
        return self.country == "CN"

    @property
    def credit_code_problem(self) -> str:
        """Why the code cannot be registered ("" when it can, or when the party is abroad)."""
        if not self.in_china:
            return ""
        if not self.credit_code:
            return str(_("No unified social credit code."))
        try:
            validate_unified_social_credit_code(self.credit_code)
        except ValidationError as error:
            return " ".join(str(message) for message in error.messages)
        return ""


def _party_from_organization(role: str, organization) -> RecordParty:
    return RecordParty(
        role=role,
        role_label=str(RecordActor(role).label),
        organization_id=organization.pk,
        name=organization.name_zh or organization.name_en,
        credit_code=organization.credit_code,
        region_code=administrative_division_code(organization.region),
        country=country_code(organization.region),
    )


def record_parties(*, record: ContractRecord) -> tuple[RecordParty, RecordParty]:
    """(seller, buyer): from the organisations while the record can change, as submitted after."""
    deal = record.deal
    if record.is_editable:
        return (
            _party_from_organization(RecordActor.SELLER, deal.seller),
            _party_from_organization(RecordActor.BUYER, deal.buyer),
        )
    return tuple(
        RecordParty(
            role=role,
            role_label=str(RecordActor(role).label),
            organization_id=organization_id,
            name=getattr(record, f"{role}_name"),
            credit_code=getattr(record, f"{role}_credit_code"),
            region_code=getattr(record, f"{role}_region_code"),
            country=getattr(record, f"{role}_country"),
        )
        for role, organization_id in (
            (RecordActor.SELLER.value, deal.seller_id),
            (RecordActor.BUYER.value, deal.buyer_id),
        )
    )


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    passed: bool
    problem: str = ""


def record_checklist(*, record: ContractRecord) -> list[ChecklistItem]:
    """Every field the registry needs, and what is wrong with each one still missing."""
    seller, buyer = record_parties(record=record)
    items = []
    for party in (seller, buyer):
        items.append(
            ChecklistItem(
                f"{party.role}_name",
                str(_("%(party)s: name") % {"party": party.role_label}),
                bool(party.name),
            )
        )
        if party.in_china:
            problem = party.credit_code_problem
            items.append(
                ChecklistItem(
                    f"{party.role}_credit_code",
                    str(_("%(party)s: unified social credit code") % {"party": party.role_label}),
                    not problem,
                    problem,
                )
            )
        region_ok = bool(party.region_code) if party.in_china else bool(party.country)
        items.append(
            ChecklistItem(
                f"{party.role}_region",
                str(
                    _("%(party)s: region code (GB/T 2260) or country code")
                    % {"party": party.role_label}
                ),
                region_ok,
                "" if region_ok else str(_("The organisation's region is not set.")),
            )
        )
    items += [
        ChecklistItem(
            "amount",
            str(_("Contract amount")),
            bool(record.amount and record.amount > 0),
            "" if record.amount and record.amount > 0 else str(_("The deal has no price.")),
        ),
        ChecklistItem(
            "technology_income",
            str(_("Technology income")),
            bool(record.technology_income and 0 < record.technology_income <= record.amount),
            ""
            if record.technology_income and record.technology_income > 0
            else str(_("Give the technology income.")),
        ),
        ChecklistItem(
            "signed_on",
            str(_("Date the contract was signed")),
            record.signed_on is not None,
            "" if record.signed_on else str(_("Give the date the contract was signed.")),
        ),
    ]
    return items


def record_missing(*, record: ContractRecord) -> dict[str, str]:
    """The checklist's failed items as field errors (what submitting still needs)."""
    return {
        item.key: f"{item.label}: {item.problem or _('missing')}"
        for item in record_checklist(record=record)
        if not item.passed
    }


# --- tax treatment ----------------------------------------------------------------------------


@dataclass
class TaxFlags:
    """What the record supports, computed from its figures; `None` figures were not computed."""

    vat_treatment: str
    vat_text: str
    eit_applies: bool
    eit_text: str
    year: int
    record_income_cny: Decimal | None
    not_computed_reason: str = ""
    shows_seller_year: bool = False
    yearly_transfer_income_cny: Decimal | None = None
    yearly_records: int = 0
    exempt_part_cny: Decimal | None = None
    halved_part_cny: Decimal | None = None
    taxable_after_relief_cny: Decimal | None = None
    year_not_computed_reason: str = ""
    basis: list[str] = field(default_factory=list)


VAT_EXEMPT = "exempt"
VAT_EXEMPT_IF_RELATED = "exempt_if_related"
VAT_LABELS = {
    VAT_EXEMPT: _(
        "VAT exemption may apply: income from technology transfer and technology development "
        "(财税〔2016〕36号, annex 3, art. 1 (26)), once the contract is registered."
    ),
    VAT_EXEMPT_IF_RELATED: _(
        "VAT exemption may apply only if this consulting or service is related to a technology "
        "transfer or development and invoiced with it (财税〔2016〕36号, annex 3, art. 1 (26))."
    ),
}
NO_RATE = _("Not computed: no exchange rate fixed for this record's currency.")


def seller_yearly_transfer_income(*, seller_id: int, year: int) -> tuple[Decimal | None, int, int]:
    """(income in yuan or None, records counted, records without a rate) of the seller's
    declared technology-transfer records completed in `year`."""
    records = (
        ContractRecord.objects.filter(
            deal__seller_id=seller_id,
            status__in=DECLARED_STATUSES,
            contract_type__in=TRANSFER_TYPES,
            completed_on__year=year,
        )
        .select_related("deal")
        .only("pk", "technology_income", "amount", "currency", "deal__fx_rate", "deal__currency")
    )
    total, counted, without_rate = Decimal("0"), 0, 0
    for record in records:
        amount = record_amount_cny(record)
        if amount is None:
            without_rate += 1
        else:
            total += amount
            counted += 1
    return (None if without_rate else total), counted, without_rate


def record_tax_flags(*, record: ContractRecord, show_seller_year: bool) -> TaxFlags:
    """The tax treatment the record supports. The seller's yearly figures (its other deals)
    are shown only to the seller's members and reviewers (`show_seller_year`)."""
    seller, _buyer = record_parties(record=record)
    contract_type = record.contract_type
    if contract_type in (ContractType.TRANSFER, ContractType.LICENCE, ContractType.DEVELOPMENT):
        vat = VAT_EXEMPT
    else:
        vat = VAT_EXEMPT_IF_RELATED
    eit_applies = contract_type in TRANSFER_TYPES and seller.in_china
    if eit_applies:
        eit_text = _(
            "Enterprise-income-tax relief may apply to the seller's technology-transfer income: "
            "up to 5,000,000 yuan a year exempt, the part above taxed at half "
            "(企业所得税法实施条例 art. 90). It applies to the income net of its costs; a licence "
            "counts when it runs five years or more."
        )
    elif contract_type in TRANSFER_TYPES:
        eit_text = _(
            "The income-tax relief on technology transfer applies to enterprises resident in "
            "China: the seller is abroad."
        )
    else:
        eit_text = _(
            "The income-tax relief on technology transfer does not apply to this contract type."
        )
    income = record_amount_cny(record)
    flags = TaxFlags(
        vat_treatment=vat,
        vat_text=str(VAT_LABELS[vat]),
        eit_applies=eit_applies,
        eit_text=str(eit_text),
        year=record.completed_on.year if record.completed_on else datetime.date.today().year,
        record_income_cny=income,
        not_computed_reason="" if income is not None else str(NO_RATE),
        shows_seller_year=bool(show_seller_year and eit_applies),
    )
    if flags.shows_seller_year:
        total, counted, without_rate = seller_yearly_transfer_income(
            seller_id=record.deal.seller_id, year=flags.year
        )
        flags.yearly_records = counted + without_rate
        if total is None:
            flags.year_not_computed_reason = str(
                _(
                    "Not computed: %(count)s of the seller's records this year have no exchange "
                    "rate fixed."
                )
                % {"count": without_rate}
            )
        else:
            flags.yearly_transfer_income_cny = total
            flags.exempt_part_cny = min(total, EIT_EXEMPT_CEILING_CNY)
            flags.halved_part_cny = max(total - EIT_EXEMPT_CEILING_CNY, Decimal("0"))
            flags.taxable_after_relief_cny = (flags.halved_part_cny / 2).quantize(Decimal("0.01"))
    return flags
