"""How alike two listings read: the near-duplicate score of titles and texts (no Django).

A listing's `Fingerprint` holds
* the shingles of its titles, per script: overlapping character pairs of the Chinese runs
  (robust to a particle or a word more: 高浓度有机废水厌氧处理 / 高浓度有机废水的厌氧处理)
  and the stemmed words of the rest;
* the index tokens (`analyze`) of its titles and texts, words counted once per field and
  glossary concept tokens at half weight, so a Chinese and an English listing of the same thing
  still share their concepts (渗滤液 / leachate) while two listings that merely share a broad
  concept (wastewater) do not look alike.

`similarity()` combines the Jaccard overlap of the title shingles of the scripts both listings
use (the concept overlap of the titles when they share no script) with the cosine of the
token weights. Scores run from 0 (nothing in common) to 1 (the same text).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from textanalysis.analysis import analyze
from textanalysis.glossary import is_concept_token
from textanalysis.normalize import CJK_RUN, normalize_text
from textanalysis.stemming import english_words

# Below this a pair is not worth a reviewer's look. Calibrated on the matching evaluation set
# (130 real listings): no two of them reach 0.45; a listing re-entered with a word more in its
# title and half its summary scores 0.8 or more.
DUPLICATE_THRESHOLD = 0.6
TITLE_WEIGHT = 0.5
CONCEPT_WEIGHT = 0.5
# A title shares no script with the other (one Chinese, one English): its concepts alone are
# weaker evidence than shingles.
CROSS_SCRIPT_TITLE_FACTOR = 0.8


@dataclass(frozen=True)
class Fingerprint:
    """What similarity() compares of one listing (build it with `fingerprint()`)."""

    chinese_title_shingles: frozenset[str]
    latin_title_words: frozenset[str]
    title_concepts: frozenset[str]
    weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def norm(self) -> float:
        return math.sqrt(sum(weight * weight for weight in self.weights.values()))

    @property
    def is_empty(self) -> bool:
        return not (self.chinese_title_shingles or self.latin_title_words or self.weights)


@dataclass(frozen=True)
class Similarity:
    """The score of a pair, its two parts and the words the two listings share (most telling
    first: longest words, no concept tokens)."""

    score: float
    title: float
    text: float
    shared_terms: tuple[str, ...] = ()


def _chinese_shingles(text: str) -> set[str]:
    shingles: set[str] = set()
    for run in CJK_RUN.findall(text):
        if len(run) == 1:
            shingles.add(run)
        shingles.update(run[index : index + 2] for index in range(len(run) - 1))
    return shingles


def fingerprint(*, titles: Iterable[str], texts: Iterable[str] = ()) -> Fingerprint:
    """The fingerprint of a listing from its titles (every language) and its other texts
    (summaries, keywords)."""
    titles = [normalize_text(title or "") for title in titles]
    chinese: set[str] = set()
    latin: set[str] = set()
    concepts: set[str] = set()
    weights: Counter[str] = Counter()
    for text in titles + [normalize_text(text or "") for text in texts]:
        for token in set(analyze(text)):
            weights[token] += CONCEPT_WEIGHT if is_concept_token(token) else 1.0
    for title in titles:
        chinese |= _chinese_shingles(title)
        latin.update(english_words(CJK_RUN.sub(" ", title)))
        concepts.update(token for token in analyze(title) if is_concept_token(token))
    return Fingerprint(
        chinese_title_shingles=frozenset(chinese),
        latin_title_words=frozenset(latin),
        title_concepts=frozenset(concepts),
        weights=dict(weights),
    )


@lru_cache(maxsize=8192)
def cached_fingerprint(titles: tuple[str, ...], texts: tuple[str, ...] = ()) -> Fingerprint:
    """`fingerprint()` of texts already seen, from memory.

    An import compares every row with up to CANDIDATE_LIMIT stored listings and the same
    listings come back row after row; the fingerprint depends on the texts alone (the glossary
    is fixed for the life of a process), so it is computed once per distinct text.
    """
    return fingerprint(titles=titles, texts=texts)


def _jaccard_parts(first: frozenset[str], second: frozenset[str]) -> tuple[int, int]:
    if not first or not second:
        return 0, 0
    return len(first & second), len(first | second)


def title_similarity(first: Fingerprint, second: Fingerprint) -> float:
    """Shingle overlap of the titles over the scripts both use; concepts across scripts."""
    shared = union = 0
    for mine, theirs in (
        (first.chinese_title_shingles, second.chinese_title_shingles),
        (first.latin_title_words, second.latin_title_words),
    ):
        common, total = _jaccard_parts(mine, theirs)
        shared += common
        union += total
    if union:
        return shared / union
    common, total = _jaccard_parts(first.title_concepts, second.title_concepts)
    return CROSS_SCRIPT_TITLE_FACTOR * common / total if total else 0.0


def text_similarity(first: Fingerprint, second: Fingerprint) -> float:
    """Cosine of the token weights of titles and texts."""
    norms = first.norm * second.norm
    if not norms:
        return 0.0
    smaller, larger = sorted((first.weights, second.weights), key=len)
    dot = sum(weight * larger.get(token, 0.0) for token, weight in smaller.items())
    return min(1.0, dot / norms)


def shared_terms(first: Fingerprint, second: Fingerprint, *, limit: int = 6) -> tuple[str, ...]:
    """The words both listings use, most telling (longest) first, a word inside a longer one
    left out."""
    common = [
        token for token in first.weights if token in second.weights and not is_concept_token(token)
    ]
    # A Chinese word says about as much as an English word three times as long.
    common.sort(key=lambda token: (-len(token) * (3 if CJK_RUN.match(token) else 1), token))
    chosen: list[str] = []
    for token in common:
        if not any(token in longer for longer in chosen):
            chosen.append(token)
        if len(chosen) >= limit:
            break
    return tuple(chosen)


def similarity(first: Fingerprint, second: Fingerprint) -> Similarity:
    """How alike two listings are, from 0 to 1."""
    if first.is_empty or second.is_empty:
        return Similarity(0.0, 0.0, 0.0)
    title = title_similarity(first, second)
    text = text_similarity(first, second)
    score = TITLE_WEIGHT * title + (1 - TITLE_WEIGHT) * text
    return Similarity(
        score=round(score, 4),
        title=round(title, 4),
        text=round(text, 4),
        shared_terms=shared_terms(first, second),
    )
