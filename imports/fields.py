"""What a column of an export can become, per kind of import, and how one row's cells become
the payload of catalog's or exchange's create service.

Each row is cleaned (imports.cleaning), its values mapped (categories, stages and TRL, regions,
transaction modes: the run's value mappings first, then codes and names people write), and every
problem is collected as a reason instead of raised: a row either yields a payload or reasons."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from catalog.choices import Currency, TransactionMode
from catalog.models import Category, Technology
from core.regions import CHINA_PROVINCES, validate_region
from exchange.models import Need
from imports import cleaning
from imports.choices import ImportKind

# Field kinds: how a cell is read.
TEXT, LONG_TEXT, LIST, TRL, CATEGORY, REGION, REGIONS, MODES, PRICE, CURRENCY, PATENTS, DATE = (
    "text",
    "long_text",
    "list",
    "trl",
    "category",
    "region",
    "regions",
    "modes",
    "price",
    "currency",
    "patents",
    "date",
)
SOURCE_ID = "source_id"
# Fields whose values the mapping page lets people map one by one.
VALUE_MAPPED_KINDS = (CATEGORY, TRL, REGION)

# The usual stages of other platforms (WIPO GREEN's among them) and the TRL range each means.
STAGE_TRL_RANGES: dict[str, tuple[int, int]] = {
    "under r&d": (3, 5),
    "under research and development": (3, 5),
    "at usable level": (6, 7),
    "proven record of commercial use": (8, 9),
    "concept": (1, 2),
    "prototype": (5, 6),
    "pilot": (6, 7),
    "commercial": (8, 9),
    "研发阶段": (3, 5),
    "小试": (4, 5),
    "中试": (6, 7),
    "可用阶段": (6, 7),
    "产业化": (8, 9),
    "已产业化": (8, 9),
    "商业化应用": (8, 9),
}
TRL_RANGE_CHOICES = ("1-3", "3-5", "4-6", "6-7", "8-9")


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    kind: str
    model_field: str = ""  # the model field whose max_length bounds it
    aliases: tuple[str, ...] = ()


def _label(model, field: str) -> str:
    return capfirst(str(model._meta.get_field(field).verbose_name))


def targets(kind: str) -> dict[str, Target]:
    """The fields a column may be mapped to, in the order the mapping page lists them."""
    model = Technology if kind == ImportKind.TECHNOLOGIES else Need
    common = [
        Target(SOURCE_ID, str(_("Record id at the source")), TEXT, "", ("id", "编号", "record id")),
        Target(
            "title", str(_("Title (either language)")), TEXT, "", ("title", "name", "名称", "标题")
        ),
        Target("title_zh", _label(model, "title_zh"), TEXT, "title_zh", ("技术名称", "需求名称")),
        Target("title_en", _label(model, "title_en"), TEXT, "title_en", ("english title",)),
    ]
    if kind == ImportKind.TECHNOLOGIES:
        specific = [
            Target(
                "summary",
                str(_("Summary (either language)")),
                LONG_TEXT,
                "",
                ("summary", "简介", "摘要"),
            ),
            Target("summary_zh", _label(model, "summary_zh"), LONG_TEXT, "summary_zh"),
            Target("summary_en", _label(model, "summary_en"), LONG_TEXT, "summary_en"),
            Target(
                "description",
                str(_("Description (either language)")),
                LONG_TEXT,
                "",
                ("description", "详细介绍", "技术介绍"),
            ),
            Target(
                "category",
                _label(model, "category"),
                CATEGORY,
                "",
                ("category", "领域", "分类", "技术领域", "sector"),
            ),
            Target("keywords", _label(model, "keywords"), LIST, "", ("keywords", "关键词", "tags")),
            Target(
                "trl",
                _label(model, "trl"),
                TRL,
                "",
                ("trl", "stage", "成熟度", "技术成熟度", "development stage"),
            ),
            Target(
                "application_scope",
                _label(model, "application_scope"),
                LONG_TEXT,
                "",
                ("应用范围", "application"),
            ),
            Target(
                "advantages",
                _label(model, "advantages"),
                LONG_TEXT,
                "",
                ("advantages", "技术优势", "benefits"),
            ),
            Target(
                "transaction_modes",
                str(_("Transaction modes")),
                MODES,
                "",
                ("合作方式", "transaction"),
            ),
            Target(
                "asking_price", str(_("Asking price")), PRICE, "", ("price", "价格", "转让价格")
            ),
            Target("currency", _label(model, "currency"), CURRENCY, "", ("currency", "币种")),
            Target(
                "patents", str(_("Patents")), PATENTS, "", ("patents", "专利", "专利号", "patent")
            ),
            Target(
                "region",
                _label(model, "region"),
                REGION,
                "",
                ("country", "region", "地区", "所在地区", "国家"),
            ),
            Target("target_regions", _label(model, "target_regions"), REGIONS, "", ()),
        ]
    else:
        specific = [
            Target(
                "description",
                str(_("Description (either language)")),
                LONG_TEXT,
                "",
                ("description", "需求描述", "详细描述"),
            ),
            Target(
                "category",
                _label(model, "category"),
                CATEGORY,
                "",
                ("category", "领域", "分类", "sector"),
            ),
            Target("industry", _label(model, "industry"), TEXT, "industry", ("industry", "行业")),
            Target("context", _label(model, "context"), LONG_TEXT, "", ("context", "背景")),
            Target("trl_min", _label(model, "trl_min"), TRL, "", ("trl", "stage", "成熟度")),
            Target("budget_min", _label(model, "budget_min"), PRICE, "", ()),
            Target("budget_max", _label(model, "budget_max"), PRICE, "", ("budget", "预算")),
            Target("currency", _label(model, "currency"), CURRENCY, "", ("currency", "币种")),
            Target("transaction_modes", str(_("Transaction modes")), MODES, "", ("合作方式",)),
            Target("region", _label(model, "region"), REGION, "", ("country", "region", "地区")),
            Target("deadline", _label(model, "deadline"), DATE, "", ("deadline", "截止日期")),
        ]
    return {target.name: target for target in common + specific}


REQUIRED_GROUPS = {
    ImportKind.TECHNOLOGIES: (("title", "title_zh", "title_en"), ("category",), ("trl",)),
    ImportKind.NEEDS: (("title", "title_zh", "title_en"),),
}
NEED_DEFAULT_DEADLINE_DAYS = 365
_NORMALISE = re.compile(r"[\s_\-:：()（）]+")


def _key(text: str) -> str:
    return _NORMALISE.sub(" ", (text or "").lower()).strip()


def suggest_mapping(kind: str, columns: list[str], saved: dict | None = None) -> dict[str, str]:
    """A first mapping: the source's saved one for the columns it knows, else by name."""
    saved = saved or {}
    known = targets(kind)
    by_name: dict[str, str] = {}
    for target in known.values():
        for name in (target.name, target.label, *target.aliases):
            by_name.setdefault(_key(str(name)), target.name)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for column in columns:
        field = saved.get(column) if saved.get(column) in known else by_name.get(_key(column))
        if field and field not in used:
            mapping[column] = field
            used.add(field)
    return mapping


def mapping_errors(kind: str, mapping: dict) -> list[str]:
    """Why a column mapping cannot run (unknown fields, a field twice, a required one left
    empty); empty when it can."""
    known = targets(kind)
    errors = []
    chosen = [field for field in mapping.values() if field]
    for field in sorted(set(chosen) - set(known)):
        errors.append(_("“%(field)s” is not a field of this import.") % {"field": field})
    for field in sorted({field for field in chosen if chosen.count(field) > 1}):
        errors.append(
            _("Two columns are mapped to “%(label)s”: choose one.")
            % {"label": known[field].label if field in known else field}
        )
    for group in REQUIRED_GROUPS[kind]:
        if not set(group) & set(chosen):
            errors.append(
                _("Map a column to “%(label)s”: it is required.") % {"label": known[group[0]].label}
            )
    return errors


# --- values ---------------------------------------------------------------------------------


def _categories() -> dict[str, Category]:
    """Every category by its code and by its names, lower-cased (read once per run)."""
    found: dict[str, Category] = {}
    for category in Category.objects.all():
        for name in (category.code, category.name_zh, category.name_en):
            if name:
                found.setdefault(_key(name), category)
    return found


def parse_trl_range(value: str) -> tuple[int, int] | None:
    """(lowest, highest) TRL from "7", "TRL 7", "7级", "3-5" or a stage's name; None if unknown."""
    text = _key(value)
    if text in STAGE_TRL_RANGES:
        return STAGE_TRL_RANGES[text]
    match = re.fullmatch(r"(?:trl)?\s*([1-9])(?:\s*(?:-|to|~|–|至)\s*([1-9]))?\s*(?:级)?", text)
    if not match:
        return None
    low = int(match.group(1))
    high = int(match.group(2) or low)
    return (min(low, high), max(low, high))


def region_code(value: str) -> str | None:
    """An ISO code from a code or a province's or country's name (Chinese or English)."""
    text = value.strip()
    upper = text.upper()
    try:
        validate_region(upper)
    except ValidationError:
        pass
    else:
        return upper
    for code, (name_zh, name_en) in CHINA_PROVINCES.items():
        if text in (name_zh, name_zh.rstrip("省市")) or _key(text) == name_en.lower():
            return code
    code = countries.by_name(text)
    return code if code and code != "CN" else None


_MODE_NAMES = {
    **{mode.value: mode.value for mode in TransactionMode},
    "transfer": TransactionMode.TRANSFER,
    "sale": TransactionMode.TRANSFER,
    "转让": TransactionMode.TRANSFER,
    "licensing": TransactionMode.LICENSE,
    "licence": TransactionMode.LICENSE,
    "许可": TransactionMode.LICENSE,
    "合作开发": TransactionMode.JOINT_DEVELOPMENT,
    "joint development": TransactionMode.JOINT_DEVELOPMENT,
    "collaboration": TransactionMode.JOINT_DEVELOPMENT,
    "技术咨询": TransactionMode.CONSULTING,
    "技术服务": TransactionMode.SERVICE,
    "作价入股": TransactionMode.EQUITY,
}


def _decimal(value: str) -> Decimal | None:
    text = re.sub(r"[,，\s¥￥$€]|元|CNY|RMB|USD|EUR", "", value, flags=re.IGNORECASE)
    if not text or text in ("面议", "negotiable"):
        return None
    multiplier = Decimal(1)
    if text.endswith("万"):
        text, multiplier = text[:-1], Decimal(10_000)
    try:
        number = Decimal(text) * multiplier
    except InvalidOperation as error:
        raise ValueError(value) from error
    if not number.is_finite():
        raise ValueError(value)
    return number


def _date(value: str) -> datetime.date:
    text = value.strip().replace("/", "-").replace(".", "-")
    text = re.sub(r"[年月]", "-", text).replace("日", "")
    return datetime.date.fromisoformat("-".join(part.zfill(2) for part in text[:10].split("-")))


class RowReader:
    """Turns rows of one run into service payloads. Lookups (categories) are read once."""

    def __init__(self, *, kind: str, columns: list[str], mapping: dict, value_mappings: dict):
        self.kind = kind
        self.targets = targets(kind)
        self.positions = {
            field: columns.index(column)
            for column, field in mapping.items()
            if field in self.targets and column in columns
        }
        self.value_mappings = {
            field: {str(key).strip(): str(value) for key, value in (values or {}).items()}
            for field, values in (value_mappings or {}).items()
        }
        self.categories = _categories()
        # Exports repeat the same few region values; looking a name up among every country's
        # translated name is the slowest step of reading a row.
        self._regions: dict[str, str | None] = {}
        self.model = Technology if kind == ImportKind.TECHNOLOGIES else Need

    def _limit(self, field: str) -> int | None:
        try:
            return self.model._meta.get_field(field).max_length
        except Exception:
            return None

    def _region_code(self, value: str) -> str | None:
        if value not in self._regions:
            self._regions[value] = region_code(value)
        return self._regions[value]

    def _mapped(self, field: str, value: str) -> str:
        return self.value_mappings.get(field, {}).get(value, value)

    def read(self, cells: list[str]) -> RowData:
        """The payload of one row, or the reasons it is refused."""
        values = {
            field: cleaning.clean_text(
                cells[position] if position < len(cells) else "",
                multiline=self.targets[field].kind == LONG_TEXT,
            )
            for field, position in self.positions.items()
        }
        row = RowData(data={}, notes=[], errors=[])
        # The full texts cut from titles and summaries, kept at the top of the description.
        overflow: list[str] = []
        for field, value in values.items():
            if field == SOURCE_ID:
                continue
            target = self.targets[field]
            try:
                self._read_field(target, value, row, overflow)
            except ValueError:
                row.refuse(
                    field,
                    _("%(field)s: “%(value)s” cannot be read.")
                    % {"field": target.label, "value": cleaning.shorten(value, 60)},
                )
        self._finish(row, overflow)
        row.content_hash = content_hash(row.data)
        row.source_id = cleaning.shorten(values.get(SOURCE_ID, ""), 200) or (
            "sha256:" + row.content_hash[:40]
        )
        return row

    def _language_field(self, base: str, value: str, data: dict) -> str:
        language = "zh" if cleaning.is_chinese(value) else "en"
        field = f"{base}_{language}"
        if data.get(field):  # both columns mapped: the other language keeps this one
            field = f"{base}_{'en' if language == 'zh' else 'zh'}"
        return field

    def _read_field(self, target: Target, value: str, row: RowData, overflow: list[str]) -> None:
        data, notes = row.data, row.notes
        name = target.name
        if not value:
            return
        if name in ("title", "summary", "description"):
            name = self._language_field(name, value, data)
        if target.kind in (TEXT, LONG_TEXT):
            limit = self._limit(name)
            if limit and len(value) > limit:
                notes.append(
                    _("%(name)s was shortened from %(length)d to %(limit)d characters.")
                    % {"name": target.label, "length": len(value), "limit": limit}
                )
                overflow.append(value)
                value = cleaning.shorten(value, limit)
            data[name] = value
        elif target.kind == LIST:
            items = [cleaning.shorten(item, 60) for item in cleaning.split_list(value)]
            data[name] = list(dict.fromkeys(items))[:20]
        elif target.kind == CATEGORY:
            mapped = self._mapped(name, value)
            category = self.categories.get(_key(mapped))
            if category is None:
                row.refuse(
                    name,
                    _("The category “%(value)s” is not in the taxonomy: map it to one.")
                    % {"value": cleaning.shorten(value, 60)},
                )
            else:
                data[name] = category
        elif target.kind == TRL:
            found = parse_trl_range(self._mapped(name, value))
            if found is None:
                row.refuse(
                    name,
                    _("“%(value)s” is neither a TRL from 1 to 9 nor a known stage: map it to one.")
                    % {"value": cleaning.shorten(value, 60)},
                )
            else:
                data[name] = found[0]
        elif target.kind == REGION:
            code = self._region_code(self._mapped(name, value))
            if code is None:
                notes.append(
                    _("The region “%(value)s” is unknown: the organisation's region was used.")
                    % {"value": cleaning.shorten(value, 60)}
                )
            else:
                data[name] = code
        elif target.kind == REGIONS:
            codes = [self._region_code(item) for item in cleaning.split_list(value)]
            data[name] = [code for code in dict.fromkeys(codes) if code]
        elif target.kind == MODES:
            modes = []
            for item in cleaning.split_list(value):
                mode = _MODE_NAMES.get(_key(item)) or _MODE_NAMES.get(item)
                if mode is None:
                    notes.append(
                        _("The transaction mode “%(value)s” is unknown and was left out.")
                        % {"value": cleaning.shorten(item, 60)}
                    )
                elif mode not in modes:
                    modes.append(str(mode))
            data[name] = modes
        elif target.kind == PRICE:
            data[name] = _decimal(value)
        elif target.kind == CURRENCY:
            code = value.upper().replace("RMB", "CNY").replace("元", "CNY")
            if code not in Currency.values:
                row.refuse(
                    name,
                    _("“%(value)s” is not a currency this platform uses.") % {"value": value[:20]},
                )
            else:
                data[name] = code
        elif target.kind == PATENTS:
            patents = []
            for item in re.split(r"[;；\n]", value):
                number, kind, status = ([*item.split("|"), "", ""])[:3]
                if number.strip():
                    patents.append(
                        {
                            "number": number.strip()[:40],
                            "kind": kind.strip() or "invention_patent",
                            "status": status.strip() or "granted",
                            "jurisdiction": "CN",
                        }
                    )
            data[name] = patents
        elif target.kind == DATE:
            data[name] = _date(value)

    def _finish(self, row: RowData, overflow: list[str]) -> None:
        data = row.data
        if not (data.get("title_zh") or data.get("title_en")):
            row.refuse("title", _("The row has no title."))
        if overflow:
            description = "description_zh" if cleaning.is_chinese(overflow[0]) else "description_en"
            data[description] = "\n\n".join([*overflow, data.get(description) or ""]).strip()
        if self.kind == ImportKind.TECHNOLOGIES:
            if "category" not in data and "category" not in row.refused_fields:
                row.refuse("category", _("The row has no category."))
            if "trl" not in data and "trl" not in row.refused_fields:
                row.refuse("trl", _("The row has no TRL or stage."))
        elif "deadline" not in data:
            # Filled on creation only, and outside the content hash: a re-import on another day
            # is still the same row.
            row.defaults["deadline"] = timezone.localdate() + datetime.timedelta(
                days=NEED_DEFAULT_DEADLINE_DAYS
            )
            row.notes.append(_("No deadline was given: one year from today was set."))


@dataclass
class RowData:
    """One row read: its payload, notes on what was changed, reasons it is refused."""

    data: dict
    notes: list[str]
    errors: list[str]
    defaults: dict = dataclasses.field(default_factory=dict)
    refused_fields: set = dataclasses.field(default_factory=set)
    source_id: str = ""
    content_hash: str = ""

    def refuse(self, field_name: str, reason: str) -> None:
        self.errors.append(reason)
        self.refused_fields.add(field_name)


def content_hash(data: dict) -> str:
    """A stable hash of a payload (categories by code), to tell an unchanged row."""

    def plain(value):
        if isinstance(value, Category):
            return value.code
        if isinstance(value, Decimal | datetime.date):
            return str(value)
        return value

    text = json.dumps(
        {key: plain(value) for key, value in data.items()}, sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


FIELD_KIND_LABELS = {
    CATEGORY: gettext_lazy("category"),
    TRL: gettext_lazy("TRL or stage"),
    REGION: gettext_lazy("region"),
}
