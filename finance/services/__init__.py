"""Writes of the financing desk. Views, serializers, forms and commands call these.

One module per section; every public service is re-exported here, so callers import
`from finance import services` and never need to know which module holds what."""

from finance.services.applications import (
    APPLICATION_ACTION_LABELS,
    APPLICATION_PATH,
    APPLICATION_WORKFLOW,
    DECISIONS,
    DOCUMENT_STATUSES,
    EDITABLE_STATUSES,
    application_allowed_actions,
    application_create,
    application_loan_cap,
    application_progress,
    application_transition,
    application_update,
)
from finance.services.common import APPLICANT, CENT, FINANCIER, LOAN_KINDS, MAXIMUM_AMOUNT
from finance.services.documents import application_document_add
from finance.services.money_request_decisions import money_request_transition
from finance.services.money_requests import (
    MONEY_REQUEST_ACTION_LABELS,
    MONEY_REQUEST_AUDIT_KIND,
    MONEY_REQUEST_WORKFLOW,
    money_request_allowed_actions,
)
from finance.services.products import (
    PRODUCT_ACTION_LABELS,
    PRODUCT_WORKFLOW,
    applicant_facts,
    eligibility_failures,
    product_allowed_actions,
    product_create,
    product_rules,
    product_transition,
    product_update,
)
from finance.services.programmes import (
    programme_budget_request,
    programme_create,
    programme_funding_request,
)
from finance.services.subsidies import SubsidyTerms, interest_subsidy_request, loan_term
from finance.services.valuations import (
    VALUATION_INPUT_FIELDS,
    VALUATION_MESSAGES,
    comparable_deals,
    valuation_create,
)
from finance.services.vouchers import (
    QUALIFYING_DEAL_STAGES,
    qualifying_deal_for_voucher,
    voucher_eligibility_failures,
    voucher_issue,
    voucher_issue_request,
    voucher_needs_second_key,
    voucher_redeem,
    voucher_second_key_threshold,
)

__all__ = [
    "APPLICANT",
    "APPLICATION_ACTION_LABELS",
    "APPLICATION_PATH",
    "APPLICATION_WORKFLOW",
    "CENT",
    "DECISIONS",
    "DOCUMENT_STATUSES",
    "EDITABLE_STATUSES",
    "FINANCIER",
    "LOAN_KINDS",
    "MAXIMUM_AMOUNT",
    "MONEY_REQUEST_ACTION_LABELS",
    "MONEY_REQUEST_AUDIT_KIND",
    "MONEY_REQUEST_WORKFLOW",
    "PRODUCT_ACTION_LABELS",
    "PRODUCT_WORKFLOW",
    "QUALIFYING_DEAL_STAGES",
    "VALUATION_INPUT_FIELDS",
    "VALUATION_MESSAGES",
    "SubsidyTerms",
    "applicant_facts",
    "application_allowed_actions",
    "application_create",
    "application_document_add",
    "application_loan_cap",
    "application_progress",
    "application_transition",
    "application_update",
    "comparable_deals",
    "eligibility_failures",
    "interest_subsidy_request",
    "loan_term",
    "money_request_allowed_actions",
    "money_request_transition",
    "product_allowed_actions",
    "product_create",
    "product_rules",
    "product_transition",
    "product_update",
    "programme_budget_request",
    "programme_create",
    "programme_funding_request",
    "qualifying_deal_for_voucher",
    "valuation_create",
    "voucher_eligibility_failures",
    "voucher_issue",
    "voucher_issue_request",
    "voucher_needs_second_key",
    "voucher_redeem",
    "voucher_second_key_threshold",
]
