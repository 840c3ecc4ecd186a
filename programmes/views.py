"""Pages of experts, evaluations, programmes, events and challenges. Same services as the API."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_reviewer
from core.filters import filter_errors_response
from core.forms import apply_validation_error, error_text
from core.reasons import TurnDownReason
from core.timezones import in_two_zones
from core.workflow import TransitionNotAllowed
from programmes.access import can_organize_events, is_programme_operator
from programmes.choices import (
    EVALUATION_CRITERIA,
    SCORE_MAX,
    SCORE_MIN,
    SCREENING_BASIS,
    SCREENING_CRITERIA,
    EntryStatus,
    EventKind,
    ExpertStatus,
    ParticipantRole,
)
from programmes.exports import shortlist_response
from programmes.filtersets import ExpertFilterSet
from programmes.forms import (
    AssignForm,
    BookingForm,
    ChallengeForm,
    CompleteForm,
    ConsultingForm,
    EntryScoreForm,
    EvaluationRequestForm,
    EventForm,
    ExpertProfileForm,
    ExpertSearchForm,
    ExpertsForm,
    NoteForm,
    ProgrammeForm,
    RegistrationForm,
    ReplyForm,
    ScoreForm,
    SubmissionForm,
)
from programmes.selectors import experts as expert_selectors
from programmes.selectors import programmes as programme_selectors
from programmes.services import challenges as challenge_services
from programmes.services import evaluations as evaluation_services
from programmes.services import events as event_services
from programmes.services import experts as expert_services
from programmes.services import screening as screening_services
from programmes.services.common import OPERATOR

PAGE_SIZE = 20


def _refuse(request, error: Exception) -> None:
    messages.error(request, error_text(error))


def _valid(form, message: str):
    """The form's cleaned data, or a refusal with `message` shown to the user."""
    if not form.is_valid():
        raise ValidationError(message)
    return form.cleaned_data


REFUSALS = (ValidationError, TransitionNotAllowed)


def _run_verb(request, verbs: dict, verb: str, *, refusals=REFUSALS, **subject) -> None:
    """Look the verb up in the page's table and run it: its handler takes the request and the
    subject and returns the success message (or None: "Done."). Refusals become messages."""
    handler = verbs.get(verb)
    if handler is None:
        raise Http404
    try:
        message = handler(request, **subject)
    except refusals as error:
        _refuse(request, error)
    else:
        messages.success(request, message or _("Done."))


# --- experts ----------------------------------------------------------------------------------


def expert_list(request):
    """The public expert directory with search."""
    base = expert_selectors.experts_visible_to(user=request.user).filter(
        status=ExpertStatus.VERIFIED
    )
    filterset = ExpertFilterSet(request.GET or None, queryset=base)
    if filterset.is_bound and not filterset.is_valid():
        return filter_errors_response(request, filterset)
    experts = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    page = Paginator(experts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "programmes/expert_list.html",
        {
            "page": page,
            "form": ExpertSearchForm(request.GET or None),
            "query_string": query.urlencode(),
            "own_profile": expert_selectors.expert_of_user(user=request.user),
        },
    )


def expert_detail(request, pk: int):
    expert = get_object_or_404(expert_selectors.experts_visible_to(user=request.user), pk=pk)
    technologies = expert_services.consulting_technologies(expert=expert)
    can_request = (
        request.user.is_authenticated
        and expert.is_verified
        and expert.offers_consulting
        and expert.user_id != request.user.pk
        and technologies.exists()
    )
    return render(
        request,
        "programmes/expert_detail.html",
        {
            "expert": expert,
            "allowed_actions": expert_services.expert_allowed_actions(
                expert=expert, user=request.user
            ),
            "is_self": expert.user_id == request.user.pk,
            "shows_review_note": bool(expert.review_note)
            and (expert.user_id == request.user.pk or is_reviewer(user=request.user)),
            "consulting_form": ConsultingForm(technologies=technologies) if can_request else None,
            "note_form": NoteForm(),
            "history": expert_selectors.expert_history(expert=expert)
            if request.user.is_authenticated
            and (is_reviewer(user=request.user) or expert.user_id == request.user.pk)
            else [],
        },
    )


@login_required
def expert_apply(request):
    existing = expert_selectors.expert_of_user(user=request.user)
    if existing is not None:
        return redirect("programmes:expert_edit")
    form = ExpertProfileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            expert = expert_services.expert_profile_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Thank you: a reviewer will verify your profile."))
            return redirect("programmes:expert_detail", pk=expert.pk)
    return render(request, "programmes/expert_form.html", {"form": form, "creating": True})


@login_required
def expert_edit(request):
    expert = expert_selectors.expert_of_user(user=request.user)
    if expert is None:
        return redirect("programmes:expert_apply")
    form = ExpertProfileForm(
        request.POST or None, user=request.user, initial=ExpertProfileForm.initial_of(expert)
    )
    if request.method == "POST" and form.is_valid():
        try:
            expert_services.expert_profile_update(
                expert=expert, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("programmes:expert_detail", pk=expert.pk)
    return render(request, "programmes/expert_form.html", {"form": form, "creating": False})


@login_required
@require_POST
def expert_transition(request, pk: int):
    expert = get_object_or_404(expert_selectors.experts_visible_to(user=request.user), pk=pk)
    try:
        expert_services.expert_transition(
            expert=expert,
            user=request.user,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except (ValidationError, TransitionNotAllowed) as error:
        _refuse(request, error)
    else:
        messages.success(request, _("Done."))
    return redirect("programmes:expert_detail", pk=pk)


@login_required
@require_POST
def expert_consulting(request, pk: int):
    expert = get_object_or_404(expert_selectors.experts_visible_to(user=request.user), pk=pk)
    form = ConsultingForm(
        request.POST, technologies=expert_services.consulting_technologies(expert=expert)
    )
    if form.is_valid():
        try:
            consulting = expert_services.consulting_request_create(
                user=request.user, expert=expert, **form.cleaned_data
            )
        except ValidationError as error:
            _refuse(request, error)
        else:
            messages.success(request, _("Your consulting request opened a deal."))
            return redirect("exchange:deal_detail", pk=consulting.deal_id)
    else:
        messages.error(request, _("Choose a technology and describe what you need."))
    return redirect("programmes:expert_detail", pk=pk)


# --- evaluations ------------------------------------------------------------------------------


@login_required
def evaluation_list(request):
    evaluations = expert_selectors.evaluations_of_user(user=request.user)
    page = Paginator(evaluations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "programmes/evaluation_list.html",
        {
            "page": page,
            "assignments": expert_selectors.evaluation_assignments_of_expert(user=request.user)[
                :50
            ],
            "can_request": expert_selectors.technologies_requestable_for_evaluation(
                user=request.user
            ).exists(),
            "pending_experts": expert_selectors.experts_awaiting_verification()
            if is_reviewer(user=request.user)
            else [],
        },
    )


@login_required
def evaluation_request(request):
    technologies = expert_selectors.technologies_requestable_for_evaluation(user=request.user)
    initial = {"technology": request.GET.get("technology")} if request.GET.get("technology") else {}
    form = EvaluationRequestForm(request.POST or None, technologies=technologies, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = evaluation_services.evaluation_request(
                user=request.user, **form.cleaned_data
            )
        except (ValidationError, TransitionNotAllowed) as error:
            if isinstance(error, ValidationError):
                apply_validation_error(form, error)
            else:
                form.add_error(None, str(error))
        else:
            messages.success(request, _("The evaluation has been requested."))
            return redirect("programmes:evaluation_detail", pk=evaluation.pk)
    return render(request, "programmes/evaluation_request.html", {"form": form})


def evaluation_detail(request, pk: int):
    evaluation = get_object_or_404(
        expert_selectors.evaluations_visible_to(user=request.user), pk=pk
    )
    return _render_evaluation(request, evaluation)


def _render_evaluation(request, evaluation, *, refused=None, status: int = 200):
    """The evaluation page; `refused` maps a form's context name to the refused form, shown
    again with what was typed and its errors."""
    viewer = expert_selectors.evaluation_viewer(evaluation=evaluation, user=request.user)
    allowed = evaluation_services.evaluation_allowed_actions(
        evaluation=evaluation, user=request.user
    )
    rows = []
    if viewer != expert_selectors.VIEWER_PUBLIC:
        rows = expert_selectors.evaluation_assignment_rows(
            assignments=expert_selectors.evaluation_assignments(evaluation=evaluation),
            viewer=viewer,
            user=request.user,
        )
        for row in rows:
            score = row["score"]
            row["scores"] = (
                [(label, getattr(score, name)) for name, label, *_ in EVALUATION_CRITERIA]
                if score
                else []
            )
    context = {
        "evaluation": evaluation,
        "viewer": viewer,
        "shows_request_details": viewer != expert_selectors.VIEWER_PUBLIC,
        "viewer_is_holder": viewer == expert_selectors.VIEWER_HOLDER,
        "rows": rows,
        "allowed_actions": allowed,
        "criteria": [
            (label, evaluation.combined_scores.get("criteria", {}).get(name))
            for name, label, *_ in EVALUATION_CRITERIA
        ],
        "history": expert_selectors.evaluation_history(evaluation=evaluation)
        if viewer == expert_selectors.VIEWER_REVIEWER
        else [],
    }
    if "assign" in allowed:
        suggestions = evaluation_services.evaluation_suggest_experts(evaluation=evaluation)
        context["suggestions"] = suggestions
        context["assign_form"] = AssignForm(
            experts=expert_selectors.verified_experts().filter(pk__in=[e.pk for e in suggestions])
        )
    if "score" in allowed:
        context["score_form"] = ScoreForm()
    if "complete" in allowed:
        context["complete_form"] = CompleteForm()
    if "reply" in allowed:
        context["reply_form"] = ReplyForm(initial={"reply": evaluation.holder_reply})
    if "decline" in allowed or "cancel" in allowed:
        context["note_form"] = NoteForm()
    context.update(refused or {})
    return render(request, "programmes/evaluation_detail.html", context, status=status)


# The verbs whose form the page shows with crispy fields: a refused one comes back on the page.
EVALUATION_FORM_NAMES = {
    "assign": "assign_form",
    "score": "score_form",
    "complete": "complete_form",
    "reply": "reply_form",
}

# verb -> (form, service): every verb posts a form and calls one service.
EVALUATION_VERBS = {
    "assign": (AssignForm, evaluation_services.evaluation_assign),
    "score": (ScoreForm, evaluation_services.evaluation_score_submit),
    "complete": (CompleteForm, evaluation_services.evaluation_complete),
    "reply": (ReplyForm, evaluation_services.evaluation_reply),
    "decline": (NoteForm, evaluation_services.evaluation_decline),
    "cancel": (NoteForm, evaluation_services.evaluation_cancel),
}


@login_required
@require_POST
def evaluation_action(request, pk: int, verb: str):
    evaluation = get_object_or_404(
        expert_selectors.evaluations_visible_to(user=request.user), pk=pk
    )
    if verb not in EVALUATION_VERBS:
        raise Http404
    form_class, service = EVALUATION_VERBS[verb]
    if form_class is AssignForm:
        form = AssignForm(request.POST, experts=expert_selectors.verified_experts())
    else:
        form = form_class(request.POST)
    if form.is_valid():
        try:
            service(evaluation=evaluation, user=request.user, **form.cleaned_data)
        except (ValidationError, TransitionNotAllowed) as error:
            if isinstance(error, ValidationError):
                apply_validation_error(form, error)
            else:
                form.add_error(None, str(error))
        else:
            messages.success(request, _("Done."))
            return redirect("programmes:evaluation_detail", pk=pk)
    allowed = evaluation_services.evaluation_allowed_actions(
        evaluation=evaluation, user=request.user
    )
    if verb in EVALUATION_FORM_NAMES and verb in allowed:
        refused = {EVALUATION_FORM_NAMES[verb]: form}
        return _render_evaluation(request, evaluation, refused=refused, status=400)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
    return redirect("programmes:evaluation_detail", pk=pk)


# --- programmes -------------------------------------------------------------------------------


@login_required
def programme_list(request):
    programmes = programme_selectors.programmes_visible_to(user=request.user).order_by(
        "-created_at", "-pk"
    )
    return render(
        request,
        "programmes/programme_list.html",
        {"programmes": programmes, "can_create": is_programme_operator(request.user)},
    )


@login_required
def programme_create(request):
    if not is_programme_operator(request.user):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = screening_services.programme_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The programme has been created: rank the technologies."))
            return redirect("programmes:programme_detail", pk=programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form, "creating": True})


def _visible_programme(request, pk):
    return get_object_or_404(programme_selectors.programmes_visible_to(user=request.user), pk=pk)


@login_required
def programme_edit(request, pk: int):
    programme = _visible_programme(request, pk)
    # Invited experts and holders see the programme but only its operators change the criteria.
    if OPERATOR not in screening_services.programme_actor_roles(
        programme=programme, user=request.user
    ):
        raise PermissionDenied
    form = ProgrammeForm(request.POST or None, initial=ProgrammeForm.initial_of(programme))
    if request.method == "POST" and form.is_valid():
        try:
            screening_services.programme_update(
                programme=programme, user=request.user, **form.cleaned_data
            )
        except (ValidationError, TransitionNotAllowed) as error:
            if isinstance(error, ValidationError):
                apply_validation_error(form, error)
            else:
                form.add_error(None, str(error))
        else:
            messages.success(request, _("The criteria have been saved."))
            return redirect("programmes:programme_detail", pk=pk)
    return render(
        request,
        "programmes/programme_form.html",
        {"form": form, "creating": False, "programme": programme},
    )


@login_required
def programme_detail(request, pk: int):
    programme = _visible_programme(request, pk)
    allowed = screening_services.programme_allowed_actions(programme=programme, user=request.user)
    entries = list(programme_selectors.programme_entries(programme=programme, user=request.user))
    expert = expert_selectors.expert_of_user(user=request.user)
    for entry in entries:
        entry.expert_median = programme_selectors.entry_expert_median(entry)
        entry.parts = [
            (
                label,
                entry.components.get(name, {}),
                SCREENING_BASIS.get(entry.components.get(name, {}).get("basis", ""), ""),
            )
            for name, label in SCREENING_CRITERIA
        ]
        entry.my_score = next(
            (s for s in entry.expert_scores.all() if expert and s.expert_id == expert.pk), None
        )
    context = {
        "programme": programme,
        "allowed_actions": allowed,
        "entries": entries,
        "criteria": SCREENING_CRITERIA,
        "selected_count": sum(1 for e in entries if e.status == EntryStatus.SELECTED),
        "history": programme_selectors.programme_history(programme=programme)
        if "screen" in allowed
        else [],
    }
    if "invite_experts" in allowed:
        context["experts_form"] = ExpertsForm(
            experts=programme_selectors.experts_to_invite(already_invited=programme.experts.all())
        )
    return render(request, "programmes/programme_detail.html", context)


def _programme_screen(request, programme):
    entries = screening_services.programme_screen(programme=programme, user=request.user)
    return _("%(count)d technologies on the shortlist.") % {"count": len(entries)}


def _programme_close(request, programme):
    screening_services.programme_close(programme=programme, user=request.user)


def _programme_invite_holders(request, programme):
    entries = screening_services.programme_invite_holders(programme=programme, user=request.user)
    return _("%(count)d holders invited.") % {"count": len(entries)}


def _programme_invite_experts(request, programme):
    form = ExpertsForm(request.POST, experts=expert_selectors.verified_experts())
    data = _valid(form, _("Choose at least one expert."))
    screening_services.programme_invite_experts(programme=programme, user=request.user, **data)


def _posted_entry(request, programme, technology_id=None):
    technology_id = request.POST.get("technology") if technology_id is None else technology_id
    return get_object_or_404(programme.entries, technology_id=technology_id)


def _programme_select(selected: bool):
    def handler(request, programme):
        screening_services.programme_select(
            entry=_posted_entry(request, programme), user=request.user, selected=selected
        )

    return handler


def _programme_respond(accept: bool):
    def handler(request, programme):
        screening_services.programme_invitation_respond(
            entry=_posted_entry(request, programme), user=request.user, accept=accept
        )

    return handler


def _programme_score(request, programme):
    data = _valid(
        EntryScoreForm(request.POST),
        _("Give a score from %(low)d to %(high)d.") % {"low": SCORE_MIN, "high": SCORE_MAX},
    )
    screening_services.programme_expert_score(
        entry=_posted_entry(request, programme, data["technology"]),
        user=request.user,
        score=data["score"],
        comment=data["comment"],
    )


PROGRAMME_VERBS = {
    "screen": _programme_screen,
    "close": _programme_close,
    "invite_holders": _programme_invite_holders,
    "invite_experts": _programme_invite_experts,
    "select": _programme_select(True),
    "deselect": _programme_select(False),
    "accept": _programme_respond(True),
    "decline": _programme_respond(False),
    "score": _programme_score,
}


@login_required
@require_POST
def programme_action(request, pk: int, verb: str):
    programme = _visible_programme(request, pk)
    _run_verb(request, PROGRAMME_VERBS, verb, programme=programme)
    return redirect("programmes:programme_detail", pk=pk)


@login_required
def programme_export(request, pk: int, file_format: str):
    programme = _visible_programme(request, pk)
    if file_format not in ("csv", "xlsx"):
        raise Http404
    entries = programme_selectors.programme_entries(programme=programme, user=request.user)
    return shortlist_response(programme=programme, entries=entries, file_format=file_format)


# --- events -----------------------------------------------------------------------------------


def event_list(request):
    events = programme_selectors.events_visible_to(user=request.user).order_by("starts_at", "pk")
    return render(
        request,
        "programmes/event_list.html",
        {"events": events, "can_create": can_organize_events(request.user)},
    )


@login_required
def event_create(request):
    if not can_organize_events(request.user):
        raise PermissionDenied
    programme = None
    programme_id = request.GET.get("programme") or request.POST.get("programme")
    if programme_id:
        programme = get_object_or_404(
            programme_selectors.programmes_visible_to(user=request.user), pk=programme_id
        )
    initial = {}
    if programme is not None:
        initial["title"] = _("Matchmaking fair: %(programme)s") % {"programme": programme.name}
        initial["kind"] = EventKind.FAIR
    form = EventForm(
        request.POST or None,
        technologies=programme_selectors.featurable_technologies(),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        technologies = list(data.pop("technologies") or [])
        try:
            event = event_services.event_create(
                user=request.user, programme=programme, technologies=technologies, **data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The event has been created as a draft: open registration when ready.")
            )
            return redirect("programmes:event_detail", pk=event.pk)
    return render(request, "programmes/event_form.html", {"form": form, "programme": programme})


def _visible_event(request, pk):
    return get_object_or_404(programme_selectors.events_visible_to(user=request.user), pk=pk)


def event_detail(request, pk: int):
    event = _visible_event(request, pk)
    allowed = event_services.event_allowed_actions(event=event, user=request.user)
    registration = programme_selectors.registration_of(event=event, user=request.user)
    featured = programme_selectors.event_featured_technologies(event=event)
    context = {
        "event": event,
        "allowed_actions": allowed,
        "registration": registration,
        "featured": featured,
        "featured_needs": event.featured_needs.all(),
        "meetings": programme_selectors.meetings_visible_to(event=event, user=request.user),
        "is_organizer": "cancel" in allowed or "open" in allowed or "close_registration" in allowed,
        "registrations": programme_selectors.event_registrations(event=event)
        if request.user.is_authenticated
        and (is_reviewer(user=request.user) or event.organizer_id == request.user.pk)
        else None,
        "registration_form": RegistrationForm() if "register" in allowed else None,
        "event_ended": event.ends_at <= timezone.now(),
        "online_link_visible": programme_selectors.online_link_visible(
            event=event, user=request.user
        ),
    }
    if registration is not None and registration.role == ParticipantRole.ENTERPRISE:
        matches = event_services.event_matches(event=event, registration=registration)
        titles = {technology.pk: technology for technology in featured}
        for match in matches:
            match["technology"] = titles.get(match["technology_id"])
        context["matches"] = matches
        if "book" in allowed:
            context["booking_form"] = BookingForm(
                technologies=event.featured_technologies.exclude(
                    organization_id=registration.organization_id
                ),
                slots=event_services.event_slots(event=event),
                organizer_time_zone=event.organizer_time_zone,
            )
    if context["event_ended"]:
        context["held_meetings"] = programme_selectors.event_held_meeting_count(event=event)
        context["deals"] = programme_selectors.event_deals(event=event)
    return render(request, "programmes/event_detail.html", context)


def _event_transition(action: str):
    def handler(request, event):
        event_services.event_transition(
            event=event, user=request.user, action=action, note=request.POST.get("note", "")
        )

    return handler


def _event_register(request, event):
    data = _valid(
        RegistrationForm(request.POST), _("Take part as a technology holder or an enterprise.")
    )
    event_services.event_register(event=event, user=request.user, **data)


def _event_book(request, event):
    form = BookingForm(
        request.POST,
        technologies=event.featured_technologies.all(),
        slots=event_services.event_slots(event=event),
        organizer_time_zone=event.organizer_time_zone,
    )
    data = _valid(form, _("Choose a featured technology and a time slot."))
    meeting = event_services.meeting_book(
        event=event,
        user=request.user,
        technology=data["technology"],
        starts_at=datetime.datetime.fromisoformat(data["starts_at"]),
    )
    return _("Meeting booked: %(time)s.") % {
        "time": in_two_zones(meeting.starts_at, event.organizer_time_zone)
    }


def _posted_meeting(request, event):
    return get_object_or_404(
        programme_selectors.meetings_visible_to(event=event, user=request.user),
        pk=request.POST.get("meeting"),
    )


def _meeting_cancel(request, event):
    event_services.meeting_cancel(meeting=_posted_meeting(request, event), user=request.user)


def _meeting_record(held: bool):
    def handler(request, event):
        event_services.meeting_record(
            meeting=_posted_meeting(request, event), user=request.user, held=held
        )

    return handler


EVENT_VERBS = {
    "open": _event_transition("open"),
    "close_registration": _event_transition("close_registration"),
    "cancel": _event_transition("cancel"),
    "register": _event_register,
    "book": _event_book,
    "cancel_meeting": _meeting_cancel,
    "held": _meeting_record(True),
    "missed": _meeting_record(False),
}


@login_required
@require_POST
def event_action(request, pk: int, verb: str):
    event = _visible_event(request, pk)
    _run_verb(request, EVENT_VERBS, verb, refusals=(*REFUSALS, PermissionDenied), event=event)
    return redirect("programmes:event_detail", pk=pk)


# --- challenges -------------------------------------------------------------------------------


def challenge_list(request):
    challenges = programme_selectors.challenges_visible_to(user=request.user).order_by(
        "-created_at", "-pk"
    )
    return render(
        request,
        "programmes/challenge_list.html",
        {"challenges": challenges, "can_create": is_programme_operator(request.user)},
    )


@login_required
def challenge_create(request):
    if not is_programme_operator(request.user):
        raise PermissionDenied
    form = ChallengeForm(request.POST or None, needs=programme_selectors.challengeable_needs())
    if request.method == "POST" and form.is_valid():
        try:
            challenge = challenge_services.challenge_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The challenge is a draft: publish it when ready."))
            return redirect("programmes:challenge_detail", pk=challenge.pk)
    return render(request, "programmes/challenge_form.html", {"form": form})


def _visible_challenge(request, pk):
    return get_object_or_404(programme_selectors.challenges_visible_to(user=request.user), pk=pk)


def challenge_detail(request, pk: int):
    challenge = _visible_challenge(request, pk)
    allowed = challenge_services.challenge_allowed_actions(challenge=challenge, user=request.user)
    submissions = list(
        programme_selectors.challenge_submissions(challenge=challenge, user=request.user)
    )
    expert = expert_selectors.expert_of_user(user=request.user)
    for submission in submissions:
        submission.median = challenge_services.submission_median(submission)
        submission.my_score = next(
            (s for s in submission.scores.all() if expert and s.expert_id == expert.pk), None
        )
    context = {
        "challenge": challenge,
        "allowed_actions": allowed,
        "needs": programme_selectors.challenge_needs(challenge=challenge),
        "submissions": submissions,
        "winners": [s for s in submissions if s.is_winner],
        "reason_choices": TurnDownReason.choices,
        "is_operator": "invite_judges" in allowed,
        "judges": challenge.judges.all(),
    }
    if "submit" in allowed:
        context["submission_form"] = SubmissionForm(
            needs=challenge.needs.all(),
            technologies=programme_selectors.technologies_of_user(
                user=request.user, published_only=True
            ),
        )
    if "invite_judges" in allowed:
        context["judges_form"] = ExpertsForm(
            experts=programme_selectors.experts_to_invite(already_invited=challenge.judges.all())
        )
    return render(request, "programmes/challenge_detail.html", context)


def _challenge_transition(action: str):
    def handler(request, challenge):
        challenge_services.challenge_transition(
            challenge=challenge, user=request.user, action=action, note=request.POST.get("note", "")
        )

    return handler


def _challenge_submit(request, challenge):
    form = SubmissionForm(
        request.POST,
        needs=challenge.needs.all(),
        technologies=programme_selectors.technologies_of_user(user=request.user),
    )
    if not form.is_valid():
        raise ValidationError(
            [f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()]
        )
    challenge_services.challenge_submit(challenge=challenge, user=request.user, **form.cleaned_data)


def _challenge_invite_judges(request, challenge):
    form = ExpertsForm(request.POST, experts=expert_selectors.verified_experts())
    data = _valid(form, _("Choose at least one expert."))
    challenge_services.challenge_invite_judges(challenge=challenge, user=request.user, **data)


def _posted_submission(request, challenge):
    return get_object_or_404(challenge.submissions, pk=request.POST.get("submission"))


def _challenge_score(request, challenge):
    submission = _posted_submission(request, challenge)
    data = _valid(
        EntryScoreForm({**request.POST.dict(), "technology": 0}),
        _("Give a score from %(low)d to %(high)d.") % {"low": SCORE_MIN, "high": SCORE_MAX},
    )
    challenge_services.challenge_score(
        submission=submission, user=request.user, score=data["score"], comment=data["comment"]
    )


def _challenge_mark_winner(winner: bool):
    def handler(request, challenge):
        challenge_services.challenge_mark_winner(
            submission=_posted_submission(request, challenge),
            user=request.user,
            winner=winner,
            award=request.POST.get("award", ""),
        )

    return handler


def _challenge_turn_down(request, challenge):
    challenge_services.challenge_submission_turn_down(
        submission=_posted_submission(request, challenge),
        user=request.user,
        reason_code=request.POST.get("reason_code", ""),
        note=request.POST.get("note", ""),
    )
    return _("The holder has been told why.")


CHALLENGE_VERBS = {
    "publish": _challenge_transition("publish"),
    "close": _challenge_transition("close"),
    "announce": _challenge_transition("announce"),
    "submit": _challenge_submit,
    "invite_judges": _challenge_invite_judges,
    "score": _challenge_score,
    "winner": _challenge_mark_winner(True),
    "not_winner": _challenge_mark_winner(False),
    "turn_down": _challenge_turn_down,
}


@login_required
@require_POST
def challenge_action(request, pk: int, verb: str):
    challenge = _visible_challenge(request, pk)
    _run_verb(request, CHALLENGE_VERBS, verb, challenge=challenge)
    return redirect("programmes:challenge_detail", pk=pk)
