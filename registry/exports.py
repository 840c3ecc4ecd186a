"""The contract records as the registry's table: one file per deal and batches for reviewers,
written by core.exports (every cell neutralised against formulas)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from core.exports import csv_response, xlsx_response
from registry.models import ContractRecord
from registry.selectors import record_amount_cny, record_parties, record_tax_flags

FORMATS = ("csv", "xlsx")


def record_header() -> list[str]:
    return [
        _("Deal"),
        _("Status"),
        _("Registration number"),
        _("Contract type"),
        _("Technology"),
        _("Seller (entrusted party)"),
        _("Seller's unified social credit code"),
        _("Seller's region code (GB/T 2260)"),
        _("Seller's country (ISO 3166-1)"),
        _("Buyer (entrusting party)"),
        _("Buyer's unified social credit code"),
        _("Buyer's region code (GB/T 2260)"),
        _("Buyer's country (ISO 3166-1)"),
        _("Contract amount"),
        _("Currency"),
        _("Technology income"),
        _("Contract amount in yuan"),
        _("Technology income in yuan"),
        _("Exchange rate fixed at signing (yuan per unit)"),
        _("Signed on"),
        _("Completed on"),
        _("Record date"),
        _("VAT exemption may apply"),
        _("Income-tax relief on transfer may apply"),
    ]


def record_row(record: ContractRecord) -> list:
    seller, buyer = record_parties(record=record)
    flags = record_tax_flags(record=record, show_seller_year=False)
    return [
        record.deal_id,
        record.get_status_display(),
        record.registration_number,
        record.get_contract_type_display(),
        str(record.deal.technology),
        seller.name,
        seller.credit_code,
        seller.region_code,
        seller.country,
        buyer.name,
        buyer.credit_code,
        buyer.region_code,
        buyer.country,
        record.amount,
        record.currency,
        record.technology_income,
        # In yuan at the rate fixed on the deal at signing; empty when no rate converts them.
        record_amount_cny(record, field_name="amount"),
        record_amount_cny(record),
        record.deal.fx_rate if record.currency != "CNY" else None,
        record.signed_on,
        record.completed_on,
        record.registered_on,
        _("yes") if flags.vat_treatment == "exempt" else _("only if related"),
        _("yes") if flags.eit_applies else _("no"),
    ]


def records_response(records: Iterable[ContractRecord], *, file_format: str, filename: str):
    rows = [record_row(record) for record in records]
    if file_format == "xlsx":
        return xlsx_response(
            record_header(), rows, filename=f"{filename}.xlsx", sheet_title=_("Contract records")
        )
    return csv_response(record_header(), rows, filename=f"{filename}.csv")
