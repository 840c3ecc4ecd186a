"""Full-text search analysis for technologies, built on the shared text analysis (textanalysis).

Chinese is segmented in Python (rjieba in search mode through textanalysis, so sub-phrases
such as 有机废水 in 高浓度有机废水 are indexed) and every glossary surface form adds a shared
concept token (光伏 / photovoltaic / PV -> one token). The tokens are stored as a weighted
tsvector literal built here, under PostgreSQL's `simple` configuration, with a GIN index.

A query becomes an AND of units; each unit is an OR of its word, the concept tokens of the
glossary entries it names exactly, and (for a Chinese compound) the AND of its parts.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from catalog.visibility import TECHNOLOGY_FIELDS, Clearance
from textanalysis import (
    CJK_RUN,
    analyze,
    chinese_words,
    concept_token,
    default_glossary,
    english_words,
    normalize_text,
)

MAX_POSITIONS_PER_TOKEN = 16
# PostgreSQL refuses a lexeme over 2,046 bytes ("word is too long to be indexed"); a long URL or
# a run-on word is cut to this many characters for the index (and for queries alike), never in
# the stored text. 200 CJK characters are 600 bytes.
MAX_INDEXED_TOKEN_CHARACTERS = 200


def index_token(token: str) -> str:
    return token[:MAX_INDEXED_TOKEN_CHARACTERS]


def tsvector_literal(weighted_texts: Iterable[tuple[str, str]]) -> str:
    """A tsvector literal (`'token':1A,7A 'other':2B`) of texts analysed with their weights."""
    return tsvector_from_tokens((analyze(text or ""), weight) for text, weight in weighted_texts)


def tsvector_from_tokens(weighted_tokens: Iterable[tuple[Sequence[str], str]]) -> str:
    """A tsvector literal from already analysed token lists (bulk generation caches analysis).

    PostgreSQL caps positions at 16383 itself; at most 16 positions are kept per token.
    """
    positions: dict[str, list[str]] = {}
    position = 0
    for tokens, weight in weighted_tokens:
        for token in tokens:
            token = index_token(token)
            position += 1
            entries = positions.get(token)
            if entries is None:
                positions[token] = [f"{position}{weight}"]
            elif len(entries) < MAX_POSITIONS_PER_TOKEN:
                entries.append(f"{position}{weight}")
    return " ".join(
        f"'{_escape(token)}':{','.join(entries)}" for token, entries in positions.items()
    )


def _escape(token: str) -> str:
    # analyze() only emits CJK runs and [a-z0-9]+, but a literal must never break.
    if "'" in token or "\\" in token:
        return token.replace("\\", "\\\\").replace("'", "''")
    return token


# The indexed fields and their weights. The index must hold only what every reader of the
# public catalogue may see (catalog.visibility): a word of the confidential description would
# otherwise find the listing for anyone. Checked when this module is imported.
SEARCH_WEIGHTS = (
    ("title_zh", "A"),
    ("title_en", "A"),
    ("keywords", "A"),
    ("summary_zh", "B"),
    ("summary_en", "B"),
    ("application_scope", "C"),
    ("advantages", "C"),
)
SEARCHED_FIELDS = tuple(name for name, _weight in SEARCH_WEIGHTS)
# The translations' public text (and an original written in another language), kept apart from
# SEARCH_WEIGHTS because older data migrations read those columns by name.
TRANSLATED_TEXT_WEIGHT = ("translated_text", "B")
TECHNOLOGY_FIELDS.require(
    (*SEARCHED_FIELDS, TRANSLATED_TEXT_WEIGHT[0]),
    clearance=Clearance.PUBLIC,
    where="the search index",
)


def technology_weighted_texts(values: dict) -> list[tuple[str, str]]:
    """The searchable fields of a technology (a dict of its field values) with their weights."""
    texts = []
    for name, weight in SEARCH_WEIGHTS:
        value = values.get(name)
        if name == "keywords":
            value = " ".join(value or [])
        texts.append((value or "", weight))
    name, weight = TRANSLATED_TEXT_WEIGHT
    if values.get(name):
        texts.append((values[name], weight))
    return texts


def technology_search_vector(technology) -> str:
    values = {name: getattr(technology, name) for name in SEARCHED_FIELDS}
    values[TRANSLATED_TEXT_WEIGHT[0]] = getattr(technology, TRANSLATED_TEXT_WEIGHT[0], "")
    return tsvector_literal(technology_weighted_texts(values))


@dataclass
class QueryUnit:
    """One unit of a query: any of its alternatives (each an AND of tokens) may match."""

    surface: str
    alternatives: list[tuple[str, ...]] = field(default_factory=list)
    highlight_terms: set[str] = field(default_factory=set)

    def tsquery(self, weights: str = "") -> str:
        parts = []
        suffix = f":{weights}" if weights else ""
        for alternative in self.alternatives:
            quoted = " & ".join(f"'{_escape(index_token(token))}'{suffix}" for token in alternative)
            parts.append(f"({quoted})" if len(alternative) > 1 else quoted)
        return "(" + " | ".join(parts) + ")"


@dataclass
class ParsedQuery:
    units: list[QueryUnit]

    @property
    def is_empty(self) -> bool:
        return not self.units

    def tsquery(self, weights: str = "") -> str:
        """The tsquery text; `weights` ("A") restricts every token to positions of those weights
        (A: titles, keywords and their concepts), which the cheap candidate order uses."""
        return " & ".join(unit.tsquery(weights) for unit in self.units)

    @property
    def highlight_terms(self) -> list[str]:
        terms = set()
        for unit in self.units:
            terms |= unit.highlight_terms
        return sorted(terms, key=len, reverse=True)


def _concept_alternatives(concepts: Iterable[str], unit: QueryUnit) -> None:
    glossary = default_glossary()
    for concept in sorted(set(concepts)):
        unit.alternatives.append((concept_token(concept),))
        unit.highlight_terms |= {form for form in glossary.surface_forms(concept) if form}


def _maximal(words: Sequence[str]) -> list[str]:
    """Words that are not part of another word of the list, in order, once each."""
    unique = list(dict.fromkeys(words))
    return [word for word in unique if not any(word != other and word in other for other in unique)]


def parse_query(text: str) -> ParsedQuery:
    glossary = default_glossary()
    normalized = normalize_text(text or "")[:200]
    units: list[QueryUnit] = []
    for run in CJK_RUN.findall(normalized):
        words = chinese_words(run)
        for word in _maximal(words):
            unit = QueryUnit(surface=word, alternatives=[(word,)], highlight_terms={word})
            parts = _maximal([part for part in words if part != word and part in word])
            if len(parts) > 1:
                unit.alternatives.append(tuple(parts))
            _concept_alternatives(glossary.chinese_forms.get(word, ()), unit)
            units.append(unit)
    latin = CJK_RUN.sub(" ", normalized)
    words = english_words(latin)
    longest = glossary.longest_word_form if words else 0
    index = 0
    while index < len(words):
        for length in range(min(longest, len(words) - index), 1, -1):
            phrase = tuple(words[index : index + length])
            concepts = glossary.word_forms.get(phrase)
            if concepts:
                unit = QueryUnit(
                    surface=" ".join(phrase), alternatives=[phrase], highlight_terms=set(phrase)
                )
                _concept_alternatives(concepts, unit)
                units.append(unit)
                index += length
                break
        else:
            word = words[index]
            unit = QueryUnit(surface=word, alternatives=[(word,)], highlight_terms={word})
            _concept_alternatives(glossary.word_forms.get((word,), ()), unit)
            units.append(unit)
            index += 1
    # The same unit twice adds nothing.
    seen: set[str] = set()
    unique_units = []
    for unit in units:
        if unit.surface not in seen:
            seen.add(unit.surface)
            unique_units.append(unit)
    return ParsedQuery(units=unique_units[:12])


def highlight(text: str, terms: Sequence[str], *, width: int = 180) -> str:
    """HTML-escaped `text` cut around the first match, with every term in <mark>."""
    if not text:
        return ""
    text = " ".join(text.split())
    folded = text.lower()
    spans: list[tuple[int, int]] = []
    for term in terms:
        term = term.lower()
        if not term:
            continue
        start = folded.find(term)
        while start != -1:
            end = start + len(term)
            if term.isascii():
                # English stems: extend to the end of the word (panel -> panels).
                while end < len(text) and text[end].isalnum():
                    end += 1
                if start > 0 and folded[start - 1].isalnum():
                    start = folded.find(term, start + 1)
                    continue
            spans.append((start, end))
            start = folded.find(term, end)
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    window_start = 0
    if merged and merged[0][0] > width // 3:
        window_start = merged[0][0] - width // 3
    window_end = min(len(text), window_start + width)
    pieces = ["…" if window_start else ""]
    cursor = window_start
    for start, end in merged:
        if end <= window_start or start >= window_end:
            continue
        start, end = max(start, window_start), min(end, window_end)
        pieces.append(html.escape(text[cursor:start]))
        pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(html.escape(text[cursor:window_end]))
    if window_end < len(text):
        pieces.append("…")
    return "".join(pieces)
