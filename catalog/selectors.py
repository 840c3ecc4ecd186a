"""Reads of the technology catalogue, shared by the API and the pages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.choices import OrganizationType
from accounts.models import Membership
from catalog.choices import (
    TRL_BAND_RANGES,
    AccessRequestStatus,
    RevisionStatus,
    SearchSort,
    TechnologyStatus,
    TransactionMode,
    TrlBand,
)
from catalog.filtersets import TechnologyFilterSet
from catalog.models import AccessRequest, Category, Technology, TechnologyRevision
from catalog.search import ParsedQuery, highlight, parse_query
from core.regions import region_label


def member_organization_ids(*, user) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_catalog_member_organization_ids", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).values_list("organization_id", flat=True)
        )
        user._catalog_member_organization_ids = cached
    return cached


def technologies_visible_to(*, user) -> QuerySet[Technology]:
    """Published listings for everyone; an organisation's own listings to its members; every
    listing except drafts to reviewers. Anything else is 404."""
    public = Q(status=TechnologyStatus.PUBLISHED)
    if not getattr(user, "is_authenticated", False):
        return Technology.objects.filter(public)
    visible = public | Q(organization_id__in=member_organization_ids(user=user))
    if user.is_reviewer:
        visible |= ~Q(status=TechnologyStatus.DRAFT)
    return Technology.objects.filter(visible)


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
    if user.is_reviewer:
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


def technology_history(*, technology: Technology):
    return technology.events.select_related("actor").order_by("created_at", "pk")


def technology_latest_review(*, technology: Technology):
    """The last reviewer decision (its comments are what the holder has to act on)."""
    return (
        technology.events.filter(
            action__in=["return", "reject", "approve", "change_return", "change_reject"]
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )


# --- search -------------------------------------------------------------------------------------


@dataclass
class TechnologySearch:
    """A filtered, full-text searched and sorted queryset plus what is needed to display it."""

    queryset: QuerySet[Technology]
    parsed_query: ParsedQuery
    filterset: TechnologyFilterSet
    sort: str

    def snippet(self, text: str) -> str:
        return highlight(text, self.parsed_query.highlight_terms)


def _apply_text_query(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    if parsed.is_empty:
        return queryset
    query = SearchQuery(parsed.tsquery(), search_type="raw", config="simple")
    return queryset.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))


def technology_search(
    *, user, params: Mapping | None = None, public_only: bool = True
) -> TechnologySearch:
    """Search technologies: `q` full-text (Chinese segmented, bilingual synonyms), the facet
    filters of TechnologyFilterSet, and `sort` (relevance, newest, price, -price).

    `public_only` limits the search to published listings (the public catalogue); otherwise it
    covers every listing visible to the user.
    """
    params = params or {}
    base = (
        Technology.objects.filter(status=TechnologyStatus.PUBLISHED)
        if public_only
        else technologies_visible_to(user=user)
    )
    filterset = TechnologyFilterSet(data=params, queryset=base)
    queryset = filterset.qs if filterset.is_valid() else base.none()
    parsed = parse_query(str(params.get("q") or ""))
    queryset = _apply_text_query(queryset, parsed)
    sort = str(params.get("sort") or "")
    if sort not in SearchSort.values:
        sort = SearchSort.RELEVANCE if not parsed.is_empty else SearchSort.NEWEST
    if sort == SearchSort.RELEVANCE and parsed.is_empty:
        sort = SearchSort.NEWEST
    ordering = {
        SearchSort.RELEVANCE: [F("rank").desc(), F("published_at").desc(nulls_last=True), "-pk"],
        SearchSort.NEWEST: [F("published_at").desc(nulls_last=True), "-pk"],
        SearchSort.PRICE_ASCENDING: [F("asking_price").asc(nulls_last=True), "-pk"],
        SearchSort.PRICE_DESCENDING: [F("asking_price").desc(nulls_last=True), "-pk"],
    }[sort]
    queryset = queryset.select_related("category__parent", "organization").order_by(*ordering)
    return TechnologySearch(queryset=queryset, parsed_query=parsed, filterset=filterset, sort=sort)


def technology_matches_search(*, technology_id: int, query: str, filters: Mapping) -> bool:
    params = {**filters, "q": query}
    base = Technology.objects.filter(pk=technology_id, status=TechnologyStatus.PUBLISHED)
    filterset = TechnologyFilterSet(data=params, queryset=base)
    if not filterset.is_valid():
        return False
    return _apply_text_query(filterset.qs, parse_query(query)).exists()


def technology_facets(*, search: TechnologySearch) -> dict:
    """Facet counts over the whole result set of a search. Every facet except transaction modes
    (a listing may offer several) partitions the results, so its counts add up to `total`."""
    queryset = search.queryset.order_by()
    ids = queryset.values("pk")
    matched = Technology.objects.filter(pk__in=ids)
    band_counts = {
        f"band_{band.name}": Count("pk", filter=Q(trl__gte=low, trl__lte=high))
        for band, (low, high) in TRL_BAND_RANGES.items()
    }
    mode_counts = {
        f"mode_{mode}": Count("pk", filter=Q(transaction_modes__contains=[mode]))
        for mode in TransactionMode.values
    }
    totals = matched.aggregate(
        total=Count("pk"),
        granted=Count("pk", filter=Q(has_granted_patent=True)),
        **band_counts,
        **mode_counts,
    )
    total = totals["total"]
    categories = matched.values("category__parent_id", "category_id").annotate(count=Count("pk"))
    category_names = {c.pk: c for c in Category.objects.all()}
    tree: dict[int, dict] = {}
    for row in categories:
        parent = category_names[row["category__parent_id"]]
        child = category_names[row["category_id"]]
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
        node["count"] += row["count"]
        node["children"].append(
            {
                "value": child.code,
                "label": child.name,
                "count": row["count"],
                "sort": child.sort_key,
            }
        )
    category_tree = sorted(tree.values(), key=lambda node: node["sort"])
    for node in category_tree:
        node["children"].sort(key=lambda child: child["sort"])
        del node["sort"]
        for child in node["children"]:
            del child["sort"]
    regions = sorted(
        (
            {"value": row["region"], "label": region_label(row["region"]), "count": row["count"]}
            for row in matched.values("region").annotate(count=Count("pk"))
        ),
        key=lambda item: (-item["count"], item["value"]),
    )
    kinds = dict(OrganizationType.choices)
    holder_types = sorted(
        (
            {
                "value": row["organization__kind"],
                "label": str(kinds[row["organization__kind"]]),
                "count": row["count"],
            }
            for row in matched.values("organization__kind").annotate(count=Count("pk"))
        ),
        key=lambda item: (-item["count"], item["value"]),
    )
    return {
        "total": total,
        "category": category_tree,
        "trl_band": [
            {"value": band.value, "label": str(band.label), "count": totals[f"band_{band.name}"]}
            for band in TrlBand
        ],
        "transaction_mode": [
            {"value": mode.value, "label": str(mode.label), "count": totals[f"mode_{mode.value}"]}
            for mode in TransactionMode
        ],
        "region": regions,
        "holder_type": holder_types,
        "has_granted_patent": [
            {"value": "true", "label": _("Yes"), "count": totals["granted"]},
            {"value": "false", "label": _("No"), "count": total - totals["granted"]},
        ],
    }
