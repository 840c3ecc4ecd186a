from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import is_reviewer
from core.exports import csv_response
from core.forms import apply_validation_error
from core.regions import region_choices
from core.workflow import TransitionNotAllowed
from imports import selectors, services
from imports.choices import RowOutcome, RunStatus
from imports.fields import CATEGORY, REGION, TRL, TRL_RANGE_CHOICES, VALUE_MAPPED_KINDS, targets
from imports.forms import UploadForm


@login_required
def run_list(request):
    kinds = services.import_upload_kinds(user=request.user)
    runs = selectors.import_runs_visible_to(request.user)
    page = Paginator(runs, 25).get_page(request.GET.get("page"))
    return render(
        request, "imports/run_list.html", {"page": page, "may_import": bool(kinds), "kinds": kinds}
    )


@login_required
def upload(request):
    kinds = services.import_upload_kinds(user=request.user)
    if not kinds:
        raise PermissionDenied
    own = services.import_organization(user=request.user)
    # Only reviewers choose the organisation they import for.
    owners = (
        services.import_owner_choices(user=request.user) if is_reviewer(user=request.user) else None
    )
    sources = selectors.import_sources_visible_to(request.user).filter(kind__in=kinds)
    if owners is None:
        sources = sources.filter(organization=own)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        sources=sources,
        kinds=kinds,
        owners=owners,
        own_organization=own,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = data.get("owner_organisation") or own
        try:
            source = data["source"] or services.import_source_save(
                user=request.user,
                organization=organization,
                name=data["new_source_name"],
                kind=data["kind"],
            )
            run = services.import_run_create(
                user=request.user,
                organization=organization,
                upload=data["file"],
                kind=data["kind"],
                source=source,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            return redirect("imports:mapping", pk=run.pk)
    return render(request, "imports/upload.html", {"form": form})


def _value_choices(kind: str) -> list:
    from catalog.models import Category

    if kind == CATEGORY:
        return [
            (category.code, f"{category.code} {category}")
            for category in Category.objects.filter(parent__isnull=False).order_by("sort_key")
        ]
    if kind == TRL:
        return [(str(level), f"TRL {level}") for level in range(1, 10)] + [
            (value, f"TRL {value}") for value in TRL_RANGE_CHOICES
        ]
    return region_choices()


def _value_tables(run, mapping: dict, value_mappings: dict) -> list[dict]:
    """For each column mapped to a category, TRL or region: the values found in it."""
    known = targets(run.kind)
    tables = []
    for column, field in mapping.items():
        target = known.get(field)
        if target is None or target.kind not in VALUE_MAPPED_KINDS:
            continue
        found = run.column_values.get(column, [])
        if not found:
            continue
        saved = value_mappings.get(field, {})
        tables.append(
            {
                "field": field,
                "label": target.label,
                "column": column,
                "choices": _value_choices(target.kind),
                "grouped": target.kind == REGION,
                "values": [
                    (index, value, saved.get(value, "")) for index, value in enumerate(found)
                ],
            }
        )
    return tables


def _posted_mappings(request, run):
    known = targets(run.kind)
    mapping = {}
    for index, column in enumerate(run.columns):
        field = request.POST.get(f"column-{index}", "")
        if field in known:
            mapping[column] = field
    value_mappings: dict[str, dict[str, str]] = {}
    for column, field in mapping.items():
        if known[field].kind not in VALUE_MAPPED_KINDS:
            continue
        for index, value in enumerate(run.column_values.get(column, [])):
            chosen = request.POST.get(f"value-{field}-{index}", "")
            if chosen:
                value_mappings.setdefault(field, {})[value] = chosen
    return mapping, value_mappings


@login_required
def mapping(request, pk: int):
    run = get_object_or_404(selectors.import_runs_visible_to(request.user), pk=pk)
    if run.status != RunStatus.MAPPING:
        return redirect("imports:run_detail", pk=run.pk)
    column_mapping, value_mappings = run.column_mapping, run.value_mappings
    errors: list[str] = []
    if request.method == "POST":
        column_mapping, value_mappings = _posted_mappings(request, run)
        if request.POST.get("action") == "start":
            try:
                services.import_run_start(
                    user=request.user,
                    run=run,
                    column_mapping=column_mapping,
                    value_mappings=value_mappings,
                    save_to_source=bool(request.POST.get("save_to_source")),
                )
            except ValidationError as error:
                errors = [
                    message for messages in error.message_dict.values() for message in messages
                ]
            except (TransitionNotAllowed, PermissionDenied) as error:
                errors = [str(error)]
            else:
                messages.success(request, _("The import has started."))
                return redirect("imports:run_detail", pk=run.pk)
    known = targets(run.kind)
    columns = [
        {"index": index, "name": column, "selected": column_mapping.get(column, "")}
        for index, column in enumerate(run.columns)
    ]
    return render(
        request,
        "imports/mapping.html",
        {
            "run": run,
            "columns": columns,
            "targets": [(target.name, target.label) for target in known.values()],
            "preview": run.preview,
            "value_tables": _value_tables(run, column_mapping, value_mappings),
            "errors": errors,
        },
    )


def _run_context(request, run) -> dict:
    outcome = request.GET.get("outcome") or ""
    rows = selectors.import_run_rows(run=run, outcome=outcome or None)
    return {
        "run": run,
        "page": Paginator(rows, 50).get_page(request.GET.get("page")),
        "outcome": outcome,
        "outcomes": RowOutcome.choices,
        "events": run.events.select_related("actor"),
    }


@login_required
def run_detail(request, pk: int):
    run = get_object_or_404(selectors.import_runs_visible_to(request.user), pk=pk)
    if run.status == RunStatus.MAPPING:
        return redirect("imports:mapping", pk=run.pk)
    return render(request, "imports/run_detail.html", _run_context(request, run))


@login_required
@require_GET
def run_progress(request, pk: int):
    run = get_object_or_404(selectors.import_runs_visible_to(request.user), pk=pk)
    response = render(request, "imports/_progress.html", {"run": run})
    if run.is_finished and request.headers.get("HX-Request"):
        # The polling page reloads once at the end, to show the rows and the history.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def run_report(request, pk: int):
    run = get_object_or_404(selectors.import_runs_visible_to(request.user), pk=pk)
    header, rows = selectors.import_run_report(run=run)
    return csv_response(header, rows, filename=f"import-{run.pk}-report.csv")
