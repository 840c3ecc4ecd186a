"""Pages of application scenarios and scenario lists (the same services as the API)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import TABLE_CONTENT_TYPES
from core.forms import apply_validation_error, error_text
from core.workflow import TransitionNotAllowed
from programmes.access import is_programme_operator, operator_organizations
from programmes.choices import ScenarioStatus
from programmes.exports import scenario_list_response
from programmes.forms import ScenarioApplyForm, ScenarioAwardForm, ScenarioForm, ScenarioListForm
from programmes.selectors import programmes as programme_selectors
from programmes.services import scenarios as scenario_services

REFUSALS = (ValidationError, TransitionNotAllowed)


def scenario_list(request):
    scenarios = programme_selectors.scenarios_visible_to(user=request.user)
    return render(
        request,
        "programmes/scenario_list.html",
        {
            "scenarios": scenarios,
            "scenario_lists": programme_selectors.scenario_lists_public()[:10],
            "can_create": is_programme_operator(request.user),
            "pilot_agreements": (
                programme_selectors.pilot_agreements_visible_to(user=request.user)
                if request.user.is_authenticated
                else []
            ),
        },
    )


@login_required
def scenario_create(request):
    if not is_programme_operator(request.user):
        raise PermissionDenied
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = scenario_services.scenario_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The scenario is a draft: publish it when ready."))
            return redirect("scenarios:scenario_detail", pk=scenario.pk)
    return render(request, "programmes/scenario_form.html", {"form": form})


def _visible_scenario(request, pk: int):
    return get_object_or_404(programme_selectors.scenarios_visible_to(user=request.user), pk=pk)


@login_required
def scenario_edit(request, pk: int):
    scenario = _visible_scenario(request, pk)
    if "edit" not in scenario_services.scenario_allowed_actions(
        scenario=scenario, user=request.user
    ):
        raise PermissionDenied
    form = ScenarioForm(request.POST or None, instance=scenario)
    if request.method == "POST" and form.is_valid():
        try:
            scenario_services.scenario_update(
                scenario=scenario, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The scenario is saved."))
            return redirect("scenarios:scenario_detail", pk=scenario.pk)
    return render(request, "programmes/scenario_form.html", {"form": form, "scenario": scenario})


def _detail_context(request, scenario, **forms) -> dict:
    allowed = scenario_services.scenario_allowed_actions(scenario=scenario, user=request.user)
    applications = (
        list(programme_selectors.scenario_applications(scenario=scenario, user=request.user))
        if request.user.is_authenticated
        else []
    )
    context = {
        "scenario": scenario,
        "allowed_actions": allowed,
        "buttons": [
            (action, scenario_services.SCENARIO_WORKFLOW.action_label(action))
            for action in allowed
            if action in scenario_services.BUTTON_ACTIONS
        ],
        "applications": applications,
        "agreement": getattr(scenario, "pilot_agreement", None),
        "history": scenario.history.select_related("actor"),
        "is_operator": "award" in allowed or "edit" in allowed,
    }
    if "apply" in allowed or "apply_form" in forms:
        context["apply_form"] = forms.get("apply_form") or ScenarioApplyForm(
            technologies=programme_selectors.technologies_of_user(
                user=request.user, published_only=True
            )
        )
    if "award" in allowed:
        context["award_form"] = forms.get("award_form") or ScenarioAwardForm(
            entries=scenario.programme.entries.select_related("technology")
        )
    return context


def scenario_detail(request, pk: int):
    scenario = _visible_scenario(request, pk)
    return render(request, "programmes/scenario_detail.html", _detail_context(request, scenario))


@login_required
@require_POST
def scenario_apply(request, pk: int):
    scenario = _visible_scenario(request, pk)
    form = ScenarioApplyForm(
        request.POST,
        technologies=programme_selectors.technologies_of_user(
            user=request.user, published_only=True
        ),
    )
    if form.is_valid():
        try:
            scenario_services.scenario_apply(
                scenario=scenario, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your application has been sent."))
            return redirect("scenarios:scenario_detail", pk=pk)
    context = _detail_context(request, scenario, apply_form=form)
    return render(request, "programmes/scenario_detail.html", context, status=400)


@login_required
@require_POST
def scenario_award(request, pk: int):
    scenario = _visible_scenario(request, pk)
    form = ScenarioAwardForm(request.POST, entries=scenario.programme.entries.all())
    if form.is_valid():
        try:
            scenario_services.scenario_award(
                scenario=scenario, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The pilot is awarded."))
            return redirect("scenarios:scenario_detail", pk=pk)
    context = _detail_context(request, scenario, award_form=form)
    return render(request, "programmes/scenario_detail.html", context, status=400)


@login_required
@require_POST
def scenario_transition(request, pk: int, verb: str):
    scenario = _visible_scenario(request, pk)
    if verb not in scenario_services.BUTTON_ACTIONS:
        raise Http404
    try:
        scenario_services.scenario_transition(scenario=scenario, user=request.user, action=verb)
    except REFUSALS as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Done."))
    return redirect("scenarios:scenario_detail", pk=pk)


# --- scenario lists ---------------------------------------------------------------------------


def _listable_scenarios(user):
    return (
        programme_selectors.scenarios_visible_to(user=user)
        .filter(programme__operator__in=operator_organizations(user=user))
        .exclude(status=ScenarioStatus.DRAFT)
    )


@login_required
def scenario_list_create(request):
    if not is_programme_operator(request.user):
        raise PermissionDenied
    form = ScenarioListForm(request.POST or None, scenarios=_listable_scenarios(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            scenario_list = scenario_services.scenario_list_publish(
                user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The scenario list is published."))
            return redirect("scenarios:scenario_list_detail", pk=scenario_list.pk)
    return render(request, "programmes/scenario_list_form.html", {"form": form})


def _scenario_list_with_rows(pk: int):
    scenario_list = get_object_or_404(programme_selectors.scenario_lists_public(), pk=pk)
    scenarios = list(programme_selectors.scenario_list_scenarios(scenario_list=scenario_list))
    return scenario_list, scenarios


def scenario_list_detail(request, pk: int):
    scenario_list, scenarios = _scenario_list_with_rows(pk)
    return render(
        request,
        "programmes/scenario_list_detail.html",
        {"scenario_list": scenario_list, "scenarios": scenarios},
    )


def scenario_list_download(request, pk: int, file_format: str):
    if file_format not in TABLE_CONTENT_TYPES:
        raise Http404
    scenario_list, scenarios = _scenario_list_with_rows(pk)
    return scenario_list_response(
        scenario_list=scenario_list, scenarios=scenarios, file_format=file_format
    )
