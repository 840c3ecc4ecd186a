from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import OrganizationForm, ProfileForm, VerificationDecisionForm
from core.forms import apply_validation_error
from core.workflow import TransitionNotAllowed
from notifications.selectors import notifications_for
from notifications.services import notification_mark_read


@login_required
def workspace(request):
    user = request.user
    context = {
        "organizations": selectors.organizations_of_user(user=user),
        "recent_notifications": notifications_for(user=user)[:5],
        "awaiting_verification": (
            selectors.organizations_awaiting_verification().count() if user.is_reviewer else None
        ),
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
    return render(request, "accounts/profile.html", {"form": form})


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
    is_member = services.organization_is_member(organization=organization, user=request.user)
    context = {
        "organization": organization,
        "is_member": is_member,
        "allowed_actions": (
            services.organization_allowed_actions(organization=organization, user=request.user)
            if request.user.is_authenticated
            else []
        ),
        "events": organization.events.select_related("actor")
        if is_member or (request.user.is_authenticated and request.user.is_reviewer)
        else [],
        "members": organization.memberships.select_related("user") if is_member else [],
        "decision_form": VerificationDecisionForm(),
    }
    return render(request, "accounts/organization_detail.html", context)


@login_required
def organization_edit(request, pk: int):
    organization = _visible_organization(request, pk)
    if not services.organization_is_member(organization=organization, user=request.user):
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
    if not request.user.is_reviewer:
        raise PermissionDenied
    return render(
        request,
        "accounts/review_queue.html",
        {
            "organizations": selectors.organizations_awaiting_verification(),
            "decision_form": VerificationDecisionForm(),
        },
    )


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
