"""Export- and import-control screening of cross-border deals (技术进出口管制).

A deal whose seller is in China and buyer abroad is a technology export, one whose buyer is in
China and seller abroad a technology import (exchange.crossborder). Its technology's
classification against the catalogue of that direction (exportcontrol, below this app: the export
catalogue for a holder in China, the import catalogue for one abroad) decides what the deal
workflow lets through, the same way in both directions:

- prohibited (entry code ending in J): nothing moves forward but cancelling;
- restricted (X): binding terms (agreement drafted, review, approval) wait for a checked
  licence-intent letter (技术出口/进口许可意向书), signing and after wait for a checked, unexpired
  licence (技术出口/进口许可证); the party in China applies for them, so the seller of an export and
  the buyer of an import attaches them;
- not listed (free export or import): completion waits for the contract registration number
  (技术进出口合同登记编号);
- not classified, or declared but not confirmed: binding terms wait for the classification, and
  the refusal names who must act (the holder, then a reviewer).

Every decision (a step let through a gate, a step refused, a licence check, a registration
number) is a DealEvent on the deal's timeline. What differs between the directions is data, a
`ControlRegime`: the catalogue, the party in China, the two document kinds and the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.workflow import TransitionNotAllowed, event_record
from exchange.choices import (
    DealAction,
    DealStage,
    DocumentKind,
    LicenceCheckDecision,
)
from exchange.crossborder import TradeDirection, deal_direction
from exchange.models import Deal, DealDocument, DealEvent, DealLicenceCheck
from exchange.services.deal_workflow import (
    BROKER,
    BUYER,
    DEAL_REVIEWER,
    SELLER,
    deal_actor_roles,
)
from exchange.timeline_notes import (
    EXPORT_TEXTS,
    IMPORT_TEXTS,
    NOTE_KEY,
    entry_value,
    note_spec,
    note_text,
)
from exportcontrol.choices import ControlCatalogue, ScreeningOutcome
from exportcontrol.selectors import TechnologyScreening, technology_screening

FORWARD_ACTIONS = frozenset(
    {
        DealAction.START_NEGOTIATION,
        DealAction.DRAFT_AGREEMENT,
        DealAction.SUBMIT_FOR_REVIEW,
        DealAction.APPROVE,
        DealAction.SIGN_CONTRACT,
        DealAction.START_EXECUTION,
        DealAction.COMPLETE,
    }
)
BINDING_ACTIONS = frozenset(
    {
        DealAction.DRAFT_AGREEMENT,
        DealAction.SUBMIT_FOR_REVIEW,
        DealAction.APPROVE,
        DealAction.SIGN_CONTRACT,
        DealAction.START_EXECUTION,
        DealAction.COMPLETE,
    }
)
SIGNING_ACTIONS = frozenset(
    {DealAction.SIGN_CONTRACT, DealAction.START_EXECUTION, DealAction.COMPLETE}
)
REGISTRATION_STAGES = (DealStage.APPROVED, DealStage.CONTRACT_SIGNED, DealStage.IN_EXECUTION)
REGISTRATION_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-/]{3,39}$")


@dataclass(frozen=True)
class ControlRegime:
    """What one direction's screening needs: the catalogue, the party in China that applies for
    the licence documents and records the registration, the document kinds and the words."""

    direction: str
    catalogue: str
    applicant: str
    intent_kind: str
    licence_kind: str
    texts: dict[str, Promise]

    @property
    def licence_kinds(self) -> tuple[str, str]:
        return (self.intent_kind, self.licence_kind)

    def text(self, key: str, **values) -> str:
        return note_text(self.note(key, **values))

    def note(self, key: str, **values) -> dict:
        """A timeline note spec in this direction's words (rendered in each reader's language)."""
        return note_spec(f"{self.direction}.{key}", **values)


EXPORT_REGIME = ControlRegime(
    direction=TradeDirection.EXPORT,
    catalogue=ControlCatalogue.EXPORT,
    applicant=SELLER,
    intent_kind=DocumentKind.EXPORT_LICENCE_INTENT,
    licence_kind=DocumentKind.EXPORT_LICENCE,
    texts=EXPORT_TEXTS,
)
IMPORT_REGIME = ControlRegime(
    direction=TradeDirection.IMPORT,
    catalogue=ControlCatalogue.IMPORT,
    applicant=BUYER,
    intent_kind=DocumentKind.IMPORT_LICENCE_INTENT,
    licence_kind=DocumentKind.IMPORT_LICENCE,
    texts=IMPORT_TEXTS,
)
REGIMES = {regime.direction: regime for regime in (EXPORT_REGIME, IMPORT_REGIME)}
REGIME_OF_KIND = {kind: regime for regime in REGIMES.values() for kind in regime.licence_kinds}
LICENCE_KINDS = tuple(REGIME_OF_KIND)
REGISTRATION_LABEL = gettext_lazy("Technology import/export contract registration number recorded")


@dataclass
class Requirement:
    code: str
    met: bool
    text: Promise

    @property
    def label(self) -> str:
        return str(self.text)


@dataclass
class DealScreening:
    """The control state of one deal: what applies, what is missing, what is blocked."""

    deal: Deal
    direction: str | None
    technology: TechnologyScreening | None = None
    licence_intent: DealLicenceCheck | None = None
    licence: DealLicenceCheck | None = None
    requirements: list[Requirement] = field(default_factory=list)

    @property
    def regime(self) -> ControlRegime | None:
        return REGIMES.get(self.direction)

    @property
    def required(self) -> bool:
        return self.regime is not None

    @property
    def outcome(self) -> str | None:
        return self.technology.outcome if self.technology else None

    @property
    def outcome_label(self) -> str:
        return self.technology.outcome_label if self.technology else ""

    @property
    def badge_class(self) -> str:
        return self.technology.badge_class if self.technology else ""

    @property
    def entry(self):
        return self.technology.entry if self.technology else None

    @property
    def missing(self) -> list[Requirement]:
        return [item for item in self.requirements if not item.met]

    @property
    def registrant_roles(self) -> frozenset[str]:
        """Who records the contract registration number: the party in China, or the broker."""
        return frozenset({self.regime.applicant, BROKER}) if self.regime else frozenset()

    def _text(self, key: str) -> str:
        return self.regime.text(key) if self.regime else ""

    @property
    def intro(self) -> str:
        return self._text("intro")

    @property
    def licence_name(self) -> str:
        return self._text("licence_name")

    @property
    def attach_hint(self) -> str:
        return self._text("attach_hint")

    def refusal(self, action: str) -> str | None:
        """Why the screening refuses `action` now, in words naming the entry and who must act;
        None when it lets it through."""
        spec = self.refusal_note(action)
        return note_text(spec) if spec else None

    def refusal_note(self, action: str) -> dict | None:
        """The refusal as a note spec (the timeline renders it in each reader's language)."""
        regime = self.regime
        if regime is None or action not in FORWARD_ACTIONS:
            return None
        outcome = self.outcome
        entry = entry_value(self.entry)
        if outcome == ScreeningOutcome.PROHIBITED:
            return regime.note("prohibited", entry=entry)
        if action not in BINDING_ACTIONS:
            return None
        if outcome == ScreeningOutcome.UNCLASSIFIED:
            return regime.note("unclassified", holder=self.deal.seller.display_name)
        if outcome == ScreeningOutcome.PENDING_REVIEW:
            return regime.note("pending", entry=entry or note_spec("not_listed"))
        if outcome == ScreeningOutcome.RESTRICTED:
            if action in SIGNING_ACTIONS and self.licence is None:
                return regime.note("needs_licence", entry=entry)
            if self.licence_intent is None and self.licence is None:
                return regime.note("needs_intent", entry=entry)
            return None
        if (
            outcome == ScreeningOutcome.FREE
            and action == DealAction.COMPLETE
            and not self.deal.contract_registration_number
        ):
            return regime.note("needs_registration")
        return None

    def passage_note(self, action: str) -> dict | None:
        """What the timeline says when a gated step goes through (a note spec), or None."""
        outcome = self.outcome
        if outcome == ScreeningOutcome.RESTRICTED:
            check = (
                self.licence if action in SIGNING_ACTIONS else (self.licence_intent or self.licence)
            )
            return note_spec(
                "restricted_checked",
                entry=entry_value(self.entry),
                document={"kind": check.kind},
                number=check.number,
            )
        if outcome == ScreeningOutcome.FREE:
            if action == DealAction.COMPLETE:
                return self.regime.note(
                    "free_completed", number=self.deal.contract_registration_number
                )
            return self.regime.note("free_passed")
        return None


def _valid_check(checks, kind: str) -> DealLicenceCheck | None:
    today = timezone.localdate()
    valid = [
        check
        for check in checks
        if check.kind == kind
        and check.decision == LicenceCheckDecision.ACCEPTED
        and check.expires_on is not None
        and check.expires_on >= today
    ]
    return max(valid, key=lambda check: (check.checked_at, check.pk)) if valid else None


def deal_export_screening(*, deal: Deal) -> DealScreening:
    """The deal's export or import screening; no query for a domestic or foreign deal beyond
    its direction."""
    direction = deal_direction(deal)
    screening = DealScreening(deal=deal, direction=direction)
    regime = screening.regime
    if regime is None:
        return screening
    screening.technology = technology_screening(
        technology=deal.technology, catalogue=regime.catalogue
    )
    checks = list(deal.licence_checks.all())
    screening.licence_intent = _valid_check(checks, regime.intent_kind)
    screening.licence = _valid_check(checks, regime.licence_kind)
    outcome = screening.outcome
    confirmed = outcome in (
        ScreeningOutcome.PROHIBITED,
        ScreeningOutcome.RESTRICTED,
        ScreeningOutcome.FREE,
    )
    # The codes are the API's (export first); the labels name the direction.
    items = [Requirement("classification", confirmed, regime.texts["classification"])]
    if outcome == ScreeningOutcome.PROHIBITED:
        items.append(Requirement(f"{direction}_permitted", False, regime.texts["permitted"]))
    elif outcome == ScreeningOutcome.RESTRICTED:
        items.append(
            Requirement(
                "licence_intent",
                bool(screening.licence_intent or screening.licence),
                regime.texts["licence_intent"],
            )
        )
        items.append(
            Requirement(
                f"{direction}_licence", screening.licence is not None, regime.texts["licence"]
            )
        )
    elif outcome == ScreeningOutcome.FREE:
        items.append(
            Requirement(
                "contract_registration",
                bool(deal.contract_registration_number),
                REGISTRATION_LABEL,
            )
        )
    screening.requirements = items
    return screening


def _screening_event(
    deal: Deal,
    *,
    user,
    role: str,
    spec: dict | None = None,
    text: str = "",
    action: str = DealAction.EXPORT_SCREENING,
    changes: dict | None = None,
) -> DealEvent:
    """A screening entry of the timeline: `spec` is a note every reader gets in their language
    (the plain note keeps the actor's wording), `text` a note that is the same in every one."""
    changes = dict(changes or {})
    if spec is not None:
        changes[NOTE_KEY] = spec
    return event_record(
        DealEvent,
        deal=deal,
        user=user,
        actor_role=role,
        action=action,
        from_status=deal.stage,
        to_status=deal.stage,
        note=note_text(spec) if spec is not None else text,
        changes=changes,
    )


def deal_screening_refusal_record(*, deal: Deal, user, role: str, reason: dict) -> None:
    """Write a refusal (a note spec) on the timeline, once while it stays the latest screening
    entry."""
    with transaction.atomic():
        last = (
            deal.events.filter(action=DealAction.EXPORT_SCREENING)
            .order_by("-created_at", "-pk")
            .values_list("changes", flat=True)
            .first()
        )
        spec = note_spec("refused", reason=reason)
        if (last or {}).get(NOTE_KEY) != spec:
            _screening_event(deal, user=user, role=role, spec=spec)


def deal_screening_passage_record(*, deal: Deal, user, role: str, action: str) -> None:
    """Inside the transition's transaction: a gated step of an export or import deal went
    through."""
    screening = deal_export_screening(deal=deal)
    if not screening.required or action not in BINDING_ACTIONS:
        return
    passed = screening.passage_note(action)
    if passed:
        _screening_event(deal, user=user, role=role, spec=note_spec("passed", note=passed))


# --- licence documents and contract registration -------------------------------------------------


def licence_document_upload_allowed(*, deal: Deal, user, kind: str) -> None:
    """Only the party in China attaches licence documents (the exporter or the importer applies
    for the licence): the seller of an export, the buyer of an import."""
    regime = REGIME_OF_KIND.get(kind)
    if regime and regime.applicant not in deal_actor_roles(deal=deal, user=user):
        raise TransitionNotAllowed(regime.text("applicant_only"))


@transaction.atomic
def deal_licence_check(
    *,
    deal: Deal,
    user,
    document: DealDocument,
    decision: str,
    number: str = "",
    issued_on=None,
    expires_on=None,
    note: str = "",
) -> DealLicenceCheck:
    """A platform reviewer (not a party) checks a licence document: accepted with its number,
    issue and expiry dates, or refused with a reason. An expired one cannot be accepted."""
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if DEAL_REVIEWER not in deal_actor_roles(deal=deal, user=user):
        raise TransitionNotAllowed(
            _("Only a platform reviewer who is not a party checks licence documents.")
        )
    # Only the documents of the deal's own direction count (an export licence is no import's).
    regime = REGIMES.get(deal_direction(deal))
    if document.deal_id != deal.pk or regime is None or document.kind not in regime.licence_kinds:
        raise ValidationError(
            {"document": _("Choose a licence-intent letter or licence attached to this deal.")}
        )
    if decision not in LicenceCheckDecision.values:
        raise ValidationError({"decision": _("Accept or refuse the document.")})
    number = (number or "").strip()
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if decision == LicenceCheckDecision.ACCEPTED:
        if not number:
            errors["number"] = _("Enter the document's number.")
        if issued_on is None:
            errors["issued_on"] = _("Enter the date of issue.")
        if expires_on is None:
            errors["expires_on"] = _("Enter the date it is valid until.")
        today = timezone.localdate()
        if issued_on and issued_on > today:
            errors["issued_on"] = _("The date of issue cannot be in the future.")
        if issued_on and expires_on and expires_on < issued_on:
            errors["expires_on"] = _("A document cannot expire before it is issued.")
        elif expires_on and expires_on < today:
            errors["expires_on"] = _(
                "This document expired on %(date)s: an expired licence cannot be accepted. The "
                "seller must attach a valid one."
            ) % {"date": expires_on.isoformat()}
        if (
            document.kind == regime.licence_kind
            and not errors
            and _valid_check(list(deal.licence_checks.all()), regime.intent_kind) is None
        ):
            errors["document"] = _("Check the licence-intent letter first: the licence follows it.")
    elif not note:
        errors["note"] = _("Say why the document is refused.")
    if errors:
        raise ValidationError(errors)
    check, _created = DealLicenceCheck.objects.update_or_create(
        document=document,
        defaults={
            "deal": deal,
            "kind": document.kind,
            "decision": decision,
            "number": number,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "note": note,
            "reviewer": user,
            "checked_at": timezone.now(),
        },
    )
    if decision == LicenceCheckDecision.ACCEPTED:
        spec = note_spec(
            "licence_accepted",
            document={"kind": document.kind},
            number=number,
            issued=issued_on.isoformat(),
            until=expires_on.isoformat(),
        )
    else:
        spec = note_spec(
            "licence_refused", document={"kind": document.kind}, name=document.name, reason=note
        )
    _screening_event(
        deal, user=user, role=DEAL_REVIEWER, spec=spec, action=DealAction.LICENCE_CHECK
    )
    return check


@transaction.atomic
def deal_contract_registration_record(*, deal: Deal, user, number: str) -> Deal:
    """The party in China (the seller of an export, the buyer of an import) or the broker records
    the technology import/export contract registration number of a free export or import (after
    approval, before completion)."""
    deal = (
        Deal.objects.select_for_update()
        .select_related("seller", "buyer", "technology")
        .get(pk=deal.pk)
    )
    roles = deal_actor_roles(deal=deal, user=user)
    screening = deal_export_screening(deal=deal)
    regime = screening.regime
    if regime is None:
        # A domestic deal: the parties are told why, anyone else is refused as before.
        if not roles & {SELLER, BUYER, BROKER}:
            raise TransitionNotAllowed(EXPORT_REGIME.text("registrant_only"))
        raise ValidationError({"number": EXPORT_REGIME.text("not_free")})
    if not roles & screening.registrant_roles:
        raise TransitionNotAllowed(regime.text("registrant_only"))
    if screening.outcome != ScreeningOutcome.FREE:
        raise ValidationError({"number": regime.text("not_free")})
    if deal.stage not in REGISTRATION_STAGES:
        raise TransitionNotAllowed(
            _(
                "The contract registration number is recorded once the deal is approved and "
                "before it is completed."
            )
        )
    number = (number or "").strip()
    if not REGISTRATION_NUMBER.match(number):
        raise ValidationError(
            {
                "number": _(
                    "Enter the registration number as issued: 4 to 40 letters, digits, hyphens "
                    "or slashes."
                )
            }
        )
    if number == deal.contract_registration_number:
        return deal
    previous = deal.contract_registration_number
    Deal.objects.filter(pk=deal.pk).update(
        contract_registration_number=number, updated_at=timezone.now()
    )
    deal.contract_registration_number = number
    _screening_event(
        deal,
        user=user,
        role=sorted(roles & screening.registrant_roles)[0],
        action=DealAction.CONTRACT_REGISTRATION,
        text=number,
        changes={"contract_registration_number": [previous, number]},
    )
    return deal
