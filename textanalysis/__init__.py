"""Text analysis of green-technology listings: plain Python, no Django.

`analyze()` turns Chinese, English or mixed text into index tokens (Vietnamese, Indonesian and Malay
text through the glossary's forms in those languages):

* Chinese runs are segmented with rjieba in search mode, so sub-phrases are indexed too
  (高浓度有机废水 -> 浓度, 高浓度, 有机, 废水, 有机废水);
* Latin-script runs are lower-cased, accents folded (nước -> nuoc), split on non-alphanumerics
  and reduced by a light stemmer;
* stopwords, numbers and single characters are dropped;
* every glossary surface form found in the text adds its concept token (``zc<concept>``) and the
  tokens of its broader concepts, so 渗滤液, "leachate", "nước rỉ rác" and "air lindi" share
  ``zcleachate`` and ``zcwastewater``.

Every token is either a run of CJK characters or ``[a-z0-9]+``: PostgreSQL's ``simple`` text search
configuration keeps such space-joined tokens unchanged, so the catalogue stores
``" ".join(analyze(...))`` in a tsvector and builds tsqueries from the same functions, and the
matching engine scores the same tokens.
"""

from textanalysis.analysis import analyze
from textanalysis.glossary import (
    CONCEPT_PREFIX,
    DEFAULT_GLOSSARY_PATH,
    MORE_LANGUAGES_PATH,
    Glossary,
    concept_token,
    default_glossary,
    is_concept_token,
)
from textanalysis.normalize import CJK_CHARACTER, CJK_RUN, fold_diacritics, normalize_text
from textanalysis.segmentation import chinese_words
from textanalysis.stemming import english_words, stem_english
from textanalysis.stopwords import CHINESE_STOPWORDS, ENGLISH_STOPWORDS

__all__ = [
    "CHINESE_STOPWORDS",
    "CJK_CHARACTER",
    "CJK_RUN",
    "CONCEPT_PREFIX",
    "DEFAULT_GLOSSARY_PATH",
    "ENGLISH_STOPWORDS",
    "MORE_LANGUAGES_PATH",
    "Glossary",
    "analyze",
    "chinese_words",
    "concept_token",
    "default_glossary",
    "english_words",
    "fold_diacritics",
    "is_concept_token",
    "normalize_text",
    "stem_english",
]
