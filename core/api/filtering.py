"""Query filters as strict as the schema that documents them.

drf-spectacular documents a BooleanFilter as a boolean and a ChoiceFilter as an enum, but
django-filter quietly ignores what it cannot read: `?open_call=17916067` or `?top_level=x`
become "no filter" and `?status=` means "any status", so a mistyped query answers 200 with
unfiltered rows. In the API such values are a 400 naming the parameter instead, as the schema
promises (the HTML pages keep django-filter's forgiving behaviour for their "any" choices).
"""

from collections.abc import Iterable, Mapping

import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

# What both of django-filter's boolean widgets (NullBooleanSelect, BooleanWidget) read.
BOOLEAN_VALUES = frozenset({"true", "false", "True", "False"})
_CHOICE_FILTERS = (django_filters.ChoiceFilter, django_filters.MultipleChoiceFilter)


def _values(data, name: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [str(value) for value in data.getlist(name)]
    return [str(data[name])]


def refuse_values_outside_the_schema(
    filterset, *, enums: Mapping[str, Iterable[str]] | None = None
) -> None:
    """400 `{"param": ["message"]}` for a boolean filter that is not `true`/`false`, an empty
    choice filter, or a value outside `enums` (hand-documented enum parameters such as a sort
    order). Other wrong values are the FilterSet's own form errors."""
    data = filterset.data if filterset.is_bound else {}
    errors: dict[str, list[str]] = {}
    for name, query_filter in filterset.filters.items():
        if name not in data:
            continue
        values = _values(data, name)
        if isinstance(query_filter, django_filters.BooleanFilter):
            if any(value not in BOOLEAN_VALUES for value in values):
                errors[name] = [_("Must be true or false.")]
        elif isinstance(query_filter, _CHOICE_FILTERS) and "" in values:
            errors[name] = [_("Choose one of the listed values.")]
        elif isinstance(query_filter, django_filters.DateFilter) and "" in values:
            errors[name] = [_("Enter a date (YYYY-MM-DD).")]
    for name, allowed in (enums or {}).items():
        if name in data and any(value not in set(allowed) for value in _values(data, name)):
            errors[name] = [_("Choose one of the listed values.")]
    if errors:
        raise ValidationError(errors)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend (form errors are a 400), refusing also what it would ignore."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            refuse_values_outside_the_schema(filterset)
        return filterset
