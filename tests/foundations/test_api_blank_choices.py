"""A read-only choice field whose model field may be blank must say so in the schema.

DRF drops `allow_blank` from fields listed in `read_only_fields`, so drf-spectacular documents
an enum without "" and every open object (no reason yet, no decider yet) violates its own
schema. The fuzz test finds such a field only when the data happens to carry a blank value;
this test finds it from the serializers themselves.
"""

import importlib

from rest_framework import serializers

APPS = [
    "accounts",
    "catalog",
    "exchange",
    "imports",
    "matching",
    "finance",
    "programmes",
    "insight",
    "licensing",
    "facilities",
    "centres",
    "notifications",
    "audit",
    "core",
]


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def _project_model_serializers():
    for app in APPS:
        try:
            importlib.import_module(f"{app}.api.serializers")
        except ModuleNotFoundError:
            continue
    return {
        cls
        for cls in _subclasses(serializers.ModelSerializer)
        if cls.__module__.split(".")[0] in APPS and hasattr(cls, "Meta")
    }


def test_read_only_blank_choice_fields_allow_blank():
    undeclared = []
    for cls in sorted(_project_model_serializers(), key=lambda c: (c.__module__, c.__name__)):
        model = cls.Meta.model
        for name, field in cls().fields.items():
            if not (isinstance(field, serializers.ChoiceField) and field.read_only):
                continue
            if getattr(field, "allow_blank", False):
                continue
            try:
                model_field = model._meta.get_field(field.source or name)
            except Exception:  # a property or a related path, not a model column
                continue
            if model_field.choices and getattr(model_field, "blank", False):
                undeclared.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not undeclared, (
        "declare these as ChoiceField(choices=…, allow_blank=True, read_only=True): "
        + ", ".join(undeclared)
    )
