import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from currencies.models import ExchangeRate

DAY = datetime.date(2026, 11, 20)

WIDE = """# a comment line before the header
日期,USD/CNY,EUR/CNY,100JPY/CNY,CNY/THB,CNY/RUB
2026-11-20,7.0800,8.2200,4.6200,4.5600,11.3000
2026/11/21,7.0900,,4.6100,4.5500,11.2900
"""

PER_100_UNITS = """date,currency,rate,unit,source
2026-11-20,IDR,0.04264,100,regional list
2026-11-20,VND,0.02692,100,regional list
2026-11-20,MYR,1.7094,,regional list
"""

PAIRS = """date,pair,rate
2026-11-20,USD/CNY,7.08
2026-11-20,CNY/KZT,72.5
"""

BAD = """date,pair,rate
2026-11-20,USD/CNY,7.08
2026-13-40,EUR/CNY,8.2
2026-11-20,EUR/CNY,abc
2026-11-20,EUR/USD,1.16
2026-11-20,THB,4.56
2026-11-20,SAR/CNY,-1.9
"""


def _load(tmp_path: Path, text: str, *args, encoding="utf-8") -> tuple[str, str]:
    path = tmp_path / "rates.csv"
    path.write_bytes(text.encode(encoding))
    out, err = StringIO(), StringIO()
    call_command("load_exchange_rates", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _rate(currency: str, day=DAY) -> Decimal:
    return ExchangeRate.objects.get(currency=currency, date=day).rate


def test_wide_central_parity_list_with_direct_and_inverse_quotes(db, tmp_path):
    # when the CFETS-shaped list is loaded
    out, err = _load(tmp_path, WIDE, "--source", "CFETS")
    # then direct quotes are yuan per unit and inverse quotes (CNY/THB) are turned round
    assert _rate("USD") == Decimal("7.08")
    assert _rate("THB") == (Decimal(1) / Decimal("4.56")).quantize(Decimal("1E-10"))
    assert _rate("RUB") == (Decimal(1) / Decimal("11.3")).quantize(Decimal("1E-10"))
    assert _rate("USD", DAY + datetime.timedelta(days=1)) == Decimal("7.09")
    # an empty cell is a pair not quoted that day; the yen is no platform currency
    assert not ExchangeRate.objects.filter(currency="EUR", date=DAY + datetime.timedelta(days=1))
    assert "ignored 2 rate(s) of JPY" in out
    assert "7 created, 0 updated, 0 unchanged, 0 bad row(s)" in out
    assert err == ""
    assert set(ExchangeRate.objects.values_list("source", flat=True)) == {"CFETS"}


def test_rates_quoted_for_100_units_and_per_unit(db, tmp_path):
    _load(tmp_path, PER_100_UNITS)
    assert _rate("IDR") == Decimal("0.0004264")
    assert _rate("VND") == Decimal("0.0002692")
    assert _rate("MYR") == Decimal("1.7094")
    assert ExchangeRate.objects.get(currency="IDR").source == "regional list"


def test_long_list_of_pairs_in_gb18030(db, tmp_path):
    _load(
        tmp_path,
        "货币对,日期,中间价\nUSD/CNY,2026-11-20,7.08\nCNY/KZT,2026-11-20,72.5\n",
        encoding="gb18030",
    )
    assert _rate("USD") == Decimal("7.08")
    assert _rate("KZT") == (Decimal(1) / Decimal("72.5")).quantize(Decimal("1E-10"))


def test_loading_the_same_list_again_changes_nothing_and_a_new_figure_updates(db, tmp_path):
    # given a loaded list
    _load(tmp_path, PAIRS)
    first = list(ExchangeRate.objects.order_by("pk").values("pk", "rate", "updated_at"))
    # when it is loaded again
    out, _err = _load(tmp_path, PAIRS)
    # then nothing changed
    assert "0 created, 0 updated, 2 unchanged" in out
    assert list(ExchangeRate.objects.order_by("pk").values("pk", "rate", "updated_at")) == first
    # and a corrected figure updates the row in place
    out, _err = _load(tmp_path, PAIRS.replace("7.08", "7.09"))
    assert "0 created, 1 updated, 1 unchanged" in out
    assert ExchangeRate.objects.count() == 2 and _rate("USD") == Decimal("7.09")


def test_bad_rows_are_reported_by_line_and_the_good_ones_load(db, tmp_path):
    out, err = _load(tmp_path, BAD)
    lines = err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "line 3",
        "line 4",
        "line 5",
        "line 6",
        "line 7",
    ]
    assert "2026-13-40" in lines[0]
    assert "abc" in lines[1]
    assert "EUR/USD" in lines[2]
    assert "THB" in lines[3]
    assert "-1.9" in lines[4]
    assert "1 created, 0 updated, 0 unchanged, 5 bad row(s)" in out
    assert list(ExchangeRate.objects.values_list("currency", flat=True)) == ["USD"]


def test_strict_loads_nothing_when_a_row_is_bad(db, tmp_path):
    with pytest.raises(CommandError):
        _load(tmp_path, BAD, "--strict")
    assert not ExchangeRate.objects.exists()


@pytest.mark.parametrize(
    "text",
    ["", "currency,rate\nUSD,7.08\n", "date,note\n2026-11-20,x\n", "date,rate\n2026-11-20,7\n"],
)
def test_a_file_without_the_needed_columns_is_one_clear_error(db, tmp_path, text):
    out, err = _load(tmp_path, text)
    assert err.startswith("line ") and "0 created" in out
    assert not ExchangeRate.objects.exists()


def test_the_shipped_samples_load(db):
    from currencies.demo import DATA

    out = StringIO()
    call_command("load_exchange_rates", str(DATA / "sample_cfets_central_parity.csv"), stdout=out)
    call_command("load_exchange_rates", str(DATA / "sample_regional_per_100_units.csv"), stdout=out)
    assert "bad row(s)" in out.getvalue() and " 0 bad row(s)" in out.getvalue()
    assert set(ExchangeRate.objects.values_list("currency", flat=True)) == {
        "USD",
        "EUR",
        "THB",
        "VND",
        "IDR",
        "MYR",
        "RUB",
        "AED",
        "SAR",
        "KZT",
    }
    assert "SAMPLE" in (DATA / "sample_cfets_central_parity.csv").read_text().splitlines()[0]


def test_a_missing_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError):
        call_command("load_exchange_rates", str(tmp_path / "none.csv"))
