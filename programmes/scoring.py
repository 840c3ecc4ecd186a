"""Scores that programmes and events compute with the matching engine.

A programme's industrial positioning becomes a need document for the engine's `rank()`; an
enterprise registered for a fair is ranked against the featured technologies through its
published needs (or, without any, its organisation's description).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from catalog.models import Category
from matching.documents import need_document, text_language
from matching.engine import MatchResult, NeedDocument, rank
from matching.services import load_technology_candidates
from matching.statistics import corpus_statistics


def rank_technology_ids(document: NeedDocument, technology_ids: Sequence[int]) -> list[MatchResult]:
    """The engine's ranking of the given published technologies for one need document."""
    if not technology_ids:
        return []
    documents, terms = load_technology_candidates(list(technology_ids))
    return rank(document, documents, corpus_statistics(), technology_terms_cache=terms)


def positioning_document(
    *, key: str, title: str, text: str, categories: Sequence[Category], trl_min: int | None
) -> NeedDocument:
    """A programme's positioning as the engine's need document (category only when there is
    exactly one group: the engine compares one category)."""
    groups = [c for c in categories if c.parent_id is not None]
    category = groups[0].code if len(groups) == 1 and len(categories) == 1 else None
    return NeedDocument(
        id=key,
        language=text_language(f"{title}\n{text}") or "zh",
        title=title,
        description=text,
        category=category,
        trl_min=trl_min,
    )


def organization_document(organization) -> NeedDocument:
    text = organization.description or ""
    title = f"{organization.name_zh}\n{organization.name_en}".strip()
    return NeedDocument(
        id=f"organization-{organization.pk}",
        language=text_language(f"{title}\n{text}") or "zh",
        title=title,
        description=text,
    )


def best_matches_for_organization(
    *, organization, needs, technology_ids: Sequence[int], limit: int = 5
) -> list[dict]:
    """An enterprise's top matches among `technology_ids`: each technology's best score over
    the enterprise's needs (or its description when it has none), best first."""
    documents = [need_document(need) for need in needs] or [organization_document(organization)]
    best: dict[str, tuple[MatchResult, str]] = {}
    for document in documents:
        for result in rank_technology_ids(document, technology_ids):
            current = best.get(result.technology_id)
            if current is None or result.score > current[0].score:
                best[result.technology_id] = (result, document.id)
    ordered = sorted(best.values(), key=lambda item: (-item[0].score, int(item[0].technology_id)))
    return [
        {
            "technology_id": int(result.technology_id),
            "score": round(result.score, 1),
            "need_id": int(need_id) if need_id.isdigit() else None,
            "reasons_zh": result.reasons_zh,
            "reasons_en": result.reasons_en,
        }
        for result, need_id in ordered[:limit]
        if result.score > 0
    ]


def green_score_from_co2e(tonnes) -> float:
    """0–1 from the avoided emissions of a typical deployment: 10 000 t CO2e a year is 1."""
    if tonnes is None or tonnes <= 0:
        return 0.0
    return min(1.0, math.log10(1 + float(tonnes)) / 4)
