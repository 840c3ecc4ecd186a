from django.db import models
from django.utils.translation import gettext_lazy as _


class ControlCatalogue(models.TextChoices):
    """Which of China's two technology catalogues an entry belongs to."""

    EXPORT = "export", _("Catalogue of technologies prohibited or restricted from export")
    IMPORT = "import", _("Catalogue of technologies prohibited or restricted from import")


class ControlLevel(models.TextChoices):
    """An entry code's suffix: J (禁止) prohibited, X (限制) restricted."""

    PROHIBITED = "prohibited", _("Prohibited")
    RESTRICTED = "restricted", _("Restricted")


LEVEL_OF_SUFFIX = {"J": ControlLevel.PROHIBITED, "X": ControlLevel.RESTRICTED}


class ClassificationStatus(models.TextChoices):
    UNCLASSIFIED = "unclassified", _("Not classified")
    DECLARED = "declared", _("Declared by the holder, awaiting a reviewer")
    CONFIRMED = "confirmed", _("Confirmed by a reviewer")


class ClassificationAction(models.TextChoices):
    """The classification workflow's actions (an API contract) as its history names them."""

    DECLARE = "declare", _("Declared by the holder")
    CONFIRM = "confirm", _("Confirmed by a reviewer")
    CORRECT = "correct", _("Corrected by a reviewer")


class ScreeningOutcome(models.TextChoices):
    """What the export-control screening says about a technology."""

    UNCLASSIFIED = "unclassified", _("Not classified")
    PENDING_REVIEW = "pending_review", _("Declared, awaiting a reviewer")
    PROHIBITED = "prohibited", _("Export prohibited")
    RESTRICTED = "restricted", _("Export restricted: licence required")
    FREE = "free", _("Not listed: free export with contract registration")


# The same outcomes read against the import catalogue (a deal that brings a technology into China).
IMPORT_OUTCOME_LABELS = {
    ScreeningOutcome.PROHIBITED: _("Import prohibited"),
    ScreeningOutcome.RESTRICTED: _("Import restricted: licence required"),
    ScreeningOutcome.FREE: _("Not listed: free import with contract registration"),
}


class EntryChangeAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    DELETED = "deleted", _("Deleted")


class EntryChangeSource(models.TextChoices):
    ADMIN = "admin", _("Administration")
    LOADER = "loader", _("Catalogue file")
