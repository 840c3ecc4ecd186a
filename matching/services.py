"""Writes of the matching app: profiles, runs, Match rows, notifications and feedback.

A run for a need (or a technology) is a MatchingRun row created in the caller's transaction and
executed by a Celery task after the commit (`schedule_matching_for_need`). Executing a run is
idempotent: every stored pair of the subject is rescored together with fresh candidates, pairs
are upserted on the (need, technology) unique constraint, pairs that fell below the minimum or
whose listing is gone are removed, and parties are told about a strong match once
(`Match.notified_at`). Technologies and needs are locked (`FOR NO KEY UPDATE`) while the rows
are written, so a listing deleted mid-run is simply left out instead of failing the run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.models import Organization
from accounts.permissions import members_of
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from catalog.selectors import technologies_visible_to
from core.dispatch import delay_on_commit
from exchange.choices import NeedStatus
from exchange.models import Need
from exchange.selectors import organization_credit
from matching import conf, embeddings
from matching.candidates import candidate_ids, candidate_ids_many
from matching.choices import RunStatus, RunSubject, RunTrigger
from matching.documents import (
    TECHNOLOGY_FIELDS,
    category_code,
    need_document,
    technology_document,
    text_language,
    to_cny,
)
from matching.engine import (
    Embedder,
    MatchResult,
    NeedDocument,
    TechnologyDocument,
    Terms,
    need_terms,
    rank,
    rank_needs,
    technology_terms,
)
from matching.engine.embedding import need_embedding_text, technology_embedding_text
from matching.models import (
    Match,
    MatchFeedback,
    MatchingRun,
    NeedMatchProfile,
    TechnologyMatchProfile,
)
from matching.selectors import match_parties_of_user
from matching.statistics import SMALL_CORPUS, corpus_statistics
from notifications.messages import Bilingual, Message
from notifications.services import notify_users
from textanalysis import analyze

logger = logging.getLogger(__name__)

# Errors a retry can fix (database or broker unavailable): the run goes back to queued.
RECOVERABLE_ERRORS = (OperationalError, InterfaceError, RedisConnectionError)
# Registered by matching.tasks, which imports this module (so it is named, not imported, here).
EXECUTE_RUN_TASK = "matching.tasks.execute_matching_run"
EXECUTE_RUNS_TASK = "matching.tasks.execute_matching_runs"

MATCHABLE_NEED_STATUSES = (NeedStatus.PUBLISHED,)
# Need runs executed together by `matching_runs_execute` (a re-match of many needs).
RUN_BATCH_SIZE = 50
FEEDBACK_ROLES = ("holder", "enterprise", "broker")


# --- holder standing --------------------------------------------------------------------------


STANDING_CACHE_SECONDS = 600


def holder_standing(organization_ids: Iterable[int]) -> dict[int, tuple[bool, int | None]]:
    """(verified, completed deals) per organisation, cached for ten minutes (credit changes
    slowly and exchange's credit profile takes several queries per organisation)."""
    ids = sorted(set(organization_ids))
    keys = {organization_id: f"matching:standing:{organization_id}" for organization_id in ids}
    cached = cache.get_many(list(keys.values()))
    standing = {
        organization_id: tuple(cached[key])
        for organization_id, key in keys.items()
        if key in cached
    }
    missing = [organization_id for organization_id in ids if organization_id not in standing]
    if not missing:
        return standing  # type: ignore[return-value]
    fresh = {}
    for organization in Organization.objects.filter(pk__in=missing).only(
        "pk", "verification_status"
    ):
        deals = (organization_credit(organization) or {}).get("completed_deals")
        fresh[organization.pk] = (organization.verified, deals)
    cache.set_many(
        {keys[organization_id]: value for organization_id, value in fresh.items()},
        STANDING_CACHE_SECONDS,
    )
    standing.update(fresh)
    return standing  # type: ignore[return-value]


# --- profiles ---------------------------------------------------------------------------------


def _technology_profile_row(technology, document: TechnologyDocument) -> TechnologyMatchProfile:
    terms = technology_terms(document)
    text = technology_embedding_text(document)
    return TechnologyMatchProfile(
        technology_id=technology.pk,
        language=document.language,
        terms=terms,
        length=float(sum(terms.values())),
        embedding_hash=embeddings.content_hash(text) if text else "",
        source_updated_at=technology.updated_at,
    )


def _save_technology_profiles(rows: Sequence[TechnologyMatchProfile]) -> None:
    if rows:
        TechnologyMatchProfile.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["technology"],
            update_fields=[
                "language",
                "terms",
                "length",
                "embedding_hash",
                "source_updated_at",
                "updated_at",
            ],
        )


def technology_profiles_refresh(
    *, technology_ids: Iterable[int] | None = None, batch_size: int = 500, stale_only: bool = True
) -> int:
    """Compute the terms of technologies whose profile is missing or older than the listing."""
    queryset = Technology.objects.all()
    if technology_ids is not None:
        queryset = queryset.filter(pk__in=list(technology_ids))
    if stale_only:
        queryset = queryset.filter(
            Q(match_profile__isnull=True) | Q(match_profile__source_updated_at__lt=F("updated_at"))
        )
    refreshed = 0
    last_pk = 0
    while True:
        batch = list(
            queryset.filter(pk__gt=last_pk).order_by("pk").only(*TECHNOLOGY_FIELDS)[:batch_size]
        )
        if not batch:
            return refreshed
        rows = [
            _technology_profile_row(technology, technology_document(technology))
            for technology in batch
        ]
        _save_technology_profiles(rows)
        refreshed += len(rows)
        last_pk = batch[-1].pk


def technology_embeddings_refresh(*, batch_size: int = 200, limit: int | None = None) -> int:
    """Encode published technologies whose profile text has no stored vector yet (bounded
    batches; the worker's nightly sweep and the evaluation call it). Returns how many."""
    embedder = embeddings.current_embedder()
    if embedder is None:
        return 0
    from matching.models import TextEmbedding

    stored = TextEmbedding.objects.filter(
        model_version=embeddings.model_version(embedder),
        content_hash=OuterRef("match_profile__embedding_hash"),
    )
    queryset = (
        _published_technologies()
        .exclude(match_profile__embedding_hash="")
        .exclude(match_profile__isnull=True)
        .exclude(Exists(stored))
        .only(*TECHNOLOGY_FIELDS)
        .order_by("pk")
    )
    encoded = 0
    last_pk = 0
    while limit is None or encoded < limit:
        batch = list(queryset.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        embeddings.technology_vectors([technology_document(row) for row in batch], embedder)
        encoded += len(batch)
        last_pk = batch[-1].pk
    if encoded:
        embeddings.semantic_indexes_invalidate()
    return encoded


# --- runs -------------------------------------------------------------------------------------


def _schedule(subject: str, subject_id: int, trigger: str) -> MatchingRun:
    """A queued run for the subject (reusing one still queued), dispatched after the commit."""
    run = (
        MatchingRun.objects.filter(subject=subject, subject_id=subject_id, status=RunStatus.QUEUED)
        .order_by("pk")
        .first()
    )
    if run is None:
        run = matching_run_create(subject=subject, subject_id=subject_id, trigger=trigger)
    delay_on_commit(EXECUTE_RUN_TASK, [(run.pk,)])
    return run


# A run still queued this long after it was created lost its message.
LOST_RUN_AFTER = timedelta(minutes=15)


def queued_runs_redispatch(*, older_than: timedelta = LOST_RUN_AFTER, limit: int = 1000) -> int:
    """Dispatch again the runs still queued long after they were created: their message was lost
    (the broker was down when it was sent). A run whose message was merely slow is claimed once:
    the later delivery finds it finished and does nothing."""
    cutoff = timezone.now() - older_than
    run_ids = list(
        MatchingRun.objects.filter(status=RunStatus.QUEUED, queued_at__lt=cutoff)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    delay_on_commit(EXECUTE_RUN_TASK, [(run_id,) for run_id in run_ids])
    return len(run_ids)


def schedule_matching_for_need(need_id: int, *, trigger: str = RunTrigger.PUBLISHED) -> MatchingRun:
    """Queue matching of a need; the task starts once the caller's transaction commits."""
    return _schedule(RunSubject.NEED, need_id, trigger)


def schedule_matching_for_needs(
    need_ids: Sequence[int], *, trigger: str = RunTrigger.MANUAL
) -> list[MatchingRun]:
    """Queue runs for many needs (reusing those still queued), dispatched after the commit in
    batches of `RUN_BATCH_SIZE` that the worker executes together (`matching_runs_execute`)."""
    queued = {
        run.subject_id: run
        for run in MatchingRun.objects.filter(
            subject=RunSubject.NEED, subject_id__in=list(need_ids), status=RunStatus.QUEUED
        ).order_by("-pk")
    }
    runs = [
        queued.get(need_id)
        or matching_run_create(subject=RunSubject.NEED, subject_id=need_id, trigger=trigger)
        for need_id in dict.fromkeys(need_ids)
    ]
    delay_on_commit(
        EXECUTE_RUNS_TASK,
        [
            ([run.pk for run in runs[start : start + RUN_BATCH_SIZE]],)
            for start in range(0, len(runs), RUN_BATCH_SIZE)
        ],
    )
    return runs


def schedule_matching_for_technology(
    technology_id: int, *, trigger: str = RunTrigger.PUBLISHED
) -> MatchingRun:
    """Queue matching of a technology; the task starts once the caller's transaction commits."""
    return _schedule(RunSubject.TECHNOLOGY, technology_id, trigger)


def matching_run_create(*, subject: str, subject_id: int, trigger: str) -> MatchingRun:
    """A queued run row (executed in this process by the rematch command, the evaluation and
    the demo data; by a worker when `_schedule` dispatches it)."""
    return MatchingRun.objects.create(
        subject=subject,
        subject_id=subject_id,
        need_id=subject_id if subject == RunSubject.NEED else None,
        technology_id=subject_id if subject == RunSubject.TECHNOLOGY else None,
        trigger=trigger,
    )


def _claim(run_id: int) -> MatchingRun | None:
    """Mark the run running (a redelivered run left `running` is taken again); None when it is
    already finished, so a duplicate delivery does nothing."""
    claimed = _claim_many([run_id])
    return claimed[0] if claimed else None


def _claim_many(run_ids: Sequence[int]) -> list[MatchingRun]:
    """`_claim` for many runs in one transaction (rows locked in id order)."""
    now = timezone.now()
    with transaction.atomic():
        runs = [
            run
            for run in MatchingRun.objects.select_for_update()
            .filter(pk__in=list(run_ids))
            .order_by("pk")
            if run.status not in (RunStatus.COMPLETED, RunStatus.FAILED)
        ]
        for run in runs:
            run.status = RunStatus.RUNNING
            run.attempts += 1
            run.started_at = now
            run.message = ""
        MatchingRun.objects.bulk_update(runs, ["status", "attempts", "started_at", "message"])
    position = {run_id: index for index, run_id in enumerate(run_ids)}
    return sorted(runs, key=lambda run: position[run.pk])


@dataclass
class RunOutcome:
    candidates: int = 0
    stored: int = 0
    strong: int = 0
    removed: int = 0
    candidate_ms: float = 0.0
    scoring_ms: float = 0.0
    message: str = ""


def matching_run_execute(*, run_id: int) -> MatchingRun | None:
    """Execute a queued run. Errors a retry can fix (database or broker unavailable) propagate
    to the task, which retries; any other error marks the run failed."""
    run = _claim(run_id)
    if run is None:
        return MatchingRun.objects.filter(pk=run_id).first()
    return _execute_claimed(run)


def _execute_claimed(run: MatchingRun) -> MatchingRun:
    try:
        if run.subject == RunSubject.NEED:
            outcome = need_match(need_id=run.subject_id, run=run)
        else:
            outcome = technology_match(technology_id=run.subject_id, run=run)
    except RECOVERABLE_ERRORS as error:
        MatchingRun.objects.filter(pk=run.pk).update(
            status=RunStatus.QUEUED, message=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    except Exception as error:
        logger.exception("Matching run %s failed", run.pk)
        matching_run_fail(run_id=run.pk, message=f"{type(error).__name__}: {error}")
        run.refresh_from_db()
        return run
    _complete(run, outcome)
    run.refresh_from_db()
    return run


def _complete(run: MatchingRun, outcome: RunOutcome) -> None:
    MatchingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.COMPLETED,
        finished_at=timezone.now(),
        candidates_count=outcome.candidates,
        matches_count=outcome.stored,
        strong_count=outcome.strong,
        removed_count=outcome.removed,
        candidate_ms=round(outcome.candidate_ms, 2),
        scoring_ms=round(outcome.scoring_ms, 2),
        message=outcome.message,
    )


def matching_runs_execute(*, run_ids: Sequence[int]) -> list[MatchingRun]:
    """Execute many queued runs as one batch: need runs share one candidate statement, one
    load of the candidates and one Match upsert (`needs_match`); technology runs go one by
    one. Each run row ends as it would alone. When the batch hits an error a retry cannot fix,
    its runs are executed one by one, so one bad need fails only its own run."""
    claimed = _claim_many(list(dict.fromkeys(run_ids)))
    need_runs = {run.subject_id: run for run in claimed if run.subject == RunSubject.NEED}
    alone = [run for run in claimed if run.subject != RunSubject.NEED]
    # A need queued twice in the batch: the first run does the work, the second runs after it.
    alone += [
        run for run in claimed if run.subject == RunSubject.NEED and run not in need_runs.values()
    ]
    if need_runs:
        try:
            outcomes = needs_match(need_ids=list(need_runs), runs=need_runs)
        except RECOVERABLE_ERRORS as error:
            MatchingRun.objects.filter(pk__in=[run.pk for run in need_runs.values()]).update(
                status=RunStatus.QUEUED, message=f"{type(error).__name__}: {error}"[:2000]
            )
            raise
        except Exception:
            logger.exception(
                "Batch of %s need runs failed; running them one by one", len(need_runs)
            )
            alone = list(need_runs.values()) + alone
        else:
            for need_id, run in need_runs.items():
                _complete(run, outcomes[need_id])
    for run in alone:
        _execute_claimed(run)
    return list(MatchingRun.objects.filter(pk__in=list(run_ids)).order_by("pk"))


def matching_run_fail(*, run_id: int, message: str) -> None:
    MatchingRun.objects.filter(pk=run_id).exclude(status=RunStatus.COMPLETED).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), message=message[:2000]
    )


# --- a need against the technologies ----------------------------------------------------------


def _published_technologies():
    """The technologies matching may choose: published and not outdated (core.freshness)."""
    return Technology.objects.filter(status=TechnologyStatus.PUBLISHED).fresh()


def load_technology_candidates(
    ids: Sequence[int],
) -> tuple[list[TechnologyDocument], dict[str, dict[str, float]]]:
    """Scoring documents and terms of published technologies, building missing profiles.

    Plain values rather than model instances: this runs for every candidate of every run.
    """
    rows = list(
        _published_technologies()
        .filter(pk__in=list(ids))
        .values_list(
            "pk",
            "organization_id",
            "title_zh",
            "category_id",
            "trl",
            "transaction_modes",
            "asking_price",
            "currency",
            "region",
            "updated_at",
            "match_profile__terms",
            "match_profile__source_updated_at",
        )
    )
    standing = holder_standing({row[1] for row in rows})
    documents: list[TechnologyDocument] = []
    terms: dict[str, dict[str, float]] = {}
    stale: list[int] = []
    for (
        pk, organization_id, title_zh, category_id, trl, modes, price, currency, region,
        updated_at, profile_terms, profile_updated_at,
    ) in rows:  # fmt: skip
        verified, deals = standing.get(organization_id, (None, None))
        documents.append(
            TechnologyDocument(
                id=str(pk),
                language="zh" if (title_zh or "").strip() else "en",
                title="",
                category=category_code(category_id),
                trl=trl,
                transaction_modes=tuple(modes or ()),
                asking_price=to_cny(price, currency),
                region=region or None,
                holder_verified=verified,
                holder_completed_deals=deals,
            )
        )
        if profile_terms is None or profile_updated_at != updated_at:
            stale.append(pk)
        else:
            terms[str(pk)] = profile_terms
    if stale:
        rows = [
            _technology_profile_row(technology, technology_document(technology))
            for technology in Technology.objects.filter(pk__in=stale).only(*TECHNOLOGY_FIELDS)
        ]
        _save_technology_profiles(rows)
        terms.update({str(row.technology_id): row.terms for row in rows})
        statistics_changed()
    return documents, terms


def statistics_changed() -> None:
    """New terms were stored: in a small catalogue one listing moves idf noticeably, so the
    statistics are recomputed at once (cheap there); a large one waits for the cache to expire."""
    if corpus_statistics().document_count < SMALL_CORPUS:
        corpus_statistics(refresh=True)


def technology_candidates_for_terms(terms: dict[str, float], stats, *, limit: int | None = None):
    return candidate_ids(_published_technologies(), terms, stats, limit=limit)


def _published_technology_hashes() -> list[tuple[int, str]]:
    return list(
        _published_technologies()
        .exclude(match_profile__embedding_hash="")
        .values_list("pk", "match_profile__embedding_hash")
    )


def _technology_vectors(ids: Sequence[int], embedder: Embedder) -> dict[str, object]:
    """Vectors of the candidate technologies: stored ones by their profile's hash, the others
    encoded now from the listing's public text (and stored)."""
    hashes = dict(
        TechnologyMatchProfile.objects.filter(technology_id__in=list(ids))
        .exclude(embedding_hash="")
        .values_list("technology_id", "embedding_hash")
    )
    vectors = embeddings.stored_vectors({str(pk): value for pk, value in hashes.items()}, embedder)
    missing = [pk for pk in ids if str(pk) not in vectors]
    if missing:
        documents = [
            technology_document(row)
            for row in Technology.objects.filter(pk__in=missing).only(*TECHNOLOGY_FIELDS)
        ]
        vectors.update(embeddings.technology_vectors(documents, embedder))
    return vectors


@dataclass
class NeedRanking:
    """A need's ranked technologies: what a run computes before it writes anything."""

    results: list[MatchResult]
    candidates: int = 0
    candidate_ms: float = 0.0
    scoring_ms: float = 0.0


def rank_technologies_for_need(
    document: NeedDocument,
    *,
    extra_ids: Iterable[int] = (),
    limit: int | None = None,
    semantic: bool = False,
) -> tuple[list[MatchResult], int, float, float]:
    """(results best first, candidates, candidate ms, scoring ms) for a need document.

    The production path of ad-hoc search, similar listings and the evaluation command; need
    runs go through `rank_technologies_for_needs`. With `semantic` (need runs, in the worker)
    and an embedder configured, the technologies nearest by multilingual embedding join the
    full-text candidates and the reranker fuses both scores.
    """
    ranking = rank_technologies_for_needs(
        [document], extra_ids={document.id: extra_ids}, limit=limit, semantic=semantic
    )[document.id]
    return ranking.results, ranking.candidates, ranking.candidate_ms, ranking.scoring_ms


def rank_technologies_for_needs(
    documents: Sequence[NeedDocument],
    *,
    extra_ids: Mapping[str, Iterable[int]] | None = None,
    terms: Mapping[str, Terms] | None = None,
    limit: int | None = None,
    semantic: bool = False,
) -> dict[str, NeedRanking]:
    """{need document id: ranking} for many needs at once, each exactly as it would rank alone.

    The batch shares what a run of one need pays for on its own: one read of the corpus
    statistics, one candidate statement (each token looked up in the GIN index once), one
    load of the candidates' documents, terms and vectors. `terms` are the needs' stored
    profiles (computed here when missing); `extra_ids` are technologies to rescore (the
    stored matches).
    """
    started = time.perf_counter()
    stats = corpus_statistics()
    queries = {
        document.id: (terms or {}).get(document.id) or need_terms(document)
        for document in documents
    }
    ids = candidate_ids_many(
        _published_technologies(),
        {key: query for key, query in queries.items() if query},
        stats,
        limit=limit,
    )
    embedder = embeddings.current_embedder() if semantic else None
    need_vectors: dict = {}
    embeddable = [document for document in documents if need_embedding_text(document)]
    if embedder is not None and embeddable:
        need_vectors = embeddings.need_vectors(embeddable, embedder)
        index = embeddings.semantic_index("technology", _published_technology_hashes, embedder)
        nearest = index.search_many(
            np.stack(list(need_vectors.values())), limit=conf.get("SEMANTIC_CANDIDATE_LIMIT")
        )
        for key, found in zip(need_vectors, nearest, strict=True):
            ids.setdefault(key, []).extend(int(technology_id) for technology_id, _ in found)
    per_need = {
        document.id: list(
            dict.fromkeys([*ids.get(document.id, ()), *(extra_ids or {}).get(document.id, ())])
        )
        for document in documents
    }
    candidate_ms = (time.perf_counter() - started) * 1000 / max(1, len(documents))
    started = time.perf_counter()
    union = list(dict.fromkeys(pk for candidates in per_need.values() for pk in candidates))
    technology_documents, technology_terms_cache = load_technology_candidates(union)
    by_id = {int(item.id): item for item in technology_documents}
    technology_vectors = (
        _technology_vectors(list(by_id), embedder)
        if embedder is not None and need_vectors
        else None
    )
    stats = corpus_statistics()
    shared_ms = (time.perf_counter() - started) * 1000 / max(1, len(documents))
    rankings: dict[str, NeedRanking] = {}
    for document in documents:
        started = time.perf_counter()
        candidates = [by_id[pk] for pk in per_need[document.id] if pk in by_id]
        vector = need_vectors.get(document.id)
        results = rank(
            document,
            candidates,
            stats,
            need_terms_cache=queries[document.id],
            technology_terms_cache=technology_terms_cache,
            need_vectors={document.id: vector} if vector is not None else None,
            technology_vectors=technology_vectors if vector is not None else None,
        )
        rankings[document.id] = NeedRanking(
            results=results,
            candidates=len(candidates),
            candidate_ms=candidate_ms,
            scoring_ms=shared_ms + (time.perf_counter() - started) * 1000,
        )
    return rankings


def _need_profile_row(need: Need, document: NeedDocument) -> NeedMatchProfile:
    text = need_embedding_text(document)
    return NeedMatchProfile(
        need=need,
        language=document.language,
        terms=need_terms(document),
        embedding_hash=embeddings.content_hash(text) if text else "",
        source_updated_at=need.updated_at,
    )


def _need_profiles_save(rows: Sequence[NeedMatchProfile]) -> None:
    if rows:
        NeedMatchProfile.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["need"],
            update_fields=[
                "language",
                "terms",
                "embedding_hash",
                "source_updated_at",
                "updated_at",
            ],
        )


def _need_profile_save(need: Need, document: NeedDocument) -> dict[str, float]:
    row = _need_profile_row(need, document)
    _need_profiles_save([row])
    return row.terms


def _unmatchable_need_message(need: Need | None) -> str:
    if need is None:
        return _("The need no longer exists.")
    if need.status not in MATCHABLE_NEED_STATUSES:
        return _("The need is not published; nothing was matched.")
    if need.is_outdated:
        return _("The need is outdated; nothing was matched.")
    return ""


def need_match(*, need_id: int, run: MatchingRun | None = None) -> RunOutcome:
    """Rank technologies for a need and store its matches (the body of a need run)."""
    return needs_match(need_ids=[need_id], runs={need_id: run} if run else None)[need_id]


def needs_match(
    *, need_ids: Sequence[int], runs: Mapping[int, MatchingRun] | None = None
) -> dict[int, RunOutcome]:
    """Rank technologies for many needs in one batch (`rank_technologies_for_needs`) and store
    their matches in one transaction; each need gets the rows a run of it alone would store."""
    needs = {
        need.pk: need
        for need in Need.objects.filter(pk__in=list(need_ids)).select_related("category")
    }
    outcomes: dict[int, RunOutcome] = {}
    documents: dict[int, NeedDocument] = {}
    profiles: list[NeedMatchProfile] = []
    readable_without_terms = embeddings.current_embedder() is not None
    for need_id in dict.fromkeys(need_ids):
        need = needs.get(need_id)
        message = _unmatchable_need_message(need)
        if message:
            outcomes[need_id] = RunOutcome(message=message)
            continue
        document = need_document(need)
        profile = _need_profile_row(need, document)
        profiles.append(profile)
        if profile.terms or (readable_without_terms and need_embedding_text(document)):
            documents[need_id] = document
        else:
            outcomes[need_id] = RunOutcome(
                message=_("The need has no text in Chinese or English that could be matched.")
            )
    _need_profiles_save(profiles)
    terms = {str(profile.need_id): profile.terms for profile in profiles}
    existing: dict[int, dict[int, int]] = {need_id: {} for need_id in documents}
    for pk, need_id, technology_id in Match.objects.filter(need_id__in=list(documents)).values_list(
        "pk", "need_id", "technology_id"
    ):
        existing[need_id][technology_id] = pk
    rankings = rank_technologies_for_needs(
        list(documents.values()),
        extra_ids={str(need_id): list(pairs) for need_id, pairs in existing.items()},
        terms=terms,
        semantic=True,
    )
    kept: dict[tuple[int, int], MatchResult] = {}
    for need_id in documents:
        pairs = {(need_id, technology_id) for technology_id in existing[need_id]}
        kept.update(_kept_results(rankings[str(need_id)].results, existing_pairs=pairs))
    written = _store(
        kept,
        existing={
            (need_id, technology_id): pk
            for need_id, pairs in existing.items()
            for technology_id, pk in pairs.items()
        },
        runs=runs or {},
        run_of=lambda need_id, technology_id: need_id,
    )
    for need_id in documents:
        ranking = rankings[str(need_id)]
        outcome = written.get(need_id, RunOutcome())
        outcome.candidates = ranking.candidates
        outcome.candidate_ms = ranking.candidate_ms
        outcome.scoring_ms = ranking.scoring_ms
        outcomes[need_id] = outcome
    return outcomes


# --- a technology against the needs -----------------------------------------------------------


def technology_match(*, technology_id: int, run: MatchingRun | None = None) -> RunOutcome:
    """Rank published needs for a technology and store the matches (a technology run)."""
    technology = (
        Technology.objects.filter(pk=technology_id).only(*TECHNOLOGY_FIELDS, "valid_until").first()
    )
    if technology is None:
        return RunOutcome(message=_("The technology no longer exists."))
    if technology.status != TechnologyStatus.PUBLISHED:
        return RunOutcome(message=_("The technology is not published; nothing was matched."))
    if technology.is_outdated:
        return RunOutcome(message=_("The technology is outdated; nothing was matched."))
    started = time.perf_counter()
    standing = holder_standing([technology.organization_id])
    verified, deals = standing.get(technology.organization_id, (None, None))
    document = technology_document(technology, holder_verified=verified, completed_deals=deals)
    row = _technology_profile_row(technology, document)
    _save_technology_profiles([row])
    statistics_changed()
    stats = corpus_statistics()
    embedder = embeddings.current_embedder()
    if not row.terms and (embedder is None or not row.embedding_hash):
        return RunOutcome(message=_("The technology has no text that could be matched."))
    needs_queryset = Need.objects.filter(status__in=MATCHABLE_NEED_STATUSES).fresh()
    ids = candidate_ids(needs_queryset, row.terms, stats) if row.terms else []
    technology_vectors: dict = {}
    if embedder is not None and row.embedding_hash:
        technology_vectors = embeddings.technology_vectors([document], embedder)
        index = embeddings.semantic_index(
            "need",
            lambda: needs_queryset.exclude(match_profile__embedding_hash="").values_list(
                "pk", "match_profile__embedding_hash"
            ),
            embedder,
        )
        ids.extend(
            int(need_id)
            for need_id, _ in index.search(
                technology_vectors[document.id], limit=conf.get("SEMANTIC_CANDIDATE_LIMIT")
            )
        )
    existing = dict(Match.objects.filter(technology_id=technology.pk).values_list("pk", "need_id"))
    ids = list(dict.fromkeys([*ids, *existing.values()]))
    candidate_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    needs = list(needs_queryset.filter(pk__in=ids).select_related("match_profile"))
    need_documents = [need_document(need) for need in needs]
    need_terms_cache = {}
    for need, need_doc in zip(needs, need_documents, strict=True):
        profile = getattr(need, "match_profile", None)
        if profile is None or profile.source_updated_at != need.updated_at:
            need_terms_cache[need_doc.id] = _need_profile_save(need, need_doc)
        else:
            need_terms_cache[need_doc.id] = profile.terms
    results = rank_needs(
        document,
        need_documents,
        stats,
        technology_terms_cache=row.terms,
        need_terms_cache=need_terms_cache,
        need_vectors=(
            embeddings.need_vectors(need_documents, embedder) if technology_vectors else None
        ),
        technology_vectors=technology_vectors or None,
    )
    scoring_ms = (time.perf_counter() - started) * 1000
    outcome = _store(
        _kept_results(results, existing_pairs={(need_id, technology.pk) for need_id in existing}),
        existing={(need_id, technology.pk): pk for pk, need_id in existing.items()},
        runs={technology.pk: run} if run else {},
        run_of=lambda need_id, technology_id: technology_id,
    ).get(technology.pk, RunOutcome())
    outcome.candidates = len(need_documents)
    outcome.candidate_ms = candidate_ms
    outcome.scoring_ms = scoring_ms
    return outcome


# --- storing ----------------------------------------------------------------------------------


def _match_row(result: MatchResult, run: MatchingRun | None, now) -> Match:
    data = result.to_dict()
    return Match(
        need_id=int(result.need_id),
        technology_id=int(result.technology_id),
        score=max(0.0, min(100.0, data["score"])),
        components=data["components"],
        reasons_zh=result.reasons_zh,
        reasons_en=result.reasons_en,
        constraint_violations=data["constraint_violations"],
        demoted=result.demoted,
        run=run,
        created_at=now,
        updated_at=now,
    )


def _kept_results(
    results: Sequence[MatchResult], *, existing_pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], MatchResult]:
    """The best results of one subject plus every stored pair still above the minimum."""
    minimum = conf.get("MINIMUM_SCORE")
    per_subject = conf.get("MATCHES_PER_SUBJECT")
    kept: dict[tuple[int, int], MatchResult] = {}
    for result in results:
        key = (int(result.need_id), int(result.technology_id))
        if result.score < minimum:
            continue
        if len(kept) < per_subject or key in existing_pairs:
            kept[key] = result
    return kept


def _store(
    kept: Mapping[tuple[int, int], MatchResult],
    *,
    existing: Mapping[tuple[int, int], int],
    runs: Mapping[int, MatchingRun],
    run_of: Callable[[int, int], int],
) -> dict[int, RunOutcome]:
    """Upsert the kept pairs (one INSERT ... ON CONFLICT for the whole batch) and delete the
    stored pairs (`existing`: pair -> match id) no longer kept; {subject id: outcome}, the
    subject of a pair being `run_of(need_id, technology_id)`."""
    now = timezone.now()
    outcomes: dict[int, RunOutcome] = {}
    with transaction.atomic():
        # Lock the rows the matches point to: a listing deleted meanwhile is left out (its
        # delete waits for this commit and then removes its matches) instead of failing.
        technology_ids = sorted({technology_id for _, technology_id in kept})
        need_ids = sorted({need_id for need_id, _ in kept})
        alive_technologies = set(
            Technology.objects.filter(pk__in=technology_ids, status=TechnologyStatus.PUBLISHED)
            .fresh()
            .order_by("pk")
            .select_for_update(no_key=True)
            .values_list("pk", flat=True)
        )
        alive_needs = set(
            Need.objects.filter(pk__in=need_ids, status__in=MATCHABLE_NEED_STATUSES)
            .fresh()
            .order_by("pk")
            .select_for_update(no_key=True)
            .values_list("pk", flat=True)
        )
        rows = [
            _match_row(result, runs.get(run_of(need_id, technology_id)), now)
            for (need_id, technology_id), result in kept.items()
            if need_id in alive_needs and technology_id in alive_technologies
        ]
        if rows:
            Match.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["need", "technology"],
                update_fields=[
                    "score",
                    "components",
                    "reasons_zh",
                    "reasons_en",
                    "constraint_violations",
                    "demoted",
                    "run",
                    "updated_at",
                ],
            )
        keep_pairs = {(row.need_id, row.technology_id) for row in rows}
        for pair in keep_pairs:
            outcomes.setdefault(run_of(*pair), RunOutcome()).stored += 1
        stale = {pair: pk for pair, pk in existing.items() if pair not in keep_pairs}
        if stale:
            Match.objects.filter(pk__in=list(stale.values())).delete()
            for pair in stale:
                outcomes.setdefault(run_of(*pair), RunOutcome()).removed += 1
        for pair in matches_notify(pairs=keep_pairs):
            outcomes.setdefault(run_of(*pair), RunOutcome()).strong += 1
    return outcomes


# --- notifications ----------------------------------------------------------------------------


def matches_notify(*, pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Tell both parties about strong matches not yet announced (claimed by compare-and-set,
    so a re-run announces nothing twice). Returns the strong pairs among `pairs`."""
    pairs = set(pairs)
    if not pairs:
        return []
    # A superset by need and technology, narrowed to the pairs here (an OR of hundreds of
    # pairs costs the planner more than the rows it saves).
    strong = Match.objects.filter(
        need_id__in={need_id for need_id, _ in pairs},
        technology_id__in={technology_id for _, technology_id in pairs},
    ).strong()
    strong_rows = [
        row
        for row in strong.values_list("pk", "need_id", "technology_id", "notified_at")
        if (row[1], row[2]) in pairs
    ]
    fresh_ids = [pk for pk, _, _, notified_at in strong_rows if notified_at is None]
    fresh = (
        list(Match.objects.filter(pk__in=fresh_ids).select_related("need", "technology"))
        if fresh_ids
        else []
    )
    for match in fresh:
        claimed = Match.objects.filter(pk=match.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not claimed:
            continue
        need, technology = match.need, match.technology
        parts = {
            "score": f"{match.score:.0f}",
            "need": Bilingual.of(need, "title"),
            "technology": Bilingual.of(technology, "title"),
        }
        reasons = Bilingual(zh="\n".join(match.reasons_zh), en="\n".join(match.reasons_en))
        notify_users(
            users=list(members_of(need.organization_id)),
            title=Message(
                gettext_lazy(
                    "New strong match (%(score)s) for your need “%(need)s”: %(technology)s"
                ),
                **parts,
            ),
            body=reasons,
            url=reverse("exchange:need_detail", args=[need.pk]) + "#matches",
        )
        notify_users(
            users=list(members_of(technology.organization_id)),
            title=Message(
                gettext_lazy(
                    "Your technology “%(technology)s” matches a need (%(score)s): %(need)s"
                ),
                **parts,
            ),
            body=reasons,
            url=reverse("catalog:technology_detail", args=[technology.pk]) + "#matches",
        )
    return [(need_id, technology_id) for _, need_id, technology_id, _ in strong_rows]


# --- ad-hoc search ----------------------------------------------------------------------------


def search_by_problem(*, text: str, limit: int = 10) -> tuple[str, list[MatchResult]]:
    """Rank published technologies for a pasted problem description, without a stored need.

    Raises ValidationError for empty or too long text, text in a language other than Chinese
    or English, or text without a single matchable term.
    """
    text = (text or "").strip()
    maximum = conf.get("SEARCH_TEXT_MAX_LENGTH")
    if not text:
        raise ValidationError({"text": _("Describe the problem to solve.")})
    if len(text) > maximum:
        raise ValidationError(
            {
                "text": _(
                    "The description is too long (%(length)s characters); the limit is "
                    "%(maximum)s. Keep the problem, figures and constraints."
                )
                % {"length": len(text), "maximum": maximum}
            }
        )
    if not 1 <= limit <= 50:
        raise ValidationError({"limit": _("Ask for 1 to 50 technologies.")})
    language = text_language(text)
    if language is None:
        raise ValidationError(
            {"text": _("Matching works with Chinese or English text; please write in one of them.")}
        )
    if not analyze(text):
        raise ValidationError(
            {"text": _("The description has no technical terms to match; add some detail.")}
        )
    document = NeedDocument(id="search", language=language, title="", description=text)
    results, _count, _candidate_ms, _scoring_ms = rank_technologies_for_need(document)
    return language, results[:limit]


# --- similar technologies --------------------------------------------------------------------

SIMILAR_CACHE_SECONDS = 600


def _similar_ids(technology: Technology, *, limit: int) -> list[tuple[int, float]]:
    """(id, score) of the published technologies that score best against `technology` read as
    a need (its titles, summaries and keywords, category), itself left out; cached by the
    listing's last change."""
    key = f"matching:similar:{technology.pk}:{technology.updated_at.timestamp()}:{limit}"
    cached = cache.get(key)
    if cached is not None:
        return [tuple(row) for row in cached]  # type: ignore[misc]
    document = technology_document(technology)
    query = NeedDocument(
        id=f"similar-{technology.pk}",
        language=document.language,
        title=document.title,
        description="\n".join(part for part in (document.summary, document.description) if part),
        category=document.category,
        keywords=document.keywords,
    )
    results, _count, _candidate_ms, _scoring_ms = rank_technologies_for_need(query)
    rows = [
        (int(result.technology_id), round(result.score, 1))
        for result in results
        if result.technology_id != str(technology.pk) and not result.demoted and result.score > 0
    ][: limit * 3]
    cache.set(key, rows, SIMILAR_CACHE_SECONDS)
    return rows


def similar_technologies(*, technology: Technology, user, limit: int = 5) -> list[Technology]:
    """Published technologies like `technology`, best first, by the matching engine's scoring
    (the same path as a need's run): only listings the reader may see, each with `.similarity`
    (the engine's 0–100 score)."""
    if not 1 <= limit <= 20:
        raise ValidationError({"limit": _("Ask for 1 to 20 technologies.")})
    rows = _similar_ids(technology, limit=limit)
    scores = dict(rows)
    visible = {
        candidate.pk: candidate
        for candidate in technologies_visible_to(user=user)
        .filter(status=TechnologyStatus.PUBLISHED, pk__in=list(scores))
        .fresh()
        .select_related("category", "organization")
    }
    similar = []
    for pk, score in rows:
        if pk in visible:
            visible[pk].similarity = score
            similar.append(visible[pk])
    return similar[:limit]


# --- feedback ---------------------------------------------------------------------------------


def match_feedback_record(*, user, match: Match, useful: bool, comment: str = "") -> MatchFeedback:
    """Store (or change) a user's verdict on a match; holders and enterprises of the two
    parties, brokers and reviewers may give one."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to give feedback."))
    party = match_parties_of_user(match=match, user=user)
    if not (party or user.has_role("broker", "reviewer", "admin")):
        raise PermissionDenied(_("Only the two parties and brokers can rate this match."))
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("Keep the comment under 500 characters.")})
    role = party or next(
        (role for role in ("broker", "reviewer", "admin") if user.has_role(role)), ""
    )
    now = timezone.now()
    with transaction.atomic():
        feedback, _created = MatchFeedback.objects.update_or_create(
            match=match,
            user=user,
            defaults={
                "useful": bool(useful),
                "comment": comment,
                "role": role,
                "score": match.score,
                "updated_at": now,
            },
        )
    return feedback


# --- sweeps -----------------------------------------------------------------------------------


def stale_subjects_schedule(*, batch_size: int = 500, max_age_days: int = 7) -> dict[str, int]:
    """Queue runs for published technologies changed since their terms were computed and for
    published needs not matched for `max_age_days` (bounded batches)."""
    technologies = list(
        _published_technologies()
        .filter(
            Q(match_profile__isnull=True) | Q(match_profile__source_updated_at__lt=F("updated_at"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    latest_run = (
        MatchingRun.objects.filter(
            subject=RunSubject.NEED, subject_id=OuterRef("pk"), status=RunStatus.COMPLETED
        )
        .order_by("-finished_at")
        .values("finished_at")[:1]
    )
    cutoff = timezone.now() - timedelta(days=max_age_days)
    needs = list(
        Need.objects.filter(status__in=MATCHABLE_NEED_STATUSES)
        .fresh()
        .annotate(last_matched=Subquery(latest_run))
        .filter(
            Q(last_matched__isnull=True)
            | Q(last_matched__lt=cutoff)
            | Q(last_matched__lt=F("updated_at"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    with transaction.atomic():
        for technology_id in technologies:
            schedule_matching_for_technology(technology_id, trigger=RunTrigger.STALE)
        schedule_matching_for_needs(needs, trigger=RunTrigger.STALE)
    return {"technologies": len(technologies), "needs": len(needs)}
