from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centres.choices import (
    OPEN_REFERRAL_STATUSES,
    ListingKind,
    ReferralAction,
    ReferralStatus,
    WorkingLanguage,
)
from centres.countries import country_label
from core.models import TransitionEvent

REFERRAL_BADGE_CLASSES = {
    ReferralStatus.SENT: "text-bg-info",
    ReferralStatus.ACCEPTED: "text-bg-primary",
    ReferralStatus.MATCHED: "text-bg-success",
    ReferralStatus.CLOSED: "text-bg-secondary",
    ReferralStatus.DECLINED: "text-bg-warning",
}


class TransferCentre(models.Model):
    """The network profile of a technology transfer centre (技术转移中心): the countries it covers
    and the languages it works in. The organisation is a centre only while its kind is
    `transfer_centre` and a reviewer has verified it (centres.selectors.verified_centres)."""

    organization = models.OneToOneField(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="transfer_centre",
    )
    countries = ArrayField(
        models.CharField(max_length=2),
        default=list,
        blank=True,
        verbose_name=_("countries covered"),
        help_text=_("ISO 3166-1 country codes, e.g. TH, VN, ID."),
    )
    languages = ArrayField(
        models.CharField(max_length=5, choices=WorkingLanguage.choices),
        default=list,
        blank=True,
        verbose_name=_("working languages"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("transfer centre profile")
        verbose_name_plural = _("transfer centre profiles")

    def __str__(self) -> str:
        return str(self.organization)

    @property
    def country_labels(self) -> list[str]:
        return [country_label(code) for code in self.countries]

    @property
    def language_labels(self) -> list[str]:
        labels = dict(WorkingLanguage.choices)
        return [str(labels.get(code, code)) for code in self.languages]


class Referral(models.Model):
    """A centre refers a technology or a need it can see to a partner centre, which accepts it,
    finds a counterpart (matched) and closes it, or declines it. `status` moves only through
    centres.services.REFERRAL_WORKFLOW; every step is a ReferralEvent."""

    from_centre = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("referring centre"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    to_centre = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("partner centre"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    technology = models.ForeignKey(
        "catalog.Technology",
        verbose_name=_("technology"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    need = models.ForeignKey(
        "exchange.Need",
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    message = models.TextField(_("message to the partner centre"), blank=True, max_length=4000)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referred by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("referred at"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(technology__isnull=False, need__isnull=True)
                | Q(technology__isnull=True, need__isnull=False),
                name="referral_of_one_listing",
            ),
            models.CheckConstraint(
                condition=~Q(from_centre=models.F("to_centre")),
                name="referral_to_another_centre",
            ),
            models.UniqueConstraint(
                fields=["to_centre", "technology"],
                condition=Q(status__in=OPEN_REFERRAL_STATUSES, technology__isnull=False),
                name="one_open_referral_per_technology_and_centre",
            ),
            models.UniqueConstraint(
                fields=["to_centre", "need"],
                condition=Q(status__in=OPEN_REFERRAL_STATUSES, need__isnull=False),
                name="one_open_referral_per_need_and_centre",
            ),
        ]
        indexes = [
            models.Index(fields=["from_centre", "status"], name="referral_from_status"),
            models.Index(fields=["to_centre", "status"], name="referral_to_status"),
        ]

    def __str__(self) -> str:
        return f"{self.from_centre} → {self.to_centre}: {self.listing}"

    @property
    def listing(self):
        return self.technology if self.technology_id else self.need

    @property
    def listing_kind(self) -> str:
        return ListingKind.TECHNOLOGY if self.technology_id else ListingKind.NEED

    def get_listing_kind_display(self) -> str:
        return str(ListingKind(self.listing_kind).label)

    @property
    def badge_class(self) -> str:
        return REFERRAL_BADGE_CLASSES.get(self.status, "text-bg-secondary")


class ReferralEvent(TransitionEvent):
    """One step of a referral: referred, accepted, declined, matched, closed."""

    status_choices = ReferralStatus
    action_labels = dict(ReferralAction.choices)

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    actor_side = models.CharField(_("side"), max_length=20, blank=True)

    class Meta(TransitionEvent.Meta):
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.action}"
