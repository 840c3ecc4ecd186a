import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import bilingual
from core.models import TransitionEvent, actor_foreign_key
from exportcontrol.choices import (
    LEVEL_OF_SUFFIX,
    ClassificationAction,
    ClassificationStatus,
    ControlCatalogue,
    ControlLevel,
    EntryChangeAction,
    EntryChangeSource,
)

ENTRY_CODE_PATTERN = r"^\d{6}[JX]$"
LEVEL_BADGE_CLASSES = {
    ControlLevel.PROHIBITED: "text-bg-danger",
    ControlLevel.RESTRICTED: "text-bg-warning",
}


class ControlEntry(models.Model):
    """One entry of China's catalogue of technologies prohibited or restricted from export
    (《中国禁止出口限制出口技术目录》) or from import (《中国禁止进口限制进口技术目录》).

    The code's suffix says the level: J prohibited, X restricted. Loaded from a CSV file
    (`load_export_control`) and edited by administrators; every change is a ControlEntryChange.
    """

    catalogue = models.CharField(
        _("catalogue"), max_length=10, choices=ControlCatalogue.choices, default="export"
    )
    code = models.CharField(
        _("entry code"), max_length=7, help_text=_("Six digits and J or X, e.g. 085001J.")
    )
    level = models.CharField(_("control level"), max_length=12, choices=ControlLevel.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    control_points = models.TextField(_("control points"), blank=True)
    revision = models.CharField(
        _("catalogue revision"), max_length=120, help_text=_("e.g. 2023 (MOFCOM/MOST 2023 No. 57)")
    )
    is_active = models.BooleanField(_("in force"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    name = bilingual("name")

    class Meta:
        ordering = ["catalogue", "code"]
        verbose_name = _("export-control entry")
        verbose_name_plural = _("export-control entries")
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "code"], name="control_entry_unique_code"),
            models.CheckConstraint(
                condition=Q(code__regex=ENTRY_CODE_PATTERN), name="control_entry_code_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def level_badge_class(self) -> str:
        return LEVEL_BADGE_CLASSES.get(self.level, "text-bg-secondary")

    def normalise(self) -> None:
        """Upper-case the code and take the level from its suffix."""
        self.code = (self.code or "").strip().upper()
        if self.code[-1:] in LEVEL_OF_SUFFIX:
            self.level = LEVEL_OF_SUFFIX[self.code[-1]]

    def clean(self) -> None:
        self.normalise()
        if not re.match(ENTRY_CODE_PATTERN, self.code):
            raise ValidationError(
                {
                    "code": _(
                        "An entry code is six digits followed by J (prohibited) or X "
                        "(restricted), e.g. 085001J."
                    )
                }
            )


class ControlEntryChange(models.Model):
    """The history of an entry: who changed what, from the administration or a catalogue file."""

    entry = models.ForeignKey(
        ControlEntry, null=True, on_delete=models.SET_NULL, related_name="changes"
    )
    entry_code = models.CharField(_("entry code"), max_length=7)
    action = models.CharField(_("action"), max_length=10, choices=EntryChangeAction.choices)
    source = models.CharField(_("source"), max_length=10, choices=EntryChangeSource.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    actor = actor_foreign_key()
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export-control entry change")
        verbose_name_plural = _("export-control entry changes")

    def __str__(self) -> str:
        return f"{self.entry_code}: {self.action}"


class TechnologyClassification(models.Model):
    """A technology classified against the export-control catalogue: the holder declares an
    entry (or that it is not listed), a platform reviewer confirms or corrects it.

    `entry` is what the screening uses once confirmed; None with status confirmed means not
    listed (free export or import). `catalogue` is the one the technology was classified
    against: the export catalogue for a holder in China, the import catalogue for one abroad.
    """

    technology = models.OneToOneField(
        "catalog.Technology",
        verbose_name=_("technology"),
        on_delete=models.CASCADE,
        related_name="export_classification",
    )
    catalogue = models.CharField(
        _("catalogue"),
        max_length=10,
        choices=ControlCatalogue.choices,
        default=ControlCatalogue.EXPORT,
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ClassificationStatus.choices,
        default=ClassificationStatus.UNCLASSIFIED,
    )
    declared_entry = models.ForeignKey(
        ControlEntry,
        verbose_name=_("declared entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(null=True, blank=True)
    entry = models.ForeignKey(
        ControlEntry,
        verbose_name=_("confirmed entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="classifications",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("export-control classification")
        verbose_name_plural = _("export-control classifications")

    def __str__(self) -> str:
        return f"{self.technology_id}: {self.status}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == ClassificationStatus.CONFIRMED


class ClassificationEvent(TransitionEvent):
    """One step of a classification: declared, confirmed or corrected, with the entry chosen."""

    status_choices = ClassificationStatus
    action_labels = dict(ClassificationAction.choices)

    classification = models.ForeignKey(
        TechnologyClassification, on_delete=models.CASCADE, related_name="events"
    )
    entry_code = models.CharField(_("entry code"), max_length=7, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("classification event")
        verbose_name_plural = _("classification events")
