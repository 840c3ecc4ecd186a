"""Region codes the technology-contract registry asks for.

Chinese parties: the six-digit administrative division code of GB/T 2260 (province level:
110000 Beijing, 320000 Jiangsu, ...), mapped from the ISO 3166-2 codes the platform stores
(core.regions). Parties abroad: the ISO 3166-1 alpha-2 country code.
"""

from __future__ import annotations

from core.regions import is_chinese_region

GB_T_2260_PROVINCES: dict[str, str] = {
    "CN-BJ": "110000",
    "CN-TJ": "120000",
    "CN-HE": "130000",
    "CN-SX": "140000",
    "CN-NM": "150000",
    "CN-LN": "210000",
    "CN-JL": "220000",
    "CN-HL": "230000",
    "CN-SH": "310000",
    "CN-JS": "320000",
    "CN-ZJ": "330000",
    "CN-AH": "340000",
    "CN-FJ": "350000",
    "CN-JX": "360000",
    "CN-SD": "370000",
    "CN-HA": "410000",
    "CN-HB": "420000",
    "CN-HN": "430000",
    "CN-GD": "440000",
    "CN-GX": "450000",
    "CN-HI": "460000",
    "CN-CQ": "500000",
    "CN-SC": "510000",
    "CN-GZ": "520000",
    "CN-YN": "530000",
    "CN-XZ": "540000",
    "CN-SN": "610000",
    "CN-GS": "620000",
    "CN-QH": "630000",
    "CN-NX": "640000",
    "CN-XJ": "650000",
    "CN-TW": "710000",
    "CN-HK": "810000",
    "CN-MO": "820000",
}


def administrative_division_code(region: str) -> str:
    """The GB/T 2260 code of a Chinese province ("" abroad, or for "CN" without a province)."""
    return GB_T_2260_PROVINCES.get(region or "", "")


def country_code(region: str) -> str:
    """The ISO 3166-1 alpha-2 code of the party's country ("CN" for a Chinese province)."""
    if not region:
        return ""
    if is_chinese_region(region):
        return "CN"
    return region[:2].upper()
