from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from currencies.choices import Currency as _Currency

# One list of currencies for the whole platform (currencies.choices): prices, budgets, offers,
# deals, products and vouchers alike.
Currency = _Currency


class ProductKind(models.TextChoices):
    GREEN_LOAN = "green_loan", _("Green loan")
    IP_PLEDGE_LOAN = "ip_pledge_loan", _("IP-pledge loan")
    EQUITY_INVESTMENT = "equity_investment", _("Equity investment")
    GREEN_BOND = "green_bond", _("Green bond")
    TECHNOLOGY_INSURANCE = "technology_insurance", _("Technology insurance")
    INNOVATION_VOUCHER = "innovation_voucher", _("Innovation voucher scheme")
    INTEREST_SUBSIDY = "interest_subsidy", _("Loan interest subsidy")
    RISK_COMPENSATION = "risk_compensation", _("Risk compensation")


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProductAction(models.TextChoices):
    """What happens to a product: its workflow's actions and the other entries of its history."""

    CREATE = "create", _("Product created")
    PUBLISH = "publish", _("Product published")
    WITHDRAW = "withdraw", _("Product withdrawn")


class CreditGrade(models.TextChoices):
    """Credit grades from best to worst; the order of this list is the ranking."""

    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    BBB = "BBB", "BBB"
    BB = "BB", "BB"
    B = "B", "B"
    CCC = "CCC", "CCC"
    C = "C", "C"


CREDIT_GRADE_RANK = {grade.value: rank for rank, grade in enumerate(reversed(CreditGrade))}


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("financing application", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("financing application", "Submitted")
    UNDER_REVIEW = "under_review", pgettext_lazy("financing application", "Under review")
    INFORMATION_REQUESTED = (
        "information_requested",
        pgettext_lazy("financing application", "More information requested"),
    )
    APPROVED = "approved", pgettext_lazy("financing application", "Approved")
    REJECTED = "rejected", pgettext_lazy("financing application", "Rejected")
    DISBURSED = "disbursed", pgettext_lazy("financing application", "Disbursed")
    REPAYING = "repaying", pgettext_lazy("financing application", "Repaying")
    CLOSED = "closed", pgettext_lazy("financing application", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("financing application", "Withdrawn")


class ApplicationAction(models.TextChoices):
    """What happens to an application: its workflow's actions (an API contract) and the other
    entries of its history. The labels name the step in the history a reader sees."""

    CREATE = "create", _("Application created")
    SUBMIT = "submit", _("Application submitted")
    WITHDRAW = "withdraw", _("Application withdrawn")
    START_REVIEW = "start_review", _("Review started")
    REQUEST_INFORMATION = "request_information", _("More information requested")
    APPROVE = "approve", _("Application approved")
    REJECT = "reject", _("Application rejected")
    RESUBMIT = "resubmit", _("Application submitted again")
    DISBURSE = "disburse", _("Loan disbursed")
    START_REPAYMENT = "start_repayment", _("Repayment started")
    CLOSE = "close", _("Application closed")
    DOCUMENT_ADDED = "document_added", _("Document added")


# Stages that count as a positive decision for approval rates.
APPROVED_OR_LATER = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.DISBURSED,
    ApplicationStatus.REPAYING,
    ApplicationStatus.CLOSED,
)


class ProgrammeKind(models.TextChoices):
    VOUCHER = "voucher", _("Innovation vouchers")
    INTEREST_SUBSIDY = "interest_subsidy", _("Loan interest subsidies")


class AccountKind(models.TextChoices):
    PROGRAMME_FUNDING = "programme_funding", _("Programme funding received")
    PROGRAMME_BUDGET = "programme_budget", _("Programme budget")
    VOUCHER = "voucher", _("Voucher")
    PROVIDER_RECEIVABLE = "provider_receivable", _("Paid to service provider")
    SUBSIDY_RECEIVED = "subsidy_received", _("Interest subsidy received")
    TRANSFER_INCOME = "transfer_income", _("Transfer and licence income")
    REWARD_DEDUCTION = "reward_deduction", _("Costs deducted from transfer income")
    INVENTOR_REWARD = "inventor_reward", _("Inventor's reward")
    DEPARTMENT_REWARD = "department_reward", _("Department's share")
    UNIT_REWARD = "unit_reward", _("Unit's share")


class NormalBalance(models.TextChoices):
    DEBIT = "debit", _("Debit")
    CREDIT = "credit", _("Credit")


class TransactionKind(models.TextChoices):
    PROGRAMME_FUNDING = "programme_funding", _("Programme funded")
    VOUCHER_ISSUE = "voucher_issue", _("Voucher issued")
    VOUCHER_REDEMPTION = "voucher_redemption", _("Voucher redeemed")
    SUBSIDY_PAYMENT = "subsidy_payment", _("Interest subsidy paid")
    REWARD_SPLIT = "reward_split", _("Transfer income split")


class MoneyRequestKind(models.TextChoices):
    """What a two-key request asks for; the ledger moves only when a second person approves."""

    BUDGET = "budget", _("Programme budget approval")
    FUNDING = "funding", _("Programme funding")
    VOUCHER_ISSUE = "voucher_issue", _("Voucher issue above the threshold")
    INTEREST_SUBSIDY = "interest_subsidy", _("Interest subsidy payment")


class MoneyRequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("money request", "Awaiting a second approval")
    APPROVED = "approved", pgettext_lazy("money request", "Approved")
    REFUSED = "refused", pgettext_lazy("money request", "Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("money request", "Withdrawn")


class MoneyRequestAction(models.TextChoices):
    """What happens to a two-key money request: opened by one person, decided by another."""

    REQUEST = "request", _("Request opened")
    APPROVE = "approve", _("Approved by a second person")
    REFUSE = "refuse", _("Request refused")
    WITHDRAW = "withdraw", _("Request withdrawn")


class RewardRecipient(models.TextChoices):
    """Where a part of a completed deal's income goes under the seller's reward policy."""

    DEDUCTION = "deduction", _("Costs deducted")
    INVENTOR = "inventor", _("Inventor")
    DEPARTMENT = "department", _("Department")
    UNIT = "unit", _("Unit")
