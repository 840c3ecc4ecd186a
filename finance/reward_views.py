"""Pages of the reward policies and splits (the same services and selectors as the API)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import csv_response, xlsx_response
from core.forms import ServiceModelForm, apply_validation_error
from finance import reward_selectors
from finance.models import STATUTORY_MINIMUM_INVENTORS_SHARE, RewardPolicy
from finance.services import rewards

EXPORT_HEADER = [
    gettext_lazy("Deal"),
    gettext_lazy("Technology"),
    gettext_lazy("Completed on"),
    gettext_lazy("Seller"),
    gettext_lazy("Currency"),
    gettext_lazy("Income"),
    gettext_lazy("Costs deducted"),
    gettext_lazy("Net income"),
    gettext_lazy("Recipient"),
    gettext_lazy("Name of the recipient"),
    gettext_lazy("Department"),
    gettext_lazy("Share (%)"),
    gettext_lazy("Amount"),
]


class RewardPolicyForm(ServiceModelForm):
    organization = forms.ModelChoiceField(
        label=gettext_lazy("University or institute"), queryset=None, empty_label=None
    )

    class Meta:
        model = RewardPolicy
        fields = list(RewardPolicy.EDITABLE_FIELDS)
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        if organizations.count() == 1:
            self.fields["organization"].widget = forms.HiddenInput()
            self.initial.setdefault("organization", organizations.first().pk)
        self.initial.setdefault("effective_from", timezone.localdate())


@login_required
def reward_policy(request):
    """The reward policy of the universities and institutes the user administers: a form for a
    new version, the versions so far and the statutory rule."""
    organizations = reward_selectors.reward_policy_organizations(user=request.user)
    if not organizations.exists():
        raise Http404
    form = RewardPolicyForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            rewards.reward_policy_create(user=request.user, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The new version of the reward policy has been saved."))
            return redirect("finance:reward_policy")
    today = timezone.localdate()
    in_force = {
        organization.pk: rewards.reward_policy_in_force(organization=organization, on=today)
        for organization in organizations
    }
    return render(
        request,
        "finance/reward_policy.html",
        {
            "form": form,
            "organizations": organizations,
            "policies": reward_selectors.reward_policies_visible_to(user=request.user),
            "in_force_ids": {policy.pk for policy in in_force.values() if policy},
            "without_policy": [o for o in organizations if in_force[o.pk] is None],
            "statutory_minimum": f"{STATUTORY_MINIMUM_INVENTORS_SHARE.normalize():f}",
        },
        status=400 if form.errors else 200,
    )


@login_required
def reward_splits(request):
    """The splits the user may see: the organisation's for its administrator, their own lines
    for an inventor."""
    splits = reward_selectors.reward_splits_visible_to(user=request.user)
    administers = reward_selectors.reward_policy_organizations(user=request.user).exists()
    return render(
        request,
        "finance/reward_splits.html",
        {"splits": splits, "administers": administers},
    )


@login_required
def reward_splits_export(request, file_format: str):
    rows = reward_selectors.reward_split_rows(
        splits=reward_selectors.reward_splits_visible_to(user=request.user)
    )
    header = [str(label) for label in EXPORT_HEADER]
    filename = f"reward-splits-{timezone.localdate().isoformat()}"
    if file_format == "csv":
        return csv_response(header, rows, filename=f"{filename}.csv")
    if file_format == "xlsx":
        return xlsx_response(
            header, rows, filename=f"{filename}.xlsx", sheet_title=_("Reward splits")
        )
    raise Http404
