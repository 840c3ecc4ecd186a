"""Reranking: a 0-100 score from named components, with bilingual reasons.

    relevance = (1 - share) * text + share * semantic   (semantic only with vectors for the pair;
                                                       share = semantic_share, or
                                                       semantic_share_unread when either text is
                                                       in a language the lexical analysis does
                                                       not read, such as Thai or Russian)
    score     = 100 * relevance * (relevance_weight + sum(weight_c * score_c for fit components c))
              * demotion ** number_of_failed_hard_constraints

Every component score is in [0, 1] and the weights sum to 1, so a perfect fit scores
100 * relevance. Fit components (category, TRL, transaction mode, budget, region, holder standing)
are multiplied by relevance: a good budget fit never makes an unrelated technology look relevant.
Text relevance is BM25 divided by the need's own best possible BM25 and passed through a logistic
curve, so it is comparable across needs and weak matches get low scores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from textanalysis import CJK_CHARACTER, default_glossary, is_concept_token
from textanalysis.languages import read_lexically

from .documents import (
    ComponentScore,
    ConstraintViolation,
    MatchResult,
    NeedDocument,
    TechnologyDocument,
)
from .embedding import Embedder, need_embedding_text, technology_embedding_text
from .index import (
    DEFAULT_BM25,
    Bm25Parameters,
    CorpusStats,
    Terms,
    need_terms,
    query_weight,
    technology_terms,
)

TRANSACTION_MODE_LABELS = {
    "transfer": ("转让", "transfer"),
    "license": ("许可", "licence"),
    "joint_development": ("合作开发", "joint development"),
    "consulting": ("技术咨询", "consulting"),
    "service": ("技术服务", "service"),
    "equity": ("作价入股", "equity"),
}


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """Weights of the components (sum to 1) and the calibration of relevance."""

    text: float = 0.62
    category: float = 0.08
    trl: float = 0.08
    transaction: float = 0.08
    budget: float = 0.07
    region: float = 0.04
    standing: float = 0.03
    # Share of relevance taken by embedding similarity when vectors are given (measured on the
    # dev split, Chinese and English needs).
    semantic_share: float = 0.1
    # The share when the need or the technology is written in a language the lexical analysis
    # does not read (measured on matching/evaluation_data/crosslingual).
    semantic_share_unread: float = 0.8
    # The share for a short need (a title such as "Irrigation pumps" or "鱼粉厂臭味"): too few
    # words for BM25 to be sure, and it may share none with an offer saying the same thing.
    semantic_share_short: float = 0.3
    # Below this length a need is short; a CJK character counts as three letters.
    short_text_length: int = 80
    # Multiplier per failed hard constraint.
    demotion: float = 0.5
    # Logistic calibration of BM25 / best possible BM25 (midpoint, steepness).
    text_midpoint: float = 0.12
    text_scale: float = 0.04
    # Linear calibration of cosine similarity to [0, 1].
    semantic_floor: float = 0.1
    semantic_ceiling: float = 0.7

    @property
    def relevance_weight(self) -> float:
        return self.text


DEFAULT_WEIGHTS = ScoringWeights()


@dataclass
class _Context:
    stats: CorpusStats
    weights: ScoringWeights
    parameters: Bm25Parameters
    embedder: Embedder | None
    need_vectors: Mapping[str, np.ndarray] = field(default_factory=dict)
    technology_vectors: Mapping[str, np.ndarray] = field(default_factory=dict)
    read_lexically: dict[str, bool] = field(default_factory=dict)
    # need id -> (its terms, their QueryWeights), reused across the need's candidates.
    query_weights: dict[str, tuple[Terms, QueryWeights]] = field(default_factory=dict)


def rank(
    need: NeedDocument,
    candidates: Sequence[TechnologyDocument],
    corpus_stats: CorpusStats,
    *,
    embedder: Embedder | None = None,
    weights: ScoringWeights = DEFAULT_WEIGHTS,
    need_terms_cache: Terms | None = None,
    technology_terms_cache: Mapping[str, Terms] | None = None,
    parameters: Bm25Parameters = DEFAULT_BM25,
    need_vectors: Mapping[str, np.ndarray] | None = None,
    technology_vectors: Mapping[str, np.ndarray] | None = None,
) -> list[MatchResult]:
    """Score candidate technologies for a need, best first.

    `corpus_stats` are the statistics of the whole technology collection (not only the
    candidates). Precomputed terms may be passed to skip text analysis. Embedding vectors
    (normalised, keyed by document id) may be passed instead of an embedder; a pair without
    both vectors is scored on its text alone.
    """
    context = _Context(corpus_stats, weights, parameters, embedder)
    query = need_terms_cache if need_terms_cache is not None else need_terms(need)
    _embed(context, [need], candidates, need_vectors, technology_vectors)
    results = [
        _score(
            need,
            technology,
            query,
            _terms_for(technology, technology_terms_cache),
            context,
        )
        for technology in candidates
    ]
    return sorted(results, key=lambda result: (-result.score, result.technology_id))


def rank_needs(
    technology: TechnologyDocument,
    candidates: Sequence[NeedDocument],
    corpus_stats: CorpusStats,
    *,
    embedder: Embedder | None = None,
    weights: ScoringWeights = DEFAULT_WEIGHTS,
    technology_terms_cache: Terms | None = None,
    need_terms_cache: Mapping[str, Terms] | None = None,
    parameters: Bm25Parameters = DEFAULT_BM25,
    need_vectors: Mapping[str, np.ndarray] | None = None,
    technology_vectors: Mapping[str, np.ndarray] | None = None,
) -> list[MatchResult]:
    """Score candidate needs for a technology, best first.

    A pair gets exactly the score `rank()` gives it (the need is always the query and
    `corpus_stats` are the technology collection's), so one stored match serves both sides.
    """
    context = _Context(corpus_stats, weights, parameters, embedder)
    document = technology_terms_cache or technology_terms(technology)
    _embed(context, candidates, [technology], need_vectors, technology_vectors)
    results = [
        _score(
            need,
            technology,
            (need_terms_cache or {}).get(need.id) or need_terms(need),
            document,
            context,
        )
        for need in candidates
    ]
    return sorted(results, key=lambda result: (-result.score, result.need_id))


def score_pair(
    need: NeedDocument,
    technology: TechnologyDocument,
    corpus_stats: CorpusStats,
    *,
    embedder: Embedder | None = None,
    weights: ScoringWeights = DEFAULT_WEIGHTS,
    need_vectors: Mapping[str, np.ndarray] | None = None,
    technology_vectors: Mapping[str, np.ndarray] | None = None,
) -> MatchResult:
    return rank(
        need,
        [technology],
        corpus_stats,
        embedder=embedder,
        weights=weights,
        need_vectors=need_vectors,
        technology_vectors=technology_vectors,
    )[0]


def _terms_for(technology: TechnologyDocument, cache: Mapping[str, Terms] | None) -> Terms:
    if cache is not None and technology.id in cache:
        return cache[technology.id]
    return technology_terms(technology)


def _embed(
    context: _Context,
    needs: Sequence[NeedDocument],
    technologies: Sequence[TechnologyDocument],
    need_vectors: Mapping[str, np.ndarray] | None,
    technology_vectors: Mapping[str, np.ndarray] | None,
) -> None:
    if need_vectors is not None or technology_vectors is not None:
        context.need_vectors = need_vectors or {}
        context.technology_vectors = technology_vectors or {}
        return
    if context.embedder is None or not needs or not technologies:
        return
    encoded_needs = context.embedder.encode([need_embedding_text(need) for need in needs])
    encoded_technologies = context.embedder.encode(
        [technology_embedding_text(technology) for technology in technologies]
    )
    context.need_vectors = {
        need.id: vector for need, vector in zip(needs, encoded_needs, strict=True)
    }
    context.technology_vectors = {
        technology.id: vector
        for technology, vector in zip(technologies, encoded_technologies, strict=True)
    }


def _reads_lexically(context: _Context, key: str, text: str) -> bool:
    if key not in context.read_lexically:
        context.read_lexically[key] = read_lexically(text)
    return context.read_lexically[key]


def _semantic_share(need: NeedDocument, technology: TechnologyDocument, context: _Context) -> float:
    weights = context.weights
    need_read = _reads_lexically(context, "n:" + need.id, need_embedding_text(need))
    technology_read = _reads_lexically(
        context, "t:" + technology.id, technology_embedding_text(technology)
    )
    if not (need_read and technology_read):
        return weights.semantic_share_unread
    if _weighted_length(need_embedding_text(need)) < weights.short_text_length:
        return weights.semantic_share_short
    return weights.semantic_share


def _weighted_length(text: str) -> int:
    return len(text) + 2 * len(CJK_CHARACTER.findall(text))


def _score(
    need: NeedDocument,
    technology: TechnologyDocument,
    query: Terms,
    document: Terms,
    context: _Context,
) -> MatchResult:
    weights = context.weights
    text_score, text_reason = _text_component(need, technology, query, document, context)
    relevance = text_score
    semantic: tuple[float, tuple[str, str]] | None = None
    share = 0.0
    need_vector = context.need_vectors.get(need.id)
    technology_vector = context.technology_vectors.get(technology.id)
    if need_vector is not None and technology_vector is not None:
        share = _semantic_share(need, technology, context)
        cosine = float(np.dot(need_vector, technology_vector))
        semantic_score = _clamp(
            (cosine - weights.semantic_floor) / (weights.semantic_ceiling - weights.semantic_floor)
        )
        semantic = (
            semantic_score,
            (f"语义相似度 {cosine:.2f}", f"Semantic similarity {cosine:.2f}"),
        )
        relevance = (1 - share) * text_score + share * semantic_score

    violations: list[ConstraintViolation] = []
    fit_parts = {
        "category": (weights.category, _category_component(need, technology)),
        "trl": (weights.trl, _trl_component(need, technology, violations)),
        "transaction": (weights.transaction, _transaction_component(need, technology, violations)),
        "budget": (weights.budget, _budget_component(need, technology, violations)),
        "region": (weights.region, _region_component(need, technology)),
        "standing": (weights.standing, _standing_component(technology)),
    }

    components: dict[str, ComponentScore] = {}
    if semantic is None:
        components["text"] = ComponentScore(text_score, weights.text, *text_reason)
    else:
        components["text"] = ComponentScore(text_score, weights.text * (1 - share), *text_reason)
        components["semantic"] = ComponentScore(semantic[0], weights.text * share, *semantic[1])
    fit = weights.relevance_weight
    for name, (weight, (score, reason_zh, reason_en)) in fit_parts.items():
        components[name] = ComponentScore(score, weight, reason_zh, reason_en)
        fit += weight * score
    score = 100.0 * relevance * fit * weights.demotion ** len(violations)
    return MatchResult(
        need_id=need.id,
        technology_id=technology.id,
        score=round(_clamp(score / 100.0) * 100.0, 4),
        components=components,
        constraint_violations=tuple(violations),
    )


def text_relevance_ratio(
    query: Terms,
    document: Terms,
    stats: CorpusStats,
    parameters: Bm25Parameters = DEFAULT_BM25,
) -> tuple[float, list[tuple[str, float]]]:
    """BM25 / best possible BM25 of the query, and each shared term's contribution."""
    return _relevance_ratio(QueryWeights.of(query, stats, parameters), document, stats, parameters)


@dataclass(frozen=True, slots=True)
class QueryWeights:
    """A query's weight x idf per term and its best possible BM25: the same for every
    candidate, so computed once per need instead of once per pair."""

    weights: dict[str, float]
    best: float
    # Position of each term in the query: shared terms are summed in query order, so the
    # score is bit for bit the one of a loop over the query.
    positions: dict[str, int]

    @classmethod
    def of(
        cls, query: Terms, stats: CorpusStats, parameters: Bm25Parameters = DEFAULT_BM25
    ) -> QueryWeights:
        weights = {
            term: query_weight(term, frequency, parameters) * stats.idf(term)
            for term, frequency in query.items()
        }
        best = 0.0
        for weight in weights.values():
            best += weight * (parameters.k1 + 1.0)
        return cls(weights, best, {term: position for position, term in enumerate(weights)})


def _relevance_ratio(
    query: QueryWeights, document: Terms, stats: CorpusStats, parameters: Bm25Parameters
) -> tuple[float, list[tuple[str, float]]]:
    k1 = parameters.k1
    length_norm = 1.0 - parameters.b + parameters.b * sum(document.values()) / stats.average_length
    contributions: list[tuple[str, float]] = []
    weights = query.weights
    # A C-level set intersection instead of a lookup per query term (a need has ~70 terms and
    # shares a handful with a candidate).
    for term in sorted(weights.keys() & document.keys(), key=query.positions.__getitem__):
        frequency = document[term]
        if frequency:
            saturation = frequency * (k1 + 1.0) / (frequency + k1 * length_norm)
            contributions.append((term, weights[term] * saturation))
    total = sum(value for _, value in contributions)
    return (total / query.best if query.best else 0.0), contributions


def _text_component(
    need: NeedDocument,
    technology: TechnologyDocument,
    query: Terms,
    document: Terms,
    context: _Context,
) -> tuple[float, tuple[str, str]]:
    weights = context.weights
    weights_of_query = context.query_weights.get(need.id)
    if weights_of_query is None or weights_of_query[0] is not query:
        weights_of_query = (query, QueryWeights.of(query, context.stats, context.parameters))
        context.query_weights[need.id] = weights_of_query
    ratio, contributions = _relevance_ratio(
        weights_of_query[1], document, context.stats, context.parameters
    )
    score = 1.0 / (1.0 + math.exp(-(ratio - weights.text_midpoint) / weights.text_scale))
    if not contributions:
        return 0.0, ("没有共同的技术术语", "No technical terms in common")
    glossary = default_glossary()
    labels_zh: list[str] = []
    labels_en: list[str] = []
    # Concept tokens read well in both languages; list them first, then plain words.
    ranked = sorted(contributions, key=lambda item: (not is_concept_token(item[0]), -item[1]))
    for term, _ in ranked:
        zh, en = glossary.label(term)
        if zh in labels_zh or en in labels_en:
            continue
        labels_zh.append(zh)
        labels_en.append(en)
        if len(labels_zh) == 4:
            break
    cross = need.language != technology.language
    return score, (
        f"文本相关度{_level_zh(score)}，共同术语：{'、'.join(labels_zh)}"
        + ("（跨语言匹配）" if cross else ""),
        f"{_level_en(score)} text relevance; shared terms: {', '.join(labels_en)}"
        + (" (cross-language match)" if cross else ""),
    )


def _category_component(
    need: NeedDocument, technology: TechnologyDocument
) -> tuple[float, str, str]:
    if not need.category:
        return 0.5, "需求未选择产业类别", "The need has no category"
    if not technology.category:
        return 0.5, "成果未填写产业类别", "The technology has no category"
    if need.category == technology.category:
        return (
            1.0,
            f"同一产业细分类别（{technology.category}）",
            f"Same sub-category ({technology.category})",
        )
    if need.category.split(".")[0] == technology.category.split(".")[0]:
        return (
            0.6,
            f"同一产业大类（{need.category} / {technology.category}）",
            f"Same industry ({need.category} / {technology.category})",
        )
    return (
        0.2,
        f"产业类别不同（{need.category} / {technology.category}）",
        f"Different category ({need.category} / {technology.category})",
    )


def _trl_component(
    need: NeedDocument,
    technology: TechnologyDocument,
    violations: list[ConstraintViolation],
) -> tuple[float, str, str]:
    trl = technology.trl
    if trl is None:
        return 0.5, "成果未填写技术成熟度", "Technology readiness level not given"
    if need.trl_min is None:
        score = 0.6 + 0.4 * (min(max(trl, 1), 9) - 1) / 8
        return score, f"技术成熟度 TRL {trl}（需求未设下限）", f"TRL {trl} (no minimum set)"
    if trl >= need.trl_min:
        return (
            1.0,
            f"技术成熟度 TRL {trl} 达到要求（≥{need.trl_min}）",
            f"TRL {trl} meets the minimum of {need.trl_min}",
        )
    zh = f"技术成熟度 TRL {trl} 低于要求的 {need.trl_min}"
    en = f"TRL {trl} is below the required {need.trl_min}"
    violations.append(ConstraintViolation("trl_below_minimum", zh, en))
    return _clamp(1.0 - 0.25 * (need.trl_min - trl)), zh, en


def _mode_labels(modes: Sequence[str]) -> tuple[str, str]:
    zh = "、".join(TRANSACTION_MODE_LABELS.get(mode, (mode, mode))[0] for mode in modes)
    en = ", ".join(TRANSACTION_MODE_LABELS.get(mode, (mode, mode))[1] for mode in modes)
    return zh, en


def _transaction_component(
    need: NeedDocument,
    technology: TechnologyDocument,
    violations: list[ConstraintViolation],
) -> tuple[float, str, str]:
    if not need.transaction_modes:
        return 1.0, "需求接受任何交易方式", "The need accepts any transaction mode"
    if not technology.transaction_modes:
        return 0.5, "成果未填写交易方式", "The technology lists no transaction mode"
    shared = [mode for mode in need.transaction_modes if mode in technology.transaction_modes]
    if shared:
        zh, en = _mode_labels(shared)
        return 1.0, f"交易方式一致：{zh}", f"Shared transaction mode: {en}"
    wanted_zh, wanted_en = _mode_labels(need.transaction_modes)
    zh = f"没有共同的交易方式（需求：{wanted_zh}）"
    en = f"No shared transaction mode (the need wants: {wanted_en})"
    violations.append(ConstraintViolation("no_shared_transaction_mode", zh, en))
    return 0.0, zh, en


def _money(value: Decimal | float | int) -> str:
    amount = float(value)
    if amount >= 10_000:
        return f"{amount / 10_000:,.0f}万元"
    return f"{amount:,.0f}元"


def _money_en(value: Decimal | float | int) -> str:
    amount = float(value)
    if amount >= 1_000_000:
        return f"CNY {amount / 1_000_000:,.2f} m"
    return f"CNY {amount:,.0f}"


def _budget_component(
    need: NeedDocument,
    technology: TechnologyDocument,
    violations: list[ConstraintViolation],
) -> tuple[float, str, str]:
    if need.budget_max is None or not float(need.budget_max):
        return 0.7, "需求未给出预算", "The need states no budget"
    if technology.asking_price is None:
        return 0.7, "成果价格面议", "Price on request"
    budget = float(need.budget_max)
    price = float(technology.asking_price)
    ratio = price / budget
    price_zh, budget_zh = _money(price), _money(budget)
    price_en, budget_en = _money_en(price), _money_en(budget)
    if ratio <= 1.0:
        return (
            1.0,
            f"报价{price_zh}在预算{budget_zh}以内",
            f"Asking price {price_en} within the budget of {budget_en}",
        )
    if ratio <= 1.5:
        return (
            1.0 - (ratio - 1.0),
            f"报价{price_zh}略超预算{budget_zh}",
            f"Asking price {price_en} somewhat above the budget of {budget_en}",
        )
    zh = f"报价{price_zh}超过预算{budget_zh}的1.5倍"
    en = f"Asking price {price_en} exceeds 1.5 x the budget of {budget_en}"
    violations.append(ConstraintViolation("price_over_budget", zh, en))
    return 0.0, zh, en


def _is_domestic(region: str) -> bool:
    return region.upper().startswith("CN")


def _region_component(need: NeedDocument, technology: TechnologyDocument) -> tuple[float, str, str]:
    if not need.region or not technology.region:
        return 0.5, "地区信息不全", "Region unknown"
    need_region, technology_region = need.region.upper(), technology.region.upper()
    same_country = _is_domestic(need_region) == _is_domestic(technology_region) and (
        _is_domestic(need_region) or need_region[:2] == technology_region[:2]
    )
    if need_region == technology_region:
        return 1.0, f"同一地区（{technology.region}）", f"Same region ({technology.region})"
    if same_country:
        return (
            0.85,
            f"国内合作（{technology.region} → {need.region}）",
            f"Domestic ({technology.region} to {need.region})",
        )
    preference = need.region_preference
    zh = f"跨境合作（{technology.region} → {need.region}）"
    en = f"Cross-border ({technology.region} to {need.region})"
    if preference == "domestic":
        return 0.2, zh + "，需求倾向国内", en + "; the need prefers domestic partners"
    if preference == "cross_border":
        return 1.0, zh + "，符合需求的跨境意向", en + ", as the need prefers"
    return 0.6, zh, en


def _standing_component(technology: TechnologyDocument) -> tuple[float, str, str]:
    verified = technology.holder_verified
    deals = technology.holder_completed_deals
    if verified is None and deals is None:
        return 0.5, "持有方资信未知", "Holder standing unknown"
    verified_score = 0.5 if verified is None else (1.0 if verified else 0.0)
    credit = 0.5 if deals is None else min(1.0, math.log1p(max(deals, 0)) / math.log1p(10))
    parts_zh = []
    parts_en = []
    if verified is not None:
        parts_zh.append("机构已认证" if verified else "机构未认证")
        parts_en.append("verified organisation" if verified else "unverified organisation")
    if deals is not None:
        parts_zh.append(f"平台成交{deals}笔")
        parts_en.append(f"{deals} completed deals")
    return (
        0.5 * verified_score + 0.5 * credit,
        "持有方" + "，".join(parts_zh),
        "Holder: " + ", ".join(parts_en),
    )


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _level_zh(score: float) -> str:
    return "高" if score >= 0.7 else "中等" if score >= 0.35 else "低"


def _level_en(score: float) -> str:
    return "High" if score >= 0.7 else "Moderate" if score >= 0.35 else "Low"
