from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from accounts.permissions import is_reviewer
from insight import exports, pages, selectors
from insight.forms import RegionalReportForm


def statistics(request):
    run = selectors.latest_run()
    body = pages.statistics_body(run=run) if run is not None else None
    funnel, status = pages.funnel_section(query=request.GET, run=run)
    return render(
        request, "insight/statistics.html", {"body": body, "funnel": funnel}, status=status
    )


@login_required
def broker_funnel(request):
    """A broker's own funnel: the introductions and deals they brokered."""
    if not request.user.has_role("broker"):
        raise PermissionDenied
    run = selectors.latest_run()
    funnel, status = pages.funnel_section(query=request.GET, run=run, broker=request.user)
    return render(
        request, "insight/broker_funnel.html", {"run": run, "funnel": funnel}, status=status
    )


def _require_reviewer(request) -> None:
    if not is_reviewer(user=request.user):
        raise PermissionDenied


@login_required
def review_desk(request):
    _require_reviewer(request)
    return render(
        request,
        "insight/review_desk.html",
        {"desk": selectors.review_desk(), "freshness": selectors.freshness_by_organization()},
    )


def _report_regions(request) -> list[str] | None:
    """The regions the user may report on: None for every region (reviewers, administrators);
    a programme operator, the regions of the government or operator organisations they act for.
    Anyone else is refused."""
    if is_reviewer(user=request.user):
        return None
    regions = selectors.operator_report_regions(user=request.user)
    if not regions:
        raise PermissionDenied
    return regions


def _report_from_request(request) -> tuple[RegionalReportForm, dict | None]:
    allowed = _report_regions(request)
    run = selectors.latest_run()
    regions = selectors.regional_regions(run=run)
    if allowed is not None:
        regions = [(code, label) for code, label in regions if code in allowed]
    data = request.GET if "start" in request.GET else None
    initial = RegionalReportForm.default_period()
    if allowed is not None and len(allowed) == 1:
        initial["region"] = allowed[0]
    form = RegionalReportForm(data, regions=regions, initial=initial, all_regions=allowed is None)
    if data is None:
        return form, selectors.regional_report(run=run, regions=allowed, **initial)
    if not form.is_valid():
        return form, None
    return form, selectors.regional_report(
        run=run,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        region=form.cleaned_data["region"],
        regions=allowed,
    )


@login_required
def regional_report(request):
    form, report = _report_from_request(request)
    query = request.GET.urlencode() if form.is_bound else ""
    return render(
        request,
        "insight/regional_report.html",
        {"form": form, "report": report, "query": query},
    )


def _download(request, *, render_file, extension: str, content_type: str) -> HttpResponse:
    form, report = _report_from_request(request)
    if report is None:
        return render(
            request,
            "insight/regional_report.html",
            {"form": form, "report": None, "query": ""},
            status=400 if form.is_bound and not form.is_valid() else 200,
        )
    filename = f"regional-report-{report['start']:%Y%m}-{report['end']:%Y%m}"
    if report["region"]:
        filename += f"-{report['region']}"
    response = HttpResponse(render_file(report), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


@login_required
def regional_report_excel(request):
    return _download(
        request,
        render_file=exports.regional_report_xlsx,
        extension="xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def regional_report_pdf(request):
    return _download(
        request,
        render_file=exports.regional_report_pdf,
        extension="pdf",
        content_type="application/pdf",
    )
