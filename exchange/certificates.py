"""Transaction certificate numbers (交易鉴证编号) and their verification.

A number reads `GTE-<year>-<deal id, 6 digits>-<check>`; the check is the first 10 characters of
an HMAC-SHA256 (keyed with a secret derived from SECRET_KEY) of the rest, in base 32. Anyone can
verify a number on the public page: an altered or invented number fails the HMAC before any
lookup, and a genuine one must also exist.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

NUMBER_PATTERN = re.compile(r"^GTE-(\d{4})-(\d{6,})-([A-Z2-7]{10})$")
BANDS = (
    (Decimal("1000000"), "under-1m", _("under 1 million")),
    (Decimal("5000000"), "1m-5m", _("1 to 5 million")),
    (Decimal("10000000"), "5m-10m", _("5 to 10 million")),
    (Decimal("50000000"), "10m-50m", _("10 to 50 million")),
)
TOP_BAND = ("50m-plus", _("50 million or more"))
UNDISCLOSED = ("undisclosed", _("not disclosed"))
BAND_LABELS = dict([(code, label) for _limit, code, label in BANDS] + [TOP_BAND, UNDISCLOSED])


def _check(body: str) -> str:
    key = hashlib.sha256(f"exchange.certificate:{settings.SECRET_KEY}".encode()).digest()
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:10]


def certificate_number(*, deal_id: int, year: int) -> str:
    body = f"GTE-{year}-{deal_id:06d}"
    return f"{body}-{_check(body)}"


def number_is_authentic(number: str) -> bool:
    """True when the number was made by this platform (the HMAC check matches)."""
    match = NUMBER_PATTERN.match((number or "").strip().upper())
    if not match:
        return False
    body = f"GTE-{match.group(1)}-{match.group(2)}"
    return hmac.compare_digest(_check(body), match.group(3))


def amount_band(price: Decimal | None) -> str:
    """The band code of an amount: the public page shows a band, not the exact price."""
    if price is None:
        return UNDISCLOSED[0]
    for limit, code, _label in BANDS:
        if Decimal(price) < limit:
            return code
    return TOP_BAND[0]


def amount_band_label(code: str, currency: str) -> str:
    label = BAND_LABELS.get(code)
    if label is None or code == UNDISCLOSED[0]:
        return str(label or code)
    return f"{currency} {label}"
