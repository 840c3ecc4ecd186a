"""Latency of the matching core: in-memory index search + rerank vs brute-force scoring.

For one need against 10,000 and 100,000 synthetic technologies (built from the dev split's
technologies with shuffled sentences and a random vocabulary tail), measures
  * index: TechnologyIndex.search (top 200 by BM25) + rank() of those 200 candidates;
  * brute force: rank() of every technology (pure Python scoring, terms precomputed).
Run:  PYTHONPATH=. python benchmarks/matching_engine_core.py [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from _common import cpu_model, percentile

from matching.engine import TechnologyIndex, need_terms, rank
from matching.engine.evaluation import load_split
from matching.engine.index import TECHNOLOGY_FIELD_WEIGHTS, Terms, technology_terms
from textanalysis import analyze

DEV_SPLIT = Path(os.environ.get("MATCHING_DEV_SPLIT", "/work/shared/matching-eval/dev"))
CANDIDATES = 200


def synthetic_technologies(count: int, seed: int = 7):
    """Variations of the dev technologies so term statistics look like real listings."""
    split = load_split(DEV_SPLIT)
    random_state = random.Random(seed)
    base = split.technologies
    sentences = [
        sentence
        for technology in base
        for sentence in technology.description.replace("。", "。\n").splitlines()
        if sentence.strip()
    ]
    filler = [f"型号{n:05d}" for n in range(5000)]
    for number in range(count):
        template = base[number % len(base)]
        description = "".join(random_state.sample(sentences, 3)) + "\n".join(
            random_state.sample(filler, 3)
        )
        yield replace(
            template,
            id=f"S{number:06d}",
            description=description,
            trl=random_state.randint(3, 9),
            asking_price=random_state.choice([None, 3e5, 1e6, 5e6, 2e7]),
        )


_sentence_terms: dict[str, list[str]] = {}
_header_terms: dict[tuple[str, str], Terms] = {}


def _synthetic_terms(technology) -> Terms:
    # Analysing 100,000 descriptions would dominate the run; synthetic descriptions are built
    # from a small pool of sentences, so their analysis is cached per sentence and summed.
    key = (technology.title, technology.summary)
    header = _header_terms.get(key)
    if header is None:
        header = technology_terms(replace(technology, description=""))
        _header_terms[key] = header
    terms = dict(header)
    weight = TECHNOLOGY_FIELD_WEIGHTS["description"]
    for sentence in technology.description.replace("。", "。\n").splitlines():
        tokens = _sentence_terms.get(sentence)
        if tokens is None:
            tokens = analyze(sentence)
            _sentence_terms[sentence] = tokens
        for token in tokens:
            terms[token] = terms.get(token, 0.0) + weight
    return terms


def benchmark(size: int, repeats: int) -> dict[str, float]:
    split = load_split(DEV_SPLIT)
    needs = split.needs[:repeats]
    started = time.perf_counter()
    index = TechnologyIndex()
    for technology in synthetic_technologies(size):
        index.add(technology, _synthetic_terms(technology))
    build_seconds = time.perf_counter() - started
    documents = index.documents()
    terms = {document.id: index.terms_of(document.id) or {} for document in documents}

    # Warm up the lazily built posting arrays once (the index does this on first use).
    index.search(need_terms(needs[0]), CANDIDATES)

    indexed: list[float] = []
    brute: list[float] = []
    for position, need in enumerate(needs):
        started = time.perf_counter()
        query = need_terms(need)
        hits = index.search(query, CANDIDATES)
        candidates = [index.get(technology_id) for technology_id, _ in hits]
        rank(
            need,
            [c for c in candidates if c is not None],
            index.stats,
            need_terms_cache=query,
            technology_terms_cache=terms,
        )
        indexed.append((time.perf_counter() - started) * 1000)
        if position < max(2, repeats // 10):
            started = time.perf_counter()
            rank(need, documents, index.stats, need_terms_cache=query, technology_terms_cache=terms)
            brute.append((time.perf_counter() - started) * 1000)
    return {
        "size": size,
        "build_s": build_seconds,
        "index_p50": statistics.median(indexed),
        "index_p95": percentile(indexed, 0.95),
        "brute_p50": statistics.median(brute),
        "brute_p95": percentile(brute, 0.95),
        "brute_runs": len(brute),
        "index_runs": len(indexed),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=40, help="needs timed per size")
    arguments = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(
        f"index path = analyze need + TechnologyIndex.search(top {CANDIDATES}) + rank(); "
        "brute = rank(all technologies); technology terms precomputed in both"
    )
    for size in arguments.sizes:
        result = benchmark(size, arguments.repeats)
        print(
            f"{result['size']:>7} technologies (index built in {result['build_s']:.1f} s): "
            f"index+rerank p50 {result['index_p50']:.1f} ms p95 {result['index_p95']:.1f} ms "
            f"[{result['index_runs']} needs]; brute force p50 {result['brute_p50']:.0f} ms "
            f"p95 {result['brute_p95']:.0f} ms [{result['brute_runs']} needs]; "
            f"speed-up p50 x{result['brute_p50'] / result['index_p50']:.0f}"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
