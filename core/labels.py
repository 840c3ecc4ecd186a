"""What a person reads for a model's field and for a stored value: the field's translated name
and a choice's label or a grouped number, never the column name or the stored code. Timelines,
histories and review comments (which name fields) go through these."""

from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import get_language


def field_label(model: type[models.Model], name: str) -> str:
    """The translated name of `model`'s field or row relation `name` ("patents": the rows'
    plural name); a name the model does not have is shown as it is."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if field.auto_created and field.is_relation:  # a reverse relation: the related rows
        return str(capfirst(field.related_model._meta.verbose_name_plural))
    return str(capfirst(field.verbose_name))


def shown_value(field: models.Field, value):
    """A stored value as a reader sees it: a choice's label, a grouped number."""
    if value in (None, ""):
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.DecimalField):
        try:
            number = Decimal(str(value))
            if field.decimal_places > 2:
                # Rates and ratios keep their significant digits, without trailing zeros.
                return number_format(number.normalize(), force_grouping=True)
            return number_format(number, decimal_pos=2, force_grouping=True)
        except (ArithmeticError, ValueError):
            return value
    return value


def changed_field_rows(
    model: type[models.Model], changes: dict
) -> list[tuple[str, object, object]]:
    """(label, before, after) of each change in `changes` ({field name: [before, after]}) of a
    field `model` has; other names are left out."""
    rows = []
    for name, values in (changes or {}).items():
        before, after = [*values, None, None][:2]
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        rows.append(
            (field_label(model, name), shown_value(field, before), shown_value(field, after))
        )
    return rows


def labelled_comments(model: type[models.Model], comments: dict) -> list[tuple[str, str]]:
    """(field label, comment) of reviewers' comments keyed by field name."""
    return [(field_label(model, name), comment) for name, comment in (comments or {}).items()]


def approximate_number(number: int) -> str:
    """An estimated count as a reader should see it: two significant digits, grouped in the
    reader's locale; in Chinese, ten thousands as 万 (150,104 -> "15 万", "about 150,000")."""
    if number < 100:
        return number_format(number)
    digits = len(str(number)) - 2
    rounded = round(number, -digits)
    if get_language() == "zh-hans" and rounded >= 10_000:
        return f"{number_format(rounded / 10_000, force_grouping=True).removesuffix('.0')} 万"
    return number_format(rounded, force_grouping=True)
