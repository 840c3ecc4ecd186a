import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONTH_FORMAT = "%Y-%m"


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT)
    input_formats = [MONTH_FORMAT, "%Y-%m-%d"]


class RegionalReportForm(forms.Form):
    """The period (whole months) and, optionally, the one region of a regional report."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    start = MonthField(label=_("From (month)"))
    end = MonthField(label=_("To (month)"))

    def __init__(
        self, *args, regions: list[tuple[str, str]] = (), all_regions: bool = True, **kwargs
    ):
        super().__init__(*args, **kwargs)
        # "All regions" means every region the reader may see: all, or their own few.
        label = _("All regions") if all_regions else _("All my regions")
        self.fields["region"].choices = [("", label), *regions]

    @staticmethod
    def default_period() -> dict[str, datetime.date]:
        today = timezone.localdate()
        return {"start": today.replace(month=1, day=1), "end": today.replace(day=1)}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start.replace(day=1) > end.replace(day=1):
            self.add_error("end", _("The period must end in or after the month it starts."))
        return data


class FunnelForm(forms.Form):
    """The period and industry of the funnel (page and GET /api/v1/stats/funnel/ alike)."""

    PERIODS = [
        ("month", _("Month")),
        ("quarter", _("Quarter")),
        ("year", _("Year")),
    ]

    SELECT = {"class": "form-select form-select-sm"}

    period = forms.ChoiceField(
        label=_("Period"), choices=PERIODS, required=False, widget=forms.Select(attrs=SELECT)
    )
    industry = forms.ChoiceField(
        label=_("Industry"), required=False, widget=forms.Select(attrs=SELECT)
    )
    scope = forms.ChoiceField(
        label=_("Whose work"),
        choices=[("platform", _("The whole platform")), ("mine", _("My work as a broker"))],
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, industries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.industries = {industry.code: industry for industry in industries}
        self.fields["industry"].choices = [("", _("All industries"))] + [
            (industry.code, f"{industry.code} {industry.name}") for industry in industries
        ]

    def clean(self):
        data = super().clean()
        data["period"] = data.get("period") or "quarter"
        data["scope"] = data.get("scope") or "platform"
        data["industry"] = self.industries.get(data.get("industry") or "")
        return data
