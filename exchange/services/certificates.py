"""Certificates of completed deals."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from core.workflow import TransitionNotAllowed
from exchange.choices import DealStage
from exchange.models import (
    Certificate,
    Deal,
)


def certificate_issue(*, deal: Deal) -> Certificate:
    """Issue the certificate of a completed deal once (idempotent)."""
    from exchange.certificates import amount_band, certificate_number

    if deal.stage != DealStage.COMPLETED:
        raise TransitionNotAllowed(_("Only completed deals get a certificate."))
    certificate, _created = Certificate.objects.get_or_create(
        deal=deal,
        defaults={
            "number": certificate_number(
                deal_id=deal.pk, year=timezone.localtime(deal.completed_at or timezone.now()).year
            ),
            "amount_band": amount_band(deal.price),
        },
    )
    return certificate
