"""Generated files: demand-list downloads (CSV, Excel, PDF), certificates and contract drafts.

Tables come from core.exports (CSV, Excel and PDF alike) and the PDF pages from core.pdf.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import csv_bytes, pdf_table_bytes, xlsx_bytes
from core.money import format_money, format_money_range
from core.pdf import HEADING_STYLE, SMALL_STYLE, build_pdf, facts_table, paragraph, spacer
from core.regions import region_label

# --- demand lists ---------------------------------------------------------------------------


def demand_list_rows(needs, *, company_visible) -> tuple[list[str], list[list[str]]]:
    header = [
        _("No."),
        _("Title"),
        _("Organisation"),
        _("Category"),
        _("Region"),
        _("Minimum TRL"),
        _("Budget"),
        _("Deadline"),
        _("Description"),
    ]
    rows = []
    for number, need in enumerate(needs, start=1):
        budget = ""
        if need.budget_min is not None or need.budget_max is not None:
            budget = format_money_range(need.budget_min, need.budget_max, need.currency)
        rows.append(
            [
                str(number),
                need.title,
                need.organization.display_name
                if company_visible(need)
                else _("Anonymous enterprise"),
                f"{need.category.code} {need.category.name}" if need.category_id else "",
                region_label(need.region),
                str(need.trl_min or ""),
                budget,
                need.deadline.isoformat(),
                need.description,
            ]
        )
    return header, rows


def rows_to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 CSV with a byte-order mark, formulas neutralised (core.exports)."""
    return csv_bytes(header, rows)


def rows_to_xlsx(header: list[str], rows: list[list[str]], *, sheet_title: str) -> bytes:
    """A one-sheet workbook, formulas neutralised (core.exports)."""
    return xlsx_bytes(header, rows, sheet_title=sheet_title)


DEMAND_LIST_PDF_COLUMN_WIDTHS_MM = (10, 45, 32, 25, 16, 12, 22, 18)


def rows_to_pdf(
    header: list[str], rows: list[list[str]], *, title: str, subtitle: str = ""
) -> bytes:
    # The long description column is left out of the PDF table; the page stays readable.
    return pdf_table_bytes(
        header[:-1],
        [row[:-1] for row in rows],
        title=title,
        subtitle=subtitle,
        column_widths_mm=DEMAND_LIST_PDF_COLUMN_WIDTHS_MM,
    )


# --- certificates ---------------------------------------------------------------------------


def certificate_pdf(*, certificate, facts: dict, verify_url: str) -> bytes:
    rows = [
        (_("Certificate number"), certificate.number),
        (_("Seller"), facts["seller"]),
        (_("Buyer"), facts["buyer"]),
        (_("Technology"), facts["technology"]),
        (_("Deal type"), facts["deal_type"]),
        (_("Completed on"), facts["completed_on"]),
        (_("Amount"), facts["amount_band"]),
        (_("Issued on"), facts["issued_at"]),
    ]
    return build_pdf(
        title=_("Transaction certificate (交易鉴证)"),
        subject=certificate.number,
        flowables=[
            paragraph(
                _(
                    "The Green Technology Exchange certifies that the transaction below was "
                    "reviewed by the platform and completed."
                )
            ),
            spacer(4),
            facts_table(rows),
            spacer(6),
            paragraph(_("Check that this certificate is genuine at:"), SMALL_STYLE),
            paragraph(verify_url, SMALL_STYLE),
        ],
    )


# --- contract drafts ------------------------------------------------------------------------

# The standard Chinese technology contract categories (技术合同) and their core clauses.
CONTRACT_TEMPLATES = {
    "transfer": (
        gettext_lazy("Technology transfer contract (技术转让合同)"),
        [
            gettext_lazy(
                "The seller transfers to the buyer its rights in the technology named above, "
                "including the patent rights and technical secrets listed in the annex."
            ),
            gettext_lazy(
                "The seller delivers the technical documents and gives the guidance needed for "
                "the buyer to implement the technology."
            ),
            gettext_lazy(
                "The seller warrants that it is the lawful owner of the technology and that the "
                "transfer does not infringe the rights of others."
            ),
        ],
    ),
    "license": (
        gettext_lazy("Technology licence contract (技术许可合同)"),
        [
            gettext_lazy(
                "The licensor grants the licensee the right to implement the technology named "
                "above within the scope, territory and term agreed in the annex."
            ),
            gettext_lazy(
                "Whether the licence is exclusive, sole or non-exclusive is stated in the annex; "
                "the licensee may not sub-license without written consent."
            ),
            gettext_lazy(
                "Improvements made by either party belong to the party that made them unless "
                "agreed otherwise."
            ),
        ],
    ),
    "joint_development": (
        gettext_lazy("Technology development contract (技术开发合同)"),
        [
            gettext_lazy(
                "The parties jointly develop the technology for the objectives, work plan and "
                "milestones set out below."
            ),
            gettext_lazy(
                "Each party contributes the funds, staff, equipment and know-how listed in the "
                "annex; the risk of failure is shared as agreed."
            ),
            gettext_lazy(
                "Results and their intellectual property rights belong to the parties as agreed "
                "in the annex; absent agreement, jointly."
            ),
        ],
    ),
    "consulting": (
        gettext_lazy("Technical consulting contract (技术咨询合同)"),
        [
            gettext_lazy(
                "The consultant provides feasibility studies, technical forecasts, special "
                "technical investigations and analysis reports on the subject named above."
            ),
            gettext_lazy(
                "The client supplies the background information and data the consultant needs."
            ),
            gettext_lazy(
                "Decisions the client makes on the basis of the consultant's report are the "
                "client's own responsibility unless agreed otherwise."
            ),
        ],
    ),
    "service": (
        gettext_lazy("Technical service contract (技术服务合同)"),
        [
            gettext_lazy(
                "The service provider solves the specific technical problem described below with "
                "its technical knowledge, to the agreed quality and acceptance criteria."
            ),
            gettext_lazy(
                "The client provides working conditions and cooperation and accepts the results "
                "within the agreed period."
            ),
            gettext_lazy(
                "The service provider is paid according to the payment terms and milestones below."
            ),
        ],
    ),
}
CONTRACT_TEMPLATES["equity"] = CONTRACT_TEMPLATES["transfer"]


def contract_draft_pdf(*, deal) -> bytes:
    """A draft contract of the deal's type, pre-filled with the parties, price and milestones."""
    title, clauses = CONTRACT_TEMPLATES[deal.deal_type]
    price = (
        format_money(deal.price, deal.currency, exact=True)
        if deal.price is not None
        else _("to be agreed")
    )
    rows = [
        (_("Party A (seller / provider)"), deal.seller.display_name),
        (_("Party B (buyer / client)"), deal.buyer.display_name),
        (_("Technology"), deal.technology.title),
        (_("Deal type"), deal.get_deal_type_display()),
        (_("Price"), price),
        (_("Payment terms"), deal.payment_terms or _("to be agreed")),
    ]
    if deal.broker_id:
        rows.append((_("Broker"), str(deal.broker)))
    flowables = [
        paragraph(_("DRAFT for negotiation: not signed, not binding."), SMALL_STYLE),
        spacer(3),
        facts_table(rows),
        paragraph(_("Clauses"), HEADING_STYLE),
    ]
    flowables += [
        paragraph(f"{number}. {clause}") for number, clause in enumerate(clauses, start=1)
    ]
    milestones = list(deal.milestones.all())
    if milestones:
        flowables.append(paragraph(_("Milestones"), HEADING_STYLE))
        flowables.append(
            facts_table(
                [
                    (
                        f"{milestone.due_date:%Y-%m-%d}",
                        f"{milestone.get_kind_display()}: {milestone.title}"
                        + (
                            f" ({format_money(milestone.amount, deal.currency, exact=True)})"
                            if milestone.amount is not None
                            else ""
                        ),
                    )
                    for milestone in milestones
                ]
            )
        )
    flowables += [
        paragraph(_("Disputes"), HEADING_STYLE),
        paragraph(
            _(
                "Disputes are settled by negotiation; failing that, by the arbitration commission "
                "or court agreed in the annex."
            )
        ),
        spacer(12),
        paragraph(
            _(
                "Party A (seal and signature): ____________    Party B (seal and signature): "
                "____________"
            )
        ),
    ]
    return build_pdf(title=str(title), flowables=flowables, subject=f"deal {deal.pk}")
