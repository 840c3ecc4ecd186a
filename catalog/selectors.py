"""Reads of the technology catalogue, shared by the API and the pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import (
    BooleanField,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _

from accounts.choices import OrganizationType
from accounts.permissions import (
    expert_standing,
    is_member,
    is_reviewer,
    member_organization_ids,
    members_of,
)
from catalog import search_cache
from catalog.choices import (
    TRL_BAND_RANGES,
    TRL_DEFINITIONS,
    AccessRequestStatus,
    RevisionStatus,
    SearchSort,
    TechnologyAction,
    TechnologyStatus,
    TransactionMode,
    TrlAssessmentStatus,
    TrlBand,
    TrlReadiness,
)
from catalog.completeness import Completeness, technology_completeness
from catalog.filtersets import TechnologyFilterSet
from catalog.models import (
    FRESHNESS_STATUSES,
    AccessRequest,
    CatalogPolicy,
    Category,
    Favourite,
    Inquiry,
    SavedSearch,
    Technology,
    TechnologyAttachment,
    TechnologyPatent,
    TechnologyPerformanceFigure,
    TechnologyQuerySet,
    TechnologyResourceSaving,
    TechnologyRevision,
    TechnologySearchEntry,
    TrlAssessment,
)
from catalog.search import ParsedQuery, highlight, parse_query
from catalog.visibility import EVENT_ACTION_CLEARANCE, EVENT_FIELDS, TECHNOLOGY_FIELDS
from core.db import on_replica, read_replica
from core.freshness import confirmation_due_q
from core.labels import field_label
from core.regions import region_label
from core.visibility import Clearance, actor_label


def technologies_visible_to(*, user) -> QuerySet[Technology]:
    """Published listings for everyone; an organisation's own listings to its members; every
    listing except drafts to reviewers. Anything else is 404."""
    return Technology.objects.filter(_visible_q(user=user))


def latest_published_technologies(
    *, limit: int, granted_patent: bool = False, min_trl: int | None = None
) -> list[Technology]:
    """The newest published listings (the home page's "latest" and "featured"), with what a
    card shows; one query, by the published_at index."""
    queryset = Technology.objects.filter(status=TechnologyStatus.PUBLISHED)
    if granted_patent:
        queryset = queryset.filter(has_granted_patent=True)
    if min_trl is not None:
        queryset = queryset.filter(trl__gte=min_trl)
    return list(
        queryset.select_related("organization", "category").order_by("-published_at", "-pk")[:limit]
    )


def technology_with_detail_rows(*, pk: int) -> Technology:
    """One technology with every row its API detail shows (offers, IP, figures, savings,
    attachments) fetched up front."""
    return (
        Technology.objects.prefetch_related(
            "offers",
            "patents",
            "performance_figures",
            "resource_savings",
            "attachments",
            "translations",
        )
        .select_related("category", "organization")
        .get(pk=pk)
    )


def technology_page_nested_rows(
    *, technologies: list[Technology], confidential_ids: set[int]
) -> None:
    """Fetch the rows nested in the API representation of a page of technologies into plain
    lists, `prefetched_<relation>` (one query per relation): offers, patents and resource
    savings of every technology; performance figures, confidential, only of the technologies
    in `confidential_ids` (the others do not show them).

    A list attribute is set once per technology, where a prefetch into the related manager
    builds and caches a queryset per technology and relation (80 querysets for a page of 20).
    """
    public = ("offers", "patents", "resource_savings")
    prefetch_related_objects(
        technologies,
        *(Prefetch(relation, to_attr=f"prefetched_{relation}") for relation in public),
    )
    prefetch_related_objects(
        [technology for technology in technologies if technology.pk in confidential_ids],
        Prefetch("performance_figures", to_attr="prefetched_performance_figures"),
    )


def technologies_of_user(*, user) -> QuerySet[Technology]:
    return (
        Technology.objects.filter(organization_id__in=member_organization_ids(user=user))
        .select_related("category", "organization")
        .order_by("-updated_at", "-pk")
    )


def confidential_access_ids(*, user, technologies: Iterable[Technology]) -> set[int]:
    """Ids among `technologies` whose confidential detail the user may see (one query at most)."""
    technologies = list(technologies)
    if not technologies or not getattr(user, "is_authenticated", False):
        return set()
    if is_reviewer(user=user):
        return {t.pk for t in technologies}
    own = set(member_organization_ids(user=user))
    allowed = {t.pk for t in technologies if t.organization_id in own}
    others = [t.pk for t in technologies if t.pk not in allowed]
    if others:
        allowed |= set(
            AccessRequest.objects.filter(
                user=user, technology_id__in=others, status=AccessRequestStatus.APPROVED
            ).values_list("technology_id", flat=True)
        )
    return allowed


def can_view_confidential(*, user, technology: Technology) -> bool:
    return technology.pk in confidential_access_ids(user=user, technologies=[technology])


def catalog_policy(*, for_update: bool = False) -> CatalogPolicy:
    """The catalogue's settings row, created with the defaults when it is missing."""
    rows = CatalogPolicy.objects.select_for_update() if for_update else CatalogPolicy.objects
    policy, _created = rows.get_or_create(pk=CatalogPolicy.SINGLETON_PK)
    return policy


@dataclass(frozen=True)
class CompletenessChecklist:
    """A listing's completeness with the minimum it needs to be submitted (pages and API)."""

    completeness: Completeness
    minimum: int

    @property
    def score(self) -> int:
        return self.completeness.score

    @property
    def reaches_minimum(self) -> bool:
        return self.completeness.score >= self.minimum


def technology_checklist(*, technology: Technology) -> CompletenessChecklist:
    """The checklist of one listing, computed from its rows (prefetched ones are used)."""
    return CompletenessChecklist(
        completeness=technology_completeness(technology),
        minimum=catalog_policy().minimum_completeness,
    )


def technologies_awaiting_review() -> QuerySet[Technology]:
    return (
        Technology.objects.filter(status=TechnologyStatus.SUBMITTED)
        .select_related("organization", "category")
        .order_by("submitted_at", "pk")
    )


def revisions_awaiting_review() -> QuerySet[TechnologyRevision]:
    return (
        TechnologyRevision.objects.filter(status=RevisionStatus.SUBMITTED)
        .select_related("technology__organization", "technology__category", "created_by")
        .order_by("created_at", "pk")
    )


def technology_insider(*, user, technology: Technology) -> bool:
    """A member of the holder or a reviewer: may see every field of the listing."""
    return is_reviewer(user=user) or is_member(user=user, organization=technology.organization_id)


def technology_clearance(*, user, technology: Technology) -> Clearance:
    """How much of `technology` the user may see (catalog.visibility): everything as a member of
    the holder or a reviewer, the confidential detail after an approved access request, the
    public fields otherwise."""
    if technology_insider(user=user, technology=technology):
        return Clearance.INTERNAL
    if can_view_confidential(user=user, technology=technology):
        return Clearance.CONFIDENTIAL
    return Clearance.PUBLIC


def technology_history(*, technology: Technology):
    """The raw history rows (for services and insiders' code); views show
    technology_history_for(), which applies the field policy."""
    return technology.events.select_related("actor").order_by("created_at", "pk")


def _redacted_change(change: dict, clearance: Clearance) -> dict:
    """A change as the reader may see it, with the field's translated name as `label`."""
    name = str(change.get("field", ""))
    label = field_label(Technology, name)
    if TECHNOLOGY_FIELDS.visible(name, clearance):
        return {**change, "label": label}
    return {"field": name, "label": label, "redacted": True}


def technology_history_for(*, technology: Technology, user) -> list[dict]:
    """The history of `technology` as `user` may see it (one query for the rows).

    The only place history rows are turned into what a reader sees, for the API and the pages:
    a change of a field the reader may not see (the confidential description to the public)
    keeps its field name but loses its old and new values; a note (an attachment's file name,
    a reviewer's comment, a withdrawal reason) is shown only at its `note_clearance`; reviewers'
    field comments and the NDA decisions (who was given access) only to insiders; the actor by
    display name, never by e-mail address but to reviewers."""
    clearance = technology_clearance(user=user, technology=technology)
    holder_name = technology.organization.display_name
    events = (
        technology.events.select_related("actor")
        .annotate(
            actor_in_holder=Exists(
                members_of(technology.organization_id).filter(pk=OuterRef("actor_id"))
            )
        )
        .order_by("created_at", "pk")
    )
    shown = []
    for event in events:
        if EVENT_ACTION_CLEARANCE.get(event.action, Clearance.PUBLIC) > clearance:
            continue
        row = {
            "action": event.action,
            "action_label": event.action_label,
            "from_status_label": event.from_status_label,
            "to_status_label": event.to_status_label,
            "actor": actor_label(
                event.actor,
                viewer=user,
                organization_name=holder_name if event.actor_in_holder else "",
            ),
            "from_status": event.from_status,
            "to_status": event.to_status,
            "note": event.note,
            "field_comments": event.field_comments,
            "field_comment_rows": event.labelled_field_comments,
            "changes": [_redacted_change(change, clearance) for change in event.changes or []],
            "created_at": event.created_at,
        }
        visible = EVENT_FIELDS.redact(row, clearance)
        if event.note_clearance <= clearance:  # the event may open its note wider
            visible["note"] = event.note
        shown.append(visible)
    return shown


# The history entries whose comments the holder has to act on (an approved change needs nothing).
LATEST_REVIEW_ACTIONS = (
    TechnologyAction.RETURN,
    TechnologyAction.REJECT,
    TechnologyAction.APPROVE,
    TechnologyAction.CHANGE_RETURN,
    TechnologyAction.CHANGE_REJECT,
)


def technology_latest_review(*, technology: Technology):
    """The last reviewer decision (its comments are what the holder has to act on)."""
    return (
        technology.events.filter(action__in=LATEST_REVIEW_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


# --- search -------------------------------------------------------------------------------------
#
# Searches run on TechnologySearchEntry (catalog_technologysearchentry), a narrow row per
# technology kept in step by triggers: the filter fields, the sort keys and the search vector,
# without the wide texts. A search is answered in one of two ways, chosen by its size:
#
# * exact (at most EXACT_COUNT_LIMIT matches): one pass over the matching entries yields the exact
#   total, the facet counts and the first RANK_CANDIDATES rows in a cheap order; only those
#   candidates are ranked with ts_rank:
#     - sort by relevance: candidates are the matches naming the query in an A-weighted field
#       (title, keywords, their concepts) first, newest first; when the matches are at most
#       RANK_CANDIDATES the candidates are all matches and the order is exactly ts_rank's. Beyond
#       the candidates (deep pages) the remaining matches follow, ranked by ts_rank.
#     - sort by newest or price: the candidates are the exact first rows of that order.
#   The pass reads at most EXACT_COUNT_LIMIT + 1 matches: one more says "too many to count".
# * estimated (more matches): counting, grouping and ordering every match grows with the
#   catalogue. The total and the facet counts are estimated from a fixed-size block sample of the
#   entries (TABLESAMPLE SYSTEM, repeatable, about ESTIMATE_SAMPLE_ROWS rows whatever the size of
#   the catalogue), flagged as estimates wherever they are shown; the ranked head is the
#   ESTIMATE_CANDIDATES newest matches (read along the newest-first index) ranked by ts_rank,
#   and only that head can be paged through (a deeper page is refused with a clear message).
# The page's rows are then read from catalog_technology by primary key. The answer of a search
# matching thousands of listings is cached until the next change of any search entry.

RANK_CANDIDATES = 1000
EXACT_COUNT_LIMIT = 5000
ESTIMATE_SAMPLE_ROWS = 10000
ESTIMATE_CANDIDATES = 200
# A search that matched more than EXACT_COUNT_LIMIT before the last change is sampled first; an
# estimate above ESTIMATE_SURE_FACTOR times the limit is kept without an exact pass.
ESTIMATE_SURE_FACTOR = 1.5
# The same blocks are sampled on every search, so a reload shows the same estimate.
SAMPLE_SEED = 17


def _visible_q(*, user) -> Q:
    """Published listings for everyone; an organisation's own listings to its members; every
    listing except drafts to reviewers (the fields exist on Technology and its search entry)."""
    public = Q(status=TechnologyStatus.PUBLISHED)
    if not getattr(user, "is_authenticated", False):
        return public
    visible = public | Q(organization_id__in=member_organization_ids(user=user))
    if user.is_reviewer:
        visible |= ~Q(status=TechnologyStatus.DRAFT)
    return visible


_SORT_KEYS = {
    SearchSort.NEWEST: ("published_at", True),
    SearchSort.PRICE_ASCENDING: ("asking_price", False),
    SearchSort.PRICE_DESCENDING: ("asking_price", True),
    SearchSort.TRL_DESCENDING: ("trl", True),
}
_FACET_COLUMNS = (
    "technology_id",
    "category_id",
    "region",
    "organization__kind",
    "trl",
    "has_granted_patent",
    "transaction_modes",
)
# Facet rows of the CTE `{source}`, one GROUPING SETS pass (the CTE has _FACET_COLUMNS' names).
_FACETS_SQL = """
    SELECT CASE
            WHEN GROUPING(category_id) = 0 THEN 'category'
            WHEN GROUPING(region) = 0 THEN 'region'
            WHEN GROUPING(holder_kind) = 0 THEN 'holder_type'
            WHEN GROUPING(trl) = 0 THEN 'trl'
            WHEN GROUPING(has_granted_patent) = 0 THEN 'granted'
            ELSE 'modes' END,
        COALESCE(category_id::text, region, holder_kind, trl::text,
                 has_granted_patent::text, array_to_string(transaction_modes, ',')),
        count(*)
    FROM {source} {where}
    GROUP BY GROUPING SETS ((category_id), (region), (holder_kind), (trl),
                            (has_granted_patent), (transaction_modes))
"""


def _sort_sql(column: str, descending: bool) -> str:
    direction = "DESC" if descending else "ASC"
    return f"{column} {direction} NULLS LAST, technology_id DESC"


def _sort_keys(sort: str) -> list:
    if sort == SearchSort.RELEVANCE:
        return [F("published_at").desc(nulls_last=True), F("technology_id").desc()]
    column, descending = _SORT_KEYS[sort]
    key = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return [key, F("technology_id").desc()]


def _cte_names(columns: list[str]) -> str:
    return ", ".join(columns).replace("organization__kind", "holder_kind")


def _ranked_head_sql(source: str) -> str:
    """The rows (technology_id, published_at) of `source` ranked by ts_rank (the vectors read by
    key), as ('id', technology_id, position) rows; one parameter: the tsquery text."""
    return f"""
        SELECT 'id' AS facet, head.technology_id::text AS key,
               row_number() OVER (ORDER BY
                   ts_rank(entry.search_vector, to_tsquery('simple', %s)) DESC,
                   head.published_at DESC NULLS LAST, head.technology_id DESC) AS n
        FROM {source} AS head
        JOIN {TechnologySearchEntry._meta.db_table} AS entry
          ON entry.technology_id = head.technology_id
    """


def _head_ids(rows: list[tuple]) -> list[int]:
    """The ids of the ('id', technology_id, position) rows of a statement, in position order."""
    return [
        int(key)
        for _facet, key, _n in sorted((r for r in rows if r[0] == "id"), key=lambda r: r[2])
    ]


class _ResultSet:
    """The ordered ids, total and facet rows of one search, computed on first use: exact up to
    EXACT_COUNT_LIMIT matches, estimated from a sample beyond (`is_estimate`)."""

    def __init__(self, entries: QuerySet, parsed: ParsedQuery, sort: str):
        self.entries = entries
        self.alias = entries.db
        self.sort = sort
        self.text = None if parsed.is_empty else parsed.tsquery()
        self.title_text = None if parsed.is_empty else parsed.tsquery("A")
        self._result: search_cache.ScanResult | None = None

    def _query(self) -> SearchQuery:
        return SearchQuery(self.text, search_type="raw", config="simple")

    def _run(self, sql: str, params: list) -> list[tuple]:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _scan(self) -> None:
        """The search's result from the cache, or computed (exact or estimated) and stored. The
        cache lives on the primary, keyed by the exact statement; a miss read from the replica is
        stored only if the replica had replayed everything committed when the generation was
        read."""
        if self._result is not None:
            return
        if self.entries.query.is_empty():
            self._result = search_cache.ScanResult(total=0, head=[], facet_rows=[])
            return
        exact_sql, exact_params = self._exact_statement()
        replica = on_replica(self.alias)
        cached = search_cache.lookup(exact_sql, exact_params, for_replica=replica)
        if cached.hit is not None:
            self._result = cached.hit
            return
        if replica and cached.storable:
            cached = search_cache.confirmed_by_replica(cached, alias=self.alias)

        def exact() -> search_cache.ScanResult | None:
            return self._exact_result(self._run(exact_sql, exact_params))

        estimate = self._estimate

        if (cached.last_total or 0) <= EXACT_COUNT_LIMIT:
            result = exact() or estimate()
        else:
            # The same search matched many before the last change: sample first, and count
            # exactly only if the estimate is too close to the limit to be sure (a search of at
            # most EXACT_COUNT_LIMIT matches needs an improbable sample, five standard deviations
            # off at 500,000 listings, to be estimated above ESTIMATE_SURE_FACTOR times that).
            result = estimate()
            if result.total <= ESTIMATE_SURE_FACTOR * EXACT_COUNT_LIMIT:
                result = exact() or result
        if result.sample_percent is not None:
            # More than EXACT_COUNT_LIMIT match (the exact pass said so), whatever the sample.
            result = replace(result, total=max(EXACT_COUNT_LIMIT + 1, result.total))
        search_cache.store(cached, result)
        self._result = result

    def _exact_statement(self) -> tuple[str, list]:
        """One statement reads at most EXACT_COUNT_LIMIT + 1 matching entries; when they are at
        most EXACT_COUNT_LIMIT it yields the exact total, the facet counts (GROUPING SETS) and
        the first RANK_CANDIDATES ids in the cheap order (for a relevance sort ranked with
        ts_rank); otherwise only the count (and None is returned).

        The limit is applied outside the CTE of every match: a CTE is planned for reading all
        its rows, whereas a LIMIT inside tempts the planner into a sequential scan "until
        enough rows match", which reads the whole table when fewer match. Rows of a CTE are
        produced as they are read, so the bitmap heap scan still stops after the limit."""
        columns = list(_FACET_COLUMNS)
        entries = self.entries.order_by()
        if self.sort == SearchSort.RELEVANCE:
            title = SearchQuery(self.title_text, search_type="raw", config="simple")
            entries = entries.annotate(in_title=Match(F("search_vector"), title))
            columns += ["in_title", "published_at"]
            order = "in_title DESC, " + _sort_sql("published_at", True)
        else:
            column, descending = _SORT_KEYS[self.sort]
            if column not in columns:  # TRL is already read for its facet
                columns.append(column)
            order = _sort_sql(column, descending)
        inner, params = entries.values_list(*columns).query.sql_with_params()
        # Each branch runs only if the matches are few enough (a one-time filter).
        few = "(SELECT n FROM size) <= %s"
        if self.sort == SearchSort.RELEVANCE:
            candidates = (
                f"(SELECT technology_id, published_at FROM matched ORDER BY {order} LIMIT %s)"
            )
            head_sql = _ranked_head_sql(candidates) + f" WHERE {few}"
            head_params = [self.text, RANK_CANDIDATES, EXACT_COUNT_LIMIT]
        else:
            head_sql = f"""
                SELECT 'id' AS facet, technology_id::text AS key,
                       row_number() OVER (ORDER BY {order}) AS n
                FROM (SELECT * FROM matched WHERE {few} ORDER BY {order} LIMIT %s) AS head
            """
            head_params = [EXACT_COUNT_LIMIT, RANK_CANDIDATES]
        sql = f"""
            WITH every_match ({_cte_names(columns)}) AS MATERIALIZED ({inner}),
                 matched AS MATERIALIZED (SELECT * FROM every_match LIMIT %s),
                 size AS (SELECT count(*) AS n FROM matched)
            ({head_sql})
            UNION ALL
            ({_FACETS_SQL.format(source="matched", where=f"WHERE {few}")})
            UNION ALL
            (SELECT 'size', NULL, n FROM size)
        """
        return sql, [*params, EXACT_COUNT_LIMIT + 1, *head_params, EXACT_COUNT_LIMIT]

    @staticmethod
    def _exact_result(rows: list[tuple]) -> search_cache.ScanResult | None:
        total = next(count for facet, _key, count in rows if facet == "size")
        if total > EXACT_COUNT_LIMIT:
            return None
        return search_cache.ScanResult(
            total=total,
            head=_head_ids(rows),
            facet_rows=[row for row in rows if row[0] not in ("id", "size")],
        )

    def _estimate_statement(self) -> tuple[str, list]:
        """Total and facet counts estimated from a block sample of about ESTIMATE_SAMPLE_ROWS
        entries (scaled by the sampled share), in one statement."""
        sampled, params = (
            self.entries.order_by().values_list(*_FACET_COLUMNS).query.sql_with_params()
        )
        table = f'FROM "{TechnologySearchEntry._meta.db_table}"'
        if table not in sampled:  # pragma: no cover - Django always names the base table
            raise RuntimeError("the search statement does not read the search entries")
        sampled = sampled.replace(
            table,
            f"{table} TABLESAMPLE SYSTEM ((SELECT percent FROM share)) REPEATABLE ({SAMPLE_SEED})",
            1,
        )
        sql = f"""
            WITH share AS (
                SELECT LEAST(100, 100.0 * %s / GREATEST(reltuples, 1))::float8 AS percent
                FROM pg_class WHERE oid = '{TechnologySearchEntry._meta.db_table}'::regclass
            ),
            sampled ({_cte_names(list(_FACET_COLUMNS))}) AS MATERIALIZED ({sampled})
            ({_FACETS_SQL.format(source="sampled", where="")})
            UNION ALL
            (SELECT 'sample', percent::text, (SELECT count(*) FROM sampled) FROM share)
        """
        return sql, [ESTIMATE_SAMPLE_ROWS, *params]

    def _estimate(self) -> search_cache.ScanResult:
        """The sampled estimate with its head: the first ESTIMATE_CANDIDATES matches in the sort
        order (for relevance: the newest matches, ranked by ts_rank). The planner reads them
        along the newest-first index (stopping after ESTIMATE_CANDIDATES matches) or from the
        bitmap of the matches, whichever it expects to be cheaper. Forcing the bitmap was
        measured slower at 500,000 entries for a search matching 15,000 (374 ms against about
        280 ms under load 9): both read about one heap page per match passed."""
        result = self._estimate_result(self._run(*self._estimate_statement()))
        keys = _sort_keys(self.sort)
        if self.sort == SearchSort.RELEVANCE:
            newest, newest_params = (
                self.entries.order_by(*keys)
                .values_list("technology_id", "published_at")[:ESTIMATE_CANDIDATES]
                .query.sql_with_params()
            )
            head_sql = _ranked_head_sql(f"({newest})")
            head_params = [self.text, *newest_params]
        else:
            column, descending = _SORT_KEYS[self.sort]
            first, head_params = (
                self.entries.order_by(*keys)
                .values_list("technology_id", column)[:ESTIMATE_CANDIDATES]
                .query.sql_with_params()
            )
            head_sql = f"""
                SELECT 'id', technology_id::text,
                       row_number() OVER (ORDER BY {_sort_sql(column, descending)})
                FROM ({first}) AS head (technology_id, {column})
            """
        rows = self._run(head_sql, head_params)
        return replace(result, head=_head_ids(rows))

    @staticmethod
    def _estimate_result(rows: list[tuple]) -> search_cache.ScanResult:
        """The sample's counts scaled up by the share sampled (a value seen in the sample
        stands for at least one match)."""
        percent, sample_matches = next(
            (float(key), count) for facet, key, count in rows if facet == "sample"
        )
        scale = 100.0 / percent
        return search_cache.ScanResult(
            total=round(sample_matches * scale),
            head=[],
            facet_rows=[
                (facet, key, max(1, round(count * scale)))
                for facet, key, count in rows
                if facet != "sample"
            ],
            sample_percent=percent,
        )

    @property
    def is_estimate(self) -> bool:
        self._scan()
        return self._result.sample_percent is not None

    @property
    def sample_percent(self) -> float | None:
        self._scan()
        return self._result.sample_percent

    def facet_rows(self) -> list[tuple]:
        """(facet, key, count) rows over every match (computed with the total; estimated and
        scaled from the sample when `is_estimate`)."""
        self._scan()
        return self._result.facet_rows

    def _ranked(self, entries: QuerySet, limits: slice = slice(None)) -> list[int]:
        query = self._query()
        return list(
            entries.annotate(rank=SearchRank(F("search_vector"), query))
            .order_by(F("rank").desc(), F("published_at").desc(nulls_last=True), "-technology_id")
            .values_list("technology_id", flat=True)[limits]
        )

    def total(self) -> int:
        """The number of matches: exact, or an estimate when `is_estimate`."""
        self._scan()
        return self._result.total

    def count(self) -> int:
        """The number of results that can be paged through: every match of an exact search, the
        ranked head of an estimated one."""
        self._scan()
        if self.is_estimate:
            return len(self._result.head)
        return self._result.total

    def ids(self, start: int, stop: int | None) -> list[int]:
        self._scan()
        head = self._result.head
        if (
            self.is_estimate
            or len(head) >= self._result.total
            or (stop is not None and stop <= len(head))
        ):
            return head[start:stop]
        if self.sort != SearchSort.RELEVANCE:
            # The candidates are the exact first rows of this order: read deep pages directly.
            ordered = self.entries.order_by(*_sort_keys(self.sort))
            return list(ordered.values_list("technology_id", flat=True)[start:stop])
        # Deep relevance pages: the matches after the candidates, ranked by ts_rank.
        rest = self._ranked(
            self.entries.exclude(technology_id__in=head),
            slice(max(0, start - len(head)), None if stop is None else stop - len(head)),
        )
        return head[start:] + rest


class Match(Func):
    """`vector @@ query` as a boolean expression (for ordering, not filtering)."""

    template = "(%(expressions)s)"
    arg_joiner = " @@ "
    output_field = BooleanField()


class SearchResultQuerySet(TechnologyQuerySet):
    """The technologies of a search. count(), slices and iteration come from the search's
    _ResultSet (narrow entries, bounded ranking) and fetch only the rows asked for by primary key;
    any other chained call (filter, order_by, ...) drops back to the plain equivalent queryset."""

    _results: _ResultSet | None = None

    def _keep(self, clone):
        clone._results = self._results
        return clone

    def all(self):
        return self._keep(super().all())

    def select_related(self, *fields):
        return self._keep(super().select_related(*fields))

    def prefetch_related(self, *lookups):
        return self._keep(super().prefetch_related(*lookups))

    def count(self) -> int:
        if self._results is None or self._result_cache is not None:
            return super().count()
        return self._results.count()

    def __getitem__(self, key):
        if self._results is None or self._result_cache is not None:
            return super().__getitem__(key)
        if isinstance(key, int):
            if key < 0:
                raise ValueError("Negative indexing is not supported.")
            rows = self[key : key + 1]
            if not rows:
                raise IndexError(key)
            return rows[0]
        if not isinstance(key, slice) or key.step not in (None, 1):
            return super().__getitem__(key)
        if (key.start or 0) < 0 or (key.stop is not None and key.stop < 0):
            raise ValueError("Negative indexing is not supported.")
        start = key.start or 0
        if key.stop is not None and key.stop <= start:
            return []
        return self._rows(self._results.ids(start, key.stop))

    def _fetch_all(self):
        if self._result_cache is None and self._results is not None:
            self._result_cache = self._rows(self._results.ids(0, None))
        super()._fetch_all()

    def _rows(self, ids: list[int]) -> list[Technology]:
        if not ids:
            return []
        fetch = TechnologyQuerySet(self.model, using=self._db).filter(pk__in=ids)
        fetch.query.select_related = self.query.select_related
        fetch._prefetch_related_lookups = self._prefetch_related_lookups
        by_pk = {technology.pk: technology for technology in fetch}
        return [by_pk[pk] for pk in ids if pk in by_pk]


@dataclass
class TechnologySearch:
    """A filtered, full-text searched and sorted queryset plus what is needed to display it."""

    queryset: QuerySet[Technology]
    parsed_query: ParsedQuery
    filterset: TechnologyFilterSet
    sort: str
    results: _ResultSet | None = None

    def snippet(self, text: str) -> str:
        return highlight(text, self.parsed_query.highlight_terms)


def _apply_text_query(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    if parsed.is_empty:
        return queryset
    query = SearchQuery(parsed.tsquery(), search_type="raw", config="simple")
    return queryset.filter(search_vector=query)


def technology_search(
    *, user, params: Mapping | None = None, public_only: bool = True
) -> TechnologySearch:
    """Search technologies: `q` full-text (Chinese segmented, bilingual synonyms), the facet
    filters of TechnologyFilterSet, and `sort` (relevance, newest, price, -price).

    `public_only` limits the search to published listings (the public catalogue); otherwise it
    covers every listing visible to the user.
    """
    params = params or {}
    db = read_replica()
    entries = TechnologySearchEntry.objects.using(db)
    base = (
        entries.filter(status=TechnologyStatus.PUBLISHED)
        if public_only
        else entries.filter(_visible_q(user=user))
    )
    filterset = TechnologyFilterSet(data=params, queryset=base)
    entries = filterset.qs if filterset.is_valid() else base.none()
    parsed = parse_query(str(params.get("q") or ""))
    entries = _apply_text_query(entries, parsed)
    sort = str(params.get("sort") or "")
    if sort not in SearchSort.values:
        sort = SearchSort.RELEVANCE if not parsed.is_empty else SearchSort.NEWEST
    if sort == SearchSort.RELEVANCE and parsed.is_empty:
        sort = SearchSort.NEWEST
    results = _ResultSet(entries, parsed, sort)
    # The equivalent plain queryset (used for anything but count, slices and iteration).
    queryset = SearchResultQuerySet(Technology, using=db).filter(
        pk__in=entries.order_by().values("technology_id")
    )
    if sort == SearchSort.RELEVANCE:
        query = SearchQuery(parsed.tsquery(), search_type="raw", config="simple")
        queryset = queryset.annotate(rank=SearchRank(F("search_entry__search_vector"), query))
    ordering = {
        SearchSort.RELEVANCE: [F("rank").desc(), F("published_at").desc(nulls_last=True), "-pk"],
        SearchSort.NEWEST: [F("published_at").desc(nulls_last=True), "-pk"],
        SearchSort.PRICE_ASCENDING: [F("asking_price").asc(nulls_last=True), "-pk"],
        SearchSort.PRICE_DESCENDING: [F("asking_price").desc(nulls_last=True), "-pk"],
        SearchSort.TRL_DESCENDING: [F("trl").desc(), "-pk"],
    }[sort]
    queryset = queryset.order_by(*ordering)
    queryset._results = results
    queryset = queryset.select_related("category__parent", "organization")
    return TechnologySearch(
        queryset=queryset, parsed_query=parsed, filterset=filterset, sort=sort, results=results
    )


def technology_matches_search(*, technology_id: int, query: str, filters: Mapping) -> bool:
    params = {**filters, "q": query}
    base = TechnologySearchEntry.objects.filter(
        technology_id=technology_id, status=TechnologyStatus.PUBLISHED
    )
    filterset = TechnologyFilterSet(data=params, queryset=base)
    if not filterset.is_valid():
        return False
    return _apply_text_query(filterset.qs, parse_query(query)).exists()


def technology_facets(*, search: TechnologySearch) -> dict:
    """Facet counts over the whole result set of a search (from the same single pass as the
    total). Every facet except transaction modes (a listing may offer several) partitions the
    results, so its counts add up to `total`. Beyond EXACT_COUNT_LIMIT matches the total and
    every count are estimates from a sample (`total_is_estimate`), rounded by whoever shows them."""
    rows = search.results.facet_rows()
    counts: dict[str, dict[str, int]] = {}
    for kind, key, count in rows:
        counts.setdefault(kind, {})[key] = count
    total = search.results.total()
    granted = counts.get("granted", {}).get("true", 0)
    not_granted = counts.get("granted", {}).get("false", 0)
    trl_counts = {int(key): count for key, count in counts.get("trl", {}).items()}
    mode_counts = dict.fromkeys(TransactionMode.values, 0)
    for key, count in counts.get("modes", {}).items():
        for mode in set(key.split(",")) if key else ():
            if mode in mode_counts:
                mode_counts[mode] += count
    category_names = {c.pk: c for c in Category.objects.using(search.results.alias)}
    tree: dict[int, dict] = {}
    for key, count in counts.get("category", {}).items():
        child = category_names[int(key)]
        parent = category_names[child.parent_id]
        node = tree.setdefault(
            parent.pk,
            {
                "value": parent.code,
                "label": parent.name,
                "count": 0,
                "children": [],
                "sort": parent.sort_key,
            },
        )
        node["count"] += count
        node["children"].append(
            {"value": child.code, "label": child.name, "count": count, "sort": child.sort_key}
        )
    category_tree = sorted(tree.values(), key=lambda node: node["sort"])
    for node in category_tree:
        node["children"].sort(key=lambda child: child["sort"])
        del node["sort"]
        for child in node["children"]:
            del child["sort"]
    regions = sorted(
        (
            {"value": region, "label": region_label(region), "count": count}
            for region, count in counts.get("region", {}).items()
        ),
        key=lambda item: (-item["count"], item["value"]),
    )
    kinds = dict(OrganizationType.choices)
    holder_types = sorted(
        (
            {"value": kind, "label": str(kinds[kind]), "count": count}
            for kind, count in counts.get("holder_type", {}).items()
        ),
        key=lambda item: (-item["count"], item["value"]),
    )
    return {
        "total": total,
        "total_is_estimate": search.results.is_estimate,
        "category": category_tree,
        "trl_band": [
            {
                "value": band.value,
                "label": str(band.label),
                "count": sum(
                    trl_counts.get(level, 0)
                    for level in range(TRL_BAND_RANGES[band][0], TRL_BAND_RANGES[band][1] + 1)
                ),
            }
            for band in TrlBand
        ],
        "transaction_mode": [
            {"value": mode.value, "label": str(mode.label), "count": mode_counts[mode.value]}
            for mode in TransactionMode
        ],
        "region": regions,
        "holder_type": holder_types,
        "has_granted_patent": [
            {"value": "true", "label": _("Yes"), "count": granted},
            {"value": "false", "label": _("No"), "count": not_granted},
        ],
    }


# --- what the holder's and the reader's pages show ------------------------------------------------


def access_request_of(*, user, technology: Technology) -> AccessRequest | None:
    """The user's own request for the confidential detail of `technology`, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return AccessRequest.objects.filter(technology=technology, user=user).first()


def access_requests_decidable_by(*, user) -> QuerySet[AccessRequest]:
    """Access requests for the listings of the user's organisations (the holder decides)."""
    return AccessRequest.objects.select_related("technology", "user").filter(
        technology__organization_id__in=member_organization_ids(user=user)
    )


def access_requests_of_technology(*, technology: Technology) -> QuerySet[AccessRequest]:
    return technology.access_requests.select_related("user")


def inquiries_of_technology(*, technology: Technology) -> QuerySet[Inquiry]:
    return technology.inquiries.select_related("user", "organization")


def attachments_shown(*, technology: Technology, confidential: bool) -> list[TechnologyAttachment]:
    """The attachments of `technology` a reader sees: the confidential ones only with access."""
    return [a for a in technology.attachments.all() if confidential or not a.confidential]


def gallery_of(attachments: Iterable[TechnologyAttachment]) -> list[TechnologyAttachment]:
    """The public pictures among `attachments`: a confidential picture is never in a gallery
    (nor a search result), whoever reads, so the page shows no URL of it to anyone."""
    return [a for a in attachments if a.is_image and not a.confidential]


def documents_of(attachments: Iterable[TechnologyAttachment]) -> list[TechnologyAttachment]:
    """Attachments listed as documents: everything the gallery does not show."""
    gallery = {a.pk for a in gallery_of(attachments)}
    return [a for a in attachments if a.pk not in gallery]


def card_pictures(*, technology_ids: Iterable[int]) -> dict[int, TechnologyAttachment]:
    """The first public picture of each technology (one query), for result cards."""
    pictures: dict[int, TechnologyAttachment] = {}
    rows = (
        TechnologyAttachment.objects.filter(
            technology_id__in=list(technology_ids), confidential=False
        )
        .exclude(thumbnail="")
        .only("pk", "technology_id", "name", "thumbnail", "confidential")
        .order_by("pk")
    )
    for attachment in rows:
        pictures.setdefault(attachment.technology_id, attachment)
    return pictures


def favourite_ids(*, user, technology_ids: Iterable[int]) -> set[int]:
    """Which of `technology_ids` the user has starred (one query; none for visitors)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Favourite.objects.filter(user=user, technology_id__in=list(technology_ids)).values_list(
            "technology_id", flat=True
        )
    )


def favourites_of(*, user) -> QuerySet[Favourite]:
    """A user's own favourites whose listing is still published (a withdrawn one drops out of
    the list and comes back when it is published again), newest star first."""
    if not getattr(user, "is_authenticated", False):
        return Favourite.objects.none()
    return Favourite.objects.filter(
        user=user, technology__status=TechnologyStatus.PUBLISHED
    ).select_related("technology__category__parent", "technology__organization")


def technology_detail_rows(*, technology: Technology, confidential: bool) -> dict[str, list]:
    """The rows the detail page lists: offers, IP records, resource savings, and the performance
    figures only to readers of the confidential detail."""
    return {
        "offers": list(technology.offers.all()),
        "patents": list(technology.patents.all()),
        "figures": list(technology.performance_figures.all()) if confidential else [],
        "savings": list(technology.resource_savings.all()),
    }


def attachments_with_technology() -> QuerySet[TechnologyAttachment]:
    return TechnologyAttachment.objects.select_related("technology")


def saved_searches_of(*, user) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user)


def technology_form_initial(*, technology: Technology) -> tuple[dict, list, list, list]:
    """The edit form's initial values of `technology` and of its patent, figure and saving rows."""
    offers = list(technology.offers.all())
    price = next((o.asking_price for o in offers if o.asking_price is not None), None)
    initial = {
        field: getattr(technology, field)
        for field in Technology.EDITABLE_FIELDS
        if field not in ("category", "keywords")
    }
    initial.update(
        category=technology.category.code,
        keywords=", ".join(technology.keywords),
        transaction_modes=[o.mode for o in offers],
        asking_price=price,
        license_exclusive=any(o.exclusive for o in offers),
    )
    patents = list(technology.patents.values(*TechnologyPatent.EDITABLE_FIELDS))
    figures = list(
        technology.performance_figures.values(*TechnologyPerformanceFigure.EDITABLE_FIELDS)
    )
    savings = list(technology.resource_savings.values(*TechnologyResourceSaving.EDITABLE_FIELDS))
    return initial, patents, figures, savings


# --- workspace to-dos -----------------------------------------------------------------------


def catalog_workspace_todos(*, user) -> list[dict]:
    """Listings (and changes of published ones) a reviewer must decide; returned listings the
    holder's organisations must fix."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from accounts.workspace import queue_todo

    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    if is_reviewer(user=user):
        queue = reverse("catalog:review_queue")
        items += [
            queue_todo(
                key="technologies_to_review",
                label=gettext_lazy("Technologies to review"),
                queryset=technologies_awaiting_review(),
                url=queue,
                since_field="submitted_at",
            ),
            queue_todo(
                key="technology_changes_to_review",
                label=gettext_lazy("Changes to published technologies to review"),
                queryset=revisions_awaiting_review(),
                url=queue,
                since_field="created_at",
            ),
        ]
    returned = Technology.objects.filter(
        organization_id__in=member_organization_ids(user=user), status=TechnologyStatus.RETURNED
    )
    if user.has_role("holder"):
        items.append(
            queue_todo(
                key="technologies_to_fix",
                label=gettext_lazy("Technologies returned for changes"),
                queryset=returned,
                url=reverse("catalog:my_technologies"),
            )
        )
    if user.has_role("holder"):
        items.append(
            queue_todo(
                key="technologies_to_confirm",
                label=gettext_lazy("Technologies to confirm as current"),
                queryset=technologies_to_confirm(user=user),
                url=reverse("catalog:my_technologies"),
            )
        )
    if is_reviewer(user=user) or expert_standing(user=user) is not None:
        # the claims this reviewer or verified expert may decide: the queue's own selector
        items.append(
            queue_todo(
                key="trl_claims_to_confirm",
                label=gettext_lazy("Readiness level claims to confirm"),
                queryset=trl_assessments_decidable_by(user=user),
                url=reverse("catalog:trl_assessment_queue"),
                since_field="created_at",
            )
        )
    return items


def technologies_to_confirm(*, user) -> QuerySet[Technology]:
    """The user's organisations' published listings that lapse within the reminder window or
    are outdated (core.freshness)."""
    return Technology.objects.filter(
        confirmation_due_q(statuses=FRESHNESS_STATUSES),
        organization_id__in=member_organization_ids(user=user),
    )


def catalog_workspace_figures(*, user) -> list[dict]:
    """A holder's figures: published technologies and the inquiries they drew in 30 days."""
    import datetime

    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.translation import gettext_lazy

    if not getattr(user, "is_authenticated", False) or not user.has_role("holder"):
        return []
    organizations = member_organization_ids(user=user)
    since = timezone.now() - datetime.timedelta(days=30)
    counts = Technology.objects.filter(organization_id__in=organizations).aggregate(
        # distinct: the join with the inquiries repeats each technology once per inquiry
        published=Count("pk", filter=Q(status=TechnologyStatus.PUBLISHED), distinct=True),
        inquiries=Count("inquiries", filter=Q(inquiries__created_at__gte=since), distinct=True),
    )
    return [
        {
            "key": "published_technologies",
            "label": gettext_lazy("Published technologies"),
            "value": counts["published"],
            "url": reverse("catalog:my_technologies"),
        },
        {
            "key": "inquiries_30_days",
            "label": gettext_lazy("Inquiries in the last 30 days"),
            "value": counts["inquiries"],
            "url": f"{reverse('exchange:deal_list')}?stage=inquiry",
        },
    ]


# --- readiness assessments ----------------------------------------------------------------------

# The capacities in which someone may decide a claimed level (catalog.services TRL workflow).
TRL_MEMBER, TRL_REVIEWER, TRL_EXPERT = "member", "reviewer", "expert"


def trl_assessment_actor_roles(*, technology: Technology, user) -> set[str]:
    """`member` for the holder's people (who claim, never decide); `reviewer` and `expert` for
    those who may decide: a reviewer, or a verified expert who does not work for the holder."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if is_member(user=user, organization=technology.organization_id):
        return {TRL_MEMBER}
    roles = set()
    if is_reviewer(user=user):
        roles.add(TRL_REVIEWER)
    standing = expert_standing(user=user)
    if standing is not None and standing.organization_id != technology.organization_id:
        roles.add(TRL_EXPERT)
    return roles


def trl_assessments_of(*, technology: Technology) -> list[TrlAssessment]:
    """Every assessment of a listing, newest claim first, with its evidence and decider."""
    return list(
        technology.trl_assessments.select_related(
            "decided_by", "claimed_by", "decider_organization"
        )
        .prefetch_related("evidence")
        .order_by("-pk")
    )


def _same_context(first: TrlAssessment, second: TrlAssessment) -> bool:
    return (
        " ".join(first.application_context.split()).casefold()
        == " ".join(second.application_context.split()).casefold()
    )


@dataclass(frozen=True)
class Readiness:
    """What a listing says about its readiness: the level, where it comes from (`assessment`,
    None while the holder's declared level was never assessed) and a newer claim awaiting a
    decision in the same context (`pending`)."""

    state: str
    level: int
    assessment: TrlAssessment | None = None
    pending: TrlAssessment | None = None

    @property
    def state_label(self) -> str:
        return str(TrlReadiness(self.state).label)

    @property
    def definition(self) -> str:
        return str(TRL_DEFINITIONS.get(self.level, ""))

    @property
    def is_confirmed(self) -> bool:
        return self.state == TrlReadiness.CONFIRMED


def technology_readiness(
    *, technology: Technology, assessments: list[TrlAssessment] | None = None
) -> Readiness:
    """The current assessed level: the latest confirmed assessment while it still holds for the
    listing's use; the latest claim while none is confirmed. A confirmation does not carry over
    to another application context (ISO 16290): a claim for another context, or a changed
    application scope, makes the listing ask for a reassessment."""
    if assessments is None:
        assessments = trl_assessments_of(technology=technology)
    standing = sorted(
        (row for row in assessments if row.status != TrlAssessmentStatus.REJECTED),
        key=lambda row: row.pk,
        reverse=True,
    )
    if not standing:
        first = min(assessments, key=lambda row: row.pk, default=None)
        declared = first.level_before if first is not None else technology.trl
        return Readiness(state=TrlReadiness.DECLARED, level=declared)
    latest = standing[0]
    confirmed = next((row for row in standing if row.is_confirmed), None)
    if confirmed is None:
        return Readiness(state=TrlReadiness.CLAIMED, level=latest.level, assessment=latest)
    scope_unchanged = confirmed.application_scope_then.strip() == (
        (technology.application_scope or "").strip()
    )
    if scope_unchanged and (latest.pk == confirmed.pk or _same_context(latest, confirmed)):
        return Readiness(
            state=TrlReadiness.CONFIRMED,
            level=confirmed.level,
            assessment=confirmed,
            pending=latest if latest.is_claimed else None,
        )
    return Readiness(state=TrlReadiness.NEEDS_REASSESSMENT, level=latest.level, assessment=latest)


def trl_evidence_clearance(*, user, assessment: TrlAssessment, technology: Technology) -> bool:
    """Whether `user` may read the evidence files (names and contents) of an assessment: the
    holder's members, reviewers, the expert who decided it, and, while it awaits a decision,
    the verified experts who may decide it. Everyone else sees that evidence exists and its hash."""
    if technology_insider(user=user, technology=technology):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if assessment.decided_by_id == user.pk:
        return True
    return assessment.is_claimed and TRL_EXPERT in trl_assessment_actor_roles(
        technology=technology, user=user
    )


def trl_assessments_visible_to(*, user) -> QuerySet[TrlAssessment]:
    """Assessments of the listings the user may see (their confidential parts are decided per
    row by trl_evidence_clearance)."""
    return TrlAssessment.objects.filter(
        technology__in=technologies_visible_to(user=user)
    ).select_related("technology__organization", "decided_by", "claimed_by", "decider_organization")


def trl_assessments_decidable_by(*, user) -> QuerySet[TrlAssessment]:
    """The claims a reviewer or a verified expert may confirm or refuse, oldest first: never the
    claims of their own organisations (nor of the expert's employer)."""
    reviewer = is_reviewer(user=user)
    standing = expert_standing(user=user)
    if not reviewer and standing is None:
        return TrlAssessment.objects.none()
    queryset = (
        trl_assessments_visible_to(user=user)
        .filter(status=TrlAssessmentStatus.CLAIMED)
        .exclude(technology__organization_id__in=member_organization_ids(user=user))
    )
    if not reviewer and standing.organization_id is not None:
        queryset = queryset.exclude(technology__organization_id=standing.organization_id)
    return queryset.prefetch_related("evidence").order_by("created_at", "pk")


def category_label(*, code: str) -> str:
    """A category code as readers read it (`2.4 水污染治理`); an unknown code as given."""
    category = Category.objects.filter(code=code).first()
    return str(category) if category is not None else code
