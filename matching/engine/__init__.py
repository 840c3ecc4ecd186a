"""Scoring core of technology/need matching: plain Python, no Django.

Text analysis (`analyze`), an in-memory BM25 index for candidates (`TechnologyIndex`,
`NeedIndex`), corpus statistics (`CorpusStats`) and the reranker (`rank`, `rank_needs`) that
turns candidates into `MatchResult`s with named components and bilingual reasons.
"""

from textanalysis import analyze

from .documents import (
    ComponentScore,
    ConstraintViolation,
    MatchResult,
    NeedDocument,
    TechnologyDocument,
)
from .embedding import Embedder, load_default_embedder
from .index import (
    CorpusStats,
    NeedIndex,
    SearchText,
    TechnologyIndex,
    Terms,
    need_search_text,
    need_terms,
    query_tokens,
    technology_search_text,
    technology_terms,
)
from .scoring import DEFAULT_WEIGHTS, ScoringWeights, rank, rank_needs, score_pair

__all__ = [
    "DEFAULT_WEIGHTS",
    "ComponentScore",
    "ConstraintViolation",
    "CorpusStats",
    "Embedder",
    "MatchResult",
    "NeedDocument",
    "NeedIndex",
    "ScoringWeights",
    "SearchText",
    "TechnologyDocument",
    "TechnologyIndex",
    "Terms",
    "analyze",
    "load_default_embedder",
    "need_search_text",
    "need_terms",
    "query_tokens",
    "rank",
    "rank_needs",
    "score_pair",
    "technology_search_text",
    "technology_terms",
]
