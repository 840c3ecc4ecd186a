"""Bounded number filters for the FilterSets of every app, and the 400 a page answers when a
filter is wrong.

django-filter's NumberFilter takes any decimal: `?trl_max=-1` or `?trl_min=999…9` reach the
database, where an out-of-range integer lookup raises EmptyResultSet in compiled SQL. Every
number filter states its range here instead, so a wrong value is a form error naming the field:
400 in the API (DjangoFilterBackend, or `raise_for_filter_errors`) and on the pages
(`filter_errors_response`).
"""

import datetime
from decimal import Decimal

import django_filters
from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

# The largest value of a PostgreSQL bigint: every primary key of the project (BigAutoField).
ID_MAX = 2**63 - 1
TRL_MIN, TRL_MAX = 1, 9
# DecimalField(max_digits=14, decimal_places=2): every money column.
MONEY_MAX = Decimal("999999999999.99")


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (no `1.5`) in the range the field's `min_value`/`max_value` give."""

    field_class = forms.IntegerField


def TrlFilter(**kwargs) -> IntegerFilter:
    return IntegerFilter(min_value=TRL_MIN, max_value=TRL_MAX, **kwargs)


def IdFilter(**kwargs) -> IntegerFilter:
    return IntegerFilter(min_value=1, max_value=ID_MAX, **kwargs)


def _plausible_day(day: datetime.date) -> None:
    if not 1900 <= day.year <= 2999:
        raise forms.ValidationError(_("Give a date between the years 1900 and 2999."))


def DayFilter(**kwargs) -> django_filters.DateFilter:
    """A date of the site's calendar within 1900–2999 (beyond, the day's bounds overflow)."""
    return django_filters.DateFilter(validators=[_plausible_day], **kwargs)


def start_of_local_day(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the site's time zone, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def MoneyFilter(**kwargs) -> django_filters.NumberFilter:
    return django_filters.NumberFilter(
        min_value=Decimal(0), max_value=MONEY_MAX, max_digits=14, decimal_places=2, **kwargs
    )


def filter_errors(filterset) -> list[tuple[str, str, list[str]]]:
    """(parameter, label, messages) of every invalid filter."""
    form = filterset.form
    rows = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        rows.append((name, label, [str(message) for message in messages]))
    return rows


def raise_for_filter_errors(filterset) -> None:
    """For API views that apply a FilterSet themselves: 400 with `{"param": ["message"]}`."""
    if filterset.is_bound and not filterset.is_valid():
        raise ValidationError(
            {name: messages for name, _label, messages in filter_errors(filterset)}
        )


def filter_errors_response(request, filterset):
    """For pages: the 400 page listing each wrong filter by its label and parameter."""
    return render(
        request,
        "errors/400.html",
        {
            "message": _("Some filters are not valid: correct them and search again."),
            "field_errors": filter_errors(filterset),
            "back_url": request.path,
        },
        status=400,
    )


# Longer than any query the search analysis reads (catalog.search.parse_query cuts there): a
# pasted paragraph is refused with this limit named rather than searched in part without a word.
MAX_SEARCH_CHARACTERS = 200


def SearchWordsFilter(**kwargs) -> django_filters.CharFilter:
    """`q`: full-text search words, at most MAX_SEARCH_CHARACTERS characters."""
    return django_filters.CharFilter(
        max_length=MAX_SEARCH_CHARACTERS,
        error_messages={
            "max_length": gettext_lazy(
                "Use at most %(limit_value)d characters of search words (this search has "
                "%(show_value)d): keep the words that matter most."
            )
        },
        **kwargs,
    )


def unsearchable_words_message(text: str) -> str:
    """What a reader is told when a search has no word left to search for."""
    return _(
        "“%(words)s” has no word that can be searched for: single characters, very common words "
        "and punctuation are left out. Try a more specific word."
    ) % {"words": text.strip()}


def applied_filters(filterset, *, skip: tuple[str, ...] = ("q",), values=None) -> list[dict]:
    """Each filter a valid filterset applied, as the reader reads it ({name, label, value}), for
    the message of an empty result; `values` gives the text of a value by filter name."""
    form = filterset.form
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if name in skip or not filterset.data.get(name) or value in (None, ""):
            continue
        if values and name in values:
            text = values[name]
        elif isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif isinstance(field, forms.ChoiceField):
            text = str(_choice_labels(field.choices).get(value, value))
        elif isinstance(value, datetime.date):
            text = date_format(value)
        elif isinstance(value, Decimal):
            text = number_format(value, force_grouping=True)
        else:
            text = str(value)
        rows.append({"name": name, "label": str(field.label or name), "value": text})
    return rows


def _choice_labels(choices) -> dict:
    """Value -> label of form choices, groups (optgroups) flattened."""
    labels = {}
    for value, label in choices:
        if isinstance(label, list | tuple):
            labels.update(_choice_labels(label))
        else:
            labels[value] = label
    return labels
