"""Pages of the technology transfer network under /network/: the public list of centres by
country, a centre's dashboard (referrals in and out, cross-border pipeline), referrals (list,
refer a listing, detail with its steps) and the centre's profile."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.selectors import technologies_visible_to
from centres import selectors, services
from centres.forms import CentreProfileForm, ReferralActionForm, ReferralForm
from core.forms import apply_validation_error, error_text
from core.workflow import TransitionNotAllowed
from exchange.selectors import needs_visible_to

PAGE_SIZE = 20
SEARCH_ROWS = 20


def network(request):
    groups = selectors.network_by_country()
    return render(
        request,
        "centres/network.html",
        {
            "groups": groups,
            "centre_count": sum(len(group["centres"]) for group in groups),
            "own_centres": list(selectors.centres_of_user(user=request.user)),
        },
    )


def _own_centre(request, pk: int | None = None):
    centres = selectors.centres_of_user(user=request.user)
    centre = centres.filter(pk=pk).first() if pk else centres.first()
    if centre is None:
        raise PermissionDenied(
            _("Only members of a verified technology transfer centre work here.")
        )
    return centre


@login_required
def dashboard(request):
    centre = _own_centre(request, request.GET.get("centre") and _int(request.GET["centre"]))
    pipeline = selectors.centre_cross_border_pipeline(centre=centre)
    return render(
        request,
        "centres/dashboard.html",
        {
            "centre": centre,
            "profile": selectors.centre_profile(organization=centre),
            "counts": selectors.centre_referral_counts(centre=centre),
            "recent": list(selectors.centre_recent_referrals(centre=centre)[:10]),
            "pipeline": list(pipeline[:20]),
            "pipeline_count": pipeline.count(),
            "other_centres": [
                other for other in selectors.centres_of_user(user=request.user) if other != centre
            ],
        },
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@login_required
def referral_list(request):
    referrals = selectors.referrals_visible_to(user=request.user).order_by("-updated_at", "-pk")
    status = request.GET.get("status", "")
    from centres.choices import ReferralStatus

    if status and status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    own_ids = {centre.pk for centre in selectors.centres_of_user(user=request.user)}
    return render(
        request,
        "centres/referral_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ReferralStatus.choices,
            "own_ids": own_ids,
        },
    )


@login_required
def referral_create(request):
    centre = _own_centre(request)
    technology = need = None
    if request.GET.get("technology") or request.POST.get("technology"):
        technology_id = _int(request.POST.get("technology") or request.GET.get("technology"))
        technology = get_object_or_404(technologies_visible_to(user=request.user), pk=technology_id)
    elif request.GET.get("need") or request.POST.get("need"):
        need_id = _int(request.POST.get("need") or request.GET.get("need"))
        need = get_object_or_404(needs_visible_to(user=request.user), pk=need_id)
    else:
        return _listing_search(request, centre)
    form = ReferralForm(request.POST or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create(
                user=request.user,
                from_centre=centre,
                to_centre=form.cleaned_data["to_centre"],
                technology=technology,
                need=need,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The listing has been referred to the partner centre."))
            return redirect("centres:referral_detail", pk=referral.pk)
    return render(
        request,
        "centres/referral_form.html",
        {"form": form, "centre": centre, "listing": technology or need, "technology": technology,
         "need": need},
    )  # fmt: skip


def _listing_search(request, centre):
    """Without a listing named, the form is a search among what the centre may refer."""
    q = request.GET.get("q", "").strip()[:100]
    technologies = needs = []
    if q:
        technologies = list(
            selectors.referable_technologies(centre=centre)
            .filter(Q(title_zh__icontains=q) | Q(title_en__icontains=q))
            .order_by("-pk")[:SEARCH_ROWS]
        )
        needs = list(
            selectors.referable_needs(centre=centre)
            .filter(Q(title_zh__icontains=q) | Q(title_en__icontains=q))
            .order_by("-pk")[:SEARCH_ROWS]
        )
    return render(
        request,
        "centres/referral_form.html",
        {"centre": centre, "q": q, "technologies": technologies, "needs": needs},
    )


@login_required
def referral_detail(request, pk: int):
    referral = get_object_or_404(selectors.referrals_visible_to(user=request.user), pk=pk)
    return render(
        request,
        "centres/referral_detail.html",
        {
            "referral": referral,
            "events": list(selectors.referral_events(referral=referral)),
            "actions": services.referral_allowed_actions(referral=referral, user=request.user),
            "note_actions": [
                action
                for action, transition in services.REFERRAL_WORKFLOW.actions_from(
                    referral.status
                ).items()
                if transition.requires_note
            ],
        },
    )


@login_required
@require_POST
def referral_transition(request, pk: int):
    referral = get_object_or_404(selectors.referrals_visible_to(user=request.user), pk=pk)
    form = ReferralActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect("centres:referral_detail", pk=referral.pk)
    try:
        services.referral_transition(
            referral=referral,
            user=request.user,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
        )
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The referral has been updated."))
    return redirect("centres:referral_detail", pk=referral.pk)


@login_required
def profile_edit(request, pk: int):
    from accounts.choices import OrganizationType
    from accounts.selectors import organizations_of_user

    organization = get_object_or_404(
        organizations_of_user(user=request.user).filter(kind=OrganizationType.TRANSFER_CENTRE),
        pk=pk,
    )
    profile = selectors.centre_profile(organization=organization)
    form = CentreProfileForm(
        request.POST or None,
        initial={"countries": profile.countries, "languages": profile.languages},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.centre_profile_update(
                organization=organization,
                user=request.user,
                countries=form.cleaned_data["countries"],
                languages=form.cleaned_data["languages"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The centre's profile has been saved."))
            return redirect("centres:network")
    return render(
        request, "centres/profile_form.html", {"form": form, "organization": organization}
    )
