"""Field visibility: one declared policy per model, consulted by every view of an object.

A model's policy names its PUBLIC fields (everyone who may see the object), its CONFIDENTIAL
fields (also readers cleared for the confidential part, e.g. after an approved NDA) and nothing
else: every field it does not name is INTERNAL, visible only to the owner organisation's members
and reviewers. A field added to a model later is therefore hidden until someone declares it.

The detail and list API, history and timeline, search index, match documents and exports all ask
the same policy (`visible()`, `redact()`, `require()`), so none of them can show a field another
one hides. Apps declare their policies (catalog.visibility); this module knows no app.

Actors are shown by `actor_label()`: a person's full name, or a neutral "a member of <org>",
never an e-mail address, except to reviewers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from django.utils.translation import gettext as _


class Clearance(IntEnum):
    """How much of an object a reader may see; each level includes the ones below."""

    PUBLIC = 0
    CONFIDENTIAL = 1
    INTERNAL = 2


class UndeclaredField(LookupError):
    """A view wants to show a field its policy does not allow at that clearance."""


@dataclass(frozen=True)
class FieldPolicy:
    """The declared visibility of the fields of one model (by the names its views use)."""

    model: str
    public: frozenset[str]
    confidential: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        both = self.public & self.confidential
        if both:
            raise ValueError(f"{self.model}: {sorted(both)} declared public and confidential")

    def clearance_of(self, field: str) -> Clearance:
        """The clearance a reader needs to see `field` (undeclared: INTERNAL)."""
        if field in self.public:
            return Clearance.PUBLIC
        if field in self.confidential:
            return Clearance.CONFIDENTIAL
        return Clearance.INTERNAL

    def visible(self, field: str, clearance: Clearance) -> bool:
        return self.clearance_of(field) <= clearance

    def fields_for(self, clearance: Clearance, among: Iterable[str]) -> list[str]:
        return [field for field in among if self.visible(field, clearance)]

    def redact(self, values: Mapping, clearance: Clearance) -> dict:
        """`values` without the fields the reader may not see."""
        return {key: value for key, value in values.items() if self.visible(key, clearance)}

    def require(self, fields: Iterable[str], *, clearance: Clearance, where: str) -> None:
        """Fail loudly (at import time) when a view that shows `fields` to readers of
        `clearance` (an export, the search index) names a field they may not see."""
        hidden = [field for field in fields if not self.visible(field, clearance)]
        if hidden:
            raise UndeclaredField(
                f"{where} shows {hidden} of {self.model}, not visible at {clearance.name}"
            )


def actor_label(actor, *, viewer=None, organization_name: str = "") -> str:
    """How a person who did something is named to `viewer`: reviewers see the account (name
    and e-mail); anyone else the full name, or "a member of <organisation>" / "a platform user"
    when the person gave none. Never an e-mail address to anyone but reviewers."""
    if actor is None:
        return ""
    if viewer is not None and getattr(viewer, "is_reviewer", False):
        full_name = (getattr(actor, "full_name", "") or "").strip()
        email = getattr(actor, "email", "")
        return f"{full_name} <{email}>" if full_name and email else (full_name or email)
    full_name = (getattr(actor, "full_name", "") or "").strip()
    if full_name and "@" not in full_name:
        return full_name
    if organization_name:
        return _("a member of %(organization)s") % {"organization": organization_name}
    return _("a platform user")
