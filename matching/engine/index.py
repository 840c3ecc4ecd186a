"""Weighted terms of documents, BM25 corpus statistics and the in-memory inverted index."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from textanalysis import analyze, is_concept_token

from .documents import NeedDocument, TechnologyDocument

Terms = dict[str, float]

# Field boosts (BM25F-lite): a term in the title or keywords counts more than one in the body.
TECHNOLOGY_FIELD_WEIGHTS = {"title": 3.0, "keywords": 2.0, "summary": 1.5, "description": 1.0}
NEED_FIELD_WEIGHTS = {"title": 2.0, "keywords": 2.0, "description": 1.0}


@dataclass(frozen=True, slots=True)
class SearchText:
    """Space-joined tokens per tsvector weight class for PostgreSQL (``simple`` configuration)."""

    a: str
    b: str
    c: str


def _weighted_terms(fields: Iterable[tuple[str, float]], *, use_glossary: bool) -> Terms:
    terms: Counter[str] = Counter()
    for text, weight in fields:
        for token in analyze(text, use_glossary=use_glossary):
            terms[token] += weight
    return dict(terms)


def technology_terms(technology: TechnologyDocument, *, use_glossary: bool = True) -> Terms:
    """Field-weighted term frequencies of a technology (its BM25 document)."""
    weights = TECHNOLOGY_FIELD_WEIGHTS
    return _weighted_terms(
        [
            (technology.title, weights["title"]),
            (" ; ".join(technology.keywords), weights["keywords"]),
            (technology.summary, weights["summary"]),
            (technology.description, weights["description"]),
        ],
        use_glossary=use_glossary,
    )


def need_terms(need: NeedDocument, *, use_glossary: bool = True) -> Terms:
    """Field-weighted term frequencies of a need (its BM25 query or document)."""
    weights = NEED_FIELD_WEIGHTS
    return _weighted_terms(
        [
            (need.title, weights["title"]),
            (" ; ".join(need.keywords), weights["keywords"]),
            (need.description, weights["description"]),
        ],
        use_glossary=use_glossary,
    )


def technology_search_text(technology: TechnologyDocument) -> SearchText:
    """Tokens for a stored ``SearchVectorField``: A = title + keywords, B = summary, C = body."""
    return SearchText(
        a=" ".join(analyze(technology.title + " ; " + " ; ".join(technology.keywords))),
        b=" ".join(analyze(technology.summary)),
        c=" ".join(analyze(technology.description)),
    )


def need_search_text(need: NeedDocument) -> SearchText:
    """Tokens for a need's stored ``SearchVectorField`` (used to find needs for a technology)."""
    return SearchText(
        a=" ".join(analyze(need.title + " ; " + " ; ".join(need.keywords))),
        b="",
        c=" ".join(analyze(need.description)),
    )


def query_tokens(terms: Mapping[str, float], *, limit: int = 64) -> list[str]:
    """The most telling distinct tokens of a query, e.g. to OR together in a tsquery."""
    ranked = sorted(terms.items(), key=lambda item: (-item[1], item[0]))
    return [token for token, _ in ranked[:limit]]


@dataclass
class CorpusStats:
    """BM25 statistics of a document collection.

    The Django side can fill this from the database, e.g. ``document_count`` from a count,
    ``total_length`` from a stored per-row term total, and ``document_frequency`` from
    ``SELECT word, ndoc FROM ts_stat('SELECT search_vector FROM catalog_technology')``.
    """

    document_count: int = 0
    total_length: float = 0.0
    document_frequency: dict[str, int] = field(default_factory=dict)

    @property
    def average_length(self) -> float:
        return self.total_length / self.document_count if self.document_count else 1.0

    def idf(self, term: str) -> float:
        frequency = self.document_frequency.get(term, 0)
        return math.log(1.0 + (self.document_count - frequency + 0.5) / (frequency + 0.5))

    def add(self, terms: Mapping[str, float]) -> None:
        self.document_count += 1
        self.total_length += sum(terms.values())
        for term in terms:
            self.document_frequency[term] = self.document_frequency.get(term, 0) + 1

    def remove(self, terms: Mapping[str, float]) -> None:
        self.document_count -= 1
        self.total_length -= sum(terms.values())
        for term in terms:
            remaining = self.document_frequency.get(term, 0) - 1
            if remaining > 0:
                self.document_frequency[term] = remaining
            else:
                self.document_frequency.pop(term, None)

    @classmethod
    def from_terms(cls, documents: Iterable[Mapping[str, float]]) -> CorpusStats:
        stats = cls()
        for terms in documents:
            stats.add(terms)
        return stats


@dataclass(frozen=True, slots=True)
class Bm25Parameters:
    k1: float = 1.2
    b: float = 0.75
    # Saturation of repeated query terms (a long need repeats its subject many times).
    k3: float = 2.0
    # Weight of plain words relative to glossary concept tokens. Plain words only match within
    # one language, so at full weight same-language listings would win on wording alone.
    word_weight: float = 0.5


DEFAULT_BM25 = Bm25Parameters()


def query_weight(term: str, frequency: float, parameters: Bm25Parameters = DEFAULT_BM25) -> float:
    weight = (parameters.k3 + 1.0) * frequency / (parameters.k3 + frequency)
    return weight if is_concept_token(term) else weight * parameters.word_weight


def bm25_score(
    query: Mapping[str, float],
    document: Mapping[str, float],
    stats: CorpusStats,
    parameters: Bm25Parameters = DEFAULT_BM25,
) -> float:
    """BM25 of one document for a weighted query (the reranker's view of one candidate)."""
    length_norm = 1.0 - parameters.b + parameters.b * sum(document.values()) / stats.average_length
    score = 0.0
    for term, query_frequency in query.items():
        frequency = document.get(term)
        if not frequency:
            continue
        saturation = frequency * (parameters.k1 + 1.0) / (frequency + parameters.k1 * length_norm)
        score += query_weight(term, query_frequency, parameters) * stats.idf(term) * saturation
    return score


DocumentT = TypeVar("DocumentT", TechnologyDocument, NeedDocument)


class _InvertedIndex(Generic[DocumentT]):
    """Inverted index with BM25 top-k search; postings are turned into numpy arrays lazily."""

    def __init__(self, parameters: Bm25Parameters = DEFAULT_BM25, *, use_glossary: bool = True):
        self.parameters = parameters
        self.use_glossary = use_glossary
        self.stats = CorpusStats()
        self._slot_of: dict[str, int] = {}
        self._documents: list[DocumentT | None] = []
        self._terms: list[Terms | None] = []
        self._free_slots: list[int] = []
        self._lengths = np.zeros(1024, dtype=np.float64)
        self._postings: dict[str, dict[int, float]] = {}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _document_terms(self, document: DocumentT) -> Terms:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, document_id: object) -> bool:
        return document_id in self._slot_of

    def get(self, document_id: str) -> DocumentT | None:
        slot = self._slot_of.get(document_id)
        return None if slot is None else self._documents[slot]

    def terms_of(self, document_id: str) -> Terms | None:
        slot = self._slot_of.get(document_id)
        return None if slot is None else self._terms[slot]

    def documents(self) -> list[DocumentT]:
        return [document for document in self._documents if document is not None]

    def add(self, document: DocumentT, terms: Terms | None = None) -> None:
        """Add a document, replacing a stored one with the same id (so add is also update)."""
        if document.id in self._slot_of:
            self.remove(document.id)
        terms = terms if terms is not None else self._document_terms(document)
        if self._free_slots:
            slot = self._free_slots.pop()
            self._documents[slot] = document
            self._terms[slot] = terms
        else:
            slot = len(self._documents)
            self._documents.append(document)
            self._terms.append(terms)
            if slot >= len(self._lengths):
                self._lengths = np.concatenate([self._lengths, np.zeros_like(self._lengths)])
        self._slot_of[document.id] = slot
        self._lengths[slot] = sum(terms.values())
        for term, frequency in terms.items():
            self._postings.setdefault(term, {})[slot] = frequency
            self._arrays.pop(term, None)
        self.stats.add(terms)

    def update(self, document: DocumentT, terms: Terms | None = None) -> None:
        self.add(document, terms)

    def remove(self, document_id: str) -> bool:
        slot = self._slot_of.pop(document_id, None)
        if slot is None:
            return False
        terms = self._terms[slot] or {}
        for term in terms:
            postings = self._postings.get(term)
            if postings is not None:
                postings.pop(slot, None)
                if not postings:
                    del self._postings[term]
            self._arrays.pop(term, None)
        self.stats.remove(terms)
        self._documents[slot] = None
        self._terms[slot] = None
        self._lengths[slot] = 0.0
        self._free_slots.append(slot)
        return True

    def _posting_arrays(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        arrays = self._arrays.get(term)
        if arrays is None:
            postings = self._postings.get(term)
            if not postings:
                return None
            arrays = (
                np.fromiter(postings.keys(), dtype=np.int64, count=len(postings)),
                np.fromiter(postings.values(), dtype=np.float64, count=len(postings)),
            )
            self._arrays[term] = arrays
        return arrays

    def search(
        self, query: Mapping[str, float] | Sequence[str], limit: int = 100
    ) -> list[tuple[str, float]]:
        """Top `limit` (document id, BM25 score) for a weighted query or a list of tokens."""
        if not isinstance(query, Mapping):
            query = dict(Counter(query))
        if not self._slot_of or limit <= 0:
            return []
        parameters = self.parameters
        size = len(self._documents)
        length_norm = parameters.k1 * (
            1.0 - parameters.b + parameters.b * self._lengths[:size] / self.stats.average_length
        )
        scores = np.zeros(size, dtype=np.float64)
        for term, query_frequency in query.items():
            arrays = self._posting_arrays(term)
            if arrays is None:
                continue
            slots, frequencies = arrays
            weight = query_weight(term, query_frequency, parameters) * self.stats.idf(term)
            scores[slots] += (
                weight * frequencies * (parameters.k1 + 1.0) / (frequencies + length_norm[slots])
            )
        matched = np.flatnonzero(scores > 0.0)
        if len(matched) > limit:
            top = np.argpartition(-scores[matched], limit - 1)[:limit]
            matched = matched[top]
        order = matched[np.argsort(-scores[matched], kind="stable")]
        documents = self._documents
        return [(documents[slot].id, float(scores[slot])) for slot in order]  # type: ignore[union-attr]


class TechnologyIndex(_InvertedIndex[TechnologyDocument]):
    """Technologies searchable by a need's terms (candidate generation and DB-less fallback)."""

    def _document_terms(self, document: TechnologyDocument) -> Terms:
        return technology_terms(document, use_glossary=self.use_glossary)


class NeedIndex(_InvertedIndex[NeedDocument]):
    """Needs searchable by a technology's terms (the reverse direction)."""

    def _document_terms(self, document: NeedDocument) -> Terms:
        return need_terms(document, use_glossary=self.use_glossary)
