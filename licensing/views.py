"""Pages of open licensing under /licences/: the public list and detail (accept button), the
holder's form and licensee list, and the enterprise's licences (pay, certificate)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_member
from catalog.models import Technology
from core.forms import apply_validation_error, error_text
from core.workflow import TransitionNotAllowed
from licensing import selectors, services
from licensing.choices import LicenceAction
from licensing.filtersets import OpenLicenceOfferFilterSet
from licensing.forms import OfferForm
from licensing.models import OpenLicenceOffer

PAGE_SIZE = 20


def offer_list(request):
    filterset = OpenLicenceOfferFilterSet(
        request.GET or None, queryset=selectors.public_offers().order_by("-published_at", "-pk")
    )
    offers = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if filterset.is_bound and not filterset.is_valid():
        offers = filterset.queryset.none()
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    for offer in page.object_list:
        offer.fee_text = selectors.offer_fee_text(offer=offer)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "licensing/offer_list.html",
        {"page": page, "filterset": filterset, "querystring": query.urlencode()},
    )


def _visible_offer(request, pk: int) -> OpenLicenceOffer:
    return get_object_or_404(selectors.offers_visible_to(user=request.user), pk=pk)


def offer_detail(request, pk: int):
    offer = _visible_offer(request, pk)
    user = request.user
    holder = is_member(user=user, organization=offer.organization_id)
    own_licence = None
    if user.is_authenticated and not holder:
        own_licence = (
            selectors.licences_of_licensee(user=user)
            .filter(offer=offer)
            .exclude(status="cancelled")
            .first()
        )
    context = {
        "offer": offer,
        "fee_text": selectors.offer_fee_text(offer=offer),
        "term_text": selectors.offer_term_text(offer=offer),
        "is_holder": holder,
        "own_licence": own_licence,
        "can_read_report": selectors.can_read_evaluation_report(user=user, offer=offer),
        "events": list(offer.events.select_related("actor").order_by("created_at", "pk")),
        "terms_frozen": services.offer_terms_frozen(offer=offer),
    }
    if selectors.can_see_licensees(user=user, offer=offer):
        context["licensees"] = list(selectors.licensees_of(offer=offer))
    return render(request, "licensing/offer_detail.html", context)


def _holder_technology(request, technology_id) -> Technology:
    technology = get_object_or_404(
        selectors.technologies_for_offers(user=request.user), pk=technology_id
    )
    return technology


def _form_payload(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("patent", None)
    report = data.pop("evaluation_report", None)
    return data, (report if hasattr(report, "read") and hasattr(report, "size") else None)


@login_required
def offer_create(request):
    technologies = list(selectors.technologies_for_offers(user=request.user))
    technology_id = request.POST.get("technology") or request.GET.get("technology")
    if not technology_id:
        return render(
            request, "licensing/offer_choose_technology.html", {"technologies": technologies}
        )
    technology = _holder_technology(request, technology_id)
    form = OfferForm(request.POST or None, request.FILES or None, technology=technology)
    if request.method == "POST" and form.is_valid():
        fields, report = _form_payload(form)
        try:
            offer = services.offer_create(
                user=request.user,
                technology=technology,
                patent=form.cleaned_data["patent"],
                evaluation_report=report,
                **fields,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The open licence is posted."))
            return redirect("licensing:offer_detail", pk=offer.pk)
    return render(
        request,
        "licensing/offer_form.html",
        {"form": form, "technology": technology, "creating": True},
    )


@login_required
def offer_edit(request, pk: int):
    offer = _visible_offer(request, pk)
    if not is_member(user=request.user, organization=offer.organization_id):
        raise PermissionDenied
    if not offer.is_open:
        messages.error(request, _("This offer is closed: it can no longer be changed."))
        return redirect("licensing:offer_detail", pk=pk)
    frozen = services.offer_terms_frozen(offer=offer)
    form = OfferForm(
        request.POST or None, request.FILES or None, instance=offer, technology=offer.technology,
        editing=True,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        fields, report = _form_payload(form)
        change = services.offer_revise if frozen else services.offer_update
        try:
            saved = change(offer=offer, user=request.user, evaluation_report=report, **fields)
        except ValidationError as error:
            apply_validation_error(form, error)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return redirect("licensing:offer_detail", pk=pk)
        else:
            messages.success(
                request,
                _("A new version of the offer is posted; existing licences keep their terms.")
                if frozen
                else _("The terms are saved."),
            )
            return redirect("licensing:offer_detail", pk=saved.pk)
    return render(
        request,
        "licensing/offer_form.html",
        {"form": form, "technology": offer.technology, "offer": offer, "terms_frozen": frozen},
    )


@login_required
@require_POST
def offer_withdraw(request, pk: int):
    offer = _visible_offer(request, pk)
    try:
        services.offer_withdraw(offer=offer, user=request.user, note=request.POST.get("note", ""))
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The offer is withdrawn; existing licences stay in force."))
    return redirect("licensing:offer_detail", pk=pk)


@login_required
@require_POST
def offer_accept(request, pk: int):
    offer = _visible_offer(request, pk)
    try:
        licence = services.licence_accept(offer=offer, user=request.user)
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, error_text(error))
        return redirect("licensing:offer_detail", pk=pk)
    messages.success(request, _("You accepted the open licence at the posted terms."))
    return redirect("licensing:licence_detail", pk=licence.pk)


@login_required
def evaluation_report(request, pk: int):
    offer = _visible_offer(request, pk)
    if not offer.evaluation_report or not selectors.can_read_evaluation_report(
        user=request.user, offer=offer
    ):
        raise Http404
    name = offer.evaluation_report.name.rsplit("/", 1)[-1]
    return FileResponse(
        offer.evaluation_report.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/pdf",
    )


@login_required
def my_licences(request):
    licences = list(selectors.licences_of_licensee(user=request.user)[:200])
    offers = list(selectors.offers_of_holder(user=request.user)[:200])
    counts = selectors.licence_counts(offer_ids=[offer.pk for offer in offers])
    for offer in offers:
        offer.licence_count = counts.get(offer.pk, 0)
        offer.fee_text = selectors.offer_fee_text(offer=offer)
    return render(
        request,
        "licensing/my_licences.html",
        {"licences": licences, "offers": offers},
    )


def _visible_licence(request, pk: int):
    return get_object_or_404(selectors.licences_visible_to(user=request.user), pk=pk)


@login_required
def licence_detail(request, pk: int):
    licence = _visible_licence(request, pk)
    offer = licence.offer
    certificate = getattr(licence.deal, "certificate", None) if licence.deal_id else None
    return render(
        request,
        "licensing/licence_detail.html",
        {
            "licence": licence,
            "offer": offer,
            "fee_text": selectors.offer_fee_text(offer=offer),
            "term_text": selectors.offer_term_text(offer=offer),
            "actions": services.licence_allowed_actions(licence=licence, user=request.user),
            "events": list(licence.events.select_related("actor").order_by("created_at", "pk")),
            "certificate": certificate,
            "verify_url": (
                reverse("exchange:certificate_verify") + f"?number={certificate.number}"
                if certificate
                else ""
            ),
        },
    )


@login_required
@require_POST
def licence_transition(request, pk: int):
    licence = _visible_licence(request, pk)
    action = request.POST.get("action", "")
    if action not in LicenceAction.values:
        messages.error(request, _("Choose one of the actions shown."))
        return redirect("licensing:licence_detail", pk=pk)
    try:
        licence = services.licence_transition(licence=licence, user=request.user, action=action)
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Done: %(status)s") % {"status": licence.get_status_display()})
    return redirect("licensing:licence_detail", pk=pk)
