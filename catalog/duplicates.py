"""Near-duplicate listings: finding them, recording the pairs, and the reviewers' queue.

A listing is compared on its public texts only (titles, summaries, keywords: the fields every
reader of a published listing sees), so a score or a shared word never tells anyone about a
confidential description. Finding candidates among many thousands of listings is two steps:

1. a bounded candidate query on the search entries (GIN index on the stored tokens): the
   listing's most telling title and summary words, each looked up on its own, and the rows
   holding the most of them by weight, at most CANDIDATE_LIMIT;
2. exact scoring of those candidates in Python with textanalysis.similarity (the same
   segmentation and stemming as search and the matching engine); pairs from
   DUPLICATE_THRESHOLD on are candidates.

Who sees which candidate follows catalog.selectors.technologies_visible_to: a holder sees their
own organisation's listings (drafts too) and other organisations' published ones only;
reviewers every listing but drafts. Pairs are recorded (DuplicateFlag) when a listing is
submitted (catalog.services.technology_submit) or imported (`technology_import_duplicates`,
for the importer to call per row); a submission is never blocked by them.
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import is_reviewer, member_organization_ids
from catalog.choices import DuplicateFlagStatus, DuplicateSource, TechnologyStatus
from catalog.filtersets import DUPLICATE_FLAGGED_STATUSES, DuplicateFlagFilterSet
from catalog.models import DuplicateFlag, Technology, TechnologySearchEntry
from catalog.search import index_token
from catalog.selectors import technologies_visible_to
from catalog.visibility import TECHNOLOGY_FIELDS, Clearance
from core.regions import region_label
from core.workflow import TransitionNotAllowed
from textanalysis import analyze, is_concept_token
from textanalysis.similarity import (
    DUPLICATE_THRESHOLD,
    Fingerprint,
    Similarity,
    cached_fingerprint,
    similarity,
)

# The texts compared; every one must be public (checked at import, like the search index).
COMPARED_FIELDS = ("title_zh", "title_en", "summary_zh", "summary_en", "keywords")
TECHNOLOGY_FIELDS.require(COMPARED_FIELDS, clearance=Clearance.PUBLIC, where="duplicate detection")

CANDIDATE_LIMIT = 40
BRANCH_LIMIT = 500
TITLE_QUERY_TOKENS = 8
SUMMARY_QUERY_TOKENS = 6
TITLE_TOKEN_WEIGHT = 3.0
SUMMARY_TOKEN_WEIGHT = 1.0
# Listings a new one may duplicate: rejected, archived and merged ones are not worth updating.
CANDIDATE_STATUSES = (
    TechnologyStatus.DRAFT,
    TechnologyStatus.SUBMITTED,
    TechnologyStatus.RETURNED,
    TechnologyStatus.PUBLISHED,
    TechnologyStatus.WITHDRAWN,
)
# What a recorded pair may hold: what reviewers see (never a draft).
FLAGGED_STATUSES = DUPLICATE_FLAGGED_STATUSES


@dataclass(frozen=True)
class DuplicateCandidate:
    """A listing that reads like another one: the listing, how alike, and whether it belongs to
    the same holder."""

    technology: Technology
    similarity: Similarity
    same_organization: bool

    @property
    def score(self) -> float:
        return self.similarity.score

    @property
    def percent(self) -> int:
        return round(self.similarity.score * 100)

    @property
    def reason(self) -> str:
        return duplicate_reason(self.similarity)


def duplicate_reason(result: Similarity) -> str:
    """Why a pair looks alike, in the reader's language."""
    reason = _("Titles %(title)d%% alike, texts %(text)d%% alike") % {
        "title": round(result.title * 100),
        "text": round(result.text * 100),
    }
    if result.shared_terms:
        reason += _("; both say: %(terms)s") % {"terms": ", ".join(result.shared_terms)}
    return reason


def flag_reason(flag: DuplicateFlag) -> str:
    return duplicate_reason(
        Similarity(flag.score, flag.title_score, flag.text_score, tuple(flag.shared_terms))
    )


def technology_fingerprint(technology: Technology) -> Fingerprint:
    return cached_fingerprint(
        (technology.title_zh or "", technology.title_en or ""),
        (
            technology.summary_zh or "",
            technology.summary_en or "",
            " ".join(technology.keywords or []),
        ),
    )


def _telling_tokens(texts: list[str], limit: int) -> list[str]:
    """The longest distinct words of `texts` (a long word is rarer), no concept tokens."""
    tokens = {
        index_token(token)
        for text in texts
        for token in analyze(text or "")
        if not is_concept_token(token)
    }
    return sorted(tokens, key=lambda token: (-len(token), token))[:limit]


def _query_tokens(technology: Technology) -> dict[str, float]:
    weights: dict[str, float] = {}
    for token in _telling_tokens([technology.summary_zh, technology.summary_en], limit=64)[
        :SUMMARY_QUERY_TOKENS
    ]:
        weights[token] = SUMMARY_TOKEN_WEIGHT
    for token in _telling_tokens([technology.title_zh, technology.title_en], TITLE_QUERY_TOKENS):
        weights[token] = TITLE_TOKEN_WEIGHT
    return weights


def _candidate_ids(technology: Technology, scope: Q, *, limit: int = CANDIDATE_LIMIT) -> list[int]:
    """Ids of the search entries in `scope` sharing the most of the listing's telling words.

    One UNION ALL branch per word, each a GIN index lookup with the word as a constant (the
    planner sees each word's frequency), summed by weight and cut at `limit`. A word found in
    thousands of listings ("wastewater") contributes at most BRANCH_LIMIT of them: a true
    duplicate shares the rare words too, which decide its place.
    """
    weights = _query_tokens(technology)
    if not weights:
        return []
    entries = TechnologySearchEntry.objects.filter(scope).exclude(technology_id=technology.pk)
    inner = entries.values("pk").query
    compiler = inner.get_compiler(entries.db)
    where, where_params = compiler.compile(inner.where)
    table = connection.ops.quote_name(TechnologySearchEntry._meta.db_table)
    branches, params = [], []
    for token, weight in weights.items():
        branches.append(
            f"(SELECT technology_id, %s::float8 AS weight FROM {table} "
            f"WHERE search_vector @@ %s::tsquery AND {where} LIMIT %s)"
        )
        # Tokens are CJK runs or [a-z0-9]+ (textanalysis), safe inside the quotes.
        params += [weight, f"'{token}'", *where_params, BRANCH_LIMIT]
    sql = (
        "SELECT technology_id FROM (" + " UNION ALL ".join(branches) + ") AS hits "
        "GROUP BY technology_id ORDER BY sum(weight) DESC, technology_id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def _scored(technology: Technology, scope: Q) -> list[DuplicateCandidate]:
    """Candidates in `scope` from DUPLICATE_THRESHOLD on, most alike first."""
    ids = _candidate_ids(technology, scope)
    if not ids:
        return []
    mine = technology_fingerprint(technology)
    rows = Technology.objects.filter(pk__in=ids).select_related("organization")
    found = []
    for candidate in rows:
        result = similarity(mine, technology_fingerprint(candidate))
        if result.score >= DUPLICATE_THRESHOLD:
            found.append(
                DuplicateCandidate(
                    technology=candidate,
                    similarity=result,
                    same_organization=candidate.organization_id == technology.organization_id,
                )
            )
    found.sort(key=lambda item: (-item.score, -item.technology.pk))
    return found


def _dismissed_ids(technology: Technology) -> set[int]:
    pairs = DuplicateFlag.objects.filter(
        Q(technology=technology) | Q(candidate=technology), status=DuplicateFlagStatus.DISMISSED
    ).values_list("technology_id", "candidate_id")
    return {other for pair in pairs for other in pair if other != technology.pk}


def _visible_scope(user) -> Q:
    """Candidate listings the user may see (technologies_visible_to), as a search-entry filter."""
    scope = Q(status=TechnologyStatus.PUBLISHED)
    if getattr(user, "is_authenticated", False):
        scope |= Q(organization_id__in=member_organization_ids(user=user))
        if is_reviewer(user=user):
            scope |= ~Q(status=TechnologyStatus.DRAFT)
    return Q(status__in=CANDIDATE_STATUSES) & scope


def technology_duplicates(
    *, technology: Technology, user, limit: int = 5
) -> list[DuplicateCandidate]:
    """Listings `user` may see that read like `technology`, most alike first, with score and
    reason; pairs a reviewer dismissed are left out. Drafts and other organisations' private
    listings of anyone else never appear (technologies_visible_to)."""
    if technology.status == TechnologyStatus.MERGED:
        return []
    dismissed = _dismissed_ids(technology)
    found = [
        c for c in _scored(technology, _visible_scope(user)) if c.technology.pk not in dismissed
    ]
    return found[:limit]


def _flag_pair(
    *, technology: Technology, candidate: DuplicateCandidate, source: str
) -> DuplicateFlag | None:
    """Create or refresh the pair's flag; a decided pair stays decided. None when decided."""
    pair = Q(technology=technology, candidate=candidate.technology) | Q(
        technology=candidate.technology, candidate=technology
    )
    result = candidate.similarity
    values = {
        "score": result.score,
        "title_score": result.title,
        "text_score": result.text,
        "shared_terms": list(result.shared_terms),
        "updated_at": timezone.now(),
    }
    existing = DuplicateFlag.objects.select_for_update().filter(pair).first()
    if existing is None:
        try:
            with transaction.atomic():
                return DuplicateFlag.objects.create(
                    technology=technology,
                    candidate=candidate.technology,
                    same_organization=candidate.same_organization,
                    source=source,
                    **values,
                )
        except IntegrityError:  # the same pair found at the same moment by another submission
            existing = DuplicateFlag.objects.select_for_update().filter(pair).first()
    if existing is None or not existing.is_open:
        return None
    DuplicateFlag.objects.filter(pk=existing.pk).update(**values)
    existing.refresh_from_db()
    return existing


def technology_duplicates_record(
    *, technology: Technology, source: str = DuplicateSource.SUBMIT
) -> list[DuplicateFlag]:
    """Record the pairs of `technology` with the listings reviewers see (any holder, no
    drafts): new pairs open, open ones get the new score, decided ones stay decided. Called
    inside the submitting (or importing) transaction; returns the open flags."""
    if technology.status == TechnologyStatus.MERGED:
        return []
    flags = []
    for candidate in _scored(technology, Q(status__in=FLAGGED_STATUSES)):
        flag = _flag_pair(technology=technology, candidate=candidate, source=source)
        if flag is not None:
            flags.append(flag)
    return flags


def technology_import_duplicates(*, technology: Technology, user) -> list[DuplicateCandidate]:
    """For importers, once per imported row, right after the row's listing was created (inside
    the import's transaction): records the pairs with listings reviewers see (source "import";
    an imported draft's pairs reach the reviewers' queue when it is submitted) and returns the
    candidates the importing `user` may see, for the import report ("row 3 looks like your
    listing #12"). One candidate query serves both."""
    if technology.status == TechnologyStatus.MERGED:
        return []
    own = set(member_organization_ids(user=user))
    reviewer = is_reviewer(user=user)
    scope = _visible_scope(user) | Q(status__in=FLAGGED_STATUSES)
    shown = []
    for candidate in _scored(technology, scope):
        if candidate.technology.status in FLAGGED_STATUSES:
            _flag_pair(technology=technology, candidate=candidate, source=DuplicateSource.IMPORT)
        other = candidate.technology
        if (
            other.status == TechnologyStatus.PUBLISHED
            or other.organization_id in own
            or (reviewer and other.status != TechnologyStatus.DRAFT)
        ):
            shown.append(candidate)
    return shown


# --- the reviewers' side ------------------------------------------------------------------------


def _open_pairs() -> QuerySet[DuplicateFlag]:
    return DuplicateFlagFilterSet().filter_status(
        DuplicateFlag.objects.all(), "status", DuplicateFlagStatus.OPEN
    )


def duplicate_flags_visible_to(*, user) -> QuerySet[DuplicateFlag]:
    """Every recorded pair whose listings reviewers may see, to reviewers; nothing to others."""
    if not is_reviewer(user=user):
        return DuplicateFlag.objects.none()
    return (
        DuplicateFlag.objects.exclude(technology__status=TechnologyStatus.DRAFT)
        .exclude(candidate__status=TechnologyStatus.DRAFT)
        .select_related(
            "technology__organization",
            "candidate__organization",
            "survivor",
            "decided_by",
        )
        .order_by("-score", "-pk")
    )


def duplicate_flags_open(*, user) -> QuerySet[DuplicateFlag]:
    """The reviewers' queue: open pairs of two listings still in play, most alike first."""
    return duplicate_flags_visible_to(user=user).filter(pk__in=_open_pairs().values("pk"))


def duplicate_flags_of_technology(*, technology: Technology, user) -> list[DuplicateFlag]:
    """Open pairs of one listing, for a reviewer's look at its manage page."""
    return list(
        duplicate_flags_open(user=user).filter(Q(technology=technology) | Q(candidate=technology))
    )


def duplicate_workspace_todos(*, user) -> list[dict]:
    """The reviewers' to-do: open pairs to check (registered in catalog.apps)."""
    from accounts.workspace import queue_todo

    if not is_reviewer(user=user):
        return []
    return [
        queue_todo(
            key="duplicates_to_check",
            label=gettext_lazy("Possible duplicates to check"),
            queryset=duplicate_flags_open(user=user),
            url=reverse("catalog:duplicate_queue"),
            since_field="created_at",
        )
    ]


@transaction.atomic
def duplicate_flag_dismiss(*, user, flag: DuplicateFlag, note: str = "") -> DuplicateFlag:
    """A reviewer decides the two listings are not duplicates; the pair is not raised again."""
    if not is_reviewer(user=user):
        raise PermissionDenied(_("Only reviewers decide on possible duplicates."))
    updated = DuplicateFlag.objects.filter(pk=flag.pk, status=DuplicateFlagStatus.OPEN).update(
        status=DuplicateFlagStatus.DISMISSED,
        decided_by=user,
        decided_at=timezone.now(),
        note=(note or "").strip()[:2000],
        updated_at=timezone.now(),
    )
    if not updated:
        raise TransitionNotAllowed(_("Someone has already decided on this pair; please reload."))
    flag.refresh_from_db()
    return flag


# --- the side-by-side comparison ------------------------------------------------------------------


@dataclass(frozen=True)
class ComparedField:
    """One aligned row of the comparison: the field's label and both sides (HTML, the
    differing stretches of texts marked), and whether they differ."""

    label: str
    left: SafeString
    right: SafeString
    differs: bool


def _marked(first: str, second: str) -> tuple[SafeString, SafeString]:
    """Both texts escaped, with what only one of them has in <mark>."""
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    left, right = [], []
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        a_text = html.escape(first[a_start:a_end])
        b_text = html.escape(second[b_start:b_end])
        if operation == "equal":
            left.append(a_text)
            right.append(b_text)
            continue
        if a_text:
            left.append(f"<mark>{a_text}</mark>")
        if b_text:
            right.append(f"<mark>{b_text}</mark>")
    # Every piece was escaped above; only the <mark> tags are markup.
    return mark_safe("".join(left)), mark_safe("".join(right))


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def _compared_values(technology: Technology) -> list[tuple[str, str, bool]]:
    """(label, value, is_text) of the public fields a reviewer compares."""

    def label(name: str) -> str:
        return str(capfirst(Technology._meta.get_field(name).verbose_name))

    modes = dict(technology._meta.get_field("transaction_modes").base_field.choices)
    return [
        (label("organization"), technology.organization.display_name, False),
        (label("status"), technology.get_status_display(), False),
        (label("title_zh"), technology.title_zh, True),
        (label("title_en"), technology.title_en, True),
        (label("summary_zh"), technology.summary_zh, True),
        (label("summary_en"), technology.summary_en, True),
        (label("keywords"), _plain(technology.keywords), True),
        (label("category"), str(technology.category), False),
        (label("trl"), _plain(technology.trl), False),
        (
            label("transaction_modes"),
            _plain([str(modes.get(mode, mode)) for mode in technology.transaction_modes]),
            False,
        ),
        (label("region"), region_label(technology.region), False),
    ]


def duplicate_comparison(*, flag: DuplicateFlag) -> list[ComparedField]:
    """The pair's public fields aligned side by side, differences marked."""
    rows = []
    left_values = _compared_values(flag.technology)
    right_values = _compared_values(flag.candidate)
    for (label, left, is_text), (_label, right, _is_text) in zip(
        left_values, right_values, strict=True
    ):
        if is_text and left != right:
            marked_left, marked_right = _marked(left, right)
        else:
            marked_left = mark_safe(html.escape(left))
            marked_right = mark_safe(html.escape(right))
        rows.append(ComparedField(label, marked_left, marked_right, differs=left != right))
    return rows


def merged_redirect_target(*, user, technology_id: int) -> Technology | None:
    """Where the page of a merged listing sends `user`: the listing it was merged into (followed
    through later merges), when the user may see that one and the merged listing was public
    once or is theirs (an unpublished duplicate's id tells nobody else anything). None: 404."""
    merged = Technology.objects.filter(pk=technology_id, status=TechnologyStatus.MERGED).first()
    if merged is None:
        return None
    insider = is_reviewer(user=user) or merged.organization_id in member_organization_ids(user=user)
    if merged.published_at is None and not insider:
        return None
    target = merged
    for _hop in range(10):
        if target.merged_into_id is None:
            break
        target = Technology.objects.get(pk=target.merged_into_id)
    if target.status == TechnologyStatus.MERGED:
        return None
    return technologies_visible_to(user=user).filter(pk=target.pk).first()
