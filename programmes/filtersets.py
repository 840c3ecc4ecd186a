"""One FilterSet per listable model, used by the API and the HTML lists alike."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from programmes.choices import (
    ChallengeStatus,
    EvaluationStatus,
    EventKind,
    EventStatus,
    ExpertStatus,
    Language,
    ProgrammeStatus,
)
from programmes.models import Challenge, Evaluation, Event, ExpertProfile, Programme
from programmes.selectors.experts import expert_search


class ExpertFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label=_("Search"))
    field = django_filters.CharFilter(
        method="filter_field", label=_("Field (category code; an industry includes its groups)")
    )
    language = django_filters.ChoiceFilter(
        choices=Language.choices, method="filter_language", label=_("Language")
    )
    consulting = django_filters.BooleanFilter(
        field_name="offers_consulting", label=_("Offers consulting")
    )
    status = django_filters.ChoiceFilter(choices=ExpertStatus.choices, label=_("Status"))

    class Meta:
        model = ExpertProfile
        fields = ["q", "field", "language", "consulting", "status"]

    def filter_text(self, queryset, name, value):
        return expert_search(queryset=queryset, text=value)

    def filter_field(self, queryset, name, value):
        return queryset.filter(Q(fields__code=value) | Q(fields__parent__code=value)).distinct()

    def filter_language(self, queryset, name, value):
        return queryset.filter(languages__contains=[value])


class EvaluationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=EvaluationStatus.choices, label=_("Status"))
    technology = IdFilter(field_name="technology_id", label=_("Technology"))

    class Meta:
        model = Evaluation
        fields = ["status", "technology"]


class ProgrammeFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProgrammeStatus.choices, label=_("Status"))

    class Meta:
        model = Programme
        fields = ["status"]


class EventFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=EventKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=EventStatus.choices, label=_("Status"))
    upcoming = django_filters.BooleanFilter(method="filter_upcoming", label=_("Upcoming only"))

    class Meta:
        model = Event
        fields = ["kind", "status", "upcoming"]

    def filter_upcoming(self, queryset, name, value):
        from django.utils import timezone

        if value:
            return queryset.filter(ends_at__gte=timezone.now())
        return queryset


class ChallengeFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ChallengeStatus.choices, label=_("Status"))
    region = django_filters.CharFilter(field_name="region", label=_("Region"))

    class Meta:
        model = Challenge
        fields = ["status", "region"]
