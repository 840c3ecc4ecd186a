"""What exchange announces (core.events): apps above it subscribe instead of being called."""

from core.events import DomainEvent

# A need was approved and published (matching looks for technologies for it).
NEED_PUBLISHED = DomainEvent("exchange.need_published", payload=("need_id",))
# The public text of a published need changed.
NEED_CHANGED = DomainEvent("exchange.need_changed", payload=("need_id",))
# A deal was completed (the buyer confirmed completion); finance splits a university's or
# institute's income by its reward policy.
DEAL_COMPLETED = DomainEvent("exchange.deal_completed", payload=("deal_id",))
