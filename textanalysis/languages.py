"""Which language a text is in, as far as matching needs to know.

The lexical analysis reads Chinese and English (rjieba, the English stemmer and the glossary);
a Thai, Russian or Arabic text yields almost no tokens and a French one yields English-looking
stems that mean nothing. Vietnamese, Indonesian and Malay are read through the glossary's forms
in those languages (glossary_more.tsv) only: a text in one of them is read when it names at least
one glossary concept in its language. `language_guess` tells the engine which texts the lexical
score can be trusted on, so the multilingual embedding can carry the others. Script decides
first; Latin text is told apart by letters only Vietnamese uses and by function words.
"""

from __future__ import annotations

import re
import unicodedata

from textanalysis.glossary import default_glossary
from textanalysis.normalize import normalize_text
from textanalysis.stemming import english_words

# Languages whose text the lexical analysis reads (segmentation, stemming, glossary).
LEXICAL_LANGUAGES = frozenset({"zh", "en"})
# Languages read through their glossary forms alone, when a text names a concept in them; Malay
# text is guessed as Indonesian, so its forms count too.
GLOSSARY_LANGUAGES = {"vi": ("vi",), "id": ("id", "ms"), "ms": ("ms", "id")}

_SCRIPTS = (
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
)
_LATIN = re.compile(r"[a-z\u00c0-\u024f\u1e00-\u1eff]")
# Letters (after lower-casing) that only Vietnamese uses among the languages we meet.
_VIETNAMESE = re.compile(r"[ăđơư\u1ea0-\u1ef9]")
_WORD = re.compile(r"[a-z\u00c0-\u024f\u1e00-\u1eff]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FUNCTION_WORDS = {
    "en": _words("the of and for to in a an from with on by at is are our we need needs"),
    "fr": _words("le la les des de du d l et pour une un dans sur avec au aux nous est sans par"),
    "es": _words("el los las del y para una un con por en es sin al nuestra"),
    "id": _words("dan yang untuk dengan di dari pada ke ini kami tidak menjadi"),
    "vi": _words("và của cho các những với không từ trong là nhà máy"),
}
_FRENCH_LETTERS = re.compile(r"[éèêàçùœ]")


def language_guess(text: str) -> str | None:
    """A language code ('zh', 'en', 'th', 'ru', 'ar', 'fr', 'vi', 'id', 'es', 'ja', 'ko'), or
    None for text without letters. Short Latin text with no telling word counts as English."""
    text = unicodedata.normalize("NFC", text or "").lower()
    letters = [character for character in text if character.isalpha()]
    if not letters:
        return None
    counts = {code: sum(1 for c in letters if pattern.match(c)) for code, pattern in _SCRIPTS}
    latin = sum(1 for character in letters if _LATIN.match(character))
    # Kana decide for Japanese even among many kanji.
    if counts["ja"] and counts["ja"] * 5 >= counts["zh"]:
        counts["zh"] = 0
    script, count = max(counts.items(), key=lambda item: item[1])
    if count > latin:
        return script
    if _VIETNAMESE.search(text):
        return "vi"
    words = _WORD.findall(text.replace("'", " ").replace("\u2019", " "))
    hits = {code: sum(1 for word in words if word in vocabulary) for code, vocabulary in
            _FUNCTION_WORDS.items()}  # fmt: skip
    if _FRENCH_LETTERS.search(text):
        hits["fr"] += 1
    best = max(hits, key=lambda code: (hits[code], code == "en"))
    return best if hits[best] > hits["en"] else "en"


def read_lexically(text: str) -> bool:
    """Whether the lexical analysis reads this text: Chinese or English, or Vietnamese,
    Indonesian or Malay naming a glossary concept in that language."""
    language = language_guess(text)
    if language is None or language in LEXICAL_LANGUAGES:
        return True
    if language not in GLOSSARY_LANGUAGES:
        return False
    glossary = default_glossary()
    words = english_words(normalize_text(text), keep_stopwords=True)
    return any(
        glossary.concepts_in_language(form_language, words)
        for form_language in GLOSSARY_LANGUAGES[language]
    )
