from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.permissions import is_member, member_organization_ids
from catalog.selectors import category_label
from core.exports import TABLE_CONTENT_TYPES
from core.filters import applied_filters, filter_errors_response, unsearchable_words_message
from core.forms import ValidUntilForm, apply_validation_error, error_text
from core.paging import search_page
from core.reasons import TurnDownReason
from core.translation_pages import translations_page
from core.workflow import TransitionNotAllowed
from exchange import documents, selectors, services
from exchange.choices import DealStage, IntroductionStatus, ProposalStatus, RatingSubject
from exchange.crossborder import deal_direction
from exchange.deal_panels import deal_panels
from exchange.filtersets import NeedFilterSet
from exchange.forms import (
    ContractRegistrationForm,
    DealMessageForm,
    DealTermsForm,
    DemandListForm,
    IntroductionForm,
    LicenceCheckForm,
    MilestoneForm,
    NeedForm,
    ProposalForm,
    RatingForm,
    ReviewForm,
)
from exchange.models import Deal, Need
from exchange.search import has_no_searchable_word

PAGE_SIZE = 20


def _annotate_company(needs, user, organization_ids) -> None:
    for need in needs:
        need.company_visible = selectors.need_company_visible(
            need=need, user=user, organization_ids=organization_ids
        )


# --- needs ----------------------------------------------------------------------------------


def need_list(request):
    """The public need list with search and facets."""
    public = selectors.needs_public(user=request.user)
    # Always bound: without parameters the filters' defaults apply (outdated needs left out).
    filterset = NeedFilterSet(request.GET, queryset=public, request=request)
    if not filterset.is_valid():
        return filter_errors_response(request, filterset)
    needs = filterset.qs
    page, notices = search_page(needs, per_page=PAGE_SIZE, number=request.GET.get("page"))
    organization_ids = member_organization_ids(user=request.user)
    _annotate_company(page.object_list, request.user, organization_ids)
    query = request.GET.copy()
    query.pop("page", None)
    words = request.GET.get("q", "")
    if has_no_searchable_word(words):
        notices.insert(0, unsearchable_words_message(words))
    return render(
        request,
        "exchange/need_list.html",
        {
            "filterset": filterset,
            "page": page,
            "notices": notices,
            "applied_filters": [] if page.paginator.count else _applied_need_filters(filterset),
            "facets": selectors.need_facets(queryset=needs),
            "query_string": query.urlencode(),
        },
    )


def _applied_need_filters(filterset) -> list[dict]:
    """The filters of a need search that found nothing, each with the link that removes it."""
    category = filterset.form.cleaned_data.get("category")
    names = {"category": category_label(code=category)} if category else None
    filters = applied_filters(filterset, values=names)
    for item in filters:
        kept = filterset.data.copy()
        for key in (item["name"], "page"):
            kept.pop(key, None)
        item["remove_url"] = "?" + kept.urlencode()
    return filters


@login_required
def my_needs(request):
    needs = list(selectors.needs_of_user(user=request.user))
    for need in needs:
        need.confirmation_due = services.need_confirmation_due(need=need)
    return render(request, "exchange/my_needs.html", {"needs": needs})


def _visible_need(request, pk: int) -> Need:
    return get_object_or_404(
        selectors.needs_visible_to(user=request.user).prefetch_related("translations"), pk=pk
    )


def need_detail(request, pk: int):
    return _render_need(request, _visible_need(request, pk))


def _render_need(
    request, need, *, proposal_form=None, refused_step: dict | None = None, status: int = 200
):
    """The need page; `proposal_form` is a refused proposal, shown again with what was typed;
    `refused_step` a refused decline ({proposal, errors, note, reason_code}), likewise."""
    organization_ids = member_organization_ids(user=request.user)
    roles = services.need_actor_roles(
        need=need, user=request.user, organization_ids=organization_ids
    )
    need.company_visible = selectors.need_company_visible(
        need=need, user=request.user, organization_ids=organization_ids
    )
    context = {
        "need": need,
        "shown": services.NEED_TRANSLATIONS.shown(
            need, original=request.GET.get("original") == "1"
        ),
        "is_member": services.MEMBER in roles,
        "may_translate": services.MEMBER in roles
        or services.NEED_TRANSLATIONS.may_draft(request.user),
        "allowed_actions": services.need_allowed_actions(
            need=need, user=request.user, organization_ids=organization_ids
        ),
        "events": selectors.need_history(need=need) if roles else [],
        "review_form": ReviewForm(),
        "can_confirm": services.MEMBER in roles
        and services.need_can_confirm(need=need, user=request.user),
    }
    context.update(_need_detail_extra(request, need, roles, organization_ids))
    context["reason_choices"] = TurnDownReason.choices
    for proposal in context["proposals"] if refused_step else ():
        if proposal.pk == refused_step["proposal"]:
            proposal.refused_step = refused_step
    if proposal_form is not None and context["proposal_form"] is not None:
        context["proposal_form"] = proposal_form
    return render(request, "exchange/need_detail.html", context, status=status)


def _need_detail_extra(request, need, roles, organization_ids) -> dict:
    """Proposals on the need page: the enterprise sees all, a holder its own and a form."""
    user = request.user
    proposals = list(
        selectors.proposals_for_need(need=need, user=user).prefetch_related("messages__author")
    )
    for proposal in proposals:
        proposal.actions = services.proposal_allowed_actions(
            proposal=proposal, user=user, organization_ids=organization_ids
        )
    return {
        "proposals": proposals,
        "proposal_form": ProposalForm(user=user) if _can_propose(user, need, roles) else None,
    }


def _can_propose(user, need, roles) -> bool:
    return bool(
        user.is_authenticated
        and need.accepts_proposals
        and services.MEMBER not in roles
        and user.has_role(Role.HOLDER)
    )


@login_required
def need_confirm(request, pk: int):
    """The organisation confirms the need is current: one click (POST without a date: until
    its deadline) from its pages, the to-dos and the reminder, or a chosen date here."""
    need = get_object_or_404(selectors.needs_of_user(user=request.user), pk=pk)
    detail_url = reverse("exchange:need_detail", args=[pk])
    form = ValidUntilForm(initial={"valid_until": services.need_default_valid_until(need)})
    if request.method == "POST":
        one_click = "valid_until" not in request.POST
        if not one_click:
            form = ValidUntilForm(request.POST)
        if one_click or form.is_valid():
            try:
                need = services.need_confirm(
                    need=need,
                    user=request.user,
                    valid_until=None if one_click else form.cleaned_data["valid_until"],
                )
            except ValidationError as error:
                if one_click:
                    messages.error(request, error_text(error))
                    return redirect(detail_url)
                apply_validation_error(form, error)
            except TransitionNotAllowed as error:
                messages.error(request, str(error))
                return redirect(detail_url)
            else:
                messages.success(
                    request,
                    _("Thank you: the need is confirmed as current until %(date)s.")
                    % {"date": date_format(need.valid_until, "DATE_FORMAT")},
                )
                target = request.POST.get("next") or ""
                if not url_has_allowed_host_and_scheme(
                    target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    target = detail_url
                return redirect(target)
    return render(
        request,
        "includes/confirm_page.html",
        {"entry": need, "form": form, "back_url": detail_url},
    )


@login_required
def need_create(request):
    form = NeedForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_create(user=request.user, **form.service_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The need has been saved as a draft."))
            return redirect("exchange:need_detail", pk=need.pk)
    return render(request, "exchange/need_form.html", {"form": form, "creating": True})


@login_required
def need_edit(request, pk: int):
    need = _visible_need(request, pk)
    if not is_member(organization=need.organization_id, user=request.user):
        raise PermissionDenied
    if not need.is_editable:
        messages.error(
            request,
            _("A need can be changed only as a draft or after it was returned for changes."),
        )
        return redirect("exchange:need_detail", pk=pk)
    form = NeedForm(request.POST or None, instance=need, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(need=need, user=request.user, **form.cleaned_data)
        except (ValidationError, TransitionNotAllowed) as error:
            if isinstance(error, ValidationError):
                apply_validation_error(form, error)
            else:
                form.add_error(None, str(error))
        else:
            messages.success(request, _("The need has been saved."))
            return redirect("exchange:need_detail", pk=pk)
    return render(
        request, "exchange/need_form.html", {"form": form, "creating": False, "need": need}
    )


@login_required
@require_POST
def need_transition(request, pk: int):
    need = _visible_need(request, pk)
    action = request.POST.get("action", "")
    note = request.POST.get("comment", "") or request.POST.get("note", "")
    try:
        if action == "review":
            form = ReviewForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.need_review(need=need, user=request.user, **form.cleaned_data)
        else:
            services.need_transition(need=need, user=request.user, action=action, note=note)
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        need.refresh_from_db()
        messages.success(request, _("Done: %(status)s") % {"status": need.get_status_display()})
    return redirect("exchange:need_detail", pk=pk)


# --- demand lists ---------------------------------------------------------------------------


def demand_list_index(request):
    return render(
        request,
        "exchange/demand_list_index.html",
        {"demand_lists": selectors.demand_lists_public()},
    )


@login_required
def demand_list_create(request):
    if not request.user.is_reviewer:
        raise PermissionDenied
    form = DemandListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            demand_list = services.demand_list_publish(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The demand list is published."))
            return redirect("exchange:demand_list_detail", pk=demand_list.pk)
    return render(request, "exchange/demand_list_form.html", {"form": form})


def _demand_list_with_rows(request, pk: int):
    demand_list = get_object_or_404(selectors.demand_lists_public(), pk=pk)
    needs = list(selectors.demand_list_needs(demand_list=demand_list))
    organization_ids = member_organization_ids(user=request.user)
    _annotate_company(needs, request.user, organization_ids)
    return demand_list, needs


def demand_list_detail(request, pk: int):
    demand_list, needs = _demand_list_with_rows(request, pk)
    return render(
        request,
        "exchange/demand_list_detail.html",
        {"demand_list": demand_list, "needs": needs},
    )


def demand_list_download(request, pk: int, file_format: str):
    if file_format not in TABLE_CONTENT_TYPES:
        raise Http404
    demand_list, needs = _demand_list_with_rows(request, pk)
    header, rows = documents.demand_list_rows(needs, company_visible=lambda n: n.company_visible)
    if file_format == "csv":
        content = documents.rows_to_csv(header, rows)
    elif file_format == "xlsx":
        content = documents.rows_to_xlsx(header, rows, sheet_title=_("Needs"))
    else:
        period = f"{demand_list.period_start:%Y-%m-%d} – {demand_list.period_end:%Y-%m-%d}"
        content = documents.rows_to_pdf(header, rows, title=demand_list.title, subtitle=period)
    response = HttpResponse(content, content_type=TABLE_CONTENT_TYPES[file_format])
    response["Content-Disposition"] = (
        f'attachment; filename="demand-list-{demand_list.pk}.{file_format}"'
    )
    return response


# --- proposals ------------------------------------------------------------------------------


@login_required
@require_POST
def proposal_create(request, pk: int):
    need = _visible_need(request, pk)
    form = ProposalForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.proposal_create(user=request.user, need=need, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your proposal has been sent."))
            return redirect("exchange:need_detail", pk=pk)
    roles = services.need_actor_roles(need=need, user=request.user)
    if not _can_propose(request.user, need, roles):
        # No proposal form on the page to show the errors on: say why in a message.
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("exchange:need_detail", pk=pk)
    return _render_need(request, need, proposal_form=form, status=400)


def _visible_proposal(request, pk: int):
    return get_object_or_404(selectors.proposals_visible_to(user=request.user), pk=pk)


@login_required
@require_POST
def proposal_transition(request, pk: int):
    proposal = _visible_proposal(request, pk)
    typed = {
        "note": request.POST.get("note", ""),
        "reason_code": request.POST.get("reason_code", ""),
    }
    try:
        proposal = services.proposal_transition(
            proposal=proposal, user=request.user, action=request.POST.get("action", ""), **typed
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            messages.error(request, error_text(error))
            return redirect("exchange:need_detail", pk=proposal.need_id)
        # Shown beside the fields, with what was typed kept.
        errors = {field: " ".join(texts) for field, texts in error.message_dict.items()}
        refused = {"proposal": proposal.pk, "errors": errors, **typed}
        return _render_need(request, proposal.need, refused_step=refused, status=400)
    except TransitionNotAllowed as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Done: %(status)s") % {"status": proposal.get_status_display()})
        if proposal.status == ProposalStatus.ACCEPTED and hasattr(proposal, "deal"):
            return redirect("exchange:deal_detail", pk=proposal.deal.pk)
    return redirect("exchange:need_detail", pk=proposal.need_id)


@login_required
@require_POST
def proposal_message(request, pk: int):
    proposal = _visible_proposal(request, pk)
    try:
        services.proposal_message_post(
            proposal=proposal, user=request.user, body=request.POST.get("body", "")
        )
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    return redirect("exchange:need_detail", pk=proposal.need_id)


# --- deals ----------------------------------------------------------------------------------


@login_required
def deal_list(request):
    stage = request.GET.get("stage", "")
    deals = selectors.deals_listed(user=request.user, stage=stage)
    page = Paginator(deals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/deal_list.html",
        {
            "page": page,
            "stage": stage,
            "stages": DealStage.choices,
            "query_string": f"stage={stage}" if stage else "",
        },
    )


def _visible_deal(request, pk: int) -> Deal:
    return get_object_or_404(selectors.deals_visible_to(user=request.user), pk=pk)


@login_required
def deal_detail(request, pk: int):
    return _render_deal(request, _visible_deal(request, pk))


def _milestones_with_actions(*, deal, roles: set[str]) -> list:
    """Each milestone with what this user may do to it and, while it waits, whose turn it is."""
    milestones = list(selectors.deal_milestones(deal=deal))
    for milestone in milestones:
        milestone.actions = services.milestone_allowed_actions(
            milestone=milestone, deal=deal, roles=roles
        )
        milestone.awaiting_label = (
            services.AWAITING_CONFIRMATION_LABELS[
                services.milestone_confirming_side(milestone=milestone)
            ]
            if services.milestone_awaits_confirmation(milestone=milestone, deal=deal)
            and not milestone.actions
            else ""
        )
    return milestones


def _message_form(deal, *args) -> DealMessageForm:
    """The deal room's form, offering only the licence documents of the deal's own direction
    (an export's or an import's; none on a domestic deal)."""
    regime = services.REGIMES.get(deal_direction(deal))
    offered = regime.licence_kinds if regime else ()
    return DealMessageForm(*args, hidden_kinds=frozenset(services.LICENCE_KINDS) - set(offered))


def _deal_forms(deal, *, roles, organization_ids) -> dict:
    """The forms the deal room offers this user (None where it offers none)."""
    completed = deal.stage == DealStage.COMPLETED
    rated = selectors.deal_rating_subjects_given(deal=deal, organization_ids=organization_ids)
    negotiates = bool(roles & services.NEGOTIATORS)
    return {
        "terms_form": DealTermsForm(instance=deal, with_commission=bool(deal.broker_id))
        if negotiates and deal.stage in services.DEAL_EDITABLE_STAGES
        else None,
        "milestone_form": MilestoneForm()
        if negotiates and deal.stage in services.MILESTONE_STAGES
        else None,
        "message_form": _message_form(deal),
        "rating_form": RatingForm()
        if completed and roles & services.PARTIES and len(rated) < len(RatingSubject.values)
        else None,
    }


SCREENING_FORMS = ("licence_check_form", "registration_form")


def _next_refusal(deal, screening) -> str:
    """What the screening refuses of the deal's next step(s), for the panel."""
    if not screening.required:
        return ""
    for action in services.DEAL_WORKFLOW.actions_from(deal.stage):
        refusal = screening.refusal(action)
        if refusal:
            return refusal
    return ""


def _screening_forms(deal, *, screening, roles: set[str], refused: dict) -> dict:
    """The screening forms this user gets: a reviewer checks each licence document; the party in
    China or the broker records a free export's or import's contract registration number."""
    if not screening.required:
        return {"licence_documents": [], "registration_form": None}
    documents = list(
        deal.documents.filter(kind__in=screening.regime.licence_kinds).select_related(
            "licence_check"
        )
    )
    refused_check = refused.get("licence_check_form")
    for document in documents:
        document.check_form = None
        if services.DEAL_REVIEWER in roles:
            document.check_form = (
                refused_check
                if refused_check is not None and refused_check.document_id == document.pk
                else LicenceCheckForm(document_id=document.pk)
            )
    may_register = (
        screening.outcome == "free"
        and deal.stage in services.REGISTRATION_STAGES
        and roles & screening.registrant_roles
    )
    return {
        "licence_documents": documents,
        "registration_form": (refused.get("registration_form") or ContractRegistrationForm())
        if may_register
        else None,
    }


def _render_deal(request, deal, *, refused=None, status: int = 200):
    """The deal room; `refused` maps a form's context name to the refused form, shown again with
    what was typed and its errors. When the room does not offer this user that form (the stage
    moved on, not a negotiator) the errors go into a message and the room reloads instead."""
    organization_ids = member_organization_ids(user=request.user)
    roles = services.deal_actor_roles(
        deal=deal, user=request.user, organization_ids=organization_ids
    )
    forms = _deal_forms(deal, roles=roles, organization_ids=organization_ids)
    for name, form in (refused or {}).items():
        if name in SCREENING_FORMS:
            continue
        if forms[name] is None:
            messages.error(
                request, " ".join(str(e) for errors in form.errors.values() for e in errors)
            )
            return _back_to_deal(deal.pk)
        forms[name] = form
    completed = deal.stage == DealStage.COMPLETED
    screening = services.deal_export_screening(deal=deal)
    context = {
        "deal": deal,
        "roles": roles,
        "screening": screening if screening.required else None,
        "screening_next_refusal": _next_refusal(deal, screening),
        **_screening_forms(deal, screening=screening, roles=roles, refused=refused or {}),
        "actions": services.DEAL_WORKFLOW.allowed_action_labels(deal.stage, roles),
        "timeline": selectors.deal_timeline(deal=deal),
        "milestones": _milestones_with_actions(deal=deal, roles=roles),
        "messages_list": selectors.deal_room_messages(deal=deal),
        **forms,
        "certificate": selectors.deal_certificate(deal=deal) if completed else None,
        "progress": services.deal_progress(
            deal=deal, user=request.user, organization_ids=organization_ids
        ),
        "checklist": [
            (services.CHECKLIST_LABELS[item], passed)
            for item, passed in services.deal_review_checklist(deal=deal).items()
        ]
        if services.DEAL_REVIEWER in roles
        else None,
        "contract_types": CONTRACT_TYPES,
        "panels": deal_panels(deal=deal, user=request.user, roles=roles),
    }
    return render(request, "exchange/deal_detail.html", context, status=status)


def _back_to_deal(pk: int):
    return redirect("exchange:deal_detail", pk=pk)


@login_required
@require_POST
def deal_transition(request, pk: int):
    deal = _visible_deal(request, pk)
    try:
        deal = services.deal_transition(
            deal=deal,
            user=request.user,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Done: %(stage)s") % {"stage": deal.get_stage_display()})
    return _back_to_deal(pk)


def _submit_deal_form(request, deal, form, *, form_key: str, save, success: str):
    """A deal-page form: saved by `save(cleaned_data)` and back to the deal with `success`;
    a refused step goes back with its reason; invalid input re-renders the page with the
    form's errors (400), keeping what was typed."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except TransitionNotAllowed as error:
            messages.error(request, error_text(error))
            return _back_to_deal(deal.pk)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, success)
            return _back_to_deal(deal.pk)
    return _render_deal(request, deal, refused={form_key: form}, status=400)


@login_required
@require_POST
def deal_licence_check(request, pk: int, document_id: int):
    deal = _visible_deal(request, pk)
    document = selectors.deal_document(deal=deal, document_id=document_id)
    if document is None:
        raise Http404
    form = LicenceCheckForm(request.POST, document_id=document.pk)
    return _submit_deal_form(
        request,
        deal,
        form,
        form_key="licence_check_form",
        save=lambda data: services.deal_licence_check(
            deal=deal, user=request.user, document=document, **data
        ),
        success=_("The licence document has been checked."),
    )


@login_required
@require_POST
def deal_contract_registration(request, pk: int):
    deal = _visible_deal(request, pk)
    form = ContractRegistrationForm(request.POST)
    return _submit_deal_form(
        request,
        deal,
        form,
        form_key="registration_form",
        save=lambda data: services.deal_contract_registration_record(
            deal=deal, user=request.user, number=data["number"]
        ),
        success=_("The contract registration number has been recorded."),
    )


@login_required
@require_POST
def deal_terms(request, pk: int):
    deal = _visible_deal(request, pk)
    form = DealTermsForm(
        request.POST, instance=selectors.deal_fresh(deal=deal), with_commission=bool(deal.broker_id)
    )
    return _submit_deal_form(
        request,
        deal,
        form,
        form_key="terms_form",
        save=lambda data: services.deal_update(deal=deal, user=request.user, **data),
        success=_("The terms have been saved."),
    )


@login_required
@require_POST
def milestone_add(request, pk: int):
    deal = _visible_deal(request, pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_add(deal=deal, user=request.user, **form.cleaned_data)
        except TransitionNotAllowed as error:
            messages.error(request, error_text(error))
            return _back_to_deal(pk)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _back_to_deal(pk)
    return _render_deal(request, deal, refused={"milestone_form": form}, status=400)


@login_required
@require_POST
def milestone_done(request, pk: int, milestone_id: int):
    deal = _visible_deal(request, pk)
    milestone = selectors.deal_milestone(deal=deal, milestone_id=milestone_id)
    if milestone is None:
        raise Http404
    try:
        services.milestone_complete(milestone=milestone, user=request.user)
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    return _back_to_deal(pk)


@login_required
@require_POST
def deal_message(request, pk: int):
    deal = _visible_deal(request, pk)
    form = _message_form(deal, request.POST, request.FILES)
    if form.is_valid():
        try:
            services.deal_message_post(
                deal=deal,
                user=request.user,
                body=form.cleaned_data["body"],
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except (TransitionNotAllowed, ValidationError) as error:
            form.add_error(None, error_text(error))
        else:
            return _back_to_deal(pk)
    # Refused: the room again with the message as typed (a browser cannot keep a chosen file).
    return _render_deal(request, deal, refused={"message_form": form}, status=400)


@login_required
def deal_document_download(request, pk: int, document_id: int):
    """Deal documents are served only here, to the deal's participants; strangers get 404."""
    deal = _visible_deal(request, pk)
    document = selectors.deal_document(deal=deal, document_id=document_id)
    if document is None:
        raise Http404
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def deal_rate(request, pk: int):
    deal = _visible_deal(request, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rating_create(deal=deal, user=request.user, **form.cleaned_data)
        except TransitionNotAllowed as error:
            messages.error(request, error_text(error))
            return _back_to_deal(pk)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Thank you for your rating."))
            return _back_to_deal(pk)
    return _render_deal(request, deal, refused={"rating_form": form}, status=400)


# --- review queue, brokers, certificates, credit --------------------------------------------


@login_required
def deal_review_queue(request):
    if not request.user.is_reviewer:
        raise PermissionDenied
    deals = list(selectors.deals_awaiting_review())
    for deal in deals:
        deal.checklist = [
            (services.CHECKLIST_LABELS[item], passed)
            for item, passed in services.deal_review_checklist(deal=deal).items()
        ]
    return render(
        request,
        "exchange/deal_review_queue.html",
        {
            "deals": deals,
            "needs": selectors.needs_awaiting_review(),
            "turnaround": selectors.review_turnaround(),
        },
    )


# Fields a link may choose in advance on the introduction form (GET parameters).
INTRODUCTION_PREFILL = ("technology", "need", "enterprise", "deal_type")


@login_required
def introduction_list(request):
    introductions = list(selectors.introductions_visible_to(user=request.user))
    organization_ids = member_organization_ids(user=request.user)
    for introduction in introductions:
        introduction.actions = services.introduction_allowed_actions(
            introduction=introduction, user=request.user, organization_ids=organization_ids
        )
        # An anonymous need's enterprise stays unnamed until it accepts.
        introduction.enterprise_label = selectors.introduction_enterprise_label(
            introduction=introduction, user=request.user, organization_ids=organization_ids
        )
    form, confirming = None, False
    if request.user.has_role(Role.BROKER):
        # A lead (matching's board) opens the form with its technology, need and mode chosen.
        initial = {name: request.GET[name] for name in INTRODUCTION_PREFILL if name in request.GET}
        form = IntroductionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            # First the broker reads what both sides will be sent; only "confirm" sends it,
            # "edit" goes back to the form with what was typed.
            confirming = "confirm" not in request.POST and "edit" not in request.POST
            if "confirm" in request.POST:
                try:
                    services.introduction_create(broker=request.user, **form.cleaned_data)
                except (ValidationError, PermissionDenied) as error:
                    if isinstance(error, ValidationError):
                        apply_validation_error(form, error)
                    else:
                        form.add_error(None, str(error))
                else:
                    messages.success(request, _("The introduction has been sent to both sides."))
                    return redirect("exchange:introduction_list")
    context = {"introductions": introductions, "form": form, "confirming": confirming}
    if request.user.has_role(Role.BROKER):
        context["dashboard"] = selectors.broker_dashboard(user=request.user)
        context["credit"] = selectors.broker_credit(request.user)
    return render(request, "exchange/introduction_list.html", context)


@login_required
@require_POST
def introduction_transition(request, pk: int):
    introduction = get_object_or_404(selectors.introductions_visible_to(user=request.user), pk=pk)
    try:
        introduction = services.introduction_transition(
            introduction=introduction,
            user=request.user,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        if introduction.status == IntroductionStatus.ACCEPTED:
            messages.success(request, _("Both sides accepted: the deal is open."))
            return redirect("exchange:deal_detail", pk=introduction.deal.pk)
        messages.success(
            request, _("Done: %(status)s") % {"status": introduction.get_status_display()}
        )
    return redirect("exchange:introduction_list")


def certificate_verify(request):
    """Public: anyone checks a certificate number; a forged or altered number says so."""
    number = request.GET.get("number", "").strip()
    verdict, certificate = selectors.certificate_lookup(number) if number else ("", None)
    facts = selectors.certificate_facts(certificate=certificate) if certificate else None
    return render(
        request,
        "exchange/certificate_verify.html",
        {"number": number, "verdict": verdict, "facts": facts},
    )


@login_required
def certificate_pdf(request, pk: int):
    deal = _visible_deal(request, pk)
    certificate = selectors.deal_certificate(deal=deal)
    if certificate is None:
        raise Http404
    verify_url = request.build_absolute_uri(
        reverse("exchange:certificate_verify") + f"?number={certificate.number}"
    )
    content = documents.certificate_pdf(
        certificate=certificate,
        facts=selectors.certificate_facts(certificate=certificate),
        verify_url=verify_url,
    )
    return _pdf_response(content, f"certificate-{certificate.number}.pdf")


CONTRACT_TYPES = documents.CONTRACT_TEMPLATES


@login_required
def contract_draft(request, pk: int):
    deal = _visible_deal(request, pk)
    content = documents.contract_draft_pdf(deal=deal)
    return _pdf_response(content, f"contract-draft-{deal.pk}-{deal.deal_type}.pdf")


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def credit_profile(request, organization_id: int):
    from accounts.selectors import organizations_visible_to

    organization = get_object_or_404(
        organizations_visible_to(user=request.user), pk=organization_id
    )
    ratings = selectors.organization_ratings_received(organization)
    return render(
        request,
        "exchange/credit_profile.html",
        {
            "organization": organization,
            "credit": selectors.organization_credit(organization),
            "ratings": ratings,
        },
    )


@login_required
def need_translations(request, pk: int):
    """The need's text in other languages: its organisation's members and drafting brokers."""
    need = _visible_need(request, pk)
    return translations_page(
        request,
        instance=need,
        rules=services.NEED_TRANSLATIONS,
        back_url=reverse("exchange:need_detail", args=[need.pk]),
        title=need.title,
    )
