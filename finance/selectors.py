"""Reads of the financing desk; the API and the pages use the same scoping functions."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.choices import OrganizationType, Role, VerificationStatus
from accounts.models import Organization
from accounts.permissions import (
    has_role,
    is_reviewer,
    member_organization_ids,
    member_organizations_subquery,
    members_of,
)
from catalog.choices import TransactionMode
from currencies.selectors import RateBook
from currencies.services import YuanTotal, yuan
from exchange.choices import DealStage
from finance.choices import (
    APPROVED_OR_LATER,
    ApplicationStatus,
    ProductKind,
    ProductStatus,
    ProgrammeKind,
)
from finance.models import (
    ApplicationEvent,
    FinancingApplication,
    FinancingProduct,
    InterestSubsidy,
    LedgerTransaction,
    MoneyRequest,
    SupportProgramme,
    Valuation,
    Voucher,
    VoucherRedemption,
)

# Who someone is to an application or a money request, for the workflow tables.
APPLICANT_ROLE = "applicant"
FINANCIER_ROLE = "financier"
REVIEWER_ROLE = "reviewer"
REQUESTER_ROLE = "requester"
APPROVER_ROLE = "approver"

OPERATOR_KINDS = (OrganizationType.GOVERNMENT, OrganizationType.OPERATOR)
# The acting organisations are kept on the user object for the rest of the request, per role.
_ACTING_CACHE_ATTRIBUTE = "_finance_acting_organization_ids"


def _verified_member_organization_ids(user, *, role: str, kinds) -> list[int]:
    """Verified organisations of the given kinds the user belongs to, if the user holds the
    (reviewer-granted) role. The one rule for acting as a financier or an operator."""
    if not has_role(user=user, role=role):
        return []
    cache = getattr(user, _ACTING_CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = {}
        setattr(user, _ACTING_CACHE_ATTRIBUTE, cache)
    if role not in cache:
        cache[role] = list(
            Organization.objects.filter(
                pk__in=member_organizations_subquery(user=user),
                kind__in=kinds,
                verification_status=VerificationStatus.VERIFIED,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return cache[role]


def financier_organization_ids(user) -> list[int]:
    """Financial institutions in whose name the user acts: the financier role, a membership,
    and an institution of kind financial that the platform has verified."""
    return _verified_member_organization_ids(
        user, role=Role.FINANCIER, kinds=(OrganizationType.FINANCIAL,)
    )


def operator_organization_ids(user) -> list[int]:
    """Government or operator bodies in whose name the user runs programmes: the operator
    role, a membership, and a verified organisation of one of those kinds."""
    return _verified_member_organization_ids(user, role=Role.OPERATOR, kinds=OPERATOR_KINDS)


def members_with_role(organization_id: int, *, role: str) -> QuerySet:
    """Active members of an organisation who hold `role` (whom to tell about its business)."""
    return members_of(organization_id).filter(roles__contains=[role])


def is_operator(user) -> bool:
    """Programme operators: administrators, and operator members of a verified operator body."""
    return has_role(user=user, role=Role.ADMIN) or bool(operator_organization_ids(user))


# --- Products ---------------------------------------------------------------------------------


def products_visible_to(*, user) -> QuerySet[FinancingProduct]:
    """Published products are public; drafts and withdrawn ones only to their institution."""
    base = FinancingProduct.objects.select_related("institution").prefetch_related(
        "eligible_categories"
    )
    if is_reviewer(user=user):
        return base.all()
    # An unverified institution's product is never public, whatever its status says.
    published = Q(
        status=ProductStatus.PUBLISHED,
        institution__verification_status=VerificationStatus.VERIFIED,
        institution__kind=OrganizationType.FINANCIAL,
    )
    own = member_organization_ids(user=user)
    if own:
        return base.filter(published | Q(institution_id__in=own))
    return base.filter(published)


def products_open_for_applications() -> QuerySet[FinancingProduct]:
    """Published products of verified financial institutions: the only ones that take
    applications."""
    return FinancingProduct.objects.filter(
        status=ProductStatus.PUBLISHED,
        institution__verification_status=VerificationStatus.VERIFIED,
        institution__kind=OrganizationType.FINANCIAL,
    )


def products_managed_by(*, user) -> QuerySet[FinancingProduct]:
    return FinancingProduct.objects.filter(
        institution_id__in=financier_organization_ids(user)
    ).select_related("institution")


# --- Applications -----------------------------------------------------------------------------


def applications_visible_to(*, user) -> QuerySet[FinancingApplication]:
    """The applicant's members, the product's institution (once submitted) and reviewers."""
    base = FinancingApplication.objects.select_related(
        "product", "product__institution", "applicant", "valuation", "technology"
    )
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if is_reviewer(user=user):
        return base.all()
    own = member_organization_ids(user=user)
    # financier_organization_ids holds verified institutions only: an unverified one sees no
    # application (nor its documents), even one sent before it lost its verification.
    financier_of = financier_organization_ids(user)
    return base.filter(
        Q(applicant_id__in=own)
        | (Q(product__institution_id__in=financier_of) & ~Q(status=ApplicationStatus.DRAFT))
    )


def loans_open_to_subsidy() -> QuerySet[FinancingApplication]:
    """Disbursed loans still being repaid: the applications a programme operator may subsidise
    (and the only ones it may name), whoever else sees them."""
    return FinancingApplication.objects.filter(
        product__kind__in=[ProductKind.GREEN_LOAN, ProductKind.IP_PLEDGE_LOAN],
        status__in=[ApplicationStatus.DISBURSED, ApplicationStatus.REPAYING],
    ).select_related("product", "applicant")


def application_actor_roles(*, application: FinancingApplication, user) -> set[str]:
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if application.applicant_id in member_organization_ids(user=user):
        roles.add(APPLICANT_ROLE)
    if application.product.institution_id in financier_organization_ids(user):
        roles.add(FINANCIER_ROLE)
    if is_reviewer(user=user):
        roles.add(REVIEWER_ROLE)
    return roles


def application_page_queryset(*, user) -> QuerySet[FinancingApplication]:
    """Visible applications with what their page shows: documents and the history's actors."""
    return applications_visible_to(user=user).prefetch_related(
        "documents",
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
    )


def applications_of_own_organizations(*, user) -> QuerySet[FinancingApplication]:
    return applications_visible_to(user=user).filter(
        applicant_id__in=member_organization_ids(user=user)
    )


def applications_in_pipeline(*, user) -> QuerySet[FinancingApplication]:
    """Submitted (or later) applications to the user's institutions, latest change first."""
    return (
        applications_visible_to(user=user)
        .filter(product__institution_id__in=financier_organization_ids(user))
        .exclude(status=ApplicationStatus.DRAFT)
        .order_by("-updated_at")
    )


def financier_pipeline(*, user) -> dict[str, object]:
    """Counts and amounts by stage for the user's institutions, with the approval rate.

    Amounts are summed in yuan, each at the rate of its application's submission day; amounts
    without a rate that day are left out of the sums and listed (`left_out`), never added as if
    they were yuan.
    """
    applications = FinancingApplication.objects.filter(
        product__institution_id__in=financier_organization_ids(user)
    ).exclude(status=ApplicationStatus.DRAFT)
    rows = list(
        applications.values_list(
            "status",
            "currency",
            "requested_amount",
            "approved_amount",
            "submitted_at",
            "created_at",
        )
    )
    days = [timezone.localdate(submitted or created) for *_rest, submitted, created in rows]
    book = RateBook.load(
        currencies={row[1] for row in rows},
        start=min(days, default=timezone.localdate()),
        end=max(days, default=timezone.localdate()),
    )
    counts: dict[str, int] = defaultdict(int)
    requested: dict[str, YuanTotal] = defaultdict(YuanTotal)
    approved: dict[str, YuanTotal] = defaultdict(YuanTotal)
    left_out = YuanTotal()
    for (status, currency, requested_amount, approved_amount, *_dates), day in zip(
        rows, days, strict=True
    ):
        counts[status] += 1
        requested[status].add_on(book, requested_amount, currency, day)
        approved[status].add_on(book, approved_amount, currency, day)
        if book.rate(currency, day) is None:
            left_out.add(requested_amount, currency, None)
    stages = []
    for status in ApplicationStatus:
        if status == ApplicationStatus.DRAFT:
            continue
        stages.append(
            {
                "status": status.value,
                "label": str(status.label),
                "count": counts.get(status.value, 0),
                "requested": yuan(requested[status.value].total),
                "approved": yuan(approved[status.value].total),
            }
        )
    approved_count = sum(counts.get(s, 0) for s in APPROVED_OR_LATER)
    rejected = counts.get(ApplicationStatus.REJECTED, 0)
    decided = approved_count + rejected
    return {
        "stages": stages,
        "total": sum(stage["count"] for stage in stages),
        "approved": approved_count,
        "rejected": rejected,
        "approval_rate": (Decimal(approved_count) * 100 / decided).quantize(Decimal("0.1"))
        if decided
        else None,
        "amount_approved": yuan(sum((approved[s].total for s in APPROVED_OR_LATER), Decimal("0"))),
        "left_out": left_out.as_dict()["left_out"],
        "left_out_count": left_out.left_out_count,
    }


# --- Valuations -------------------------------------------------------------------------------


def valuations_visible_to(*, user) -> QuerySet[Valuation]:
    """A valuation is seen by its organisation, reviewers, and the financier of an application
    that pledges it."""
    base = Valuation.objects.select_related("organization", "technology")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if is_reviewer(user=user):
        return base.all()
    pledged_to_me = FinancingApplication.objects.filter(
        product__institution_id__in=financier_organization_ids(user)
    ).values("valuation_id")
    return base.filter(
        Q(organization_id__in=member_organization_ids(user=user)) | Q(pk__in=pledged_to_me)
    ).distinct()


def deal_model():
    """exchange.Deal once the exchange app has it; None before."""
    try:
        return apps.get_model("exchange", "Deal")
    except LookupError:
        return None


# A voucher pays for a service deal whose contract is signed, or later.
QUALIFYING_DEAL_STAGES = (DealStage.CONTRACT_SIGNED, DealStage.IN_EXECUTION, DealStage.COMPLETED)
VOUCHER_DEAL_TYPE = TransactionMode.SERVICE


def deals_payable_by_voucher(*, holder_id: int, currency: str, limit: int = 50) -> list:
    """The holder's service deals, signed or later, in the voucher's currency (newest first)."""
    model = deal_model()
    if model is None:
        return []
    return list(
        model.objects.filter(
            buyer_id=holder_id,
            deal_type=VOUCHER_DEAL_TYPE,
            stage__in=QUALIFYING_DEAL_STAGES,
            currency=currency,
        ).order_by("-pk")[:limit]
    )


# --- What a user may choose on the pages -------------------------------------------------------


def organizations_among(organization_ids) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=organization_ids)


def institutions_of(*, user) -> QuerySet[Organization]:
    """The verified financial institutions a financier acts for."""
    return organizations_among(financier_organization_ids(user))


def operator_organizations_of(*, user) -> QuerySet[Organization]:
    """The verified operator bodies in whose name the user may run a programme (an
    administrator: any of them)."""
    queryset = Organization.objects.verified().filter(kind__in=OPERATOR_KINDS)
    if has_role(user=user, role=Role.ADMIN):
        return queryset.order_by("pk")
    return queryset.filter(pk__in=operator_organization_ids(user)).order_by("pk")


def technologies_of(*, organization_ids) -> QuerySet:
    from catalog.models import Technology

    return Technology.objects.filter(organization_id__in=organization_ids)


def technologies_linkable_by(*, organization_ids) -> QuerySet:
    """The technologies an application may name: the applicant's own and published ones."""
    from catalog.models import Technology

    return (
        technologies_of(organization_ids=organization_ids) | Technology.objects.published()
    ).distinct()


# --- Vouchers and programmes ------------------------------------------------------------------


def vouchers_of(*, user) -> QuerySet[Voucher]:
    return Voucher.objects.filter(holder_id__in=member_organization_ids(user=user)).select_related(
        "account", "programme", "holder"
    )


def vouchers_visible_to(*, user) -> QuerySet[Voucher]:
    """Holders see their vouchers; operators the vouchers of their programmes."""
    base = Voucher.objects.select_related("account", "programme", "holder")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if has_role(user=user, role=Role.ADMIN):
        return base.all()
    return base.filter(
        Q(holder_id__in=member_organization_ids(user=user))
        | Q(programme__operator_id__in=operator_organization_ids(user))
    )


def programmes_visible_to(*, user) -> QuerySet[SupportProgramme]:
    base = SupportProgramme.objects.select_related("operator", "budget_account", "funding_account")
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if has_role(user=user, role=Role.ADMIN):
        return base.all()
    return base.filter(operator_id__in=operator_organization_ids(user))


def operator_dashboard(*, user, programme_ids=None) -> list[dict[str, object]]:
    """Per programme: funded, allocated to vouchers, redeemed, subsidies paid, still available."""
    queryset = programmes_visible_to(user=user).order_by("pk")
    if programme_ids is not None:
        queryset = queryset.filter(pk__in=programme_ids)
    programmes = list(queryset)
    ids = [programme.pk for programme in programmes]
    issued = dict(
        Voucher.objects.filter(programme_id__in=ids)
        .values("programme_id")
        .annotate(total=Sum("face_value"))
        .values_list("programme_id", "total")
    )
    voucher_count = dict(
        Voucher.objects.filter(programme_id__in=ids)
        .values("programme_id")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "n")
    )
    redeemed = dict(
        VoucherRedemption.objects.filter(voucher__programme_id__in=ids)
        .values("voucher__programme_id")
        .annotate(total=Sum("amount"))
        .values_list("voucher__programme_id", "total")
    )
    subsidies = dict(
        InterestSubsidy.objects.filter(programme_id__in=ids)
        .values("programme_id")
        .annotate(total=Sum("amount"))
        .values_list("programme_id", "total")
    )
    zero = Decimal("0")
    rows = []
    for programme in programmes:
        rows.append(
            {
                "programme": programme,
                "funded": programme.funding_account.balance,
                "available": programme.budget_account.balance,
                "vouchers": voucher_count.get(programme.pk, 0),
                "issued": issued.get(programme.pk) or zero,
                "redeemed": redeemed.get(programme.pk) or zero,
                "subsidies_paid": subsidies.get(programme.pk) or zero,
                "is_voucher": programme.kind == ProgrammeKind.VOUCHER,
            }
        )
    return rows


def vouchers_of_programme(*, programme: SupportProgramme) -> QuerySet[Voucher]:
    return (
        Voucher.objects.filter(programme=programme)
        .select_related("holder", "account")
        .order_by("-pk")
    )


def ledger_transactions_of_programme(*, programme: SupportProgramme) -> QuerySet:
    return (
        LedgerTransaction.objects.filter(entries__account_id=programme.budget_account_id)
        .distinct()
        .order_by("-created_at", "-pk")
    )


# --- Two-key money requests -------------------------------------------------------------------


def money_requests_visible_to(*, user) -> QuerySet[MoneyRequest]:
    """Operator members of the programme's organisation and platform reviewers see requests."""
    base = MoneyRequest.objects.select_related(
        "programme",
        "programme__operator",
        "requested_by",
        "decided_by",
        "holder",
        "application",
        "application__applicant",
    )
    if not getattr(user, "is_authenticated", False):
        return base.none()
    if is_reviewer(user=user):
        return base.all()
    return base.filter(programme__operator_id__in=operator_organization_ids(user))


def may_see_money_requests(user) -> bool:
    """Programme operators and platform reviewers have the two-key requests page."""
    return is_reviewer(user=user) or is_operator(user)


def money_request_actor_roles(*, money_request: MoneyRequest, user) -> set[str]:
    """`requester` for the person who asked; `approver` for a second person who may decide:
    an operator member of the programme's verified organisation, or a platform reviewer."""
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if user.pk == money_request.requested_by_id:
        roles.add(REQUESTER_ROLE)
        return roles
    operator_id = money_request.programme.operator_id
    if is_reviewer(user=user) or operator_id in operator_organization_ids(user):
        roles.add(APPROVER_ROLE)
    return roles


def money_requests_awaiting(*, user) -> QuerySet[MoneyRequest]:
    """Pending requests this user may decide (never their own)."""
    from finance.choices import MoneyRequestStatus

    if not getattr(user, "is_authenticated", False):
        return MoneyRequest.objects.none()
    return (
        money_requests_visible_to(user=user)
        .filter(status=MoneyRequestStatus.PENDING)
        .exclude(requested_by=user)
    )


# --- workspace to-dos -----------------------------------------------------------------------


def finance_workspace_todos(*, user) -> list[dict]:
    """A financier's applications to decide; the money requests a reviewer or programme operator
    may approve (the second key)."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    from accounts.workspace import queue_todo

    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    if financier_organization_ids(user):
        items.append(
            queue_todo(
                key="applications_to_decide",
                label=gettext_lazy("Financing applications to decide"),
                queryset=applications_in_pipeline(user=user).filter(
                    status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
                ),
                url=reverse("finance:pipeline"),
                since_field="updated_at",
            )
        )
    if is_reviewer(user=user) or operator_organization_ids(user):
        items.append(
            queue_todo(
                key="money_requests_to_approve",
                label=gettext_lazy("Money requests to approve (second key)"),
                queryset=money_requests_awaiting(user=user),
                url=reverse("finance:money_requests"),
                since_field="requested_at",
            )
        )
    return items


def finance_workspace_figures(*, user) -> list[dict]:
    """A financier's pipeline value: the amounts asked in open applications, per currency."""
    from django.urls import reverse
    from django.utils.translation import gettext_lazy

    if not getattr(user, "is_authenticated", False) or not financier_organization_ids(user):
        return []
    open_statuses = [
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.INFORMATION_REQUESTED,
    ]
    rows = (
        applications_in_pipeline(user=user)
        .filter(status__in=open_statuses)
        .order_by()
        .values("currency")
        .annotate(amount=Sum("requested_amount"), count=Count("pk"))
        .order_by("currency")
    )
    url = reverse("finance:pipeline")
    figures = [
        {
            "key": f"pipeline_value_{row['currency']}",
            "label": gettext_lazy("Pipeline value (open applications)"),
            "value": row["amount"],
            "currency": row["currency"],
            "url": url,
        }
        for row in rows
    ]
    return figures or [
        {
            "key": "pipeline_value",
            "label": gettext_lazy("Pipeline value (open applications)"),
            "value": 0,
            "currency": "CNY",
            "url": url,
        }
    ]
