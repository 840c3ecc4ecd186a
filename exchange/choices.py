from django.db import models
from django.utils.translation import gettext_lazy as _

# Transaction modes, currencies and review decisions are the catalogue's codes, shared as-is.
from catalog.choices import Currency, ReviewDecision, TransactionMode  # noqa: F401


class NeedStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    PUBLISHED = "published", _("Published")
    IN_NEGOTIATION = "in_negotiation", _("In negotiation")
    CLOSED = "closed", _("Closed")


class NeedCloseReason(models.TextChoices):
    SOLVED = "solved", _("Solved")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    DECLINED = "declined", _("Declined")
    ACCEPTED = "accepted", _("Accepted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DealStage(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    NEGOTIATION = "negotiation", _("Negotiation")
    AGREEMENT_DRAFTED = "agreement_drafted", _("Agreement drafted")
    SUBMITTED_FOR_REVIEW = "submitted_for_review", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")
    REJECTED = "rejected", _("Rejected")
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")
    IN_EXECUTION = "in_execution", _("In execution")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class DealActor(models.TextChoices):
    SELLER = "seller", _("Seller")
    BUYER = "buyer", _("Buyer")
    BROKER = "broker", _("Broker")
    REVIEWER = "reviewer", _("Reviewer")


class MilestoneKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    DELIVERY = "delivery", _("Delivery")


class DocumentKind(models.TextChoices):
    NDA = "nda", _("Non-disclosure agreement")
    TERM_SHEET = "term_sheet", _("Term sheet")
    CONTRACT = "contract", _("Contract")
    ACCEPTANCE_REPORT = "acceptance_report", _("Acceptance report")
    OTHER = "other", _("Other")


class IntroductionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    SELLER_ACCEPTED = "seller_accepted", _("Accepted by the technology holder")
    BUYER_ACCEPTED = "buyer_accepted", _("Accepted by the enterprise")
    ACCEPTED = "accepted", _("Accepted by both: deal opened")
    DECLINED = "declined", _("Declined")


class RatingSubject(models.TextChoices):
    ORGANIZATION = "organization", _("Organisation")
    BROKER = "broker", _("Broker")
