"""Unicode folding and the character classes every analysis step agrees on."""

import re
import unicodedata

# CJK unified ideographs (with extension A and the compatibility block).
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
CJK_CHARACTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ASCII_WORD = re.compile(r"[a-z0-9]+")
# Latin letters beyond ASCII (Latin-1 to Latin Extended-B, Latin Extended Additional, where the
# Vietnamese letters live), with any combining marks left after them.
_ACCENTED_LATIN = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff][\u0300-\u036f]*")

_SUBSCRIPT_DIGITS = str.maketrans({"₂": "2", "₃": "3", "₄": "4", "₅": "5"})
# Letters NFKD does not take apart.
_UNDECOMPOSABLE = str.maketrans(
    {"đ": "d", "ð": "d", "ł": "l", "ø": "o", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "ß": "ss"}
)


def normalize_text(text: str) -> str:
    """NFKC-fold (full-width letters, ㎥, subscripts) and lower-case."""
    return unicodedata.normalize("NFKC", text.translate(_SUBSCRIPT_DIGITS)).lower()


def _strip_marks(match: re.Match) -> str:
    decomposed = unicodedata.normalize("NFKD", match.group().translate(_UNDECOMPOSABLE))
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def fold_diacritics(text: str) -> str:
    """Accented Latin letters of normalized text as plain ASCII letters (nước thải -> nuoc thai,
    đường -> duong); every other character, CJK included, is left as it is."""
    if text.isascii():
        return text
    return _ACCENTED_LATIN.sub(_strip_marks, text)
