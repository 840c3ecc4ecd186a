"""Regions used across the platform.

Chinese provinces use ISO 3166-2 codes (CN-JS, CN-GD, ...); parties abroad use the ISO 3166-1
alpha-2 country code (DE, ET, ...).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.i18n import in_chinese

CHINA_PROVINCES: dict[str, tuple[str, str]] = {
    "CN-BJ": ("北京市", "Beijing"),
    "CN-TJ": ("天津市", "Tianjin"),
    "CN-HE": ("河北省", "Hebei"),
    "CN-SX": ("山西省", "Shanxi"),
    "CN-NM": ("内蒙古自治区", "Inner Mongolia"),
    "CN-LN": ("辽宁省", "Liaoning"),
    "CN-JL": ("吉林省", "Jilin"),
    "CN-HL": ("黑龙江省", "Heilongjiang"),
    "CN-SH": ("上海市", "Shanghai"),
    "CN-JS": ("江苏省", "Jiangsu"),
    "CN-ZJ": ("浙江省", "Zhejiang"),
    "CN-AH": ("安徽省", "Anhui"),
    "CN-FJ": ("福建省", "Fujian"),
    "CN-JX": ("江西省", "Jiangxi"),
    "CN-SD": ("山东省", "Shandong"),
    "CN-HA": ("河南省", "Henan"),
    "CN-HB": ("湖北省", "Hubei"),
    "CN-HN": ("湖南省", "Hunan"),
    "CN-GD": ("广东省", "Guangdong"),
    "CN-GX": ("广西壮族自治区", "Guangxi"),
    "CN-HI": ("海南省", "Hainan"),
    "CN-CQ": ("重庆市", "Chongqing"),
    "CN-SC": ("四川省", "Sichuan"),
    "CN-GZ": ("贵州省", "Guizhou"),
    "CN-YN": ("云南省", "Yunnan"),
    "CN-XZ": ("西藏自治区", "Tibet"),
    "CN-SN": ("陕西省", "Shaanxi"),
    "CN-GS": ("甘肃省", "Gansu"),
    "CN-QH": ("青海省", "Qinghai"),
    "CN-NX": ("宁夏回族自治区", "Ningxia"),
    "CN-XJ": ("新疆维吾尔自治区", "Xinjiang"),
    "CN-TW": ("台湾省", "Taiwan"),
    "CN-HK": ("香港特别行政区", "Hong Kong"),
    "CN-MO": ("澳门特别行政区", "Macao"),
}


def is_chinese_region(code: str) -> bool:
    return code.startswith("CN-") or code == "CN"


def region_label(code: str) -> str:
    if code in CHINA_PROVINCES:
        zh, en = CHINA_PROVINCES[code]
        return zh if in_chinese() else en
    return str(dict(countries).get(code, code))


def region_choices() -> list[tuple[str, str]]:
    provinces = [(code, region_label(code)) for code in CHINA_PROVINCES]
    abroad = [(code, str(name)) for code, name in countries if code != "CN"]
    return [(str(_("China")), provinces), (str(_("Abroad")), abroad)]


def validate_region(code: str) -> None:
    if code in CHINA_PROVINCES or (code != "CN" and code in dict(countries)):
        return
    raise ValidationError(
        _(
            "“%(code)s” is not a region code: use ISO 3166-2 for a Chinese province (e.g. CN-JS) "
            "or an ISO 3166-1 country code abroad (e.g. DE)."
        ),
        code="invalid_region",
        params={"code": code},
    )


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 countries, China included, named in the reader's language."""
    return [(code, region_label(code)) for code, _name in countries]


def validate_country(code: str) -> None:
    if code not in dict(countries):
        raise ValidationError(
            _("“%(code)s” is not a country code: use ISO 3166-1 alpha-2 (e.g. TH)."),
            code="invalid_country",
            params={"code": code},
        )
