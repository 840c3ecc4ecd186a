"""Who sees which field of a listing: the catalog's field policies (core.visibility).

Every view of a technology consults TECHNOLOGY_FIELDS: the API serializers, the history (API and
manage page), the search index (catalog.search), the match documents (matching.documents) and
the exports (catalog.exports). A field not named here is INTERNAL: only members of the holder
and reviewers see it, so a field added to the model or a serializer stays hidden until it is
declared. CONFIDENTIAL fields need an approved access request (the listing's NDA).

This module declares names only (no model import), so anything may import it.
"""

from __future__ import annotations

from core.visibility import Clearance, FieldPolicy

PUBLIC, CONFIDENTIAL = Clearance.PUBLIC, Clearance.CONFIDENTIAL

# A technology as the API represents it, in order (catalog.api.serializers takes its field lists
# from here), each field with the clearance it needs. A field the API gains must be added here,
# with its clearance, or the serializer does not show it.
TECHNOLOGY_REPRESENTATION = {
    "id": PUBLIC,
    "organization": PUBLIC,
    "organization_name": PUBLIC,
    "holder_type": PUBLIC,
    "title_zh": PUBLIC,
    "title_en": PUBLIC,
    "summary_zh": PUBLIC,
    "summary_en": PUBLIC,
    "original_language": PUBLIC,
    "description_zh": CONFIDENTIAL,
    "description_en": CONFIDENTIAL,
    "category": PUBLIC,
    "keywords": PUBLIC,
    "trl": PUBLIC,
    "trl_definition": PUBLIC,
    "application_scope": PUBLIC,
    "advantages": PUBLIC,
    "economic_comparison": PUBLIC,
    "transaction_modes": PUBLIC,
    "asking_price": PUBLIC,
    "currency": PUBLIC,
    "offers": PUBLIC,
    "patents": PUBLIC,
    "has_granted_patent": PUBLIC,
    "performance_figures": CONFIDENTIAL,
    "resource_savings": PUBLIC,
    "co2e_avoided_tonnes_per_year": PUBLIC,
    "co2e_method": PUBLIC,
    "sdg_goals": PUBLIC,
    "region": PUBLIC,
    "target_regions": PUBLIC,
    "status": PUBLIC,
    "completeness_score": PUBLIC,
    "confidential_access": PUBLIC,
    "published_at": PUBLIC,
    "created_at": PUBLIC,
    "updated_at": PUBLIC,
    "valid_until": PUBLIC,
    "last_confirmed_at": PUBLIC,
    "is_outdated": PUBLIC,
}
# What the detail adds. Computed per reader: confidential attachments are left out below
# CONFIDENTIAL, the pending change is None for anyone but members and reviewers, actions are the
# reader's own; the NDA is shown to whoever asks for the confidential detail; the completeness
# checklist (what is missing) is the holder's and the reviewers', others get the score only.
TECHNOLOGY_DETAIL_REPRESENTATION = {
    "attachments": PUBLIC,
    "completeness": PUBLIC,
    "allowed_actions": PUBLIC,
    "pending_change": PUBLIC,
    "nda_text": PUBLIC,
    # The current assessed level, its state, date and context; evidence stays with the rows.
    "trl_assessment": PUBLIC,
    # Translations hold public fields only and follow the listing's visibility.
    "translations": PUBLIC,
}
# Public names outside the API: the holder's display name in exports and match documents.
TECHNOLOGY_OTHER_VIEWS = {"holder": PUBLIC, "translated_text": PUBLIC}


def _policy(model: str, *declarations: dict[str, Clearance]) -> FieldPolicy:
    fields = {
        name: clearance for declaration in declarations for name, clearance in declaration.items()
    }
    return FieldPolicy(
        model=model,
        public=frozenset(name for name, clearance in fields.items() if clearance == PUBLIC),
        confidential=frozenset(
            name for name, clearance in fields.items() if clearance == CONFIDENTIAL
        ),
    )


TECHNOLOGY_FIELDS = _policy(
    "catalog.Technology",
    TECHNOLOGY_REPRESENTATION,
    TECHNOLOGY_DETAIL_REPRESENTATION,
    TECHNOLOGY_OTHER_VIEWS,
)

# What the API shows of an attachment; a confidential attachment is itself confidential
# detail (its file name included), so the policy's public fields are for public attachments.
ATTACHMENT_REPRESENTATION = (
    "id",
    "name",
    "content_type",
    "size",
    "confidential",
    "is_image",
    "width",
    "height",
    "url",
    "thumbnail_url",
    "created_at",
)
ATTACHMENT_FIELDS = FieldPolicy(
    model="catalog.TechnologyAttachment", public=frozenset(ATTACHMENT_REPRESENTATION)
)

# History rows: the note and the reviewers' field comments are the holder's and the reviewers'
# business unless the event says otherwise (TechnologyEvent.note_clearance); `changes` is shown
# field by field under TECHNOLOGY_FIELDS; `actor` is a display name (core.visibility.actor_label).
EVENT_FIELDS = FieldPolicy(
    model="catalog.TechnologyEvent",
    public=frozenset(
        {
            "action",
            "action_label",
            "actor",
            "from_status",
            "from_status_label",
            "to_status",
            "to_status_label",
            "changes",
            "created_at",
        }
    ),
)

# Events that are not shown at all below a clearance: who was given or refused the NDA access.
EVENT_ACTION_CLEARANCE = {
    "access_approved": Clearance.INTERNAL,
    "access_declined": Clearance.INTERNAL,
}
