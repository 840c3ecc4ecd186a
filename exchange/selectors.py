"""Reads for needs, demand lists, proposals, deals and credit, shared by the API and pages."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

from django.db import connections
from django.db.models import Avg, Count, Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import member_organization_ids, member_organizations_subquery
from catalog.models import Category
from core.db import read_replica
from core.freshness import confirmation_due_q
from exchange.choices import (
    DealAction,
    DealStage,
    DocumentKind,
    IntroductionStatus,
    MilestoneKind,
    NeedStatus,
    ProposalStatus,
    TransactionMode,
)
from exchange.crossborder import with_trade_direction
from exchange.models import (
    NEED_FRESHNESS_STATUSES,
    Certificate,
    Deal,
    DealDocument,
    DealEvent,
    DealMessage,
    DealMilestone,
    DealReview,
    DemandList,
    Introduction,
    Need,
    NeedEvent,
    Proposal,
    ProposalMessage,
    Rating,
)
from exchange.search import apply_search

PUBLIC_NEED_STATUSES = (NeedStatus.PUBLISHED, NeedStatus.IN_NEGOTIATION)


def needs_visible_to(*, user) -> QuerySet[Need]:
    """Published needs are public; members see their own; reviewers see everything submitted."""
    visible = Q(status__in=PUBLIC_NEED_STATUSES)
    if getattr(user, "is_authenticated", False):
        visible |= Q(organization_id__in=member_organizations_subquery(user=user))
        if user.is_reviewer:
            visible |= ~Q(status=NeedStatus.DRAFT)
    return Need.objects.filter(visible).select_related("organization", "category")


def needs_public(*, user) -> QuerySet[Need]:
    """The needs the public list shows (published or in negotiation), read from the replica
    when there is one."""
    return needs_visible_to(user=user).filter(status__in=PUBLIC_NEED_STATUSES).using(read_replica())


def need_company_visible(*, need: Need, user, organization_ids: list[int] | None = None) -> bool:
    """Anonymous needs hide the company from everyone but its members and reviewers."""
    if not need.is_anonymous:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_reviewer:
        return True
    if organization_ids is None:
        organization_ids = member_organization_ids(user=user)
    return need.organization_id in organization_ids


def need_history(*, need: Need) -> QuerySet[NeedEvent]:
    return need.events.select_related("actor")


def needs_of_user(*, user) -> QuerySet[Need]:
    return (
        Need.objects.filter(organization_id__in=member_organizations_subquery(user=user))
        .select_related("organization", "category")
        .order_by("-updated_at", "-pk")
    )


def needs_to_confirm(*, user) -> QuerySet[Need]:
    """The user's organisations' listed needs that lapse within the reminder window or are
    outdated (core.freshness)."""
    return Need.objects.filter(
        confirmation_due_q(statuses=NEED_FRESHNESS_STATUSES),
        organization_id__in=member_organizations_subquery(user=user),
    )


def needs_awaiting_review() -> QuerySet[Need]:
    return (
        Need.objects.filter(status=NeedStatus.SUBMITTED)
        .select_related("organization", "category")
        .order_by("submitted_at", "pk")
    )


def need_search(*, queryset: QuerySet[Need], text: str) -> QuerySet[Need]:
    return apply_search(queryset, text)


def need_facets(*, queryset: QuerySet[Need]) -> dict[str, list[dict]]:
    """Counts per category, region, wanted transaction mode and open call over a result set, in
    one pass over the matching needs (GROUPING SETS; a need's mode combination is split here)."""
    inner, params = (
        queryset.order_by()
        .values_list("category_id", "region", "is_open_call", "transaction_modes")
        .query.sql_with_params()
    )
    # Where the result set is read from (the replica for the public list).
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"""
            WITH facet AS (
                SELECT GROUPING(category_id, region, is_open_call) AS grouping, category_id,
                       region, is_open_call, transaction_modes, count(*) AS count
                FROM ({inner}) AS matched (category_id, region, is_open_call, transaction_modes)
                GROUP BY GROUPING SETS ((category_id), (region), (is_open_call),
                                        (transaction_modes))
            )
            SELECT facet.grouping, category.code, category.name_zh, facet.region,
                   facet.is_open_call, facet.transaction_modes, facet.count
            FROM facet
            LEFT JOIN {Category._meta.db_table} AS category ON category.id = facet.category_id
            """,
            params,
        )
        rows = cursor.fetchall()
    categories: list[dict] = []
    regions: dict[str, int] = {}
    open_call: dict[bool, int] = {}
    modes: Counter[str] = Counter()
    for grouping, code, name_zh, region, is_open_call, transaction_modes, count in rows:
        if grouping == 0b011:
            if code is not None:
                categories.append({"code": code, "name_zh": name_zh, "count": count})
        elif grouping == 0b101:
            regions[region] = count
        elif grouping == 0b110:
            open_call[is_open_call] = count
        else:
            for mode in set(transaction_modes or ()):
                modes[mode] += count
    category_rows = sorted(categories, key=lambda row: row["code"])
    labels = dict(TransactionMode.choices)
    return {
        "category": category_rows,
        "region": [
            {"region": region, "count": count}
            for region, count in sorted(regions.items(), key=lambda item: (-item[1], item[0]))
        ],
        "transaction_mode": [
            {"mode": mode, "label": str(labels.get(mode, mode)), "count": count}
            for mode, count in sorted(modes.items(), key=lambda item: (-item[1], item[0]))
        ],
        "open_call": [
            {"is_open_call": value, "count": open_call[value]} for value in sorted(open_call)
        ],
    }


def demand_list_candidates(
    *, period_start: datetime.date, period_end: datetime.date, region: str = "", category=None
) -> QuerySet[Need]:
    needs = Need.objects.filter(
        status__in=PUBLIC_NEED_STATUSES,
        published_at__date__gte=period_start,
        published_at__date__lte=period_end,
    )
    if region:
        needs = needs.filter(region=region)
    if category is not None:
        needs = needs.filter(Q(category=category) | Q(category__parent=category))
    return needs.order_by("published_at", "pk")


def demand_lists_public() -> QuerySet[DemandList]:
    return (
        DemandList.objects.select_related("category")
        .annotate(need_count=Count("needs"))
        .order_by("-published_at", "-pk")
    )


def demand_list_needs(*, demand_list: DemandList) -> QuerySet[Need]:
    return (
        demand_list.needs.select_related("organization", "category")
        .prefetch_related("translations")
        .order_by("published_at", "pk")
    )


# --- deals ----------------------------------------------------------------------------------


def deals_visible_to(*, user) -> QuerySet[Deal]:
    """Only the parties' members, the broker and reviewers see a deal; anyone else gets 404."""
    if not getattr(user, "is_authenticated", False):
        return Deal.objects.none()
    base = with_trade_direction(
        Deal.objects.select_related("technology", "seller", "buyer", "broker", "need")
    )
    if user.is_reviewer:
        return base
    return base.filter(
        Q(seller_id__in=member_organizations_subquery(user=user))
        | Q(buyer_id__in=member_organizations_subquery(user=user))
        | Q(broker=user)
    )


# What the export-control screening reads of a deal's technology, joined once for a list.
DEAL_SCREENING_RELATED = (
    "technology__export_classification__entry",
    "technology__export_classification__declared_entry",
)


def deals_listed(*, user, stage: str = "") -> QuerySet[Deal]:
    """The user's deal list, most recently changed first, optionally one stage."""
    deals = deals_visible_to(user=user).order_by("-updated_at", "-pk")
    return deals.filter(stage=stage) if stage else deals


def deals_awaiting_review() -> QuerySet[Deal]:
    """With what the review checklist needs, so the queue costs no query per deal."""
    contracts = DealDocument.objects.filter(deal_id=OuterRef("pk"), kind=DocumentKind.CONTRACT)
    broker_in_a_party = member_organizations_subquery(user=OuterRef("broker_id")).filter(
        Q(organization_id=OuterRef("seller_id")) | Q(organization_id=OuterRef("buyer_id"))
    )
    return (
        with_trade_direction(Deal.objects.filter(stage=DealStage.SUBMITTED_FOR_REVIEW))
        .select_related("technology", "seller", "buyer", "broker")
        .annotate(contract_attached=Exists(contracts), broker_is_party=Exists(broker_in_a_party))
        .order_by("review_requested_at", "pk")
    )


def deal_timeline(*, deal: Deal) -> QuerySet[DealEvent]:
    return deal.events.select_related("actor").order_by("created_at", "pk")


def deal_milestones(*, deal: Deal) -> QuerySet[DealMilestone]:
    return deal.milestones.all()


def deal_room_messages(*, deal: Deal) -> QuerySet[DealMessage]:
    return deal.messages.select_related("author").prefetch_related("documents")


def deal_rating_subjects_given(*, deal: Deal, organization_ids: list[int]) -> set[str]:
    """What the user's organisations have already rated in this deal (organisation, broker)."""
    return set(deal.ratings.filter(rater_id__in=organization_ids).values_list("subject", flat=True))


def deal_certificate(*, deal: Deal) -> Certificate | None:
    return Certificate.objects.filter(deal=deal).first()


def deal_document(*, deal: Deal, document_id: int) -> DealDocument | None:
    return deal.documents.filter(pk=document_id).first()


def deal_milestone(*, deal: Deal, milestone_id: int) -> DealMilestone | None:
    return deal.milestones.filter(pk=milestone_id).first()


def deal_fresh(*, deal: Deal) -> Deal:
    """The deal as stored now, without the visibility query's joins (a form's instance)."""
    return Deal.objects.get(pk=deal.pk)


def review_turnaround() -> dict:
    """Average and longest time from a request for review to the reviewer's decision."""
    stats = DealReview.objects.aggregate(
        count=Count("pk"),
        average=Avg(F("decided_at") - F("requested_at")),
        longest=Max(F("decided_at") - F("requested_at")),
    )
    return stats


def broker_dashboard(*, user) -> dict:
    deals = Deal.objects.filter(broker=user)
    by_stage = {
        row["stage"]: row["count"]
        for row in deals.values("stage").annotate(count=Count("pk")).order_by()
    }
    stage_rows = [
        {"stage": stage, "label": label, "count": by_stage.get(stage, 0)}
        for stage, label in DealStage.choices
    ]
    commissions = []
    total: dict[str, Decimal] = {}
    for deal in deals.select_related("technology").order_by("-updated_at"):
        value = deal.commission_value
        commissions.append({"deal": deal, "commission": value})
        if value is not None and deal.stage == DealStage.COMPLETED:
            total[deal.currency] = total.get(deal.currency, Decimal(0)) + value
    return {"by_stage": stage_rows, "commissions": commissions, "earned": total}


def organization_ratings_received(organization, *, limit: int = 20) -> QuerySet[Rating]:
    return organization.ratings_received.select_related("rater").order_by("-created_at")[:limit]


def organization_credit(organization) -> dict:
    """An organisation's credit profile (also a feature for the matching engine).

    Keys: completed_deals, cancelled_deals, rating_count, average_rating (None without ratings),
    milestones_done, milestones_on_time, on_time_rate (None without milestones), disputes.
    """
    organization_id = getattr(organization, "pk", organization)
    as_party = Q(seller_id=organization_id) | Q(buyer_id=organization_id)
    deals = Deal.objects.filter(as_party)
    counts = deals.aggregate(
        completed=Count("pk", filter=Q(stage=DealStage.COMPLETED)),
        cancelled=Count("pk", filter=Q(stage=DealStage.CANCELLED)),
    )
    ratings = Rating.objects.filter(rated_organization_id=organization_id).aggregate(
        count=Count("pk"), average=Avg("score")
    )
    milestones = DealMilestone.objects.filter(deal__in=deals, done_at__isnull=False)
    done = milestones.count()
    on_time = sum(1 for milestone in milestones.only("done_at", "due_date") if milestone.on_time)
    disputes = DealEvent.objects.filter(action=DealAction.REPORT_DISPUTE, deal__in=deals).count()
    return {
        "completed_deals": counts["completed"],
        "cancelled_deals": counts["cancelled"],
        "rating_count": ratings["count"],
        "average_rating": round(float(ratings["average"]), 2) if ratings["average"] else None,
        "milestones_done": done,
        "milestones_on_time": on_time,
        "on_time_rate": round(on_time / done, 3) if done else None,
        "disputes": disputes,
    }


def broker_credit(user) -> dict:
    deals = Deal.objects.filter(broker=user)
    ratings = Rating.objects.filter(rated_broker=user).aggregate(
        count=Count("pk"), average=Avg("score")
    )
    return {
        "introductions": Introduction.objects.filter(broker=user).count(),
        "deals": deals.count(),
        "completed_deals": deals.filter(stage=DealStage.COMPLETED).count(),
        "rating_count": ratings["count"],
        "average_rating": round(float(ratings["average"]), 2) if ratings["average"] else None,
        "disputes": DealEvent.objects.filter(
            action=DealAction.REPORT_DISPUTE, deal__in=deals
        ).count(),
    }


def certificate_lookup(number: str) -> tuple[str, Certificate | None]:
    """("genuine", certificate) or ("forged", None): altered numbers fail before any lookup."""
    from exchange.certificates import number_is_authentic

    number = (number or "").strip().upper()
    if not number_is_authentic(number):
        return "forged", None
    certificate = (
        Certificate.objects.select_related(
            "deal__technology", "deal__seller", "deal__buyer", "deal__need"
        )
        .filter(number=number)
        .first()
    )
    if certificate is None:
        return "forged", None
    return "genuine", certificate


# --- proposals and introductions ------------------------------------------------------------


def proposals_for_need(*, need: Need, user) -> QuerySet[Proposal]:
    """The enterprise (and reviewers) see every proposal; a holder sees only its own."""
    proposals = need.proposals.select_related("technology", "organization")
    if not getattr(user, "is_authenticated", False):
        return proposals.none()
    if user.is_reviewer or need.organization_id in member_organization_ids(user=user):
        return proposals
    return proposals.filter(organization_id__in=member_organizations_subquery(user=user))


def proposal_messages(*, proposal: Proposal) -> QuerySet[ProposalMessage]:
    return proposal.messages.select_related("author")


def proposals_visible_to(*, user) -> QuerySet[Proposal]:
    if not getattr(user, "is_authenticated", False):
        return Proposal.objects.none()
    base = Proposal.objects.select_related("need", "technology", "organization")
    if user.is_reviewer:
        return base
    return base.filter(
        Q(organization_id__in=member_organizations_subquery(user=user))
        | Q(need__organization_id__in=member_organizations_subquery(user=user))
    )


def introductions_visible_to(*, user) -> QuerySet[Introduction]:
    if not getattr(user, "is_authenticated", False):
        return Introduction.objects.none()
    base = Introduction.objects.select_related(
        "technology", "enterprise", "need", "broker", "deal", "lead_centre", "partner_centre"
    )
    if user.is_reviewer:
        return base
    return base.filter(
        Q(broker=user)
        | Q(enterprise_id__in=member_organizations_subquery(user=user))
        | Q(technology__organization_id__in=member_organizations_subquery(user=user))
        # co-brokering centres see the introduction they share
        | Q(lead_centre_id__in=member_organizations_subquery(user=user))
        | Q(partner_centre_id__in=member_organizations_subquery(user=user))
    )


# An anonymous need's enterprise is named to the broker and the holder once it accepted.
ENTERPRISE_REVEALED_STATUSES = (IntroductionStatus.BUYER_ACCEPTED, IntroductionStatus.ACCEPTED)


def introduction_enterprise_visible(
    *, introduction: Introduction, user, organization_ids: list[int] | None = None
) -> bool:
    """Whether `user` may learn which enterprise an introduction is for. An introduction to an
    anonymous need keeps the need's anonymity (need_company_visible: its members and reviewers)
    until the enterprise accepts; from then on the parties know each other."""
    need = introduction.need
    if need is None or not need.is_anonymous:
        return True
    if introduction.status in ENTERPRISE_REVEALED_STATUSES:
        return True
    return need_company_visible(need=need, user=user, organization_ids=organization_ids)


def introduction_enterprise_label(
    *, introduction: Introduction, user, organization_ids: list[int] | None = None
) -> str:
    """The enterprise's name, or "Anonymous enterprise" when the user may not know it."""
    if introduction_enterprise_visible(
        introduction=introduction, user=user, organization_ids=organization_ids
    ):
        return introduction.enterprise.display_name
    return _("Anonymous enterprise")


def certificate_facts(*, certificate: Certificate) -> dict:
    """What the public verification shows: parties unless anonymous, technology, type, date,
    amount band."""
    from django.utils.translation import gettext as _

    from exchange.certificates import amount_band_label

    deal = certificate.deal
    return {
        "seller": deal.seller.display_name,
        "buyer": _("Anonymous enterprise") if deal.buyer_is_anonymous else deal.buyer.display_name,
        "technology": deal.technology.title,
        "deal_type": deal.get_deal_type_display(),
        "completed_on": timezone.localdate(deal.completed_at or certificate.issued_at).isoformat(),
        "amount_band": amount_band_label(certificate.amount_band, deal.currency),
        "issued_at": timezone.localdate(certificate.issued_at).isoformat(),
    }


# --- workspace to-dos -----------------------------------------------------------------------


def exchange_workspace_todos(*, user) -> list[dict]:
    """For a reviewer: needs and deals to review. For the parties: introductions waiting for
    their answer and milestones theirs to confirm (the seller payments, the buyer deliveries)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from accounts.permissions import is_reviewer
    from accounts.workspace import queue_todo

    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    if is_reviewer(user=user):
        queue = reverse("exchange:deal_review_queue")
        items += [
            queue_todo(
                key="needs_to_review",
                label=gettext_lazy("Needs to review"),
                queryset=needs_awaiting_review(),
                url=f"{queue}#need-queue",
                since_field="submitted_at",
            ),
            queue_todo(
                key="deals_to_review",
                label=gettext_lazy("Deals to review"),
                queryset=deals_awaiting_review(),
                url=f"{queue}#deal-queue",
                since_field="updated_at",
            ),
        ]
    organizations = member_organizations_subquery(user=user)
    introductions = Introduction.objects.filter(
        Q(
            enterprise_id__in=organizations,
            status__in=[IntroductionStatus.PROPOSED, IntroductionStatus.SELLER_ACCEPTED],
        )
        | Q(
            technology__organization_id__in=organizations,
            status__in=[IntroductionStatus.PROPOSED, IntroductionStatus.BUYER_ACCEPTED],
        )
    )
    milestones = DealMilestone.objects.filter(
        deal__stage=DealStage.IN_EXECUTION, done_at__isnull=True
    ).filter(
        Q(kind=MilestoneKind.PAYMENT, deal__seller_id__in=organizations)
        | Q(kind=MilestoneKind.DELIVERY, deal__buyer_id__in=organizations)
    )
    party_deals = Deal.objects.filter(
        Q(seller_id__in=organizations) | Q(buyer_id__in=organizations)
    )
    deals = reverse("exchange:deal_list")
    if user.has_role("holder"):
        items.append(
            queue_todo(
                key="inquiries_to_answer",
                label=gettext_lazy("Inquiries to answer"),
                queryset=Deal.objects.filter(stage=DealStage.INQUIRY, seller_id__in=organizations),
                url=f"{deals}?stage={DealStage.INQUIRY}",
                since_field="created_at",
            )
        )
    if user.has_role("enterprise"):
        items.append(
            queue_todo(
                key="needs_to_confirm",
                label=gettext_lazy("Needs to confirm as current"),
                queryset=needs_to_confirm(user=user),
                url=reverse("exchange:my_needs"),
            )
        )
        items.append(
            queue_todo(
                key="proposals_to_answer",
                label=gettext_lazy("Proposals to answer"),
                queryset=Proposal.objects.filter(
                    need__organization_id__in=organizations,
                    status__in=[ProposalStatus.SUBMITTED, ProposalStatus.SHORTLISTED],
                ),
                url=reverse("exchange:my_needs"),
                since_field="created_at",
            )
        )
    if user.has_role("broker"):
        items.append(
            queue_todo(
                key="introductions_awaiting_parties",
                label=gettext_lazy("My introductions waiting for the parties"),
                queryset=Introduction.objects.filter(
                    broker=user,
                    status__in=[
                        IntroductionStatus.PROPOSED,
                        IntroductionStatus.SELLER_ACCEPTED,
                        IntroductionStatus.BUYER_ACCEPTED,
                    ],
                ),
                url=reverse("exchange:introduction_list"),
                since_field="created_at",
            )
        )
    if user.has_role("holder", "enterprise"):
        items += [
            queue_todo(
                key="contracts_to_sign",
                label=gettext_lazy("Contracts to sign"),
                queryset=party_deals.filter(stage=DealStage.APPROVED),
                url=f"{deals}?stage={DealStage.APPROVED}",
                since_field="updated_at",
            ),
            queue_todo(
                key="introductions_to_answer",
                label=gettext_lazy("Introductions to answer"),
                queryset=introductions,
                url=reverse("exchange:introduction_list"),
                since_field="created_at",
            ),
            queue_todo(
                key="milestones_to_confirm",
                label=gettext_lazy("Milestones to confirm"),
                queryset=milestones,
                url=f"{reverse('exchange:deal_list')}?stage={DealStage.IN_EXECUTION}",
            ),
        ]
    return items
