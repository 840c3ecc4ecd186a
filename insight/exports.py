"""Downloads of the regional programme report: Excel (core.exports) and PDF (core.pdf)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.exports import Spreadsheet
from core.pdf import HEADING_STYLE, build_pdf, facts_table, paragraph, spacer
from insight.choices import ImpactMethod, RegionalIndicator
from insight.selectors import MONEY_INDICATORS


def report_title(report: dict) -> str:
    return _("Regional programme report")


def report_period(report: dict) -> str:
    return _("Period: %(start)s to %(end)s") % {
        "start": report["start"].strftime("%Y-%m"),
        "end": report["end"].strftime("%Y-%m"),
    }


def report_as_of(report: dict) -> str:
    return _("Statistics as of %(time)s") % {
        "time": date_format(timezone.localtime(report["as_of"]), "DATETIME_FORMAT")
    }


def method_notes() -> list[str]:
    return [f"{method.value}: {method.label}" for method in ImpactMethod]


def regional_report_xlsx(report: dict) -> bytes:
    currencies = sorted(
        {
            currency
            for indicator in MONEY_INDICATORS
            for currency in report["total"][indicator]["amounts"]
        }
    )
    header = [_("Region code"), _("Region")]
    for code, label in RegionalIndicator.choices:
        header.append(str(label))
        if code in MONEY_INDICATORS:
            header += [f"{label} ({currency})" for currency in currencies]
        if code == RegionalIndicator.AVOIDED_EMISSIONS:
            header += [_("Avoided emissions (t CO2e)"), _("Method")]

    def line(entry: dict) -> list:
        values: list = [entry["region"], entry["label"]]
        for code in RegionalIndicator.values:
            cell = entry[code]
            values.append(cell["count"])
            if code in MONEY_INDICATORS:
                values += [float(cell["amounts"].get(currency, 0)) for currency in currencies]
            if code == RegionalIndicator.AVOIDED_EMISSIONS:
                values.append(float(cell["tonnes"]))
                values.append("; ".join(item["label"] for item in cell["method_labels"]))
        return values

    book = Spreadsheet()  # core.exports: every cell neutralised against formula injection
    sheet = book.sheet(_("Regional report"))
    book.append(sheet, [report_title(report)], bold=True, size=14)
    book.append(sheet, [report_period(report)])
    book.append(sheet, [report_as_of(report)])
    book.append(sheet, [])
    book.append(sheet, header, bold=True)
    for entry in report["regions"]:
        book.append(sheet, line(entry))
    total = line(report["total"])
    total[0] = ""
    book.append(sheet, total)
    book.append(sheet, [])
    book.append(sheet, [_("Avoided-emission methods")])
    for note in method_notes():
        book.append(sheet, [note])
    return book.to_bytes()


def regional_report_pdf(report: dict) -> bytes:
    flowables = [paragraph(report_period(report)), paragraph(report_as_of(report))]
    for entry in [*report["regions"], report["total"]]:
        flowables += [spacer(3), paragraph(entry["label"], HEADING_STYLE)]
        flowables.append(
            facts_table(
                [(str(label), entry[code]["text"]) for code, label in RegionalIndicator.choices]
            )
        )
    flowables += [spacer(4), paragraph(_("Avoided-emission methods"), HEADING_STYLE)]
    flowables += [paragraph(note) for note in method_notes()]
    return build_pdf(title=report_title(report), flowables=flowables)
