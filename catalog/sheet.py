"""The printable one-page sheet (PDF) of a published listing: what a visitor of its page may read
and nothing more. Every field it prints is declared PUBLIC in catalog.visibility (checked when
this module is imported), so a confidential field can never reach it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame

from catalog.models import Technology
from catalog.visibility import TECHNOLOGY_FIELDS, Clearance
from core.money import format_money
from core.pdf import HEADING_STYLE, SMALL_STYLE, build_pdf, facts_table, paragraph, spacer

# The fields the sheet prints, by their catalog.visibility names.
SHEET_FIELDS = (
    "title_zh",
    "title_en",
    "holder",
    "trl",
    "trl_definition",
    "summary_zh",
    "summary_en",
    "offers",
    "currency",
    "patents",
    "co2e_avoided_tonnes_per_year",
    "co2e_method",
    "sdg_goals",
    "region",
    "published_at",
    "updated_at",
)
TECHNOLOGY_FIELDS.require(SHEET_FIELDS, clearance=Clearance.PUBLIC, where="catalog.sheet")

QR_SIZE_MM = 32
# The A4 frame of core.pdf.build_pdf (18 mm margins) less room for a title of three lines.
BODY_WIDTH_MM = 174
BODY_HEIGHT_MM = 225


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url)
    left, bottom, right, top = widget.getBounds()
    size = QR_SIZE_MM * mm
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _date(value) -> str:
    return date_format(timezone.localtime(value), "DATE_FORMAT") if value else "—"


def _offer_line(offer, currency: str) -> str:
    price = (
        format_money(offer.asking_price, currency)
        if offer.asking_price is not None
        else _("negotiable")
    )
    mode = offer.get_mode_display()
    if offer.exclusive:
        mode = f"{mode} ({_('exclusive')})"
    elif offer.is_license:
        mode = f"{mode} ({_('non-exclusive')})"
    return f"{mode}: {price}"


# Cut so that the sheet stays one page whatever was typed (a 100,000-character summary).
SUMMARY_CHARACTERS = 1200
METHOD_CHARACTERS = 300


def _cut(text: str, limit: int) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class SheetContent:
    title: str
    other_title: str
    summary: str
    facts: list[tuple[str, str]]
    url: str


def technology_sheet_content(*, technology: Technology, url: str) -> SheetContent:
    """What the sheet of `technology` says (published; the caller checks), in the active
    language, dates in the site's time zone, money as the reader reads it."""
    offers = list(technology.offers.all())
    patents = list(technology.patents.all())
    facts = [
        (_("Holder"), f"{technology.organization.display_name} · {technology.region_label}"),
        (_("Readiness"), f"TRL {technology.trl} — {technology.trl_definition}"),
        (
            _("Offer"),
            "\n".join(_offer_line(offer, technology.currency) for offer in offers)
            or _("negotiable"),
        ),
    ]
    if technology.co2e_avoided_tonnes_per_year is not None:
        amount = f"{technology.co2e_avoided_tonnes_per_year:,.1f}".rstrip("0").rstrip(".")
        facts.append(
            (
                _("Green impact"),
                _("%(amount)s t CO2e avoided per year per typical deployment") % {"amount": amount}
                + (
                    f"\n{_cut(technology.co2e_method, METHOD_CHARACTERS)}"
                    if technology.co2e_method
                    else ""
                ),
            )
        )
    if technology.sdg_goals:
        facts.append(
            (
                _("Sustainable Development Goals"),
                "\n".join(
                    f"{_('SDG %(number)s') % {'number': number}} · {label}"
                    for number, label in technology.sdg_labels
                ),
            )
        )
    if patents:
        facts.append(
            (
                _("Intellectual property"),
                "\n".join(
                    f"{patent.number} · {patent.get_kind_display()} · {patent.get_status_display()}"
                    for patent in patents
                ),
            )
        )
    facts.append(
        (
            pgettext("listing date", "Published"),
            f"{_date(technology.published_at)} · "
            f"{pgettext('listing date', 'Last updated')} {_date(technology.updated_at)}",
        )
    )
    other_title = (
        technology.title_zh if technology.title == technology.title_en else technology.title_en
    )
    return SheetContent(
        title=technology.title,
        other_title=other_title if other_title and other_title != technology.title else "",
        summary=_cut(technology.summary, SUMMARY_CHARACTERS),
        facts=facts,
        url=url,
    )


def technology_sheet_pdf(*, technology: Technology, url: str) -> bytes:
    """The one-page PDF of technology_sheet_content(), with a QR code of `url`."""
    content = technology_sheet_content(technology=technology, url=url)
    flowables = (
        [paragraph(_cut(content.other_title, 200), SMALL_STYLE)] if content.other_title else []
    )
    flowables += [
        paragraph(_("Summary"), HEADING_STYLE),
        paragraph(content.summary),
        spacer(3),
        facts_table(content.facts),
        spacer(4),
        _qr(content.url),
        paragraph(content.url, SMALL_STYLE),
    ]
    # Shrunk to fit rather than flowing onto a second page (a long title, a dense summary).
    body = KeepInFrame(BODY_WIDTH_MM * mm, BODY_HEIGHT_MM * mm, flowables, mode="shrink")
    return build_pdf(
        title=_cut(content.title, 200),
        subject=_("One-page sheet of a green technology"),
        flowables=[body],
    )
