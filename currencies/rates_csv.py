"""Reading exchange-rate lists (CSV) into (date, currency, yuan per unit) rows.

Three shapes are understood, with English or Chinese headers:

* **Wide**, as the CFETS central-parity history exports it (人民币汇率中间价): a date column and
  one column per quoted pair, e.g. ``日期,USD/CNY,EUR/CNY,100JPY/CNY,CNY/THB,CNY/RUB``.
* **Long with a pair**: ``date,pair,rate`` (``货币对``, ``中间价``).
* **Long with a currency**: ``date,currency,rate[,unit]`` — `rate` yuan for `unit` units of the
  currency (``unit`` 100 for lists quoting "100 units of foreign currency in yuan", 1 or absent
  for "yuan per unit").

A pair reads as the market writes it: ``USD/CNY 7.10`` is 7.10 yuan per dollar, ``100JPY/CNY
4.6`` 4.6 yuan per 100 yen, and the inverse quotes ``CNY/THB 4.55`` are 4.55 baht per yuan
(stored as 1 / 4.55 yuan per baht).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from currencies.choices import YUAN

DATE_HEADERS = {"date", "日期", "day"}
PAIR_HEADERS = {"pair", "currency_pair", "货币对"}
CURRENCY_HEADERS = {"currency", "code", "货币", "币种"}
RATE_HEADERS = {"rate", "中间价", "central_parity", "middle_rate", "value", "cny"}
UNIT_HEADERS = {"unit", "units", "单位"}
SOURCE_HEADERS = {"source", "来源"}
PAIR = re.compile(r"^\s*(\d+)?\s*([A-Za-z]{3})\s*/\s*(\d+)?\s*([A-Za-z]{3})\s*$")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
QUANTUM = Decimal("0.0000000001")


class RowError(ValueError):
    """A row (or cell) that cannot be read; the message says why, in the reader's language."""


@dataclass(frozen=True)
class ParsedRate:
    line: int
    date: datetime.date
    currency: str
    rate: Decimal
    source: str


def read_text(data: bytes) -> str:
    """UTF-8 (with or without the BOM spreadsheets write); else GB18030, as Chinese Excel saves."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def parse_date(text: str) -> datetime.date:
    value = (text or "").strip()
    for pattern in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        if 1990 <= day.year <= 2999:
            return day
    raise RowError(_("“%(value)s” is not a date (write it as 2026-01-05).") % {"value": value[:20]})


def parse_number(text: str) -> Decimal:
    value = (text or "").strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number <= 0:
        raise RowError(
            _("“%(value)s” is not a positive number.") % {"value": (text or "").strip()[:20]}
        )
    return number


def yuan_per_unit(pair: str, quoted: Decimal) -> tuple[str, Decimal]:
    """(currency, yuan per unit) of a quoted pair; RowError when neither side is the yuan."""
    match = PAIR.match(pair or "")
    if not match:
        raise RowError(
            _("“%(value)s” is not a currency pair such as USD/CNY.") % {"value": pair[:20]}
        )
    base_units, base, quote_units, quote = match.groups()
    base, quote = base.upper(), quote.upper()
    base_units = Decimal(base_units or 1)
    quote_units = Decimal(quote_units or 1)
    # `base_units` of `base` are worth `quoted` × `quote_units` of `quote`.
    if quote == YUAN and base != YUAN:
        return base, quoted * quote_units / base_units
    if base == YUAN and quote != YUAN:
        return quote, base_units / (quoted * quote_units)
    raise RowError(_("The pair “%(value)s” does not quote the yuan (CNY).") % {"value": pair[:20]})


def _column(headers: list[str], names: set[str]) -> int | None:
    for index, header in enumerate(headers):
        if header.strip().lower() in names:
            return index
    return None


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def parse_rates(text: str, *, default_source: str = "") -> Iterator[ParsedRate | tuple[int, str]]:
    """Every rate of a list, or `(line, message)` for each cell or row that cannot be read."""
    reader = csv.reader(io.StringIO(text))
    headers: list[str] | None = None
    for row in reader:
        if any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#"):
            headers = row
            break
    if headers is None:
        yield 1, _("The file has no header row.")
        return
    date_index = _column(headers, DATE_HEADERS)
    if date_index is None:
        yield reader.line_num, _("The header has no date column (date or 日期).")
        return
    pair_index = _column(headers, PAIR_HEADERS)
    currency_index = _column(headers, CURRENCY_HEADERS)
    rate_index = _column(headers, RATE_HEADERS)
    unit_index = _column(headers, UNIT_HEADERS)
    source_index = _column(headers, SOURCE_HEADERS)
    wide = {
        index: header.strip()
        for index, header in enumerate(headers)
        if index != date_index and PAIR.match(header)
    }
    if not wide and rate_index is None:
        yield reader.line_num, _("The header has neither a rate column nor currency-pair columns.")
        return
    if not wide and pair_index is None and currency_index is None:
        yield reader.line_num, _("The header has no currency or pair column.")
        return
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        source = _cell(row, source_index) or default_source
        try:
            day = parse_date(_cell(row, date_index))
        except RowError as error:
            yield line, str(error)
            continue
        cells = (
            [(pair, _cell(row, index)) for index, pair in wide.items()]
            if wide
            else [(None, _cell(row, rate_index))]
        )
        for pair, value in cells:
            if wide and not value:
                continue  # a pair not quoted that day
            try:
                quoted = parse_number(value)
                if pair is None and pair_index is not None:
                    pair = _cell(row, pair_index)
                if pair is not None:
                    code, rate = yuan_per_unit(pair, quoted)
                else:
                    code = _cell(row, currency_index).upper()
                    if not re.fullmatch(r"[A-Z]{3}", code) or code == YUAN:
                        raise RowError(
                            _("“%(value)s” is not a foreign currency code such as USD.")
                            % {"value": code[:20]}
                        )
                    unit = parse_number(_cell(row, unit_index) or "1")
                    rate = quoted / unit
            except RowError as error:
                yield line, str(error)
                continue
            yield ParsedRate(
                line=line,
                date=day,
                currency=code,
                rate=rate.quantize(QUANTUM),
                source=source[:120],
            )
