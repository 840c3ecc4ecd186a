"""Codes of the technology transfer network. The codes are a public contract (API)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WorkingLanguage(models.TextChoices):
    """Languages a centre works in (ISO 639-1), the network's usual ones."""

    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    RUSSIAN = "ru", _("Russian")
    FRENCH = "fr", _("French")
    ARABIC = "ar", _("Arabic")
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")
    THAI = "th", _("Thai")
    VIETNAMESE = "vi", _("Vietnamese")
    INDONESIAN = "id", _("Indonesian")
    MALAY = "ms", _("Malay")
    KHMER = "km", _("Khmer")
    LAO = "lo", _("Lao")
    BURMESE = "my", _("Burmese")
    FILIPINO = "fil", _("Filipino")
    KAZAKH = "kk", _("Kazakh")


class ReferralStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("referral", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("referral", "Accepted")
    MATCHED = "matched", pgettext_lazy("referral", "Matched")
    CLOSED = "closed", pgettext_lazy("referral", "Closed")
    DECLINED = "declined", pgettext_lazy("referral", "Declined")


# A referral still in play: one per listing and partner centre at a time.
OPEN_REFERRAL_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.MATCHED)


class ReferralAction(models.TextChoices):
    """The steps of a referral; `send` is its creation."""

    SEND = "send", pgettext_lazy("referral event", "Referred")
    ACCEPT = "accept", pgettext_lazy("referral event", "Accepted")
    DECLINE = "decline", pgettext_lazy("referral event", "Declined")
    MATCH = "match", pgettext_lazy("referral event", "Counterpart found")
    CLOSE = "close", pgettext_lazy("referral event", "Closed")


class ReferralSide(models.TextChoices):
    """Who a centre is to a referral."""

    SENDER = "sender", _("Referring centre")
    RECEIVER = "receiver", _("Partner centre")


class ListingKind(models.TextChoices):
    TECHNOLOGY = "technology", _("Technology")
    NEED = "need", _("Need")
