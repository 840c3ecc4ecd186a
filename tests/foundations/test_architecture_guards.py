"""Guards that keep the shape issue #18 gave the code: they fail on the first regression.

- Who belongs to which organisation is asked of `accounts.permissions` only: no other app reads
  `Membership` rows (demo data and migrations excepted).
- Every workflow's event table is a `core.models.TransitionEvent`, with labels for its statuses
  and actions so that pages never show the codes.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps

from core.models import TransitionEvent

ROOT = Path(__file__).resolve().parents[2]
APPS = ("audit", "catalog", "core", "exchange", "finance", "insight", "matching")
APPS += ("notifications", "programmes", "config", "textanalysis")
MEMBERSHIP_READ = re.compile(r"Membership\.objects|\.memberships\.|memberships__")


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path.name == "demo.py":
                continue
            yield path


def test_no_app_but_accounts_reads_memberships_itself():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if MEMBERSHIP_READ.search(line)
    ]
    assert offenders == [], "ask accounts.permissions instead:\n" + "\n".join(offenders)


def _workflow_event_models():
    for model in apps.get_models():
        names = {field.name for field in model._meta.get_fields()}
        if {"action", "from_status", "to_status"} <= names or {"from_stage", "to_stage"} <= names:
            yield model


def test_every_workflow_event_table_is_a_transition_event():
    models = list(_workflow_event_models())
    assert len(models) >= 8
    others = [model.__name__ for model in models if not issubclass(model, TransitionEvent)]
    assert others == []


@pytest.mark.parametrize(
    "model",
    [model for model in apps.get_models() if issubclass(model, TransitionEvent)],
    ids=lambda model: model.__name__,
)
def test_every_transition_event_names_its_statuses_and_actions(model):
    assert model.status_choices is not None, f"{model.__name__} has no status_choices"
    assert model.action_labels, f"{model.__name__} has no action_labels"
    for action, label in model.action_labels.items():
        assert str(label).strip(), f"{model.__name__}: no label for {action}"


STATUS_LITERAL = re.compile(r"\.(status|stage) (==|!=) ['\"]|\.(status|stage) in ['\"(]")


def test_no_template_compares_a_status_with_a_code():
    # Buttons come from allowed_actions, colours and conditions from model properties.
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")])
        if ".venv" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if STATUS_LITERAL.search(line)
    ]
    assert offenders == []
