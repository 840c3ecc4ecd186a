from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as switch_page_language

from accounts import selectors, services
from accounts.choices import RoleGrantStatus
from accounts.forms import (
    OrganizationForm,
    ProfileForm,
    RoleGrantDecisionForm,
    RoleGrantRequestForm,
    VerificationDecisionForm,
)
from accounts.permissions import is_member, is_reviewer
from accounts.tokens.selectors import api_tokens_of
from accounts.tokens.services import api_token_revoke as api_token_revoke_service
from accounts.tokens.services import api_tokens_revoke_all as api_tokens_revoke_all_service
from accounts.workspace import (
    workspace_figures,
    workspace_role_labels,
    workspace_sections,
    workspace_todos,
)
from core.forms import apply_validation_error
from core.workflow import TransitionNotAllowed
from notifications.selectors import notifications_for
from notifications.services import notification_mark_read


@login_required
def workspace(request):
    user = request.user
    sections = workspace_sections(user=user)
    context = {
        "sections": sections,
        "role_labels": workspace_role_labels(user=user, sections=sections),
        "organizations": selectors.organizations_of_user(user=user),
        "recent_notifications": notifications_for(user=user)[:5],
        "todos": workspace_todos(user=user),
        "figures": workspace_figures(user=user),
    }
    return render(request, "accounts/workspace.html", context)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    context = {"form": form, "api_tokens": api_tokens_of(user=request.user)}
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    if not api_token_revoke_service(user=request.user, token_id=pk):
        raise Http404
    messages.success(request, _("The device has been signed out of the API."))
    return redirect("accounts:profile")


@login_required
@require_POST
def api_tokens_revoke_all(request):
    revoked = api_tokens_revoke_all_service(user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d device has been signed out of the API.",
            "%(count)d devices have been signed out of the API.",
            revoked,
        )
        % {"count": revoked},
    )
    return redirect("accounts:profile")


@login_required
def organization_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The organisation has been created."))
            return redirect("accounts:organization_detail", pk=organization.pk)
    return render(request, "accounts/organization_form.html", {"form": form, "creating": True})


def _visible_organization(request, pk: int):
    return get_object_or_404(selectors.organizations_visible_to(user=request.user), pk=pk)


def organization_detail(request, pk: int):
    organization = _visible_organization(request, pk)
    member = is_member(user=request.user, organization=organization)
    reviewer = is_reviewer(user=request.user)
    context = {
        "organization": organization,
        "is_member": member,
        "name_clashes": (
            selectors.organization_name_clashes(organization=organization) if reviewer else []
        ),
        "allowed_actions": (
            services.organization_allowed_actions(organization=organization, user=request.user)
            if request.user.is_authenticated
            else []
        ),
        "events": selectors.organization_events(organization=organization)
        if member or reviewer
        else [],
        "members": selectors.organization_memberships(organization=organization) if member else [],
        "decision_form": VerificationDecisionForm(),
    }
    return render(request, "accounts/organization_detail.html", context)


@login_required
def organization_edit(request, pk: int):
    organization = _visible_organization(request, pk)
    if not is_member(user=request.user, organization=organization):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                organization=selectors.organizations_of_user(user=request.user).get(pk=pk),
                user=request.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("accounts:organization_detail", pk=pk)
    return render(request, "accounts/organization_form.html", {"form": form, "creating": False})


@login_required
@require_POST
def organization_transition(request, pk: int):
    organization = _visible_organization(request, pk)
    action = request.POST.get("action", "")
    try:
        services.organization_transition(
            organization=organization,
            user=request.user,
            action=action,
            note=request.POST.get("note", ""),
        )
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Done: %(status)s") % {"status": organization.get_verification_status_display()},
        )
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("accounts:organization_detail", pk=pk)


@login_required
def review_queue(request):
    if not is_reviewer(user=request.user):
        raise PermissionDenied
    organizations = list(selectors.organizations_awaiting_verification())
    # Reviewers see an impostor's twin before verifying it (one query for the whole queue).
    clashes = selectors.organization_name_clash_map(organizations=organizations)
    for organization in organizations:
        organization.name_clash_list = clashes.get(organization.pk, [])[:5]
    return render(
        request,
        "accounts/review_queue.html",
        {
            "organizations": organizations,
            "decision_form": VerificationDecisionForm(),
            "role_grants": selectors.role_grants_awaiting_decision(user=request.user),
            "decidable_actions": ["grant", "refuse"],
        },
    )


@require_POST
def set_language(request):
    """The language switcher: Django's view sets the page language; a signed-in user's
    preferred language (their e-mails and digests) follows the choice."""
    response = switch_page_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_preferred_language(user=request.user, language=language)
    return response


@login_required
def notification_list(request):
    if request.method == "POST":
        notification_mark_read(user=request.user)
        return redirect("accounts:notifications")
    return render(
        request,
        "accounts/notifications.html",
        {"notifications": notifications_for(user=request.user)[:100]},
    )


# --- Role grants ------------------------------------------------------------------------------


@login_required
def role_grants(request):
    """The user's roles, what each privileged role still needs, and the request form."""
    organizations = selectors.organizations_of_user(user=request.user)
    form = RoleGrantRequestForm(
        request.POST or None, request.FILES or None, organizations=organizations
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.role_grant_request(
                user=request.user,
                role=form.cleaned_data["role"],
                organization=form.cleaned_data["organization"],
                credential_number=form.cleaned_data["credential_number"],
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data.get("evidence"),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your request has been sent to the reviewers."))
            return redirect("accounts:role_grants")
    return render(
        request,
        "accounts/role_grants.html",
        {
            "form": form,
            "has_organizations": organizations.exists(),
            "requirements": services.role_requirements(user=request.user),
            "grants": selectors.role_grants_visible_to(user=request.user)
            .filter(user=request.user)
            .order_by("-created_at", "-pk"),
        },
    )


def _visible_role_grant(request, pk: int):
    return get_object_or_404(selectors.role_grants_visible_to(user=request.user), pk=pk)


@login_required
def role_grant_detail(request, pk: int):
    grant = _visible_role_grant(request, pk)
    return render(
        request,
        "accounts/role_grant_detail.html",
        {
            "grant": grant,
            "allowed_actions": services.role_grant_allowed_actions(grant=grant, user=request.user),
            "missing": services.role_grant_missing(
                user=grant.user, role=grant.role, organization=grant.organization
            )
            if grant.status == RoleGrantStatus.REQUESTED
            else [],
            "name_clashes": selectors.organization_name_clashes(organization=grant.organization)
            if is_reviewer(user=request.user)
            else [],
            "events": selectors.role_grant_events(grant=grant),
            "viewer_is_reviewer": is_reviewer(user=request.user),
            "decision_form": RoleGrantDecisionForm(),
        },
    )


@login_required
@require_POST
def role_grant_transition(request, pk: int):
    grant = _visible_role_grant(request, pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action == "revoke":
            services.role_grant_revoke(grant=grant, user=request.user, note=note)
        else:
            services.role_grant_decide(grant=grant, user=request.user, decision=action, note=note)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        grant.refresh_from_db()
        messages.success(request, _("Done: %(status)s") % {"status": grant.get_status_display()})
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("accounts:role_grant_detail", pk=pk)


@login_required
def role_grant_evidence(request, pk: int):
    """The evidence file, only for the applicant and reviewers (404 for everyone else)."""
    grant = _visible_role_grant(request, pk)
    if not grant.evidence_file:
        raise Http404
    return FileResponse(
        grant.evidence_file.open("rb"),
        as_attachment=True,
        filename=grant.evidence_name or "evidence",
        content_type=grant.evidence_content_type or "application/octet-stream",
    )
