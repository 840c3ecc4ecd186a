"""Pages of the financing desk. They call the same services and selectors as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import member_organization_ids
from core.filters import ID_MAX, filter_errors_response
from core.forms import apply_validation_error
from core.workflow import TransitionNotAllowed
from finance import selectors, services
from finance.choices import ApplicationAction, MoneyRequestAction
from finance.filtersets import ApplicationFilterSet, ProductFilterSet
from finance.forms import (
    ApplicationEditForm,
    ApplicationForm,
    BudgetForm,
    DocumentForm,
    FundForm,
    IssueVoucherForm,
    MoneyRequestDecisionForm,
    ProductForm,
    ProgrammeForm,
    RedeemForm,
    SubsidyForm,
    TransitionForm,
    ValuationForm,
)
from finance.ledger import IdempotencyKeyReused
from finance.models import FinancingApplication

MAXIMUM_COMPARED = 4


@login_required
def workspace(request):
    user = request.user
    context = {
        "applications": selectors.applications_of_own_organizations(user=user)[:10],
        "vouchers": selectors.vouchers_of(user=user),
        "is_financier": bool(selectors.financier_organization_ids(user)),
        "is_operator": selectors.is_operator(user),
        "may_see_money_requests": selectors.may_see_money_requests(user),
        "pipeline": selectors.financier_pipeline(user=user)
        if selectors.financier_organization_ids(user)
        else None,
    }
    return render(request, "finance/workspace.html", context)


# --- Products ---------------------------------------------------------------------------------


def product_list(request):
    queryset = selectors.products_visible_to(user=request.user).order_by("kind", "pk")
    filterset = ProductFilterSet(request.GET or None, queryset=queryset)
    if filterset.is_bound and not filterset.is_valid():
        return filter_errors_response(request, filterset)
    products = filterset.qs if filterset.is_bound else queryset
    return render(
        request,
        "finance/product_list.html",
        {"filter": filterset, "products": products, "maximum_compared": MAXIMUM_COMPARED},
    )


def product_compare(request):
    try:
        ids = [int(value) for value in request.GET.getlist("ids")][:MAXIMUM_COMPARED]
        ids = [value for value in ids if 0 < value <= ID_MAX]
    except ValueError:
        ids = []
    products = list(selectors.products_visible_to(user=request.user).filter(pk__in=ids))
    if len(products) < 2:
        messages.warning(request, _("Choose two to four products to compare."))
        return redirect("finance:product_list")
    products.sort(key=lambda product: ids.index(product.pk))
    return render(request, "finance/product_compare.html", {"products": products})


def product_detail(request, pk: int):
    product = get_object_or_404(selectors.products_visible_to(user=request.user), pk=pk)
    return render(
        request,
        "finance/product_detail.html",
        {
            "product": product,
            "allowed_actions": [
                (action, services.PRODUCT_ACTION_LABELS[action])
                for action in services.product_allowed_actions(product=product, user=request.user)
            ],
            "can_edit": product.institution_id
            in selectors.financier_organization_ids(request.user),
        },
    )


@login_required
def product_create(request):
    institutions = selectors.institutions_of(user=request.user)
    if not institutions.exists():
        raise Http404
    form = ProductForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            product = services.product_create(user=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The product has been saved as a draft."))
            return redirect("finance:product_detail", pk=product.pk)
    return render(request, "finance/product_form.html", {"form": form, "creating": True})


@login_required
def product_edit(request, pk: int):
    product = get_object_or_404(selectors.products_managed_by(user=request.user), pk=pk)
    form = ProductForm(
        request.POST or None,
        instance=product,
        initial={"eligible_categories": product.eligible_categories.all()},
    )
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "institution"}
        try:
            services.product_update(product=product, user=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The product has been saved."))
            return redirect("finance:product_detail", pk=product.pk)
    return render(request, "finance/product_form.html", {"form": form, "product": product})


@login_required
@require_POST
def product_transition(request, pk: int):
    product = get_object_or_404(selectors.products_visible_to(user=request.user), pk=pk)
    try:
        services.product_transition(
            product=product, user=request.user, action=request.POST.get("action", "")
        )
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The product's status has been updated."))
    return redirect("finance:product_detail", pk=product.pk)


# --- Applications -----------------------------------------------------------------------------


def _application_form_choices(request, organization_ids):
    organizations = selectors.organizations_among(organization_ids)
    technologies = selectors.technologies_linkable_by(organization_ids=organization_ids)
    valuations = selectors.valuations_visible_to(user=request.user).filter(
        organization_id__in=organization_ids
    )
    return {"organizations": organizations, "technologies": technologies, "valuations": valuations}


@login_required
def application_create(request, pk: int):
    product = get_object_or_404(selectors.products_visible_to(user=request.user), pk=pk)
    organization_ids = member_organization_ids(user=request.user)
    form = ApplicationForm(
        request.POST or None, **_application_form_choices(request, organization_ids)
    )
    if not product.is_ip_pledge:
        del form.fields["valuation"]
    if request.method == "POST" and form.is_valid():
        submit = "save_draft" not in request.POST
        try:
            application = services.application_create(
                user=request.user, product=product, submit=submit, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
            if hasattr(error, "error_dict") and "eligibility" in error.error_dict:
                messages.error(request, _("You are not eligible for this product yet."))
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Your application has been submitted.")
                if submit
                else _("Your application has been saved as a draft."),
            )
            return redirect("finance:application_detail", pk=application.pk)
    eligibility = None
    if request.method == "GET" and len(organization_ids) == 1:
        eligibility = services.eligibility_failures(
            product=product, organization=selectors.organizations_among(organization_ids).get()
        )
    return render(
        request,
        "finance/application_form.html",
        {"form": form, "product": product, "eligibility": eligibility},
    )


@login_required
def application_list(request):
    queryset = selectors.applications_visible_to(user=request.user).order_by("-updated_at", "-pk")
    filterset = ApplicationFilterSet(request.GET or None, queryset=queryset)
    if filterset.is_bound and not filterset.is_valid():
        return filter_errors_response(request, filterset)
    applications = filterset.qs if filterset.is_bound else queryset
    return render(
        request,
        "finance/application_list.html",
        {"filter": filterset, "applications": applications},
    )


def _visible_application(request, pk: int) -> FinancingApplication:
    return get_object_or_404(selectors.application_page_queryset(user=request.user), pk=pk)


def _next_steps(application: FinancingApplication, user) -> list[dict[str, object]]:
    """The allowed actions as the page's forms: what each one asks for and whether it ends
    the application."""
    return [
        {
            "action": action,
            "label": services.APPLICATION_ACTION_LABELS[action],
            "asks_terms": action == ApplicationAction.APPROVE,
            "asks_note": action in services.DECISIONS,
            "asks_reason": action == ApplicationAction.REJECT,
            "ends": action in (ApplicationAction.REJECT, ApplicationAction.WITHDRAW),
        }
        for action in services.application_allowed_actions(application=application, user=user)
    ]


@login_required
def application_detail(request, pk: int):
    return _render_application(request, _visible_application(request, pk))


def _render_application(
    request, application, *, refused_form=None, refused_action: str = "", status: int = 200
):
    """The application page; `refused_form` is a refused step, shown with what was typed."""
    roles = selectors.application_actor_roles(application=application, user=request.user)
    context = {
        "refused_form": refused_form,
        "refused_action": refused_action,
        "application": application,
        "product": application.product,
        "allowed_actions": _next_steps(application, request.user),
        "loan_cap": services.application_loan_cap(application=application),
        "transition_form": TransitionForm(),
        "document_form": DocumentForm(),
        "can_add_documents": selectors.APPLICANT_ROLE in roles
        and application.status in services.DOCUMENT_STATUSES,
        "eligibility": services.eligibility_failures(
            product=application.product,
            organization=application.applicant,
            technology=application.technology,
        )
        if application.status in services.EDITABLE_STATUSES and selectors.APPLICANT_ROLE in roles
        else None,
        "subsidies": application.interest_subsidies.all(),
        "progress": services.application_progress(application=application, user=request.user),
        "can_edit": selectors.APPLICANT_ROLE in roles
        and application.status in services.EDITABLE_STATUSES,
    }
    return render(request, "finance/application_detail.html", context, status=status)


@login_required
def application_edit(request, pk: int):
    """The applicant changes a draft, or answers a request for more information, and submits
    again — through the same service as the API's PATCH; all or nothing."""
    application = _visible_application(request, pk)
    roles = selectors.application_actor_roles(application=application, user=request.user)
    if selectors.APPLICANT_ROLE not in roles:
        raise Http404
    if application.status not in services.EDITABLE_STATUSES:
        messages.error(
            request,
            _("The application can only be changed as a draft or when information is requested."),
        )
        return redirect("finance:application_detail", pk=pk)
    choices = _application_form_choices(request, [application.applicant_id])
    form = ApplicationEditForm(
        request.POST or None,
        technologies=choices["technologies"],
        valuations=choices["valuations"],
        initial={
            "requested_amount": application.requested_amount,
            "tenor_months": application.tenor_months,
            "purpose": application.purpose,
            "technology": application.technology_id,
            "valuation": application.valuation_id,
        },
    )
    if not application.product.is_ip_pledge:
        del form.fields["valuation"]
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["purpose"] = fields["purpose"].strip()
        submit = "save_only" not in request.POST
        action = (
            ApplicationAction.RESUBMIT
            if application.awaits_information
            else ApplicationAction.SUBMIT
        )
        try:
            with transaction.atomic():
                services.application_update(application=application, user=request.user, **fields)
                if submit:
                    services.application_transition(
                        application=application, user=request.user, action=action
                    )
        except ValidationError as error:
            apply_validation_error(form, error)
            if hasattr(error, "error_dict") and "eligibility" in error.error_dict:
                messages.error(request, _("You are not eligible for this product yet."))
            application = _visible_application(request, pk)  # drop the refused changes
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
            application = _visible_application(request, pk)
        else:
            messages.success(
                request,
                _("Your application has been submitted again.")
                if submit
                else _("Your changes have been saved."),
            )
            return redirect("finance:application_detail", pk=pk)
    return render(
        request,
        "finance/application_edit.html",
        {"form": form, "application": application, "product": application.product},
    )


@login_required
@require_POST
def application_transition(request, pk: int):
    application = _visible_application(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was not filled in correctly."))
        return redirect("finance:application_detail", pk=pk)
    data = form.cleaned_data
    try:
        services.application_transition(
            application=application,
            user=request.user,
            action=data["action"],
            note=data["note"],
            approved_amount=data["approved_amount"],
            approved_terms=data["approved_terms"],
            reason_code=data["reason_code"],
        )
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    except ValidationError as error:
        # Beside the fields of the refused step, with what was typed kept.
        apply_validation_error(form, error)
        return _render_application(
            request, application, refused_form=form, refused_action=data["action"], status=400
        )
    else:
        messages.success(request, _("Done: the application has been updated."))
    return redirect("finance:application_detail", pk=pk)


@login_required
@require_POST
def application_document_upload(request, pk: int):
    application = _visible_application(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.application_document_add(
                application=application,
                user=request.user,
                title=form.cleaned_data["title"],
                uploaded=form.cleaned_data["file"],
            )
        except (ValidationError, TransitionNotAllowed) as error:
            for message in getattr(error, "messages", [str(error)]):
                messages.error(request, message)
        else:
            messages.success(request, _("The document has been added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("finance:application_detail", pk=pk)


@login_required
def application_document(request, pk: int, document_id: int):
    """Serve a document only to those who may see its application (404 for everyone else)."""
    application = _visible_application(request, pk)
    document = get_object_or_404(application.documents, pk=document_id)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


# --- Valuations -------------------------------------------------------------------------------


@login_required
def valuation_list(request):
    valuations = selectors.valuations_visible_to(user=request.user).order_by("-pk")
    return render(request, "finance/valuation_list.html", {"valuations": valuations})


@login_required
def valuation_create(request):
    technologies = selectors.technologies_of(
        organization_ids=member_organization_ids(user=request.user)
    )
    form = ValuationForm(request.POST or None, technologies=technologies)
    if request.method == "POST" and form.is_valid():
        try:
            valuation = services.valuation_create(user=request.user, **form.service_inputs())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The valuation has been saved."))
            return redirect("finance:valuation_detail", pk=valuation.pk)
    return render(request, "finance/valuation_form.html", {"form": form})


@login_required
def valuation_detail(request, pk: int):
    valuation = get_object_or_404(selectors.valuations_visible_to(user=request.user), pk=pk)
    return render(request, "finance/valuation_detail.html", {"valuation": valuation})


# --- Vouchers ---------------------------------------------------------------------------------


def _qualifying_deals(voucher):
    return selectors.deals_payable_by_voucher(
        holder_id=voucher.holder_id, currency=voucher.currency
    )


@login_required
def voucher_list(request):
    vouchers = list(selectors.vouchers_of(user=request.user).prefetch_related("redemptions"))
    # The qualifying deals depend on the holder and the currency only: one query for each pair,
    # not one per voucher.
    deals: dict[tuple[int, str], list] = {}
    rows = []
    for voucher in vouchers:
        key = (voucher.holder_id, voucher.currency)
        if key not in deals:
            deals[key] = _qualifying_deals(voucher)
        rows.append({"voucher": voucher, "form": RedeemForm(deals=deals[key], prefix=voucher.pk)})
    return render(
        request,
        "finance/voucher_list.html",
        {"rows": rows, "deals_available": selectors.deal_model() is not None},
    )


@login_required
@require_POST
def voucher_redeem(request, pk: int):
    voucher = get_object_or_404(selectors.vouchers_of(user=request.user), pk=pk)
    form = RedeemForm(request.POST, deals=_qualifying_deals(voucher), prefix=voucher.pk)
    if form.is_valid():
        try:
            services.voucher_redeem(
                voucher=voucher,
                user=request.user,
                amount=form.cleaned_data["amount"],
                deal_id=form.cleaned_data["deal"],
                # The form carries a key made when it was rendered: a double submit pays once.
                idempotency_key=request.POST.get("idempotency_key") or None,
            )
        except (ValidationError, IdempotencyKeyReused) as error:
            for message in getattr(error, "messages", [str(error)]):
                messages.error(request, message)
        else:
            messages.success(request, _("The voucher has been redeemed."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("finance:voucher_list")


# --- Dashboards -------------------------------------------------------------------------------


@login_required
def pipeline(request):
    if not selectors.financier_organization_ids(request.user):
        raise Http404
    applications = selectors.applications_in_pipeline(user=request.user)[:20]
    return render(
        request,
        "finance/pipeline.html",
        {
            "pipeline": selectors.financier_pipeline(user=request.user),
            "applications": applications,
            "products": selectors.products_managed_by(user=request.user),
        },
    )


@login_required
def programmes(request):
    if not selectors.is_operator(request.user):
        raise Http404
    return render(
        request,
        "finance/programmes.html",
        {
            "rows": selectors.operator_dashboard(user=request.user),
            "awaiting": selectors.money_requests_awaiting(user=request.user).count(),
        },
    )


def _operator_programme(request, pk: int):
    return get_object_or_404(selectors.programmes_visible_to(user=request.user), pk=pk)


@login_required
def programme_create(request):
    if not selectors.is_operator(request.user):
        raise Http404
    operators = selectors.operator_organizations_of(user=request.user)
    form = ProgrammeForm(request.POST or None, operators=operators)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(
                user=request.user,
                idempotency_key=request.POST.get("idempotency_key") or None,
                **form.service_inputs(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except IdempotencyKeyReused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "The programme has been created; its budget now waits for a second "
                    "person's approval."
                ),
            )
            return redirect("finance:programme_detail", pk=programme.pk)
    return render(
        request,
        "finance/programme_form.html",
        {"form": form, "has_operators": operators.exists()},
    )


def _programme_page(request, programme, *, status=200, **forms_given):
    row = selectors.operator_dashboard(user=request.user, programme_ids=[programme.pk])[0]
    vouchers = selectors.vouchers_of_programme(programme=programme)
    requests = list(
        selectors.money_requests_visible_to(user=request.user)
        .filter(programme=programme)
        .order_by("-requested_at", "-pk")[:20]
    )
    bound = [form for form in forms_given.values() if form is not None and form.errors]
    return render(
        request,
        "finance/programme_detail.html",
        {
            "programme": programme,
            "row": row,
            "vouchers": vouchers,
            "budget_form": forms_given.get("budget_form") or BudgetForm(),
            "fund_form": forms_given.get("fund_form") or FundForm(),
            "issue_form": (forms_given.get("issue_form") or IssueVoucherForm())
            if row["is_voucher"]
            else None,
            "subsidy_form": None
            if row["is_voucher"]
            else forms_given.get("subsidy_form")
            or SubsidyForm(loans=selectors.loans_open_to_subsidy()),
            "invalid_form": bound[0] if bound else None,
            "requests": _request_rows(request, requests),
            "threshold": services.voucher_second_key_threshold(),
        },
        status=status,
    )


def _request_rows(request, money_requests):
    return [
        {
            "request": money_request,
            "actions": [
                (action, services.MONEY_REQUEST_ACTION_LABELS[action])
                for action in services.money_request_allowed_actions(
                    money_request=money_request, user=request.user
                )
            ],
            "second_key": MoneyRequestAction.APPROVE,
        }
        for money_request in money_requests
    ]


@login_required
def programme_detail(request, pk: int):
    return _programme_page(request, _operator_programme(request, pk))


def _programme_form_view(*, form_name: str, make_form, call, success):
    """One POST of the programme page: bind `make_form(request.POST)`, run
    `call(request, programme, cleaned_data, idempotency_key)` (which may return its own success
    message) and redirect; the page again with the form's errors (summary and beside each
    field) otherwise."""

    @login_required
    @require_POST
    def view(request, pk: int):
        programme = _operator_programme(request, pk)
        form = make_form(request.POST)
        if form.is_valid():
            try:
                message = call(
                    request,
                    programme,
                    dict(form.cleaned_data),
                    request.POST.get("idempotency_key") or None,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except IdempotencyKeyReused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, message or success)
                return redirect("finance:programme_detail", pk=programme.pk)
        return _programme_page(request, programme, **{form_name: form})

    return view


def _second_key_request(service):
    def call(request, programme, data, idempotency_key):
        service(programme=programme, user=request.user, idempotency_key=idempotency_key, **data)

    return call


def _voucher_issue(request, programme, data, idempotency_key):
    if services.voucher_needs_second_key(data["face_value"]):
        services.voucher_issue_request(
            programme=programme, user=request.user, idempotency_key=idempotency_key, **data
        )
        return _("The voucher has been sent for a second person's approval.")
    data.pop("note", None)
    services.voucher_issue(
        programme=programme, user=request.user, idempotency_key=idempotency_key, **data
    )
    return None


def _interest_subsidy_request(request, programme, data, idempotency_key):
    services.interest_subsidy_request(
        programme=programme,
        user=request.user,
        application=data["application"],
        annual_rate=data["annual_rate"] / 100,
        period_start=data["period_start"],
        period_end=data["period_end"],
        note=data["note"],
        idempotency_key=idempotency_key,
    )


programme_budget = _programme_form_view(
    form_name="budget_form",
    make_form=BudgetForm,
    call=_second_key_request(services.programme_budget_request),
    success=gettext_lazy("The budget has been sent for a second person's approval."),
)
programme_fund = _programme_form_view(
    form_name="fund_form",
    make_form=FundForm,
    call=_second_key_request(services.programme_funding_request),
    success=gettext_lazy("The funding has been sent for a second person's approval."),
)
programme_issue = _programme_form_view(
    form_name="issue_form",
    make_form=IssueVoucherForm,
    call=_voucher_issue,
    success=gettext_lazy("The voucher has been issued."),
)
programme_subsidy = _programme_form_view(
    form_name="subsidy_form",
    make_form=lambda data: SubsidyForm(data, loans=selectors.loans_open_to_subsidy()),
    call=_interest_subsidy_request,
    success=gettext_lazy("The interest subsidy has been sent for a second person's approval."),
)


# --- Two-key money requests -------------------------------------------------------------------


@login_required
def money_requests(request):
    visible = selectors.money_requests_visible_to(user=request.user)
    if not selectors.may_see_money_requests(request.user):
        raise Http404
    awaiting = list(selectors.money_requests_awaiting(user=request.user).order_by("requested_at"))
    recent = list(visible.exclude(pk__in=[r.pk for r in awaiting])[:30])
    return render(
        request,
        "finance/money_requests.html",
        {
            "awaiting": _request_rows(request, awaiting),
            "recent": _request_rows(request, recent),
            "decision_form": MoneyRequestDecisionForm(),
        },
    )


@login_required
@require_POST
def money_request_transition(request, pk: int):
    money_request = get_object_or_404(selectors.money_requests_visible_to(user=request.user), pk=pk)
    form = MoneyRequestDecisionForm(request.POST)
    if not form.is_valid():
        _report(request, ValidationError(form.errors))
        return redirect("finance:money_requests")
    try:
        services.money_request_transition(
            money_request=money_request,
            user=request.user,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
        )
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("Done: the request has been updated."))
    next_url = request.POST.get("next", "")
    if next_url == "programme" and selectors.programmes_visible_to(user=request.user).filter(
        pk=money_request.programme_id
    ):
        return redirect("finance:programme_detail", pk=money_request.programme_id)
    return redirect("finance:money_requests")


def _report(request, error) -> None:
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)
