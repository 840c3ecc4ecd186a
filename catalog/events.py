"""What catalog announces (core.events): apps above it subscribe instead of being called."""

from core.events import DomainEvent

# A technology became public (first publication or republished after a withdrawal).
TECHNOLOGY_PUBLISHED = DomainEvent("catalog.technology_published", payload=("technology_id",))
# The public text of a published technology changed (an approved change request).
TECHNOLOGY_CHANGED = DomainEvent("catalog.technology_changed", payload=("technology_id",))
