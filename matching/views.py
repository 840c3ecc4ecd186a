"""Pages of matching: ad-hoc search, brokers' lead board, match panels, feedback and report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_validation_error
from matching import selectors, services
from matching.api.views import search_payload
from matching.extensions import need_suggestion_panels
from matching.forms import ProblemSearchForm
from matching.models import Match


def _staff_required(user, *roles: str) -> None:
    if not (user.is_authenticated and user.has_role(*roles)):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def search(request):
    """Anyone pastes a problem description and sees ranked technologies with reasons."""
    form = ProblemSearchForm(request.POST or None)
    payload = None
    if request.method == "POST" and form.is_valid():
        try:
            language, results = services.search_by_problem(
                text=form.cleaned_data["text"], limit=form.cleaned_data.get("limit") or 10
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            payload = search_payload(request, language, results)
    return render(request, "matching/search.html", {"form": form, "payload": payload})


@login_required
def lead_board(request):
    _staff_required(request.user, "broker", "reviewer", "admin")
    leads = list(selectors.lead_board()[:100])
    return render(request, "matching/lead_board.html", {"leads": leads})


@login_required
def lead_introduce(request, pk: int):
    """A broker opens the introduction form for a lead, its technology, need and a shared mode
    chosen; the broker adds why they fit and the commission and confirms there (exchange)."""
    _staff_required(request.user, "broker")
    match = get_object_or_404(selectors.lead_board(), pk=pk)
    technology, need = match.technology, match.need
    shared = [mode for mode in need.transaction_modes if mode in technology.transaction_modes]
    deal_type = (shared or list(technology.transaction_modes) or ["license"])[0]
    query = urlencode({"technology": technology.pk, "need": need.pk, "deal_type": deal_type})
    return redirect(f"{reverse('exchange:introduction_list')}?{query}#introduction-form")


def _panel(request, *, subject: str, matches, run, can_rate: bool, suggestions=()):
    matches = list(matches)
    return render(
        request,
        "matching/includes/matches_list.html",
        {
            "subject": subject,
            "matches": matches,
            "run": run,
            "can_rate": can_rate,
            "verdicts": selectors.feedback_of_user(user=request.user, matches=matches),
            "suggestions": suggestions,
        },
    )


def need_matches_panel(request, pk: int):
    """The Matches section of a need page (loaded with htmx); empty for other visitors."""
    need = selectors.need_for_matches(need_id=pk, user=request.user)
    if need is None:
        return HttpResponse("")
    return _panel(
        request,
        subject="need",
        matches=selectors.matches_of_need(need=need),
        run=selectors.latest_need_run(need=need),
        can_rate=True,
        suggestions=need_suggestion_panels(need=need, user=request.user),
    )


def technology_matches_panel(request, pk: int):
    technology = selectors.technology_for_matches(technology_id=pk, user=request.user)
    if technology is None:
        return HttpResponse("")
    return _panel(
        request,
        subject="technology",
        matches=selectors.matches_of_technology(technology=technology),
        run=selectors.latest_technology_run(technology=technology),
        can_rate=True,
    )


def similar_technologies_panel(request, pk: int):
    """The "Similar technologies" section of a published listing's page (loaded with htmx)."""
    technology = selectors.technology_for_similar(technology_id=pk, user=request.user)
    if technology is None:
        return HttpResponse("")
    return render(
        request,
        "matching/includes/similar_technologies.html",
        {"similar": services.similar_technologies(technology=technology, user=request.user)},
    )


@login_required
@require_POST
def feedback(request, pk: int):
    match: Match | None = selectors.matches_visible_to(user=request.user).filter(pk=pk).first()
    if match is None:
        raise Http404
    useful = request.POST.get("useful")
    if useful not in ("1", "0"):
        messages.error(request, _("Choose useful or not useful."))
    else:
        try:
            services.match_feedback_record(
                user=request.user,
                match=match,
                useful=useful == "1",
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: your feedback was saved."))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "matching:lead_board"
    return redirect(target)


@login_required
def feedback_report(request):
    _staff_required(request.user, "reviewer", "admin")
    return render(request, "matching/feedback_report.html", {"bands": selectors.feedback_report()})
