"""Countries as the network speaks of them: ISO 3166-1 alpha-2 codes (django_countries), and the
country of an organisation's region (core.regions: CN-GX is in CN, TH is TH)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

# The ten ASEAN members, the region most centres of the China–ASEAN network cover.
ASEAN = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")


def country_of_region(region: str) -> str:
    """The ISO 3166-1 country of a region code (ISO 3166-2 for Chinese provinces)."""
    return (region or "").split("-", 1)[0].upper()


def country_label(code: str) -> str:
    return str(dict(countries).get(code, code))


def country_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in countries]


def validate_country_codes(codes: list[str]) -> list[str]:
    """The codes upper-cased, once each, in the order given; unknown codes are named."""
    known = dict(countries)
    cleaned: list[str] = []
    unknown: list[str] = []
    for code in codes or []:
        code = (code or "").strip().upper()
        if code not in known:
            unknown.append(code or "—")
        elif code not in cleaned:
            cleaned.append(code)
    if unknown:
        raise ValidationError(
            _("Not ISO 3166-1 country codes: %(codes)s (e.g. TH, VN, DE)."),
            code="invalid_country",
            params={"codes": ", ".join(unknown)},
        )
    return cleaned
