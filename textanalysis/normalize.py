"""Unicode folding and the character classes every analysis step agrees on."""

import re
import unicodedata

# CJK unified ideographs (with extension A and the compatibility block).
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
CJK_CHARACTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ASCII_WORD = re.compile(r"[a-z0-9]+")

_SUBSCRIPT_DIGITS = str.maketrans({"₂": "2", "₃": "3", "₄": "4", "₅": "5"})


def normalize_text(text: str) -> str:
    """NFKC-fold (full-width letters, ㎥, subscripts) and lower-case."""
    return unicodedata.normalize("NFKC", text.translate(_SUBSCRIPT_DIGITS)).lower()
