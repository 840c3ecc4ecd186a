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

TECHNOLOGY_FIELDS = FieldPolicy(
    model="catalog.Technology",
    public=frozenset(
        {
            "id",
            "organization",
            "organization_name",
            "holder",
            "holder_type",
            "title_zh",
            "title_en",
            "summary_zh",
            "summary_en",
            "category",
            "keywords",
            "trl",
            "trl_definition",
            "application_scope",
            "advantages",
            "economic_comparison",
            "transaction_modes",
            "asking_price",
            "currency",
            "offers",
            "patents",
            "has_granted_patent",
            "resource_savings",
            "co2e_avoided_tonnes_per_year",
            "co2e_method",
            "sdg_goals",
            "region",
            "target_regions",
            "status",
            "confidential_access",
            "published_at",
            "created_at",
            "updated_at",
            "nda_text",  # shown to whoever asks for the confidential detail
            # Computed per reader: confidential attachments are left out below CONFIDENTIAL,
            # the pending change is None for anyone but members and reviewers, actions are the
            # reader's own.
            "attachments",
            "allowed_actions",
            "pending_change",
        }
    ),
    confidential=frozenset({"description_zh", "description_en", "performance_figures"}),
)

# A confidential attachment is itself confidential detail (its file name included).
ATTACHMENT_FIELDS = FieldPolicy(
    model="catalog.TechnologyAttachment",
    public=frozenset({"id", "name", "content_type", "size", "confidential", "url", "created_at"}),
)

# History rows: the note and the reviewers' field comments are the holder's and the reviewers'
# business unless the event says otherwise (TechnologyEvent.note_clearance); `changes` is shown
# field by field under TECHNOLOGY_FIELDS; `actor` is a display name (core.visibility.actor_label).
EVENT_FIELDS = FieldPolicy(
    model="catalog.TechnologyEvent",
    public=frozenset({"action", "actor", "from_status", "to_status", "changes", "created_at"}),
)

# Events that are not shown at all below a clearance: who was given or refused the NDA access.
EVENT_ACTION_CLEARANCE = {
    "access_approved": Clearance.INTERNAL,
    "access_declined": Clearance.INTERNAL,
}
