"""The holder's page naming the inventors of a listing and the right a pilot gave them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog import inventors, selectors
from catalog.choices import ServiceInventionRightKind
from catalog.models import TechnologyInventor, TechnologyServiceInventionRight
from core.forms import apply_validation_error

EXTRA_ROWS = 2


class InventorForm(forms.ModelForm):
    user = forms.ModelChoiceField(
        label=gettext_lazy("linked account"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("Link the inventor's own account so they see their reward."),
    )

    class Meta:
        model = TechnologyInventor
        fields = ["name", "department", "share", "user"]

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label = capfirst(self.fields["user"].label)
        self.fields["user"].label_from_instance = lambda user: user.full_name or user.email
        # a blank extra row is left out; the service checks the rows given
        self.empty_permitted = True
        self.use_required_attribute = False

    def _post_clean(self):
        pass


class RightForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("right given"),
        required=False,
        choices=[("", gettext_lazy("— none recorded —")), *ServiceInventionRightKind.choices],
    )

    class Meta:
        model = TechnologyServiceInventionRight
        fields = ["kind", "document", "granted_on", "term_years"]
        widgets = {"granted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].required = False
        self.fields["kind"].label = capfirst(self.fields["kind"].label)
        self.fields["granted_on"].required = False

    def _post_clean(self):
        pass


InventorFormSet = forms.formset_factory(InventorForm, extra=0, can_delete=True)


def _rows(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if (
            not data
            or data.get("DELETE")
            or not any(
                data.get(name) not in (None, "") for name in ("name", "department", "share", "user")
            )
        ):
            continue
        rows.append({name: data.get(name) for name in ("name", "department", "share", "user")})
    return rows


@login_required
def technology_inventors(request, pk: int):
    technology = get_object_or_404(selectors.technologies_of_user(user=request.user), pk=pk)
    if not inventors.inventors_may_edit(technology=technology, user=request.user):
        raise Http404
    candidates = inventors.inventor_candidates(technology=technology)
    right = TechnologyServiceInventionRight.objects.filter(technology=technology).first()
    initial = [
        {
            "name": inventor.name,
            "department": inventor.department,
            "share": inventor.share,
            "user": inventor.user_id,
        }
        for inventor in technology.inventors.all()
    ]
    initial += [{} for _index in range(EXTRA_ROWS)]
    formset = InventorFormSet(
        request.POST or None,
        initial=None if request.method == "POST" else initial,
        prefix="inventors",
        form_kwargs={"candidates": candidates},
    )
    right_form = RightForm(request.POST or None, instance=right, prefix="right")
    total_error = ""
    if request.method == "POST" and formset.is_valid() and right_form.is_valid():
        data = right_form.cleaned_data
        try:
            inventors.technology_inventors_replace(
                user=request.user, technology=technology, rows=_rows(formset)
            )
            inventors.technology_service_invention_right_set(
                user=request.user,
                technology=technology,
                kind=data.get("kind") or "",
                document=data.get("document") or "",
                granted_on=data.get("granted_on"),
                term_years=data.get("term_years"),
            )
        except ValidationError as error:
            total_error = _apply(formset, right_form, error, technology)
        else:
            messages.success(request, _("The inventors and their rights have been saved."))
            return redirect("catalog:technology_manage", pk=technology.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "catalog/technology_inventors.html",
        {
            "technology": technology,
            "formset": formset,
            "right_form": right_form,
            "total_error": total_error,
        },
        status=status,
    )


def _apply(formset, right_form, error: ValidationError, technology) -> str:
    """Put the service's errors beside the fields; return the error about the total."""
    rows_result = inventors.inventor_rows_clean(technology=technology, rows=_rows(formset))
    if not rows_result.is_valid:
        kept = [
            form
            for form in formset.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and any(
                form.cleaned_data.get(n) not in (None, "")
                for n in ("name", "department", "share", "user")
            )
        ]
        for form, row_errors in zip(kept, rows_result.row_errors, strict=False):
            for field, message in row_errors.items():
                form.add_error(field, message)
        return rows_result.total_error
    apply_validation_error(right_form, error)
    return ""
