"""Codes of experts, evaluations, screening programmes, events and challenges (public contract)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExpertStatus(models.TextChoices):
    """pending -> verified | rejected (reviewer); rejected -> pending (the expert asks again);
    verified -> suspended (reviewer) -> verified."""

    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", pgettext_lazy("verification status", "Verified")
    REJECTED = "rejected", _("Verification refused")
    SUSPENDED = "suspended", _("Suspended")


class Language(models.TextChoices):
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    JAPANESE = "ja", _("Japanese")
    RUSSIAN = "ru", _("Russian")
    SPANISH = "es", _("Spanish")
    ARABIC = "ar", _("Arabic")
    PORTUGUESE = "pt", _("Portuguese")
    KOREAN = "ko", _("Korean")
    THAI = "th", _("Thai")
    VIETNAMESE = "vi", _("Vietnamese")
    INDONESIAN = "id", _("Indonesian")
    MALAY = "ms", _("Malay")
    KAZAKH = "kk", _("Kazakh")


class EvaluationStatus(models.TextChoices):
    """requested -> in_progress (a reviewer starts it once experts are assigned) -> completed
    (a reviewer completes it once every active expert has scored); requested or in_progress ->
    cancelled."""

    REQUESTED = "requested", _("Requested")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    SUBMITTED = "submitted", _("Scored")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CombinationMethod(models.TextChoices):
    MEDIAN = "median", _("Median of the experts' scores")
    TRIMMED_MEAN = "trimmed_mean", _("Mean without the highest and lowest score")


class ProgrammeStatus(models.TextChoices):
    """draft -> screening (the first shortlist) -> closed."""

    DRAFT = "draft", _("Draft")
    SCREENING = "screening", _("Screening")
    CLOSED = "closed", _("Closed")


class EntryStatus(models.TextChoices):
    SHORTLISTED = "shortlisted", _("Shortlisted")
    SELECTED = "selected", _("Selected")


class InvitationResponse(models.TextChoices):
    PENDING = "pending", _("No answer yet")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class EventKind(models.TextChoices):
    ROADSHOW = "roadshow", _("Roadshow (路演)")
    FAIR = "fair", _("Matchmaking fair (对接会)")


class EventStatus(models.TextChoices):
    """draft -> open (registration open) -> closed (registration closed); draft or open ->
    cancelled."""

    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for registration")
    CLOSED = "closed", _("Registration closed")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipantRole(models.TextChoices):
    HOLDER = "holder", _("Technology holder")
    ENTERPRISE = "enterprise", _("Enterprise")


class MeetingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")
    MISSED = "missed", _("Did not take place")


class ChallengeStatus(models.TextChoices):
    """draft -> open (published, takes proposals) -> closed (scoring) -> announced."""

    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for proposals")
    CLOSED = "closed", _("Closed: experts scoring")
    ANNOUNCED = "announced", _("Winners announced")


# The structured evaluation form: (field, label, low, high).
EVALUATION_CRITERIA = (
    ("technical_novelty", _("Technical novelty"), 1, 10),
    ("maturity", _("Maturity"), 1, 10),
    ("market_prospects", _("Market prospects"), 1, 10),
    ("economic_feasibility", _("Economic feasibility"), 1, 10),
    ("green_benefit", _("Green benefit"), 1, 10),
)
SCORE_MIN, SCORE_MAX = 1, 10

# Screening criteria of a programme, in display order.
SCREENING_CRITERIA = (
    ("fit", _("Fit with the industrial positioning")),
    ("market", _("Market prospects")),
    ("feasibility", _("Technical–economic feasibility")),
    ("green", _("Green benefit")),
)

# Where a criterion's score came from (shown next to each contribution).
SCREENING_BASIS = {
    "engine": _("matching engine against the positioning"),
    "evaluation": _("expert evaluation"),
    "demand": _("published needs in the same group"),
    "trl_patent": _("readiness level and granted patents"),
    "co2e": _("avoided CO2e"),
}

# What each workflow's history rows say happened (the action codes stay in the API).
EXPERT_ACTION_LABELS = {
    "apply": _("Applied to be listed"),
    "edit": _("Profile changed"),
    "verify": _("Verified"),
    "reject": _("Verification refused"),
    "resubmit": _("Asked again for verification"),
    "suspend": _("Suspended"),
    "reinstate": _("Reinstated"),
}
EVALUATION_ACTION_LABELS = {
    "request": _("Evaluation requested"),
    "assign": _("Experts assigned"),
    "score": _("An expert scored"),
    "decline": _("An expert declined"),
    "withdraw": _("An expert's assignment withdrawn"),
    "complete": _("Evaluation completed"),
    "cancel": _("Evaluation cancelled"),
    "reply": _("The holder replied"),
}
PROGRAMME_ACTION_LABELS = {
    "create": _("Programme created"),
    "edit": _("Criteria changed"),
    "screen": _("Technologies ranked"),
    "invite_experts": _("Experts invited"),
    "select": _("Technology selected"),
    "deselect": _("Selection undone"),
    "invite_holders": _("Holders invited"),
    "holder_accepted": _("A holder accepted"),
    "holder_declined": _("A holder declined"),
    "close": _("Programme closed"),
}
EVENT_ACTION_LABELS = {
    "create": _("Event created"),
    "open": _("Registration opened"),
    "close_registration": _("Registration closed"),
    "cancel": _("Event cancelled"),
    "register": _("Organisation registered"),
    "book": _("Meeting booked"),
    "cancel_meeting": _("Meeting cancelled"),
    "meeting_held": _("Meeting held"),
    "meeting_missed": _("Meeting did not take place"),
}
CHALLENGE_ACTION_LABELS = {
    "create": _("Challenge created"),
    "publish": _("Published"),
    "invite_judges": _("Judges invited"),
    "submit": _("Proposal entered"),
    "close": _("Closed for proposals"),
    "winner": _("Winner chosen"),
    "not_winner": _("Winner choice undone"),
    "turn_down": _("Entry not chosen, with the reason"),
    "announce": _("Winners announced"),
}


# --- application scenarios (新技术应用场景) ------------------------------------------------------


class ScenarioStatus(models.TextChoices):
    """draft -> published (takes applications inside its window) -> closed -> awarded."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published: taking applications")
    CLOSED = "closed", _("Closed: screening applications")
    AWARDED = "awarded", _("Pilot awarded")


class PilotStatus(models.TextChoices):
    ACTIVE = "active", _("Pilot under way")
    COMPLETED = "completed", _("Pilot completed")


SCENARIO_ACTION_LABELS = {
    "create": _("Scenario created"),
    "edit": _("Scenario edited"),
    "publish": _("Published"),
    "apply": _("Application received"),
    "close": _("Closed for applications"),
    "award": _("Pilot awarded"),
}
