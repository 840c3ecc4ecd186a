"""End-to-end evaluation through the database: load a split as organisations, technologies and
needs, run every need through the production run path (candidates from PostgreSQL, reranking,
Match rows) and read the rankings back from the Match rows.

Used by `manage.py evaluate_matching` inside a throw-away database (see `isolated_database`).
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.choices import OrganizationType, VerificationStatus
from accounts.models import Organization
from catalog.choices import TechnologyStatus
from catalog.models import Category, Technology
from catalog.search import technology_search_vector
from exchange.choices import NeedStatus
from exchange.models import Need
from exchange.search import need_search_vector
from imports.cleaning import clean_text, fit_fields, shorten
from matching.choices import RunSubject, RunTrigger
from matching.embeddings import semantic_indexes_invalidate
from matching.engine.evaluation import ScoredRankings, Split
from matching.models import Match
from matching.services import (
    matching_run_create,
    matching_run_execute,
    technology_embeddings_refresh,
    technology_profiles_refresh,
)
from matching.statistics import corpus_statistics, corpus_statistics_invalidate

RUN_DEPTH = 100
TECHNOLOGY_TEXT_FIELDS = ("title_zh", "title_en", "summary_zh", "summary_en", "application_scope")
NEED_TEXT_FIELDS = ("title_zh", "title_en", "description_zh", "description_en")


@dataclass
class LoadReport:
    """What loading a split made of its records: the ones refused (file id, why) and the ones
    whose over-long texts were cut to fit (file id, which fields)."""

    refused: list[tuple[str, str]] = field(default_factory=list)
    shortened: list[tuple[str, str]] = field(default_factory=list)


def _reason(error: ValidationError) -> str:
    messages = getattr(error, "message_dict", {"": error.messages})
    return "; ".join(
        f"{name}: {message}" if name else message
        for name, items in messages.items()
        for message in items
    )


@contextlib.contextmanager
def isolated_database(*, verbosity: int = 0) -> Iterator[str]:
    """Create a uniquely named database with every migration applied, switch the default
    connection to it, and drop it afterwards (also on errors)."""
    name = f"gte_eval_{uuid.uuid4().hex[:12]}"
    database = settings.DATABASES["default"]
    previous_test = dict(database.get("TEST") or {})
    original_name = database["NAME"]
    database["TEST"] = {**previous_test, "NAME": name}
    connection.creation.create_test_db(
        verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False
    )
    corpus_statistics_invalidate()
    try:
        yield name
    finally:
        corpus_statistics_invalidate()
        connection.creation.destroy_test_db(original_name, verbosity=verbosity, keepdb=False)
        database["TEST"] = previous_test


def _category(code: str | None, cache: dict[str, Category]) -> Category | None:
    if not code:
        return None
    if code not in cache:
        category = Category.objects.filter(code=code).first()
        if category is None:
            parent = None
            if "." in code:
                parent = _category(code.rsplit(".", 1)[0], cache)
            category = Category.objects.create(
                code=code, parent=parent, name_zh=code, name_en=code, sort_key=code
            )
        cache[code] = category
    return cache[code]


def _fallback_category(cache: dict[str, Category]) -> Category:
    category = Category.objects.filter(parent__isnull=False).order_by("sort_key").first()
    return category or _category("9.9", cache)  # type: ignore[return-value]


def load_split_into_database(
    split: Split, report: LoadReport | None = None
) -> tuple[dict[str, int], dict[str, int]]:
    """Create the split's rows through the models; returns file id -> primary key maps.

    Every record goes through the imports' cleaning (markup and stray whitespace removed,
    over-long titles and summaries cut to their column) and the models' validation, each in its
    own savepoint: a record that still does not fit is listed in `report.refused` and left out,
    it never stops the load."""
    report = report if report is not None else LoadReport()
    categories: dict[str, Category] = {}
    organizations: dict[tuple[str, str], Organization] = {}
    now = timezone.now()
    technology_ids: dict[str, int] = {}
    need_ids: dict[str, int] = {}
    with transaction.atomic():
        for item in split.technologies:
            kind = item.holder_type if item.holder_type in OrganizationType.values else "enterprise"
            key = (kind, item.region or "CN")
            if key not in organizations:
                organizations[key] = Organization.objects.create(
                    name_en=f"Evaluation holder {kind} {key[1]}",
                    kind=kind,
                    region=key[1],
                    verification_status=VerificationStatus.UNVERIFIED,
                )
            chinese = item.language == "zh"
            technology = Technology(
                organization=organizations[key],
                title_zh=item.title if chinese else "",
                title_en="" if chinese else item.title,
                summary_zh=item.summary if chinese else "",
                summary_en="" if chinese else item.summary,
                # The engine reads a listing's public text only (matching.documents): the
                # evaluation's technology description plays the public application scope.
                application_scope=item.description,
                category=_category(item.category, categories) or _fallback_category(categories),
                keywords=[shorten(clean_text(word), 60) for word in item.keywords],
                trl=item.trl or 1,
                transaction_modes=list(item.transaction_modes),
                asking_price=None if item.asking_price is None else Decimal(str(item.asking_price)),
                region=item.region or "CN",
                status=TechnologyStatus.PUBLISHED,
                published_at=now,
            )
            notes = fit_fields(technology, TECHNOLOGY_TEXT_FIELDS)
            try:
                with transaction.atomic():
                    technology.full_clean(
                        exclude=["organization", "created_by", "search_vector"],
                        validate_unique=False,
                    )
                    technology.search_vector = technology_search_vector(technology)
                    technology.save()
            except ValidationError as error:
                report.refused.append((item.id, _reason(error)))
                continue
            except DatabaseError as error:
                report.refused.append((item.id, str(error).splitlines()[0]))
                continue
            if notes:
                report.shortened.append((item.id, ", ".join(notes)))
            technology_ids[item.id] = technology.pk
        enterprise = Organization.objects.create(
            name_en="Evaluation enterprise", kind=OrganizationType.ENTERPRISE, region="CN"
        )
        deadline = timezone.localdate() + datetime.timedelta(days=365)
        for item in split.needs:
            notes: list[str] = []
            try:
                with transaction.atomic():
                    need = published_need_create(
                        item,
                        organization=enterprise,
                        category=_category(item.category, categories),
                        deadline=deadline,
                        published_at=now,
                        notes=notes,
                    )
            except ValidationError as error:
                report.refused.append((item.id, _reason(error)))
                continue
            except DatabaseError as error:
                report.refused.append((item.id, str(error).splitlines()[0]))
                continue
            if notes:
                report.shortened.append((item.id, ", ".join(notes)))
            need_ids[item.id] = need.pk
    return technology_ids, need_ids


def published_need_create(
    item,
    *,
    organization,
    category=None,
    deadline: datetime.date,
    published_at,
    notes: list[str] | None = None,
) -> Need:
    """A published need from an evaluation item (its text in the item's language), cleaned and
    validated like an imported one (ValidationError when it does not fit), indexed."""
    chinese = item.language == "zh"
    need = Need(
        organization=organization,
        title_zh=item.title if chinese else "",
        title_en="" if chinese else item.title,
        description_zh=item.description if chinese else "",
        description_en="" if chinese else item.description,
        category=category,
        trl_min=item.trl_min,
        budget_max=None if item.budget_max is None else Decimal(str(item.budget_max)),
        transaction_modes=list(item.transaction_modes),
        region=item.region or "CN",
        deadline=deadline,
        status=NeedStatus.PUBLISHED,
        published_at=published_at,
    )
    cut = fit_fields(need, NEED_TEXT_FIELDS)
    if notes is not None:
        notes.extend(cut)
    need.full_clean(exclude=["organization", "created_by", "search_vector"], validate_unique=False)
    need.save()
    Need.objects.filter(pk=need.pk).update(search_vector=need_search_vector(need))
    return need


def database_engine_rankings(
    split: Split, technology_ids: dict[str, int], need_ids: dict[str, int]
) -> ScoredRankings:
    """Run every need as a production matching run and read its Match rows back."""
    technology_profiles_refresh()
    technology_embeddings_refresh()
    semantic_indexes_invalidate()
    corpus_statistics(refresh=True)
    file_id_of_technology = {pk: file_id for file_id, pk in technology_ids.items()}
    rankings: ScoredRankings = {}
    # Keep enough pairs per need for a top-100 run file; everything else is production.
    with override_settings(MATCHING_MATCHES_PER_SUBJECT=RUN_DEPTH, MATCHING_MINIMUM_SCORE=0.0):
        for file_id, pk in need_ids.items():
            run = matching_run_create(
                subject=RunSubject.NEED, subject_id=pk, trigger=RunTrigger.EVALUATION
            )
            matching_run_execute(run_id=run.pk)
            rows = Match.objects.filter(need_id=pk).order_by("-score", "technology_id")
            rankings[file_id] = [
                (file_id_of_technology[technology_id], score)
                for technology_id, score in rows.values_list("technology_id", "score")[:RUN_DEPTH]
            ]
    return rankings
