from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.permissions import (
    is_reviewer,
    is_verified_expert,
    member_organization_ids,
    primary_organization,
)
from catalog import duplicates, exports, imports, selectors, services
from catalog.choices import TRL_DEFINITIONS, SearchSort, TechnologyAction, TechnologyStatus
from catalog.forms import (
    AccessRequestForm,
    AttachmentForm,
    DuplicateDecisionForm,
    FigureFormSet,
    ImportForm,
    InquiryForm,
    PatentFormSet,
    ReviewForm,
    SavedSearchForm,
    SavingFormSet,
    TechnologyForm,
    TrlClaimForm,
    TrlDecisionForm,
    formset_rows,
)
from catalog.models import Technology, TrlEvidence
from catalog.services import DEFAULT_NDA, SAVED_FILTER_KEYS
from catalog.sheet import technology_sheet_pdf
from core.filters import applied_filters, filter_errors_response, unsearchable_words_message
from core.forms import ValidUntilForm, apply_validation_error
from core.freshness import Freshness, default_valid_until
from core.labels import approximate_number
from core.paging import search_page
from core.translation_pages import translations_page
from core.workflow import TransitionNotAllowed

PAGE_SIZE = 20
FACET_KEYS = (
    "category",
    "trl_band",
    "transaction_mode",
    "region",
    "holder_type",
    "has_granted_patent",
)
# Filters typed into the range form (price and publication date), not facet links.
RANGE_KEYS = ("price_min", "price_max", "published_from", "published_until")
# Filters kept from link to link that are neither facets nor ranges.
KEPT_KEYS = ("freshness", "organization", "open_licence")


def _search_context(request):
    search = selectors.technology_search(user=request.user, params=request.GET, public_only=True)
    if not search.filterset.is_valid():
        return {"search": search}
    # --- licence: the open-licence badge of each card reads this one prefetch per page.
    page, notices = search_page(
        search.queryset.prefetch_related("open_licence_offers"),
        per_page=PAGE_SIZE,
        number=request.GET.get("page"),
    )
    technologies = list(page.object_list)
    pictures = selectors.card_pictures(technology_ids=[t.pk for t in technologies])
    favourites = selectors.favourite_ids(
        user=request.user, technology_ids=[t.pk for t in technologies]
    )
    for technology in technologies:
        technology.snippet = search.snippet(technology.summary)
        technology.title_snippet = search.snippet(technology.title)
        technology.card_picture = pictures.get(technology.pk)
        technology.is_favourite = technology.pk in favourites
    facets = selectors.technology_facets(search=search)
    if facets["total_is_estimate"]:
        for key in FACET_KEYS:
            for item in _flatten(facets[key]):
                item["count"] = "≈ " + approximate_number(item["count"])
    params = request.GET.copy()
    params.pop("page", None)
    active = {
        key: params.get(key)
        for key in (*FACET_KEYS, *RANGE_KEYS, *KEPT_KEYS, "q", "sort")
        if params.get(key)
    }
    facet_links = {}
    for key in FACET_KEYS:
        for item in _flatten(facets[key]):
            query = {**active, key: item["value"]}
            item["url"] = "?" + urlencode(query)
            item["active"] = active.get(key) == item["value"]
        removed = {k: v for k, v in active.items() if k != key}
        facet_links[key] = "?" + urlencode(removed)
    query = params.get("q", "")
    if query.strip() and search.parsed_query.is_empty:
        notices.insert(0, unsearchable_words_message(query))
    return {
        "search": search,
        "page_obj": page,
        "notices": notices,
        "applied_filters": _applied_filters(search, page, active),
        "technologies": technologies,
        "facets": facets,
        "result_total": _result_total(search, page),
        "facet_clear": facet_links,
        "query": query,
        "active": active,
        "sorts": SearchSort.choices,
        "querystring": urlencode(active),
        "page_links": _page_links(page, active),
        "ranges_active": any(key in active for key in RANGE_KEYS),
        "range_form_keeps": {k: v for k, v in active.items() if k not in RANGE_KEYS},
        "save_form": SavedSearchForm(),
        "freshness_links": _freshness_links(active),
        "open_licence_links": {
            "only": "?" + urlencode({**active, "open_licence": "true"}),
            "clear": "?" + urlencode({k: v for k, v in active.items() if k != "open_licence"}),
        },
    }


def _applied_filters(search, page, active: dict) -> list[dict]:
    """The filters of a search that found nothing, each with the link that removes it."""
    if page.paginator.count:
        return []
    category = active.get("category")
    names = {"category": selectors.category_label(code=category)} if category else None
    filters = applied_filters(search.filterset, skip=("q", "sort"), values=names)
    for item in filters:
        item["remove_url"] = "?" + urlencode(
            {key: value for key, value in active.items() if key != item["name"]}
        )
    return filters


def _result_total(search, page) -> dict:
    """How the heading names the number of results: exact, or an estimate with its method and,
    on the last page that can be reached, why no further page is offered."""
    results = search.results
    if not results.is_estimate:
        return {"estimated": False, "count": results.total()}
    return {
        "estimated": True,
        "count": results.total(),
        "display": approximate_number(results.total()),
        "method": _(
            "Estimated from a sample of %(percent)s%% of the catalogue; counts are exact up to "
            "%(limit)s results."
        )
        % {
            "percent": number_format(round(results.sample_percent, 1)),
            "limit": number_format(selectors.EXACT_COUNT_LIMIT, force_grouping=True),
        },
        "capped": not page.has_next(),
        "browsable": page.paginator.count,
    }


def _freshness_links(active: dict) -> list[dict]:
    """Links to show current listings only (the default), outdated ones too, or only them."""
    current = active.get("freshness") or Freshness.CURRENT
    others = {key: value for key, value in active.items() if key != "freshness"}
    links = []
    for value, label in Freshness.choices:
        query = others if value == Freshness.CURRENT else {**others, "freshness": value}
        links.append({"label": label, "url": "?" + urlencode(query), "active": value == current})
    return links


def _page_links(page, active: dict) -> list[dict]:
    """Numbered pages around the current one (1 2 … 7 8 9 … 40), each with its address."""
    links = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append({"ellipsis": True})
        else:
            links.append(
                {
                    "number": number,
                    "url": "?" + urlencode({**active, "page": number}),
                    "current": number == page.number,
                }
            )
    return links


def _flatten(items):
    for item in items:
        yield item
        yield from item.get("children", ())


def technology_list(request):
    """The public catalogue: search, facets, sorting, pagination."""
    context = _search_context(request)
    if not context["search"].filterset.is_valid():
        return filter_errors_response(request, context["search"].filterset)
    return render(request, "catalog/technology_list.html", context)


def technology_export(request, file_format: str):
    search = selectors.technology_search(user=request.user, params=request.GET, public_only=True)
    if not search.filterset.is_valid():
        return filter_errors_response(request, search.filterset)
    rows = search.queryset[: exports.MAX_EXPORT_ROWS]
    if file_format == "xlsx":
        return exports.technologies_xlsx_response(rows)
    if file_format == "csv":
        return exports.technologies_csv_response(rows)
    raise Http404


def _visible_technology(request, pk: int) -> Technology:
    return get_object_or_404(
        selectors.technologies_visible_to(user=request.user)
        .select_related("organization", "category__parent")
        .prefetch_related("translations"),
        pk=pk,
    )


def _merged_redirect(request, pk: int):
    """The permanent redirect of a merged listing's page to the listing kept, or None."""
    target = duplicates.merged_redirect_target(user=request.user, technology_id=pk)
    if target is None:
        return None
    return redirect("catalog:technology_detail", pk=target.pk, permanent=True)


def technology_detail(request, pk: int):
    try:
        technology = _visible_technology(request, pk)
    except Http404:
        response = _merged_redirect(request, pk)
        if response is None:
            raise
        return response
    if technology.status == TechnologyStatus.MERGED:
        response = _merged_redirect(request, pk)
        if response is not None:
            return response
    roles = services.technology_actor_roles(technology=technology, user=request.user)
    confidential = selectors.can_view_confidential(user=request.user, technology=technology)
    attachments = selectors.attachments_shown(technology=technology, confidential=confidential)
    context = {
        "technology": technology,
        "shown": services.TECHNOLOGY_TRANSLATIONS.shown(
            technology, original=request.GET.get("original") == "1"
        ),
        "is_member": services.MEMBER in roles,
        "may_draft_translation": services.MEMBER not in roles
        and services.TECHNOLOGY_TRANSLATIONS.may_draft(request.user),
        "may_manage": bool(roles),
        "can_confirm": services.technology_can_confirm(technology=technology, user=request.user),
        "confidential": confidential,
        "access_request": (
            None
            if confidential
            else selectors.access_request_of(user=request.user, technology=technology)
        ),
        "gallery": selectors.gallery_of(attachments),
        "attachments": selectors.documents_of(attachments),
        "is_favourite": bool(
            selectors.favourite_ids(user=request.user, technology_ids=[technology.pk])
        ),
        **selectors.technology_detail_rows(technology=technology, confidential=confidential),
        "inquiry_form": InquiryForm(),
        "access_form": AccessRequestForm(),
        "nda_text": technology.nda_text or DEFAULT_NDA,
        **_readiness_context(request, technology),
    }
    return render(request, "catalog/technology_detail.html", context)


def _readiness_context(request, technology: Technology) -> dict:
    """The readiness box: the current assessed level and the assessments, each with what this
    reader may see of it (evidence names and files, the decider's note)."""
    assessments = selectors.trl_assessments_of(technology=technology)
    insider = selectors.technology_insider(user=request.user, technology=technology)
    rows = []
    for assessment in assessments:
        cleared = selectors.trl_evidence_clearance(
            user=request.user, assessment=assessment, technology=technology
        )
        rows.append(
            {
                "assessment": assessment,
                "evidence_cleared": cleared,
                "note_shown": cleared or insider,
            }
        )
    return {
        "readiness": selectors.technology_readiness(technology=technology, assessments=assessments),
        "trl_history": rows,
        "trl_decider": bool(
            services.DECIDERS
            & selectors.trl_assessment_actor_roles(technology=technology, user=request.user)
        )
        and any(assessment.is_claimed for assessment in assessments),
    }


@login_required
@require_POST
def inquiry_create(request, pk: int):
    technology = _visible_technology(request, pk)
    form = InquiryForm(request.POST)
    if form.is_valid():
        try:
            services.inquiry_create(
                user=request.user, technology=technology, message=form.cleaned_data["message"]
            )
        except (ValidationError, TransitionNotAllowed) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Your interest has been sent to the holder."))
    else:
        messages.error(request, _("Write a message to the holder."))
    return redirect("catalog:technology_detail", pk=technology.pk)


@login_required
@require_POST
def access_request_create(request, pk: int):
    technology = _visible_technology(request, pk)
    form = AccessRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("You must accept the non-disclosure agreement."))
        return redirect("catalog:technology_detail", pk=technology.pk)
    try:
        services.access_request_create(
            user=request.user,
            technology=technology,
            accept_nda=form.cleaned_data["accept_nda"],
            message=form.cleaned_data["message"],
        )
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Your request has been sent to the holder."))
    return redirect("catalog:technology_detail", pk=technology.pk)


@login_required
@require_POST
def access_request_decide(request, pk: int):
    access = get_object_or_404(selectors.access_requests_decidable_by(user=request.user), pk=pk)
    try:
        services.access_request_decide(
            user=request.user, access_request=access, approve=request.POST.get("approve") == "1"
        )
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your decision has been saved."))
    return redirect("catalog:technology_manage", pk=access.technology_id)


def attachment_download(request, pk: int):
    attachment = get_object_or_404(selectors.attachments_with_technology(), pk=pk)
    technology = _visible_technology(request, attachment.technology_id)
    if attachment.confidential and not selectors.can_view_confidential(
        user=request.user, technology=technology
    ):
        raise Http404
    return FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, filename=attachment.name
    )


def attachment_thumbnail(request, pk: int):
    """The thumbnail of a public picture; a confidential picture has none to show (404)."""
    attachment = get_object_or_404(
        selectors.attachments_with_technology().filter(confidential=False).exclude(thumbnail=""),
        pk=pk,
    )
    _visible_technology(request, attachment.technology_id)
    response = FileResponse(attachment.thumbnail.open("rb"), content_type="image/webp")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def technology_sheet(request, pk: int):
    """The printable one-page PDF of a published listing (public fields only, catalog.sheet)."""
    technology = get_object_or_404(
        selectors.technologies_visible_to(user=request.user)
        .filter(status=TechnologyStatus.PUBLISHED)
        .select_related("organization", "category")
        .prefetch_related("offers", "patents"),
        pk=pk,
    )
    url = request.build_absolute_uri(reverse("catalog:technology_detail", args=[pk]))
    response = HttpResponse(
        technology_sheet_pdf(technology=technology, url=url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="technology-{technology.pk}.pdf"'
    return response


# --- favourites ---------------------------------------------------------------------------------


@require_POST
def favourite_toggle(request, pk: int):
    """Star (`action=add`) or unstar (`action=remove`) a listing: a plain form post that
    returns to the page it came from, or with htmx the new star button alone."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("catalog:technology_detail", args=[pk]))
    technology = _visible_technology(request, pk)
    try:
        if request.POST.get("action") == "remove":
            services.favourite_remove(user=request.user, technology=technology)
            is_favourite = False
        else:
            services.favourite_add(user=request.user, technology=technology)
            is_favourite = True
    except TransitionNotAllowed as error:
        if request.htmx:
            return HttpResponse(str(error), status=409)
        messages.error(request, str(error))
        is_favourite = False
    if request.htmx:
        return render(
            request,
            "catalog/includes/favourite_star.html",
            {
                "technology": technology,
                "is_favourite": is_favourite,
                "next": request.POST.get("next", ""),
            },
        )
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("catalog:technology_detail", args=[pk])
    return redirect(target)


@login_required
def favourite_list(request):
    """The signed-in user's starred listings (their own only)."""
    paginator = Paginator(selectors.favourites_of(user=request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    favourites = list(page.object_list)
    pictures = selectors.card_pictures(technology_ids=[f.technology_id for f in favourites])
    for favourite in favourites:
        favourite.technology.card_picture = pictures.get(favourite.technology_id)
        favourite.technology.is_favourite = True
    return render(
        request, "catalog/favourite_list.html", {"favourites": favourites, "page_obj": page}
    )


# --- holder pages -------------------------------------------------------------------------------


@login_required
def my_technologies(request):
    technologies = list(selectors.technologies_of_user(user=request.user))
    for technology in technologies:
        technology.confirmation_due = services.technology_confirmation_due(technology=technology)
    return render(
        request,
        "catalog/my_technologies.html",
        {
            "technologies": technologies,
            "has_organization": bool(member_organization_ids(user=request.user)),
            "saved_searches": selectors.saved_searches_of(user=request.user),
        },
    )


def _technology_form_page(request, technology: Technology | None):
    if technology is None:
        initial, patents, figures, savings = {}, [], [], []
        try:
            organization = primary_organization(user=request.user)
        except ValidationError:
            messages.error(request, _("Create or join an organisation before listing."))
            return redirect("accounts:organization_create")
        initial["region"] = organization.region
    else:
        initial, patents, figures, savings = selectors.technology_form_initial(
            technology=technology
        )
    data = request.POST if request.method == "POST" else None
    form = TechnologyForm(data, initial=initial)
    patent_set = PatentFormSet(data, initial=patents, prefix="patents")
    figure_set = FigureFormSet(data, initial=figures, prefix="figures")
    saving_set = SavingFormSet(data, initial=savings, prefix="savings")
    if request.method == "POST" and all(
        f.is_valid() for f in (form, patent_set, figure_set, saving_set)
    ):
        payload = form.service_data()
        payload["patents"] = formset_rows(patent_set)
        payload["performance_figures"] = formset_rows(figure_set)
        payload["resource_savings"] = formset_rows(saving_set)
        was_published = technology is not None and technology.is_public
        try:
            if technology is None:
                technology = services.technology_create(
                    user=request.user, organization=organization, data=payload
                )
            else:
                technology = services.technology_update(
                    user=request.user, technology=technology, data=payload
                )
        except ValidationError as error:
            apply_validation_error(form, error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            if technology.is_public and was_published:
                messages.success(
                    request,
                    _("Your change was sent to review; the published version stays visible."),
                )
            else:
                messages.success(request, _("The technology has been saved."))
            return redirect("catalog:technology_manage", pk=technology.pk)
    return render(
        request,
        "catalog/technology_form.html",
        {
            "form": form,
            "patent_set": patent_set,
            "figure_set": figure_set,
            "saving_set": saving_set,
            "technology": technology,
            "trl_definitions": TRL_DEFINITIONS,
            "checklist": (
                selectors.technology_checklist(technology=technology) if technology else None
            ),
        },
    )


@login_required
def technology_create(request):
    return _technology_form_page(request, None)


def _own_technology(request, pk: int) -> Technology:
    return get_object_or_404(selectors.technologies_of_user(user=request.user), pk=pk)


@login_required
def technology_edit(request, pk: int):
    technology = _own_technology(request, pk)
    if not services.technology_can_edit(technology=technology, user=request.user):
        messages.error(request, _("This listing cannot be edited in its current state."))
        return redirect("catalog:technology_manage", pk=pk)
    return _technology_form_page(request, technology)


@login_required
def technology_manage(request, pk: int):
    """Status, review comments, pending change, requests and history of one listing."""
    technology = _visible_technology(request, pk)
    return _technology_manage_page(request, technology, trl_form=TrlClaimForm())


def _technology_manage_page(request, technology: Technology, *, trl_form, status: int = 200):
    roles = services.technology_actor_roles(technology=technology, user=request.user)
    if not roles:
        raise Http404
    actions = services.technology_allowed_actions(technology=technology, user=request.user)
    latest_review = selectors.technology_latest_review(technology=technology)
    revision = services.technology_open_revision(technology=technology)
    context = {
        "technology": technology,
        "is_member": services.MEMBER in roles,
        "is_reviewer": services.REVIEWER in roles,
        "member_actions": services.technology_member_action_buttons(
            technology=technology, actions=actions
        ),
        "can_review": TechnologyAction.APPROVE in actions,
        "can_edit": services.technology_can_edit(technology=technology, user=request.user),
        "can_confirm": services.technology_can_confirm(technology=technology, user=request.user),
        "latest_review": latest_review,
        "review_to_act_on": services.technology_review_to_act_on(
            technology=technology, latest_review=latest_review, revision=revision
        ),
        "revision": revision,
        "history": selectors.technology_history_for(technology=technology, user=request.user),
        "access_requests": selectors.access_requests_of_technology(technology=technology),
        "inquiries": selectors.inquiries_of_technology(technology=technology),
        "attachments": selectors.attachments_shown(technology=technology, confidential=True),
        "attachment_form": AttachmentForm(),
        "review_form": ReviewForm(),
        "progress": services.technology_progress(technology=technology, user=request.user),
        # The holder's look-alikes ("update it instead?") and the reviewers' recorded pairs.
        "duplicate_warnings": (
            duplicates.technology_duplicates(technology=technology, user=request.user, limit=3)
            if services.MEMBER in roles
            else []
        ),
        "merged_into": (
            selectors.technologies_visible_to(user=request.user)
            .filter(pk=technology.merged_into_id)
            .first()
            if technology.merged_into_id
            else None
        ),
        "duplicate_flags": (
            duplicates.duplicate_flags_of_technology(technology=technology, user=request.user)
            if services.REVIEWER in roles
            else []
        ),
        "checklist": selectors.technology_checklist(technology=technology),
        "trl_form": trl_form,
        **_readiness_context(request, technology),
    }
    return render(request, "catalog/technology_manage.html", context, status=status)


@login_required
def technology_confirm(request, pk: int):
    """The holder confirms the listing is current: one click (POST without a date: 12 months)
    from the listing's pages, the to-dos and the reminder, or a chosen date on this page."""
    technology = _own_technology(request, pk)
    manage_url = reverse("catalog:technology_manage", args=[pk])
    if request.method == "POST" and "valid_until" not in request.POST:
        return _confirm_and_redirect(request, technology, None, manage_url)
    if request.method == "POST":
        form = ValidUntilForm(request.POST)
        if form.is_valid():
            try:
                return _confirm_and_redirect(
                    request, technology, form.cleaned_data["valid_until"], manage_url, form=form
                )
            except ValidationError as error:
                apply_validation_error(form, error)
    else:
        form = ValidUntilForm(initial={"valid_until": default_valid_until()})
    return render(
        request,
        "includes/confirm_page.html",
        {"entry": technology, "form": form, "back_url": manage_url},
    )


def _confirm_and_redirect(request, technology, valid_until, manage_url, form=None):
    try:
        technology = services.technology_confirm(
            user=request.user, technology=technology, valid_until=valid_until
        )
    except ValidationError:
        if form is not None:
            raise
        messages.error(request, _("The listing could not be confirmed."))
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Thank you: the listing is confirmed as current until %(date)s.")
            % {"date": date_format(technology.valid_until, "DATE_FORMAT")},
        )
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = manage_url
    return redirect(target)


MEMBER_ACTIONS = {
    TechnologyAction.SUBMIT: services.technology_submit,
    TechnologyAction.WITHDRAW: services.technology_withdraw,
    TechnologyAction.ARCHIVE: services.technology_archive,
}


@login_required
@require_POST
def technology_transition(request, pk: int):
    technology = _visible_technology(request, pk)
    action = request.POST.get("action", "")
    service = MEMBER_ACTIONS.get(action)
    if service is None:
        raise Http404
    try:
        technology = service(user=request.user, technology=technology)
    except PermissionDenied:
        raise
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            _("Done: the listing is now “%(status)s”.")
            % {"status": technology.get_status_display()},
        )
    return redirect("catalog:technology_manage", pk=pk)


@login_required
@require_POST
def attachment_upload(request, pk: int):
    technology = _own_technology(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                user=request.user,
                technology=technology,
                upload=form.cleaned_data["file"],
                confidential=form.cleaned_data["confidential"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The document has been attached."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("catalog:technology_manage", pk=pk)


# --- reviewers ----------------------------------------------------------------------------------


def _reviewer_only(request):
    if not is_reviewer(user=request.user):
        raise PermissionDenied


@login_required
def review_queue(request):
    _reviewer_only(request)
    return render(
        request,
        "catalog/review_queue.html",
        {
            "technologies": selectors.technologies_awaiting_review(),
            "revisions": selectors.revisions_awaiting_review(),
            "review_form": ReviewForm(),
            "minimum_completeness": selectors.catalog_policy().minimum_completeness,
        },
    )


@login_required
@require_POST
def technology_review(request, pk: int):
    _reviewer_only(request)
    technology = _visible_technology(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("catalog:review_queue")
    comment = form.cleaned_data["comment"]
    field = form.cleaned_data["field"]
    try:
        services.technology_review(
            user=request.user,
            technology=technology,
            decision=form.cleaned_data["decision"],
            comment="" if field else comment,
            field_comments={field: comment} if field else None,
        )
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, _("Your decision on “%(title)s” has been saved.") % {"title": technology.title}
        )
    next_url = request.POST.get("next") or reverse("catalog:review_queue")
    if not next_url.startswith("/"):
        next_url = reverse("catalog:review_queue")
    return redirect(next_url)


# --- saved searches, import ---------------------------------------------------------------------


@login_required
@require_POST
def saved_search_create(request):
    form = SavedSearchForm(request.POST)
    form.is_valid()
    filters = {key: request.POST.get(key) for key in SAVED_FILTER_KEYS if request.POST.get(key)}
    try:
        services.saved_search_create(
            user=request.user,
            name=form.cleaned_data.get("name", ""),
            query=request.POST.get("q", ""),
            filters=filters,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Search saved: you will be told when a new technology matches it.")
        )
    return redirect(
        reverse("catalog:technology_list")
        + "?"
        + urlencode({"q": request.POST.get("q", ""), **filters})
    )


@login_required
@require_POST
def saved_search_delete(request, pk: int):
    saved = get_object_or_404(selectors.saved_searches_of(user=request.user), pk=pk)
    services.saved_search_delete(user=request.user, saved_search=saved)
    messages.success(request, _("The saved search has been deleted."))
    return redirect("catalog:my_technologies")


@login_required
def technology_import(request):
    if not request.user.has_role(Role.HOLDER, Role.ADMIN):
        raise PermissionDenied
    try:
        organization = primary_organization(user=request.user)
    except ValidationError as error:
        raise PermissionDenied from error
    form = ImportForm(request.POST or None, request.FILES or None)
    labels = imports.column_labels()
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            created = imports.technologies_import(
                user=request.user, organization=organization, upload=form.cleaned_data["file"]
            )
        except imports.ImportFailed as failure:
            report = failure.errors
            messages.error(request, _("Nothing was imported: correct the rows below and retry."))
        else:
            messages.success(
                request, _("%(count)d technologies imported as drafts.") % {"count": len(created)}
            )
            return redirect("catalog:my_technologies")
    return render(
        request,
        "catalog/import.html",
        {
            "form": form,
            # (row, column code, its label, message): the code stays as code beside the label
            "report": [
                (row, field, labels.get(field, ""), message) for row, field, message in report
            ]
            if report is not None
            else None,
            "columns": labels.items(),
        },
    )


def import_template(request):
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="technologies-template.csv"'
    return response


# --- possible duplicates (reviewers) ------------------------------------------------------------


@login_required
def duplicate_queue(request):
    """Open pairs of listings that read alike, most alike first."""
    _reviewer_only(request)
    paginator = Paginator(duplicates.duplicate_flags_open(user=request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/duplicate_queue.html",
        {"flags": list(page.object_list), "page_obj": page, "page_links": _page_links(page, {})},
    )


def _reviewer_flag(request, pk: int):
    # Pairs are the reviewers' business: to anyone else a pair is as unknown as a wrong id.
    return get_object_or_404(duplicates.duplicate_flags_visible_to(user=request.user), pk=pk)


@login_required
def duplicate_compare(request, pk: int):
    """The two listings of a pair side by side, with dismiss and merge when it is open."""
    flag = _reviewer_flag(request, pk)
    form = DuplicateDecisionForm(flag=flag, may_merge=_may_merge(request, flag))
    return _duplicate_compare_page(request, flag, form)


def _may_merge(request, flag) -> bool:
    # The service decides (technology_merge); the form only leaves out what it would refuse.
    return flag.same_organization or request.user.has_role(Role.ADMIN)


def _duplicate_compare_page(request, flag, form, status: int = 200):
    return render(
        request,
        "catalog/duplicate_compare.html",
        {
            "flag": flag,
            "rows": duplicates.duplicate_comparison(flag=flag),
            "reason": duplicates.flag_reason(flag),
            "percent": flag.percent,
            "form": form,
            "may_merge_across": request.user.has_role(Role.ADMIN),
        },
        status=status,
    )


@login_required
@require_POST
def duplicate_decide(request, pk: int):
    """Dismiss the pair (not duplicates) or merge one listing into the other."""
    flag = _reviewer_flag(request, pk)
    form = DuplicateDecisionForm(request.POST, flag=flag, may_merge=_may_merge(request, flag))
    if not form.is_valid():
        return _duplicate_compare_page(request, flag, form, status=400)
    decision = form.cleaned_data["decision"]
    note = form.cleaned_data["note"]
    try:
        if decision == DuplicateDecisionForm.DISMISS:
            duplicates.duplicate_flag_dismiss(user=request.user, flag=flag, note=note)
            messages.success(request, _("The pair was marked as not duplicates."))
            return redirect("catalog:duplicate_queue")
        keep = (
            flag.technology if form.cleaned_data["keep"] == flag.technology_id else flag.candidate
        )
        survivor = services.technology_merge(user=request.user, flag=flag, keep=keep, note=note)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this."))
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            _("Merged: “%(title)s” is the listing kept.") % {"title": survivor.title},
        )
        return redirect("catalog:technology_manage", pk=survivor.pk)
    return redirect("catalog:duplicate_compare", pk=flag.pk)


# --- readiness assessments ----------------------------------------------------------------------


@login_required
@require_POST
def trl_claim(request, pk: int):
    """A member of the holder claims a level with its evidence (the form on the manage page)."""
    technology = _own_technology(request, pk)
    form = TrlClaimForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.trl_claim(
                user=request.user,
                technology=technology,
                level=form.cleaned_data["level"],
                application_context=form.cleaned_data["application_context"],
                assessed_on=form.cleaned_data["assessed_on"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The level has been claimed; a reviewer or an expert will confirm it.")
            )
            return redirect("catalog:technology_manage", pk=pk)
    return _technology_manage_page(request, technology, trl_form=form, status=400)


def _decider_only(request):
    if not (is_reviewer(user=request.user) or is_verified_expert(user=request.user)):
        raise PermissionDenied


@login_required
def trl_assessment_queue(request):
    """The claimed levels this reviewer or verified expert may confirm or refuse."""
    _decider_only(request)
    assessments = selectors.trl_assessments_decidable_by(user=request.user)
    return render(
        request,
        "catalog/trl_assessment_queue.html",
        {"assessments": assessments, "decision_form": TrlDecisionForm()},
    )


TRL_DECISIONS = {"confirm": services.trl_confirm, "reject": services.trl_reject}


@login_required
@require_POST
def trl_assessment_decide(request, pk: int):
    assessment = get_object_or_404(selectors.trl_assessments_visible_to(user=request.user), pk=pk)
    service = TRL_DECISIONS.get(request.POST.get("action", ""))
    if service is None:
        raise Http404
    form = TrlDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        service(user=request.user, assessment=assessment, note=note)
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        assessment.refresh_from_db()
        messages.success(
            request,
            _("Done: the claimed level is now “%(status)s”.")
            % {"status": assessment.get_status_display()},
        )
    return redirect("catalog:trl_assessment_queue")


def trl_evidence_download(request, pk: int):
    """An evidence file, for those cleared to read it; others only see its hash on the page."""
    evidence = get_object_or_404(
        TrlEvidence.objects.select_related("assessment"),
        pk=pk,
        assessment__in=selectors.trl_assessments_visible_to(user=request.user),
    )
    technology = _visible_technology(request, evidence.assessment.technology_id)
    if not selectors.trl_evidence_clearance(
        user=request.user, assessment=evidence.assessment, technology=technology
    ):
        raise Http404
    return FileResponse(
        evidence.file.open("rb"), content_type=evidence.content_type, filename=evidence.name
    )


@login_required
def technology_translations(request, pk: int):
    """The listing's text in other languages: its holder's members and drafting brokers."""
    technology = _visible_technology(request, pk)
    return translations_page(
        request,
        instance=technology,
        rules=services.TECHNOLOGY_TRANSLATIONS,
        back_url=reverse("catalog:technology_detail", args=[technology.pk]),
        title=technology.title,
    )
