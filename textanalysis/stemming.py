"""Latin-script words: split, lower-cased, accents folded and lightly stemmed, stop words dropped.

The words of Vietnamese and Indonesian text pass through the same steps, so a glossary form and
the text it is found in are read alike (nước thải -> nuoc thai).
"""

import functools

from textanalysis.normalize import ASCII_WORD, fold_diacritics
from textanalysis.stopwords import ENGLISH_STOPWORDS


@functools.lru_cache(maxsize=65536)
def stem_english(word: str) -> str:
    """A deliberately light stemmer: plurals and British/American spelling (-ise/-ize, -our/-or).

    -ing/-ed are kept: stripping them merges unrelated senses (heating/heat, lighting/light) and the
    glossary lists the inflections that matter.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is", "os", "gas")):
        word = word[:-1]
    for british, american in (("isation", "ization"), ("iser", "izer"), ("ise", "ize")):
        if word.endswith(british) and len(word) > len(british) + 3:
            word = word[: -len(british)] + american
            break
    if word.endswith("our") and len(word) >= 5:
        word = word[:-3] + "or"
    if word.endswith("tre") and len(word) > 5:
        word = word[:-3] + "ter"
    return word


def english_words(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Stemmed Latin-script words of normalized text, accents folded; pure numbers and (by
    default) English stopwords dropped."""
    words: list[str] = []
    for raw in ASCII_WORD.findall(fold_diacritics(text)):
        if raw.isdigit():
            continue
        stem = stem_english(raw)
        if not keep_stopwords and (
            len(stem) < 2 or raw in ENGLISH_STOPWORDS or stem in ENGLISH_STOPWORDS
        ):
            continue
        words.append(stem)
    return words
