"""PDF primitives shared by every generated document (reportlab).

Pages use the Adobe CID font STSong-Light, which renders Chinese without shipping font files.
Tables of rows (the PDF twin of a CSV or Excel download) are built by `core.exports`, which
passes every cell through the same helper as the spreadsheets do.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE_STYLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, spaceAfter=6)
HEADING_STYLE = ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=18, spaceBefore=8)
BODY_STYLE = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
SMALL_STYLE = ParagraphStyle("small", fontName=FONT, fontSize=8, leading=11, wordWrap="CJK")


def _escape(text: object) -> str:
    return (
        str(text if text is not None else "")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "<br/>")
    )


def paragraph(text: object, style: ParagraphStyle = BODY_STYLE) -> Paragraph:
    """A paragraph of plain text (markup characters are shown, never interpreted)."""
    return Paragraph(_escape(text), style)


def spacer(height_mm: float) -> Spacer:
    return Spacer(1, height_mm * mm)


def build_pdf(*, title: str, flowables: Iterable, subject: str = "") -> bytes:
    """An A4 document headed by `title`."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        subject=subject,
        author=_("Green Technology Exchange"),
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build([paragraph(title, TITLE_STYLE), *flowables])
    return buffer.getvalue()


def facts_table(rows: Sequence[tuple[str, object]]) -> Table:
    """Two columns: a label and its value, one fact a row."""
    table = Table(
        [[paragraph(label), paragraph(value)] for label, value in rows],
        colWidths=[45 * mm, 125 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def data_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, column_widths_mm: Sequence[float]
) -> Table:
    """A table with a repeated header row; cells are texts already (see core.exports)."""
    data = [[paragraph(cell, SMALL_STYLE) for cell in header]]
    data += [[paragraph(cell, SMALL_STYLE) for cell in row] for row in rows]
    table = Table(data, colWidths=[width * mm for width in column_widths_mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
