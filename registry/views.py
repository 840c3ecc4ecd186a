"""Pages of the contract records under /registry/: the list (the reviewers' queue), a record
with its checklist, the seller's form and the workflow buttons, and the exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_member
from core.filters import filter_errors_response
from core.forms import apply_validation_error, error_text
from core.workflow import TransitionNotAllowed
from exchange.choices import DealStage
from registry import exports, selectors, services
from registry.filtersets import ContractRecordFilterSet
from registry.forms import ContractRecordForm, RecordTransitionForm
from registry.models import ContractRecord

PAGE_SIZE = 20


def contract_record_deal_panel(*, deal, user, roles: set[str]) -> dict | None:
    """The record's summary on its deal's page (the deal page shows it to whoever may see the
    deal, which is who may see the record)."""
    if deal.stage != DealStage.COMPLETED:
        return None  # only a completed deal has a record: no query on the other deal pages
    record = ContractRecord.objects.filter(deal_id=deal.pk).first()
    if record is None:
        return None
    record.deal = deal
    missing = [item for item in selectors.record_checklist(record=record) if not item.passed]
    return {
        "template": "registry/includes/deal_panel.html",
        "record": record,
        "missing": missing,
        "is_seller": services.SELLER in roles,
    }


def _visible_record(request, pk: int) -> ContractRecord:
    return get_object_or_404(selectors.records_visible_to(user=request.user), pk=pk)


def _filtered(request):
    filterset = ContractRecordFilterSet(
        request.GET or None, queryset=selectors.records_visible_to(user=request.user)
    )
    if filterset.is_bound and not filterset.is_valid():
        return filterset, None
    records = filterset.qs if filterset.is_bound else filterset.queryset
    return filterset, records


@login_required
def record_list(request):
    filterset, records = _filtered(request)
    if records is None:
        return filter_errors_response(request, filterset)
    records = records.order_by("-completed_on", "-pk")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/record_list.html",
        {
            "page": page,
            "filterset": filterset,
            "querystring": query.urlencode(),
            "is_reviewer": request.user.is_reviewer,
            "waiting": selectors.records_awaiting_registration().count()
            if request.user.is_reviewer
            else None,
        },
    )


@login_required
def records_export(request, file_format: str):
    """The batch export of the records the list shows (same filters)."""
    if file_format not in exports.FORMATS:
        raise Http404
    filterset, records = _filtered(request)
    if records is None:
        return filter_errors_response(request, filterset)
    return exports.records_response(
        records.order_by("completed_on", "pk"),
        file_format=file_format,
        filename="contract-records",
    )


def _render_record(request, record, *, form=None, transition_form=None, status=200):
    roles = services.record_actor_roles(record=record, user=request.user)
    is_seller = services.SELLER in roles
    shows_seller_year = is_seller or services.REVIEWER in roles
    if form is None and is_seller and record.is_editable:
        form = ContractRecordForm(instance=record)
    seller, buyer = selectors.record_parties(record=record)
    checklist = selectors.record_checklist(record=record)
    context = {
        "record": record,
        "deal": record.deal,
        "parties": [seller, buyer],
        "checklist": checklist,
        "missing_count": sum(1 for item in checklist if not item.passed),
        "form": form if is_seller and record.is_editable else None,
        "transition_form": transition_form,
        "actions": services.RECORD_WORKFLOW.allowed_action_labels(record.status, roles),
        "events": list(record.events.select_related("actor").order_by("created_at", "pk")),
        "tax": selectors.record_tax_flags(record=record, show_seller_year=shows_seller_year),
        "tax_disclaimer": selectors.TAX_DISCLAIMER,
        "is_seller_member": is_member(user=request.user, organization=record.deal.seller_id),
    }
    return render(request, "registry/record_detail.html", context, status=status)


@login_required
def record_detail(request, pk: int):
    return _render_record(request, _visible_record(request, pk))


@login_required
@require_POST
def record_edit(request, pk: int):
    record = _visible_record(request, pk)
    roles = services.record_actor_roles(record=record, user=request.user)
    if services.SELLER not in roles or not record.is_editable:
        messages.error(request, _("Only the seller completes the record, before it is submitted."))
        return redirect("registry:record_detail", pk=pk)
    form = ContractRecordForm(request.POST, instance=ContractRecord.objects.get(pk=record.pk))
    if not form.is_valid():
        return _render_record(request, record, form=form, status=400)
    try:
        services.record_update(
            record=record,
            user=request.user,
            **{name: form.cleaned_data[name] for name in ContractRecord.EDITABLE_FIELDS},
        )
    except TransitionNotAllowed as error:
        messages.error(request, error_text(error))
    except ValidationError as error:
        apply_validation_error(form, error)
        return _render_record(request, record, form=form, status=400)
    else:
        messages.success(request, _("The contract record is saved."))
    return redirect("registry:record_detail", pk=pk)


@login_required
@require_POST
def record_transition(request, pk: int):
    record = _visible_record(request, pk)
    form = RecordTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request is not complete."))
        return redirect("registry:record_detail", pk=pk)
    try:
        record = services.record_transition(record=record, user=request.user, **form.cleaned_data)
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Done: %(status)s") % {"status": record.get_status_display()})
    return redirect("registry:record_detail", pk=pk)


@login_required
def record_export(request, pk: int, file_format: str):
    """The record of one deal as a file."""
    if file_format not in exports.FORMATS:
        raise Http404
    record = _visible_record(request, pk)
    return exports.records_response(
        [record], file_format=file_format, filename=f"contract-record-deal-{record.deal_id}"
    )
