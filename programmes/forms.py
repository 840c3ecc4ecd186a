from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organization
from accounts.selectors import organizations_of_user, organizations_visible_to
from catalog.choices import TransactionMode
from catalog.models import Category, Technology
from core.regions import country_choices, region_choices
from core.timezones import in_two_zones, time_zone_choices, zone_of
from core.validators import validate_https_url
from exchange.models import Need
from programmes.choices import SCORE_MAX, SCORE_MIN, EventKind, Language, ParticipantRole
from programmes.models import ExpertProfile, Scenario

TEXTAREA = forms.Textarea(attrs={"rows": 4})
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, category):
        indent = "" if category.parent_id is None else "— "
        return f"{indent}{category.code} {category.name}"


# --- experts ----------------------------------------------------------------------------------


class ExpertProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    title = forms.CharField(
        label=pgettext_lazy("job title", "Title"),
        max_length=120,
        help_text=_("For example: professor, senior engineer."),
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation on the platform"),
        queryset=Organization.objects.none(),
        required=False,
    )
    organization_name = forms.CharField(
        label=_("Organisation (if not on the platform)"), max_length=200, required=False
    )
    fields = CategoryChoiceField(
        label=_("Fields"),
        queryset=Category.objects.all(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    bio = forms.CharField(label=_("Short biography"), widget=TEXTAREA, max_length=2000)
    declared_conflicts = forms.ModelMultipleChoiceField(
        label=_("Organisations you have a conflict of interest with"),
        queryset=Organization.objects.verified().order_by("name_zh", "name_en"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    conflicts_note = forms.CharField(
        label=_("Other interests to declare"), widget=TEXTAREA, required=False, max_length=2000
    )
    offers_consulting = forms.BooleanField(label=_("I offer consulting"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            self.fields["organization"].queryset = organizations_of_user(user=user)
            # Names of unverified organisations stay with their members.
            self.fields["declared_conflicts"].queryset = organizations_visible_to(
                user=user
            ).order_by("name_zh", "name_en")

    @classmethod
    def initial_of(cls, expert: ExpertProfile) -> dict:
        # `serializable_value` gives a foreign key's id without loading the related row.
        initial = {name: expert.serializable_value(name) for name in ExpertProfile.EDITABLE_FIELDS}
        initial.update(
            fields=list(expert.fields.all()),
            declared_conflicts=list(expert.declared_conflicts.all()),
        )
        return initial


class ExpertSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    field = forms.ChoiceField(label=pgettext_lazy("expertise", "Field"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any")), *Language.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("Any"))] + [
            (c.code, f"{c.code} {c.name}") for c in Category.objects.filter(parent__isnull=True)
        ]


class ConsultingForm(forms.Form):
    technology = forms.ModelChoiceField(
        label=_("About which technology"), queryset=Technology.objects.none()
    )
    topic = forms.CharField(label=_("What you need advice on"), widget=TEXTAREA, max_length=4000)

    def __init__(self, *args, technologies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if technologies is not None:
            self.fields["technology"].queryset = technologies


class NoteForm(forms.Form):
    note = forms.CharField(
        label=pgettext_lazy("remark", "Note"), widget=TEXTAREA, required=False, max_length=4000
    )


# --- evaluations ------------------------------------------------------------------------------


class EvaluationRequestForm(forms.Form):
    technology = forms.ModelChoiceField(label=_("Technology"), queryset=Technology.objects.none())
    paid = forms.BooleanField(label=_("Paid evaluation (the holder pays the fee)"), required=False)
    note = forms.CharField(
        label=_("What should the experts look at?"), widget=TEXTAREA, required=False
    )

    def __init__(self, *args, technologies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if technologies is not None:
            self.fields["technology"].queryset = technologies


class AssignForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("Experts"),
        queryset=ExpertProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, experts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if experts is not None:
            self.fields["experts"].queryset = experts


def score_field(label):
    return forms.IntegerField(
        label=label,
        min_value=SCORE_MIN,
        max_value=SCORE_MAX,
        help_text=_("%(low)d (weak) to %(high)d (excellent)")
        % {"low": SCORE_MIN, "high": SCORE_MAX},
    )


class ScoreForm(forms.Form):
    technical_novelty = score_field(_("Technical novelty"))
    maturity = score_field(_("Maturity"))
    assessed_trl = forms.IntegerField(
        label=_("TRL you found"),
        min_value=1,
        max_value=9,
        help_text=_("Check the holder's TRL: the level you would confirm (1–9)."),
    )
    market_prospects = score_field(_("Market prospects"))
    economic_feasibility = score_field(_("Economic feasibility"))
    green_benefit = score_field(_("Green benefit"))
    comments = forms.CharField(label=_("Comments"), widget=TEXTAREA, max_length=6000)
    identity_disclosed = forms.BooleanField(label=_("Show my name to the holder"), required=False)


class CompleteForm(forms.Form):
    summary = forms.CharField(label=_("Summary for the listing"), widget=TEXTAREA, max_length=4000)


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Your reply"), widget=TEXTAREA, max_length=4000)


# --- programmes -------------------------------------------------------------------------------


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=TEXTAREA, required=False, max_length=4000
    )
    positioning = forms.CharField(
        label=_("Industrial positioning"),
        widget=TEXTAREA,
        max_length=4000,
        help_text=_(
            "The industries and problems the district or park wants solved; technologies are "
            "ranked by how well they fit this text."
        ),
    )
    categories = CategoryChoiceField(
        label=_("Categories"),
        queryset=Category.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("An industry includes its groups; none: every category."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        choices=region_choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Holder region or target region; none: any region."),
    )
    trl_min = forms.IntegerField(label=_("TRL from"), min_value=1, max_value=9, initial=1)
    trl_max = forms.IntegerField(label=_("TRL to"), min_value=1, max_value=9, initial=9)
    weight_fit = forms.IntegerField(
        label=_("Weight: fit with the positioning"), min_value=0, max_value=100, initial=40
    )
    weight_market = forms.IntegerField(
        label=_("Weight: market prospects"), min_value=0, max_value=100, initial=25
    )
    weight_feasibility = forms.IntegerField(
        label=_("Weight: technical–economic feasibility"), min_value=0, max_value=100, initial=20
    )
    weight_green = forms.IntegerField(
        label=_("Weight: green benefit"), min_value=0, max_value=100, initial=15
    )
    shortlist_size = forms.IntegerField(
        label=_("Shortlist size"), min_value=1, max_value=500, initial=30
    )

    @classmethod
    def initial_of(cls, programme) -> dict:
        initial = {
            name: getattr(programme, name) for name in cls.base_fields if name != "categories"
        }
        initial["categories"] = list(programme.categories.all())
        return initial


class ExpertsForm(forms.Form):
    experts = forms.ModelMultipleChoiceField(
        label=_("Experts"),
        queryset=ExpertProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, experts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if experts is not None:
            self.fields["experts"].queryset = experts


class EntryScoreForm(forms.Form):
    technology = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.IntegerField(label=_("Score"), min_value=SCORE_MIN, max_value=SCORE_MAX)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


# --- events -----------------------------------------------------------------------------------


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=TEXTAREA, required=False, max_length=4000
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME_INPUT)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME_INPUT)
    registration_closes_at = forms.DateTimeField(
        label=_("Registration closes at"), widget=DATETIME_INPUT
    )
    organizer_time_zone = forms.ChoiceField(
        label=_("Organiser's time zone"),
        help_text=_("The times you enter are in this zone; each reader also sees them in theirs."),
    )
    venue = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        validators=[validate_https_url],
        help_text=_("Shown to registered participants only."),
    )
    capacity = forms.IntegerField(label=_("Capacity (organisations)"), min_value=1, initial=50)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["zh"],
    )
    target_countries = forms.MultipleChoiceField(
        label=_("Countries targeted"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("For an international roadshow: the countries whose organisations it invites."),
    )
    slot_minutes = forms.IntegerField(
        label=_("Meeting length (minutes)"), min_value=5, max_value=120, initial=20
    )
    meetings_per_participant = forms.IntegerField(
        label=_("Meetings per enterprise"), min_value=1, initial=6
    )
    technologies = forms.ModelMultipleChoiceField(
        label=_("Featured technologies"),
        queryset=Technology.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Empty with a programme: its selected technologies."),
    )

    TIME_FIELDS = ("starts_at", "ends_at", "registration_closes_at")

    def __init__(self, *args, technologies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if technologies is not None:
            self.fields["technologies"].queryset = technologies
        reader_zone = timezone.get_current_timezone_name()
        self.fields["organizer_time_zone"].choices = time_zone_choices(reader_zone)
        self.fields["organizer_time_zone"].initial = reader_zone
        self.fields["target_countries"].choices = country_choices()

    def clean(self):
        cleaned = super().clean()
        # The form read the times in the reader's zone; they were written in the organiser's.
        zone = cleaned.get("organizer_time_zone")
        if zone:
            reader_zone = timezone.get_current_timezone()
            for name in self.TIME_FIELDS:
                value = cleaned.get(name)
                if value is not None:
                    written = timezone.localtime(value, reader_zone).replace(tzinfo=None)
                    cleaned[name] = timezone.make_aware(written, zone_of(zone))
        return cleaned


class RegistrationForm(forms.Form):
    role = forms.ChoiceField(label=_("Taking part as"), choices=ParticipantRole.choices)


class BookingForm(forms.Form):
    technology = forms.ModelChoiceField(label=_("Technology"), queryset=Technology.objects.none())
    starts_at = forms.ChoiceField(label=_("Time slot"))

    def __init__(self, *args, technologies=None, slots=(), organizer_time_zone="", **kwargs):
        super().__init__(*args, **kwargs)
        if technologies is not None:
            self.fields["technology"].queryset = technologies
        # Offered in the reader's zone, the organiser's in brackets when it differs; the value
        # is the instant (ISO 8601 with offset), the same for readers in any zone.
        zone = organizer_time_zone or timezone.get_current_timezone_name()
        self.fields["starts_at"].choices = [
            (start.isoformat(), in_two_zones(start, zone)) for start, _end in slots
        ]


# --- challenges -------------------------------------------------------------------------------


class ChallengeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=TEXTAREA, max_length=6000)
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=DATETIME_INPUT)
    region = forms.ChoiceField(label=_("Region"), required=False)
    sector = forms.ModelChoiceField(
        label=_("Sector"), queryset=Category.objects.filter(parent__isnull=True), required=False
    )
    needs = forms.ModelMultipleChoiceField(
        label=_("Priority needs"),
        queryset=Need.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, needs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Any")), *region_choices()]
        if needs is not None:
            self.fields["needs"].queryset = needs


class SubmissionForm(forms.Form):
    need = forms.ModelChoiceField(label=_("Need"), queryset=Need.objects.none())
    technology = forms.ModelChoiceField(
        label=_("Your technology"), queryset=Technology.objects.none()
    )
    deal_type = forms.ChoiceField(label=_("Transaction mode"), choices=TransactionMode.choices)
    approach = forms.CharField(label=_("Approach"), widget=TEXTAREA, max_length=4000)
    timeline = forms.CharField(label=pgettext_lazy("implementation", "Timeline"), max_length=300)
    price = forms.DecimalField(
        label=_("Price (CNY)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )

    def __init__(self, *args, needs=None, technologies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if needs is not None:
            self.fields["need"].queryset = needs
        if technologies is not None:
            self.fields["technology"].queryset = technologies


class WinnerForm(forms.Form):
    submission = forms.IntegerField(widget=forms.HiddenInput)
    award = forms.CharField(label=_("Award"), max_length=120, required=False)


# --- application scenarios --------------------------------------------------------------------


class ScenarioForm(forms.ModelForm):
    region = forms.ChoiceField(label=_("Region"), required=False)
    industry = forms.ModelChoiceField(
        label=_("Industry"), queryset=Category.objects.filter(parent__isnull=True), required=False
    )

    class Meta:
        model = Scenario
        fields = list(Scenario.EDITABLE_FIELDS)
        widgets = {
            "problem": TEXTAREA,
            "conditions": TEXTAREA,
            "support": TEXTAREA,
            "criteria": TEXTAREA,
            "opens_at": DATETIME_INPUT,
            "closes_at": DATETIME_INPUT,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Any")), *region_choices()]

    def _post_clean(self):
        # The service validates and saves (scenario_create / scenario_update); the model's
        # clean() would otherwise run without its programme.
        pass


class ScenarioApplyForm(forms.Form):
    technology = forms.ModelChoiceField(
        label=_("Your published technology"), queryset=Technology.objects.none()
    )

    def __init__(self, *args, technologies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if technologies is not None:
            self.fields["technology"].queryset = technologies


class ScenarioAwardForm(forms.Form):
    entry = forms.ModelChoiceField(label=_("Winning application"), queryset=None)
    starts_on = forms.DateField(
        label=_("Pilot starts"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: today."),
    )

    def __init__(self, *args, entries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries
        self.fields["entry"].label_from_instance = lambda entry: str(entry.technology)


class ScenarioListForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period = forms.CharField(
        label=pgettext_lazy("scenario list edition", "Period"),
        max_length=40,
        help_text=_("For example “2026 Q4”."),
    )
    scenarios = forms.ModelMultipleChoiceField(
        label=_("Scenarios"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, scenarios=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenarios"].queryset = scenarios
