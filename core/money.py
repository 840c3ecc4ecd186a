"""Money as people read it, in one place for pages, PDFs and exports.

The rule (one for the whole site):

* **Chinese pages, yuan (CNY)** read amounts in 万 and 亿 as Chinese readers do:
  from 100,000,000 on "1.2 亿元", from 10,000 on "85 万元" (at most two decimals, trailing
  zeros dropped: 853,456 reads "85.35 万元"), below 10,000 the grouped figure "850 元".
* **Exact figures** (`exact=True`: contract lines, approved and requested amounts, balances,
  anything a person may copy into a payment) keep every fen, grouped by thousands:
  "850,000.00 元" in Chinese, "CNY 850,000.00" in English.
* **English pages** put the ISO code first and group by thousands: "CNY 850,000"; cents only
  when there are any ("CNY 850,000.50").
* **Other currencies** (USD, EUR, ...) always show their ISO code before the grouped figure,
  in both languages: "USD 850,000" — 万/亿 are for yuan only.
* **Other reading languages** group and place the code as their readers do (CLDR): Russian and
  French "850 000,50 USD" (no-break space groups, decimal comma, code after), Vietnamese
  "850.000 USD", Indonesian "USD 850.000,50", Arabic "850,000.50 USD" (Latin digits, as the Gulf
  partners' invoices write them), Thai as English.

No amount reads as "850000.00 CNY" or "CNY 850000" anywhere.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

YUAN = "CNY"
WAN = Decimal("10000")
YI = Decimal("100000000")
CENT = Decimal("0.01")
NO_AMOUNT = "—"


def _decimal(amount) -> Decimal | None:
    if amount is None or amount == "":
        return None
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return value if value.is_finite() else None


# Reading language -> (group separator, decimal separator, ISO code after the figure).
NO_BREAK_SPACE = "\u00a0"
LOCALE_STYLES = {
    "ru": (NO_BREAK_SPACE, ",", True),
    "fr": ("\u202f", ",", True),
    "vi": (".", ",", True),
    "id": (".", ",", False),
    "ar": (",", ".", True),
}
ENGLISH_STYLE = (",", ".", False)


def _style(language: str | None) -> tuple[str, str, bool]:
    code = (language or get_language() or "").lower().split("-")[0].split("_")[0]
    return LOCALE_STYLES.get(code, ENGLISH_STYLE)


def _grouped(value: Decimal, *, cents: bool, style: tuple[str, str, bool] = ENGLISH_STYLE) -> str:
    """Grouped by thousands; with two decimals when `cents` or when the amount has fen."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if cents or rounded != rounded.to_integral_value():
        text = f"{rounded:,.2f}"
    else:
        text = f"{rounded:,.0f}"
    group, decimal, _after = style
    if (group, decimal) != (",", "."):
        text = text.replace(",", "\0").replace(".", decimal).replace("\0", group)
    return text


def _short(value: Decimal) -> str:
    """At most two decimals, trailing zeros dropped: 85, 85.3, 85.35; grouped."""
    text = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
    return text.rstrip("0").rstrip(".")


def _is_chinese(language: str | None) -> bool:
    return (language or get_language() or "").lower().startswith("zh")


def format_money(
    amount, currency: str | None = YUAN, *, exact: bool = False, language: str | None = None
) -> str:
    """`amount` in `currency` as the reader of `language` (default: the active one) reads it."""
    value = _decimal(amount)
    if value is None:
        return str(amount) if amount not in (None, "") else NO_AMOUNT
    code = (currency or YUAN).upper()
    if _is_chinese(language) and code == YUAN:
        if exact:
            return f"{_grouped(value, cents=True)} 元"
        size = abs(value)
        if size >= YI:
            return f"{_short(value / YI)} 亿元"
        if size >= WAN:
            return f"{_short(value / WAN)} 万元"
        return f"{_grouped(value, cents=False)} 元"
    style = _style(language)
    figure = _grouped(value, cents=exact, style=style)
    return f"{figure}{NO_BREAK_SPACE}{code}" if style[2] else f"{code} {figure}"


def format_money_range(
    low, high, currency: str | None = YUAN, *, language: str | None = None
) -> str:
    """A budget or product range: "50 万元 – 100 万元", "from CNY 500,000", "up to ..."."""
    low_value, high_value = _decimal(low), _decimal(high)
    if low_value is None and high_value is None:
        return NO_AMOUNT
    if high_value is None:
        return _("from %(amount)s") % {
            "amount": format_money(low_value, currency, language=language)
        }
    if low_value is None:
        return _("up to %(amount)s") % {
            "amount": format_money(high_value, currency, language=language)
        }
    return (
        f"{format_money(low_value, currency, language=language)} – "
        f"{format_money(high_value, currency, language=language)}"
    )
