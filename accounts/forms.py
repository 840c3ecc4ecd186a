from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import GRANTABLE_ROLES, SELF_ASSIGNABLE_ROLES, Role
from accounts.models import Organization, RoleGrant, User
from core.regions import region_choices
from core.timezones import time_zone_choices

ROLE_CHOICES = [(role.value, role.label) for role in Role if role in SELF_ASSIGNABLE_ROLES]


class SignupProfileForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    roles = forms.MultipleChoiceField(
        label=_("I use the exchange as"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )

    def signup(self, request, user):
        from accounts.services import user_update_profile

        user_update_profile(
            user=user,
            full_name=self.cleaned_data.get("full_name", ""),
            roles=self.cleaned_data["roles"],
            preferred_language=(request.LANGUAGE_CODE or "zh-hans"),
        )


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Times are shown to you, and e-mailed to you, in this zone."),
        required=False,
    )
    roles = forms.MultipleChoiceField(
        label=_("Platform roles"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "phone",
            "preferred_language",
            "time_zone",
            "notification_frequency",
            "roles",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(self.instance.time_zone)
        self.initial["roles"] = [r for r in self.instance.roles if r in dict(ROLE_CHOICES)]

    def clean_time_zone(self):
        # A form sent without the field (an older page, a script) keeps the zone already set.
        return self.cleaned_data.get("time_zone") or self.instance.time_zone


class OrganizationForm(forms.ModelForm):
    region = forms.ChoiceField(label=_("Region"), choices=region_choices)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organization
        fields = list(Organization.EDITABLE_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class VerificationDecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("verify", _("Verify")), ("reject", _("Refuse")), ("revoke", _("Revoke"))]
    )
    note = forms.CharField(
        label=_("Note or reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RoleGrantRequestForm(forms.Form):
    """Ask for a privileged role in the name of one of the user's organisations."""

    role = forms.ChoiceField(
        label=_("Role"), choices=[(role.value, role.label) for role in GRANTABLE_ROLES]
    )
    organization = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=Organization.objects.none(), empty_label=None
    )
    credential_number = forms.CharField(
        label=_("Credential or licence number"),
        max_length=100,
        required=False,
        help_text=RoleGrant._meta.get_field("credential_number").help_text,
    )
    evidence = forms.FileField(
        label=_("Evidence (PDF or image, at most 10 MB)"),
        required=False,
        help_text=_("A scan of the certificate or licence helps the reviewer."),
    )
    note = forms.CharField(
        label=_("Note for the reviewer"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations or Organization.objects.none()


class RoleGrantDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note or reason (required to refuse or revoke)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
