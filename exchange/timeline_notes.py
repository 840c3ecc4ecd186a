"""Timeline notes the platform writes, kept as data, and the words of cross-border screening.

A screening decision or an attached document is written on the deal's timeline when one person
acts, but read later by people in other languages (a Thai buyer, a Chinese holder, an
Arabic-speaking reviewer). So the event stores what was said as a note spec, {"key": ...,
"values": {...}}, and every reader gets it rendered in their own language (`note_text`); the
event's plain `note` keeps the actor's wording for old readers. Values are plain text, another
spec, a document kind ({"kind": code}) or a catalogue entry ({"entry": [code, name_zh, name_en]}).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.i18n import localized
from exchange.choices import DocumentKind

EXPORT_TEXTS = {
    "intro": gettext_lazy(
        "This deal is a technology export: China's catalogue of technologies prohibited or "
        "restricted from export applies."
    ),
    "classification": gettext_lazy(
        "The technology is classified against the export-control catalogue and confirmed by "
        "a reviewer"
    ),
    "permitted": gettext_lazy("The technology may be exported"),
    "licence_intent": gettext_lazy(
        "Technology export licence-intent letter attached by the seller and checked by a reviewer"
    ),
    "licence": gettext_lazy(
        "Technology export licence attached by the seller and checked by a reviewer (not expired)"
    ),
    "prohibited": gettext_lazy(
        "Export of this technology is prohibited (export-control catalogue entry "
        "%(entry)s): the deal cannot proceed."
    ),
    "unclassified": gettext_lazy(
        "This is a technology export and the technology has not been classified against "
        "China's export-control catalogue: the holder, %(holder)s, must declare its "
        "classification on the technology's page, then a platform reviewer confirms it."
    ),
    "pending": gettext_lazy(
        "The holder declared the technology's export-control classification as "
        "“%(entry)s”: a platform reviewer must confirm it before binding terms."
    ),
    "needs_licence": gettext_lazy(
        "Export of this technology is restricted (entry %(entry)s): the contract can be "
        "signed only once the seller has attached the technology export licence and a "
        "platform reviewer has checked it (valid, not expired)."
    ),
    "needs_intent": gettext_lazy(
        "Export of this technology is restricted (entry %(entry)s): binding terms can be "
        "negotiated only once the seller has attached the technology export licence-intent "
        "letter and a platform reviewer has checked it."
    ),
    "needs_registration": gettext_lazy(
        "A free technology export is completed only once its technology import/export "
        "contract registration number is recorded."
    ),
    "free_completed": gettext_lazy(
        "Not listed (free export): contract registration number %(number)s."
    ),
    "free_passed": gettext_lazy(
        "Not listed (free export): contract registration needed before completion."
    ),
    "applicant_only": gettext_lazy(
        "Only the seller's members attach the export licence-intent letter and licence."
    ),
    "registrant_only": gettext_lazy(
        "Only the seller's members or the broker record the contract registration number."
    ),
    "not_free": gettext_lazy(
        "Only a free (unlisted) technology export needs a contract registration number."
    ),
    "attach_hint": gettext_lazy(
        "The seller attaches the licence-intent letter and then the licence in the deal "
        "room below (kind of document)."
    ),
    "licence_name": gettext_lazy("Export licence"),
}
IMPORT_TEXTS = {
    "intro": gettext_lazy(
        "This deal is a technology import: China's catalogue of technologies prohibited or "
        "restricted from import applies."
    ),
    "classification": gettext_lazy(
        "The technology is classified against the import-control catalogue and confirmed by "
        "a reviewer"
    ),
    "permitted": gettext_lazy("The technology may be imported"),
    "licence_intent": gettext_lazy(
        "Technology import licence-intent letter attached by the buyer and checked by a reviewer"
    ),
    "licence": gettext_lazy(
        "Technology import licence attached by the buyer and checked by a reviewer (not expired)"
    ),
    "prohibited": gettext_lazy(
        "Import of this technology is prohibited (import-control catalogue entry "
        "%(entry)s): the deal cannot proceed."
    ),
    "unclassified": gettext_lazy(
        "This is a technology import and the technology has not been classified against "
        "China's import-control catalogue: the holder, %(holder)s, must declare its "
        "classification on the technology's page, then a platform reviewer confirms it."
    ),
    "pending": gettext_lazy(
        "The holder declared the technology's import-control classification as "
        "“%(entry)s”: a platform reviewer must confirm it before binding terms."
    ),
    "needs_licence": gettext_lazy(
        "Import of this technology is restricted (entry %(entry)s): the contract can be "
        "signed only once the buyer has attached the technology import licence and a "
        "platform reviewer has checked it (valid, not expired)."
    ),
    "needs_intent": gettext_lazy(
        "Import of this technology is restricted (entry %(entry)s): binding terms can be "
        "negotiated only once the buyer has attached the technology import licence-intent "
        "letter and a platform reviewer has checked it."
    ),
    "needs_registration": gettext_lazy(
        "A free technology import is completed only once its technology import/export "
        "contract registration number is recorded."
    ),
    "free_completed": gettext_lazy(
        "Not listed (free import): contract registration number %(number)s."
    ),
    "free_passed": gettext_lazy(
        "Not listed (free import): contract registration needed before completion."
    ),
    "applicant_only": gettext_lazy(
        "Only the buyer's members attach the import licence-intent letter and licence."
    ),
    "registrant_only": gettext_lazy(
        "Only the buyer's members or the broker record the contract registration number."
    ),
    "not_free": gettext_lazy(
        "Only a free (unlisted) technology import needs a contract registration number."
    ),
    "attach_hint": gettext_lazy(
        "The buyer attaches the licence-intent letter and then the licence in the deal "
        "room below (kind of document)."
    ),
    "licence_name": gettext_lazy("Import licence"),
}
TEXTS = {"export": EXPORT_TEXTS, "import": IMPORT_TEXTS}
NOTE_TEXTS = {
    "refused": gettext_lazy("Refused: %(reason)s"),
    "passed": gettext_lazy("Passed: %(note)s"),
    "restricted_checked": gettext_lazy(
        "Restricted entry %(entry)s: %(document)s no. %(number)s checked."
    ),
    "not_listed": gettext_lazy("not listed"),
    "licence_accepted": gettext_lazy(
        "%(document)s no. %(number)s accepted, issued %(issued)s, valid until %(until)s."
    ),
    "licence_refused": gettext_lazy("%(document)s “%(name)s” refused: %(reason)s"),
    "document_attached": gettext_lazy("%(document)s: %(name)s"),
}
NOTE_KEY = "note_spec"


def note_spec(key: str, **values) -> dict:
    """A note spec: `key` is "refused" style (NOTE_TEXTS) or "export.needs_intent" style (the
    direction's words)."""
    return {"key": key, "values": values}


def entry_value(entry) -> dict:
    return {"entry": [entry.code, entry.name_zh, entry.name_en]} if entry else ""


def _template(key: str):
    direction, _dot, name = key.partition(".")
    return TEXTS[direction][name] if name else NOTE_TEXTS[key]


def _value(value) -> str:
    if isinstance(value, dict):
        if "key" in value:
            return note_text(value)
        if "kind" in value:
            return str(dict(DocumentKind.choices).get(value["kind"], value["kind"]))
        if "entry" in value:
            code, name_zh, name_en = value["entry"]
            return f"{code} {localized(name_zh, name_en)}"
    return str(value)


def note_text(spec: dict) -> str:
    """The note in the reader's (the active) language."""
    template = str(_template(spec["key"]))
    values = {name: _value(value) for name, value in (spec.get("values") or {}).items()}
    return template % values if values else template
