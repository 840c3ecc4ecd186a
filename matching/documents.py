"""Turn catalog technologies and exchange needs into the engine's plain documents."""

from __future__ import annotations

import re
from decimal import Decimal

from catalog.visibility import TECHNOLOGY_FIELDS as TECHNOLOGY_POLICY
from core.visibility import Clearance
from currencies.choices import YUAN
from currencies.selectors import cny_rates_today
from matching.engine import NeedDocument, TechnologyDocument

# The text the engine reads of a technology, and so the words a match reason may quote ("shared
# terms: ...") to the need's enterprise or a broker: public fields only (catalog.visibility),
# never the confidential description. Checked below at import.
TECHNOLOGY_TEXT_FIELDS = (
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "keywords",
    "application_scope",
    "advantages",
    # Translations and an original in another language (public fields only, catalog.services).
    "translated_text",
)
TECHNOLOGY_FIELDS = (
    "id",
    "organization_id",
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "application_scope",
    "advantages",
    "translated_text",
    "category_id",
    "keywords",
    "trl",
    "transaction_modes",
    "asking_price",
    "currency",
    "region",
    "status",
    "updated_at",
)
TECHNOLOGY_POLICY.require(
    TECHNOLOGY_TEXT_FIELDS, clearance=Clearance.PUBLIC, where="matching.documents"
)
NEED_FIELDS = (
    "id",
    "organization_id",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "context",
    "translated_text",
    "category_id",
    "trl_min",
    "budget_max",
    "currency",
    "transaction_modes",
    "region",
    "status",
    "updated_at",
)

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_ENGLISH_FUNCTION_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "for",
        "with",
        "is",
        "are",
        "on",
        "by",
        "from",
        "at",
        "as",
        "that",
        "this",
        "be",
        "it",
        "an",
        "or",
        "we",
        "our",
    ]
)
_OTHER_FUNCTION_WORDS = frozenset(
    [
        "de",
        "la",
        "le",
        "les",
        "des",
        "et",
        "du",
        "une",
        "est",
        "pour",
        "dans",
        "sur",
        "avec",
        "que",
        "qui",
        "au",
        "aux",
        "und",
        "der",
        "die",
        "das",
        "ein",
        "eine",
        "ist",
        "mit",
        "von",
        "zu",
        "den",
        "nicht",
        "auf",
        "für",
        "el",
        "los",
        "las",
        "del",
        "y",
        "en",
        "por",
        "con",
        "una",
        "para",
        "es",
        "se",
        "al",
        "da",
        "di",
        "il",
        "per",
        "che",
        "non",
        "gli",
        "della",
        "het",
        "een",
        "van",
        "op",
        "te",
        "zijn",
    ]
)


def to_cny(amount: Decimal | None, currency: str | None) -> float | None:
    """A price or budget in yuan at today's rate (currencies), for the engine's budget fit.

    Without a recent rate the amount is left out (None: the engine then treats it as not
    given) rather than compared as if it were yuan.
    """
    if amount is None:
        return None
    code = currency or YUAN
    if code == YUAN:
        return float(amount)
    rate = cny_rates_today().get(code)
    return None if rate is None else float(amount * rate)


def _join(*parts: str) -> str:
    return "\n".join(part for part in parts if part and part.strip())


_category_codes: dict[int, str] = {}


def _category_code(instance) -> str | None:
    return category_code(instance.category_id)


def category_code(category_id: int | None) -> str | None:
    """The taxonomy code of a category, from a per-process map (the taxonomy is static)."""
    if not category_id:
        return None
    if category_id not in _category_codes:
        from catalog.models import Category

        _category_codes.clear()
        _category_codes.update(Category.objects.values_list("pk", "code"))
    return _category_codes.get(category_id)


def technology_document(
    technology, *, holder_verified: bool | None = None, completed_deals: int | None = None
) -> TechnologyDocument:
    """The engine's view of a technology; both language versions feed the text."""
    language = "zh" if (technology.title_zh or "").strip() else "en"
    fields = technology.__dict__
    return TechnologyDocument(
        id=str(technology.pk),
        language=language,
        title=_join(fields.get("title_zh", ""), fields.get("title_en", "")),
        summary=_join(fields.get("summary_zh", ""), fields.get("summary_en", "")),
        description=_join(
            fields.get("application_scope", ""),
            fields.get("advantages", ""),
            fields.get("translated_text", ""),
        ),
        category=_category_code(technology),
        keywords=tuple(fields.get("keywords") or ()),
        trl=technology.trl,
        transaction_modes=tuple(technology.transaction_modes or ()),
        asking_price=to_cny(technology.asking_price, technology.currency),
        region=technology.region or None,
        holder_verified=holder_verified,
        holder_completed_deals=completed_deals,
    )


def need_document(need) -> NeedDocument:
    language = "zh" if (need.title_zh or "").strip() else "en"
    return NeedDocument(
        id=str(need.pk),
        language=language,
        title=_join(need.title_zh, need.title_en),
        description=_join(
            need.description_zh, need.description_en, need.context, need.translated_text
        ),
        category=_category_code(need),
        trl_min=need.trl_min,
        budget_max=to_cny(need.budget_max, need.currency),
        transaction_modes=tuple(need.transaction_modes or ()),
        region=need.region or None,
    )


def text_language(text: str) -> str | None:
    """'zh', 'en', or None when the text is mostly in another script (Japanese kana, Cyrillic,
    Arabic, ...). Only letters count, so figures and units do not decide."""
    letters = [character for character in text if character.isalpha()]
    if not letters:
        return None
    chinese = sum(1 for character in letters if _CJK.match(character))
    latin = sum(1 for character in letters if _LATIN.match(character))
    other = len(letters) - chinese - latin
    if other > (chinese + latin):
        return None
    if latin > 4 * chinese:
        words = [word.lower() for word in _WORD.findall(text)]
        if len(words) >= 12:
            english = sum(1 for word in words if word in _ENGLISH_FUNCTION_WORDS)
            foreign = sum(1 for word in words if word in _OTHER_FUNCTION_WORDS)
            if foreign > 2 * english and foreign >= 0.08 * len(words):
                return None
    return "zh" if chinese >= latin / 4 and chinese else ("en" if latin else "zh")
