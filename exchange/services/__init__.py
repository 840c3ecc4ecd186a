"""Writes for needs, demand lists, proposals, deals, brokers' introductions and credit.

Views, serializers, tasks and commands call these; each validates, changes state with
compare-and-set, writes an event row and schedules notifications after the commit. One module
per area; this package re-exports their functions and workflow tables so callers import
`from exchange.services import need_create` (or `from exchange import services`).
"""

from exchange.services.certificates import (
    certificate_issue,
)
from exchange.services.common import (
    MEMBER,
    MEMBERS_ONLY,
    REVIEWER,
    REVIEWERS_ONLY,
    SYSTEM,
    SYSTEM_ONLY,
    validate_future_deadline,
)
from exchange.services.deal_room import (
    deal_message_post,
)
from exchange.services.deal_workflow import (
    ACTIVE_STAGES,
    BROKER,
    BUYER,
    CHECKLIST_LABELS,
    DEAL_EDITABLE_STAGES,
    DEAL_REVIEWER,
    DEAL_WORKFLOW,
    MILESTONE_STAGES,
    NEGOTIATORS,
    PARTIES,
    PRICE_AND_TERMS,
    READY_FOR_REVIEW,
    SELLER,
    deal_actor_roles,
    deal_allowed_actions,
    deal_missing_data,
    deal_review_checklist,
)
from exchange.services.deals import (
    _deal_event,
    deal_open,
    deal_participants,
    deal_transition,
    deal_update,
)
from exchange.services.demand_lists import (
    demand_list_publish,
)
from exchange.services.introductions import (
    ANY_SIDE,
    INTRODUCTION_WORKFLOW,
    introduction_actor_roles,
    introduction_allowed_actions,
    introduction_create,
    introduction_transition,
)
from exchange.services.milestones import (
    AWAITING_CONFIRMATION_LABELS,
    MILESTONE_CONFIRM,
    milestone_add,
    milestone_allowed_actions,
    milestone_awaits_confirmation,
    milestone_complete,
    milestone_confirming_side,
)
from exchange.services.needs import (
    CLOSE_REASON_OF_ACTION,
    NEED_WORKFLOW,
    _need_reindex,
    need_actor_roles,
    need_allowed_actions,
    need_create,
    need_expire,
    need_review,
    need_submit,
    need_transition,
    need_update,
    need_withdraw,
    needs_expire_overdue,
)
from exchange.services.proposals import (
    ENTERPRISE,
    PROPOSAL_WORKFLOW,
    PROPOSER,
    proposal_actor_roles,
    proposal_allowed_actions,
    proposal_create,
    proposal_message_post,
    proposal_transition,
)
from exchange.services.ratings import (
    rating_create,
)

__all__ = [
    "ACTIVE_STAGES",
    "ANY_SIDE",
    "AWAITING_CONFIRMATION_LABELS",
    "BROKER",
    "BUYER",
    "CHECKLIST_LABELS",
    "CLOSE_REASON_OF_ACTION",
    "DEAL_EDITABLE_STAGES",
    "DEAL_REVIEWER",
    "DEAL_WORKFLOW",
    "ENTERPRISE",
    "INTRODUCTION_WORKFLOW",
    "MEMBER",
    "MEMBERS_ONLY",
    "MILESTONE_CONFIRM",
    "MILESTONE_STAGES",
    "NEED_WORKFLOW",
    "NEGOTIATORS",
    "PARTIES",
    "PRICE_AND_TERMS",
    "PROPOSAL_WORKFLOW",
    "PROPOSER",
    "READY_FOR_REVIEW",
    "REVIEWER",
    "REVIEWERS_ONLY",
    "SELLER",
    "SYSTEM",
    "SYSTEM_ONLY",
    "_deal_event",
    "_need_reindex",
    "certificate_issue",
    "deal_actor_roles",
    "deal_allowed_actions",
    "deal_message_post",
    "deal_missing_data",
    "deal_open",
    "deal_participants",
    "deal_review_checklist",
    "deal_transition",
    "deal_update",
    "demand_list_publish",
    "introduction_actor_roles",
    "introduction_allowed_actions",
    "introduction_create",
    "introduction_transition",
    "milestone_add",
    "milestone_allowed_actions",
    "milestone_awaits_confirmation",
    "milestone_complete",
    "milestone_confirming_side",
    "need_actor_roles",
    "need_allowed_actions",
    "need_create",
    "need_expire",
    "need_review",
    "need_submit",
    "need_transition",
    "need_update",
    "need_withdraw",
    "needs_expire_overdue",
    "proposal_actor_roles",
    "proposal_allowed_actions",
    "proposal_create",
    "proposal_message_post",
    "proposal_transition",
    "rating_create",
    "validate_future_deadline",
]
