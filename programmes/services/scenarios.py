"""Application scenarios (新技术应用场景): a real site where a new technology may be piloted.

draft --publish--> published --close--> closed --award--> awarded
Holders `apply` with a published technology while the scenario is published and inside its
application window. Applications are the scenario's own programme's ProgrammeEntry rows, so
invited experts score them and the operator selects from them with the programme screening
services; `award` picks one application, marks it selected and records a PilotAgreement.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.permissions import has_role, member_organization_ids, members_of
from catalog.choices import TechnologyStatus
from catalog.models import Technology
from core.workflow import StateMachine, Transition, compare_and_set_status, event_record
from notifications.messages import Bilingual, Message
from notifications.services import notify_users
from programmes.access import acting_operator_organization
from programmes.choices import EntryStatus, ProgrammeStatus, ScenarioStatus
from programmes.models import (
    PilotAgreement,
    Programme,
    ProgrammeEntry,
    ProgrammeHistory,
    Scenario,
    ScenarioHistory,
    ScenarioList,
)
from programmes.services.common import HOLDER, OPERATOR, save_or_conflict
from programmes.services.screening import programme_create

S = ScenarioStatus
OPERATORS = frozenset({OPERATOR})
SCENARIO_WORKFLOW = StateMachine(
    {
        (S.DRAFT, "edit"): Transition(S.DRAFT, OPERATORS),
        (S.PUBLISHED, "edit"): Transition(S.PUBLISHED, OPERATORS),
        (S.DRAFT, "publish"): Transition(S.PUBLISHED, OPERATORS, label=gettext_lazy("Publish")),
        (S.PUBLISHED, "apply"): Transition(S.PUBLISHED, frozenset({HOLDER})),
        (S.PUBLISHED, "close"): Transition(
            S.CLOSED, OPERATORS, label=gettext_lazy("Close applications")
        ),
        (S.CLOSED, "award"): Transition(S.AWARDED, OPERATORS),
    }
)
# Actions a page shows as buttons; `apply` and `award` have their own forms.
BUTTON_ACTIONS = ("publish", "close")


def scenario_actor_roles(*, scenario: Scenario, user) -> set[str]:
    roles: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    organization_ids = member_organization_ids(user=user)
    if scenario.programme.operator_id in organization_ids or has_role(user=user, role=Role.ADMIN):
        roles.add(OPERATOR)
    if has_role(user=user, role=Role.HOLDER) and organization_ids:
        roles.add(HOLDER)
    return roles


def scenario_allowed_actions(*, scenario: Scenario, user) -> list[str]:
    actions = SCENARIO_WORKFLOW.allowed_actions(
        scenario.status, scenario_actor_roles(scenario=scenario, user=user)
    )
    if "apply" in actions and not scenario.window_open():
        actions.remove("apply")
    return actions


def _resolve(scenario: Scenario, user, action: str):
    current = Scenario.objects.filter(pk=scenario.pk).values_list("status", flat=True).first()
    transition = SCENARIO_WORKFLOW.resolve(
        current, action, scenario_actor_roles(scenario=scenario, user=user)
    )
    return current, transition


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _url(scenario: Scenario) -> str:
    return reverse("scenarios:scenario_detail", args=[scenario.pk])


def _programme_fields(fields: dict) -> dict:
    """The scenario's programme mirrors its title, problem, criteria and region."""
    mapped = {}
    for source, target in (
        ("title", "name"),
        ("problem", "positioning"),
        ("criteria", "description"),
    ):
        if source in fields:
            mapped[target] = fields[source]
    if "region" in fields:
        mapped["regions"] = [fields["region"]] if fields["region"] else []
    return mapped


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(Scenario.EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


@transaction.atomic
def scenario_create(*, user, operator=None, **fields) -> Scenario:
    """An operator describes a site, its problem and the application window (a draft)."""
    _check_fields(fields)
    organization = acting_operator_organization(user=user, organization=operator)
    scenario = Scenario(created_by=user, **fields)
    # Validate the scenario's own fields before the programme row exists.
    scenario.full_clean(exclude=["programme"])
    industry = fields.get("industry")
    scenario.programme = programme_create(
        user=user,
        operator=organization,
        categories=[industry] if industry else [],
        **_programme_fields(fields),
    )
    scenario.save()
    event_record(ScenarioHistory, scenario=scenario, user=user, action="create", to_status=S.DRAFT)
    return scenario


@transaction.atomic
def scenario_update(*, scenario: Scenario, user, **fields) -> Scenario:
    _check_fields(fields)
    _resolve(scenario, user, "edit")
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    for name, value in fields.items():
        setattr(scenario, name, value)
    scenario.full_clean()
    scenario.save()
    programme = scenario.programme
    for name, value in _programme_fields(fields).items():
        setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    if "industry" in fields:
        programme.categories.set([fields["industry"]] if fields["industry"] else [])
    event_record(ScenarioHistory, scenario=scenario, user=user, action="edit")
    return scenario


def _open_programme_screening(scenario: Scenario, user) -> None:
    """Publishing opens the programme's screening so invited experts can score applications."""
    programme = scenario.programme
    if compare_and_set_status(
        Programme, pk=programme.pk, expected=ProgrammeStatus.DRAFT, target=ProgrammeStatus.SCREENING
    ):
        event_record(
            ProgrammeHistory,
            programme=programme,
            user=user,
            action="screen",
            from_status=ProgrammeStatus.DRAFT,
            to_status=ProgrammeStatus.SCREENING,
            note=_("Screening the applications to a scenario"),
        )


@transaction.atomic
def scenario_transition(*, scenario: Scenario, user, action: str, note: str = "") -> Scenario:
    """`publish` or `close` (the operator); award has its own service."""
    if action not in BUTTON_ACTIONS:
        raise ValidationError({"action": _("Choose publish or close.")})
    current, transition = _resolve(scenario, user, action)
    if not compare_and_set_status(
        Scenario, pk=scenario.pk, expected=current, target=transition.target
    ):
        _resolve(scenario, user, action)
    if action == "publish":
        _open_programme_screening(scenario, user)
    event_record(
        ScenarioHistory,
        scenario=scenario,
        user=user,
        action=action,
        from_status=current,
        to_status=transition.target,
        note=(note or "").strip(),
    )
    scenario.refresh_from_db()
    return scenario


@transaction.atomic
def scenario_apply(*, scenario: Scenario, user, technology: Technology) -> ProgrammeEntry:
    """A holder applies with one of their published technologies inside the window."""
    _resolve(scenario, user, "apply")
    scenario = Scenario.objects.select_related("programme").get(pk=scenario.pk)
    now = timezone.now()
    if now < scenario.opens_at:
        raise ValidationError(
            {
                "technology": _("Applications open on %(date)s.")
                % {"date": date_format(timezone.localtime(scenario.opens_at), "DATETIME_FORMAT")}
            }
        )
    if now >= scenario.closes_at:
        raise ValidationError(
            {
                "technology": _("Applications closed on %(date)s.")
                % {"date": date_format(timezone.localtime(scenario.closes_at), "DATETIME_FORMAT")}
            }
        )
    if (
        technology.organization_id not in member_organization_ids(user=user)
        or technology.status != TechnologyStatus.PUBLISHED
    ):
        raise ValidationError(
            {"technology": _("Choose a published technology of your organisation.")}
        )
    programme = scenario.programme
    entry = ProgrammeEntry(
        programme=programme,
        technology=technology,
        rank=programme.entries.count() + 1,
        total_score=0,
        components={},
    )
    save_or_conflict(entry, _("This technology has already applied to this scenario."))
    event_record(
        ScenarioHistory, scenario=scenario, user=user, action="apply", note=str(technology)
    )
    notify_users(
        users=members_of(programme.operator_id),
        title=Message(
            gettext_lazy("New application to the scenario “%(scenario)s”"), scenario=scenario.title
        ),
        url=_url(scenario),
    )
    return entry


@transaction.atomic
def scenario_award(
    *, scenario: Scenario, user, entry: ProgrammeEntry, starts_on: datetime.date | None = None
) -> PilotAgreement:
    """The operator awards the pilot to one application: the entry is selected, a pilot
    agreement is recorded and the holder is told."""
    current, transition = _resolve(scenario, user, "award")
    scenario = Scenario.objects.select_related("programme").get(pk=scenario.pk)
    if entry.programme_id != scenario.programme_id:
        raise ValidationError({"entry": _("Choose an application to this scenario.")})
    starts_on = starts_on or timezone.localdate()
    if not compare_and_set_status(
        Scenario, pk=scenario.pk, expected=current, target=transition.target
    ):
        _resolve(scenario, user, "award")
    ProgrammeEntry.objects.filter(pk=entry.pk).update(
        status=EntryStatus.SELECTED, selected_at=timezone.now()
    )
    technology = entry.technology
    agreement = PilotAgreement.objects.create(
        scenario=scenario,
        entry=entry,
        technology=technology,
        holder=technology.organization,
        site=scenario.site,
        starts_on=starts_on,
        ends_on=add_months(starts_on, scenario.pilot_months),
        support=scenario.support,
        awarded_by=user,
    )
    event_record(
        ScenarioHistory,
        scenario=scenario,
        user=user,
        action="award",
        from_status=current,
        to_status=transition.target,
        note=str(technology),
    )
    notify_users(
        users=members_of(technology.organization_id),
        title=Message(
            gettext_lazy("Your technology “%(technology)s” won the pilot at “%(site)s”"),
            technology=Bilingual.of(technology, "title"),
            site=scenario.site,
        ),
        url=_url(scenario),
    )
    return agreement


@transaction.atomic
def scenario_list_publish(
    *, user, title: str, period: str, scenarios: Iterable[Scenario], operator=None
) -> ScenarioList:
    """An operator publishes the list of its public scenarios for a period (e.g. “2026 Q4”)."""
    organization = acting_operator_organization(user=user, organization=operator)
    scenarios = list(scenarios)
    if not scenarios:
        raise ValidationError({"scenarios": _("Choose at least one scenario.")})
    wrong = [
        s.title
        for s in scenarios
        if s.status == S.DRAFT or s.programme.operator_id != organization.pk
    ]
    if wrong:
        raise ValidationError(
            {
                "scenarios": _("Only your own published scenarios can be listed: %(titles)s")
                % {"titles": ", ".join(wrong)}
            }
        )
    scenario_list = ScenarioList(
        operator=organization,
        title=(title or "").strip(),
        period=(period or "").strip(),
        published_by=user,
    )
    scenario_list.full_clean(validate_constraints=False)
    save_or_conflict(scenario_list, _("You have already published a list for this period."))
    scenario_list.scenarios.set(scenarios)
    return scenario_list
