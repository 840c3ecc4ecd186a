from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import in_chinese
from matching import conf
from matching.choices import RunStatus, RunSubject, RunTrigger


class TechnologyMatchProfile(models.Model):
    """The engine's field-weighted terms of one technology, kept for scoring (BM25 document).

    `source_updated_at` is the technology's `updated_at` when the terms were computed, so a
    stale profile is recognised and rebuilt; `length` is the sum of the term weights.
    """

    technology = models.OneToOneField(
        "catalog.Technology", on_delete=models.CASCADE, related_name="match_profile"
    )
    language = models.CharField(max_length=5)
    terms = models.JSONField(default=dict)
    length = models.FloatField(default=0.0)
    # SHA-256 of the text the sentence embedding reads (TextEmbedding.content_hash).
    embedding_hash = models.CharField(max_length=64, blank=True, default="")
    source_updated_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("technology match profile")
        verbose_name_plural = _("technology match profiles")
        constraints = [
            models.CheckConstraint(condition=Q(length__gte=0), name="technology_profile_length")
        ]

    def __str__(self) -> str:
        return f"profile of technology {self.technology_id}"


class NeedMatchProfile(models.Model):
    """The engine's field-weighted terms of one need (its BM25 query)."""

    need = models.OneToOneField(
        "exchange.Need", on_delete=models.CASCADE, related_name="match_profile"
    )
    language = models.CharField(max_length=5)
    terms = models.JSONField(default=dict)
    embedding_hash = models.CharField(max_length=64, blank=True, default="")
    source_updated_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("need match profile")
        verbose_name_plural = _("need match profiles")

    def __str__(self) -> str:
        return f"profile of need {self.need_id}"


class MatchingRun(models.Model):
    """One matching run for a need or a technology, as a row the UI can show.

    queued -> running -> completed | failed. A worker lost mid-run leaves it `running`; the
    redelivered task picks it up again (the run is idempotent).
    """

    subject = models.CharField(_("subject"), max_length=20, choices=RunSubject.choices)
    need = models.ForeignKey(
        "exchange.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    technology = models.ForeignKey(
        "catalog.Technology", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_id = models.PositiveIntegerField(_("subject id"))
    trigger = models.CharField(
        _("trigger"), max_length=20, choices=RunTrigger.choices, default=RunTrigger.PUBLISHED
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    candidates_count = models.PositiveIntegerField(default=0)
    matches_count = models.PositiveIntegerField(default=0)
    strong_count = models.PositiveIntegerField(default=0)
    removed_count = models.PositiveIntegerField(default=0)
    candidate_ms = models.FloatField(null=True, blank=True)
    scoring_ms = models.FloatField(null=True, blank=True)
    message = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        indexes = [models.Index(fields=["subject", "subject_id", "-queued_at"], name="run_subject")]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject__in=RunSubject.values), name="matching_run_subject_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="matching_run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.subject_id}: {self.status}"

    @property
    def is_completed(self) -> bool:
        return self.status == RunStatus.COMPLETED

    @property
    def duration_ms(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds() * 1000
        return None


class MatchQuerySet(models.QuerySet):
    def strong(self):
        """At or above the strong score and without a failed hard constraint."""
        return self.filter(score__gte=conf.get("STRONG_SCORE"), demoted=False)


class Match(models.Model):
    """A scored need/technology pair with its named components and "why this match" reasons.

    One row per pair (unique constraint): a re-run updates the row. `components` maps a name
    (text, category, trl, transaction, budget, region, standing) to score, weight and reasons;
    `constraint_violations` lists failed hard constraints (the match is demoted, not hidden).
    """

    need = models.ForeignKey("exchange.Need", on_delete=models.CASCADE, related_name="matches")
    technology = models.ForeignKey(
        "catalog.Technology", on_delete=models.CASCADE, related_name="matches"
    )
    score = models.FloatField(_("score"))
    components = models.JSONField(default=dict)
    reasons_zh = models.JSONField(default=list)
    reasons_en = models.JSONField(default=list)
    constraint_violations = models.JSONField(default=list)
    demoted = models.BooleanField(default=False)
    run = models.ForeignKey(
        MatchingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = MatchQuerySet.as_manager()

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        indexes = [
            models.Index(fields=["need", "-score"], name="match_need_score"),
            models.Index(fields=["technology", "-score"], name="match_technology_score"),
            models.Index(fields=["-score"], name="match_score"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["need", "technology"], name="unique_match_pair"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="match_score_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"need {self.need_id} × technology {self.technology_id}: {self.score:.1f}"

    @property
    def reasons(self) -> list[str]:
        return list(self.reasons_zh if in_chinese() else self.reasons_en)

    @property
    def is_strong(self) -> bool:
        return self.score >= conf.get("STRONG_SCORE") and not self.demoted


class MatchFeedback(models.Model):
    """A user's verdict on one match (useful or not), kept to tune the weights later.

    One verdict per user and match; changing one's mind updates it. `score` is the match score
    when the verdict was given, so the report by score band stays right after re-runs.
    """

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_feedback"
    )
    useful = models.BooleanField(_("useful"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    role = models.CharField(max_length=20, blank=True)
    score = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("match feedback")
        verbose_name_plural = _("match feedback")
        constraints = [
            models.UniqueConstraint(fields=["match", "user"], name="unique_match_feedback"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="feedback_score_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on match {self.match_id}: {'useful' if self.useful else 'not'}"


class TextEmbedding(models.Model):
    """The sentence-embedding vector of one text under one model version, computed once.

    Keyed by the SHA-256 of the text and the model version, so the same title in a thousand
    runs is encoded once and vectors of another model are never mixed in. The vector is stored
    as float16 bytes (1 KiB for 512 dimensions); matching.embeddings reads and writes it.
    """

    content_hash = models.CharField(max_length=64)
    model_version = models.CharField(max_length=100)
    dimensions = models.PositiveSmallIntegerField()
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("text embedding")
        verbose_name_plural = _("text embeddings")
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash", "model_version"], name="text_embedding_once_per_model"
            ),
            models.CheckConstraint(condition=Q(dimensions__gt=0), name="text_embedding_dimensions"),
        ]

    def __str__(self) -> str:
        return f"{self.model_version} embedding {self.content_hash[:12]}"
