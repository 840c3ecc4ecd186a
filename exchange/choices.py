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
    # 技术出口许可意向书 and 技术出口许可证: attached by the seller, checked by a reviewer.
    EXPORT_LICENCE_INTENT = "export_licence_intent", _("Technology export licence-intent letter")
    EXPORT_LICENCE = "export_licence", _("Technology export licence")
    # 技术进口许可意向书 and 技术进口许可证: the importer (the buyer in China) applies for them.
    IMPORT_LICENCE_INTENT = "import_licence_intent", _("Technology import licence-intent letter")
    IMPORT_LICENCE = "import_licence", _("Technology import licence")
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


class NeedAction(models.TextChoices):
    """What happens to a need: its workflow's actions (an API contract) and the other entries of
    its history; the labels name the step as a reader sees it in the history."""

    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    SUBMIT = "submit", _("Sent for review")
    APPROVE = "approve", _("Approved and published")
    RETURN = "return", _("Returned for changes")
    REJECT = "reject", _("Rejected")
    WITHDRAW = "withdraw", _("Withdrawn")
    START_NEGOTIATION = "start_negotiation", _("Negotiation started")
    REOPEN = "reopen", _("Reopened")
    SOLVE = "solve", _("Solved")
    EXPIRE = "expire", _("Expired")
    CONFIRM = "confirm", _("Confirmed as current")
    TRANSLATE = "translate", _("Translation saved")
    TRANSLATION_DELETE = "translation_delete", _("Translation deleted")
    TRANSLATION_CONFIRM = "translation_confirm", _("Draft translation confirmed by the holder")


class DealAction(models.TextChoices):
    """What happens to a deal: its workflow's actions and the other entries of its timeline."""

    OPEN = "open", _("Deal opened")
    CHANGE = "change", _("Terms changed")
    MILESTONE_ADD = "milestone_add", _("Milestone planned")
    MILESTONE_DONE = "milestone_done", _("Milestone done")
    DOCUMENT = "document", _("Document attached")
    MESSAGE = "message", _("Message")
    RATE = "rate", _("Rated")
    START_NEGOTIATION = "start_negotiation", _("Negotiation started")
    DRAFT_AGREEMENT = "draft_agreement", _("Agreement drafted")
    REVISE = "revise", _("Back to negotiation")
    SUBMIT_FOR_REVIEW = "submit_for_review", _("Sent for review")
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned for changes")
    REJECT = "reject", _("Rejected")
    SIGN_CONTRACT = "sign_contract", _("Contract signed")
    START_EXECUTION = "start_execution", _("Execution started")
    REPORT_DISPUTE = "report_dispute", _("Dispute reported")
    COMPLETE = "complete", _("Completed")
    CANCEL = "cancel", _("Cancelled")
    # The code is the API's since export screening came first; import deals use it too.
    EXPORT_SCREENING = "export_screening", _("Technology import/export control screening")
    LICENCE_CHECK = "licence_check", _("Licence document checked")
    CONTRACT_REGISTRATION = "contract_registration", _("Contract registration number recorded")


class LicenceCheckDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class ProposalAction(models.TextChoices):
    """What happens to a proposal: created, then its workflow's actions."""

    CREATE = "create", _("Proposal submitted")
    SHORTLIST = "shortlist", _("Shortlisted")
    DECLINE = "decline", _("Declined")
    ACCEPT = "accept", _("Accepted: deal opened")
    WITHDRAW = "withdraw", _("Withdrawn")


class IntroductionAction(models.TextChoices):
    """What happens to a broker's introduction: created, then each side's answer."""

    CREATE = "create", _("Introduced")
    ACCEPT_AS_SELLER = "accept_as_seller", _("Accepted by the technology holder")
    ACCEPT_AS_BUYER = "accept_as_buyer", _("Accepted by the enterprise")
    DECLINE = "decline", _("Declined")
