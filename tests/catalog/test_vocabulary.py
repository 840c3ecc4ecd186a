"""One event model, one editable-field declaration, events instead of calls, labels not codes."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from catalog import services
from catalog.api.serializers import (
    OfferSerializer,
    PatentSerializer,
    PerformanceFigureSerializer,
    ResourceSavingSerializer,
    TechnologyDetailSerializer,
    TechnologySerializer,
    TechnologyWriteSerializer,
)
from catalog.choices import TechnologyAction, TechnologyStatus
from catalog.events import TECHNOLOGY_CHANGED, TECHNOLOGY_PUBLISHED
from catalog.forms import FigureForm, PatentForm, SavingForm, TechnologyForm
from catalog.models import (
    ROW_RELATIONS,
    Technology,
    TechnologyEvent,
    TechnologyOffer,
    TechnologyPatent,
    TechnologyPerformanceFigure,
    TechnologyResourceSaving,
)
from catalog.visibility import (
    TECHNOLOGY_DETAIL_REPRESENTATION,
    TECHNOLOGY_FIELDS,
    TECHNOLOGY_REPRESENTATION,
)
from core import events
from core.models import TransitionEvent
from tests.catalog.conftest import make_technology
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


@pytest.fixture
def received():
    """Every technology event published during the test, as (event name, payload)."""
    seen: list[tuple[str, dict]] = []

    def on_published(**payload):
        seen.append((TECHNOLOGY_PUBLISHED.name, payload))

    def on_changed(**payload):
        seen.append((TECHNOLOGY_CHANGED.name, payload))

    events.subscribe(TECHNOLOGY_PUBLISHED, on_published)
    events.subscribe(TECHNOLOGY_CHANGED, on_changed)
    yield seen
    events.unsubscribe(TECHNOLOGY_PUBLISHED, on_published)
    events.unsubscribe(TECHNOLOGY_CHANGED, on_changed)


def test_a_technology_event_is_a_transition_event_with_labels(owner, reviewer):
    # given a submitted listing
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    # when a reviewer returns it
    services.technology_review(
        user=reviewer, technology=technology, decision="return", comment="请补充专利"
    )
    # then its history row is a TransitionEvent whose labels name the step, not the codes
    event = technology.events.order_by("-pk").first()
    assert isinstance(event, TransitionEvent)
    assert (event.action, event.from_status, event.to_status) == ("return", "submitted", "returned")
    with translation.override("en"):
        assert event.action_label == "Returned for changes"
        assert event.from_status_label == "Awaiting review"
        assert event.to_status_label == "Returned for changes"
    assert TechnologyEvent.action_labels.keys() == set(TechnologyAction.values)


def test_publishing_announces_the_technology_instead_of_calling_matching(
    owner, reviewer, received, django_capture_on_commit_callbacks
):
    # given a submitted listing
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    # when a reviewer approves it
    with django_capture_on_commit_callbacks(execute=True):
        services.technology_review(user=reviewer, technology=technology, decision="approve")
    # then catalog announced the publication (after the commit), with the id only
    assert (TECHNOLOGY_PUBLISHED.name, {"technology_id": technology.pk}) in received


def test_an_applied_change_announces_the_changed_technology(
    published, owner, reviewer, received, django_capture_on_commit_callbacks
):
    # given a change to a published listing awaiting review
    services.technology_update(user=owner, technology=published, data={"title_zh": "新标题"})
    # when the reviewer approves it
    with django_capture_on_commit_callbacks(execute=True):
        services.technology_review(user=reviewer, technology=published, decision="approve")
    # then catalog announced the change
    assert (TECHNOLOGY_CHANGED.name, {"technology_id": published.pk}) in received
    assert (TECHNOLOGY_PUBLISHED.name, {"technology_id": published.pk}) not in received


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "module",
    [
        "services.py",
        "selectors.py",
        "models.py",
        "views.py",
        "forms.py",
        "imports.py",
        "exports.py",
        "visibility.py",
        "search_cache.py",
        "api/views.py",
        "api/serializers.py",
    ],
)
def test_catalog_imports_neither_matching_nor_its_own_tasks(module):
    imported = _imported_modules(CATALOG / module)
    assert not {name for name in imported if name.split(".")[0] == "matching"}
    assert "catalog.tasks" not in imported


def test_service_form_import_and_api_input_take_the_one_editable_field_list():
    editable = set(Technology.EDITABLE_FIELDS)
    offer_summary = {"transaction_modes", "asking_price"}
    # the service writes exactly the declared fields and rows
    assert services.SCALAR_FIELDS == Technology.EDITABLE_FIELDS
    assert {name: fields for name, (_model, fields) in services.ROW_FIELDS.items()} == {
        name: model.EDITABLE_FIELDS for name, model in ROW_RELATIONS.items()
    }
    # the API input: the organisation to list for, the freshness date (a confirmation, not
    # content), the declared fields, the offer summary, rows, and the original text of a listing
    # written in a language other than Chinese or English (its translation row)
    assert set(TechnologyWriteSerializer().fields) == {
        "organization",
        "valid_until",
        *editable,
        *offer_summary,
        *ROW_RELATIONS,
        "original_text",
    }
    # the form: the declared fields, the offer (modes, one price, exclusivity) and that text
    assert set(TechnologyForm().fields) == editable | offer_summary | {
        "license_exclusive",
        "original_title",
        "original_summary",
    }
    for model, serializer, form in (
        (TechnologyOffer, OfferSerializer, None),
        (TechnologyPatent, PatentSerializer, PatentForm),
        (TechnologyPerformanceFigure, PerformanceFigureSerializer, FigureForm),
        (TechnologyResourceSaving, ResourceSavingSerializer, SavingForm),
    ):
        assert list(serializer().fields) == list(model.EDITABLE_FIELDS)
        if form is not None:
            assert list(form().fields) == list(model.EDITABLE_FIELDS)


def test_form_and_api_input_take_their_field_definitions_from_the_model():
    # lengths and requiredness are the model's: a change of the model changes both inputs
    form_fields = TechnologyForm().fields
    api_fields = TechnologyWriteSerializer().fields
    for name in Technology.EDITABLE_FIELDS:
        model_field = Technology._meta.get_field(name)
        if getattr(model_field, "max_length", None) and hasattr(form_fields[name], "max_length"):
            assert form_fields[name].max_length == model_field.max_length, name
            assert api_fields[name].max_length == model_field.max_length, name
        assert not api_fields[name].required, name  # an update sends what changes
    for form, model in (
        (PatentForm, TechnologyPatent),
        (FigureForm, TechnologyPerformanceFigure),
        (SavingForm, TechnologyResourceSaving),
    ):
        for name, field in form().fields.items():
            model_field = model._meta.get_field(name)
            if getattr(model_field, "max_length", None) and hasattr(field, "max_length"):
                assert field.max_length == model_field.max_length, (model, name)


def test_the_listing_form_reads_keywords_separated_by_either_comma():
    form = TechnologyForm(data={"keywords": "废水， 厌氧,  ,IC reactor,"})
    form.is_valid()
    assert form.cleaned_data["keywords"] == ["废水", "厌氧", "IC reactor"]


def test_a_blank_patent_row_is_skipped_and_a_numbered_one_needs_only_its_number():
    from catalog.forms import PatentFormSet, formset_rows

    data = {
        "patents-TOTAL_FORMS": "2",
        "patents-INITIAL_FORMS": "0",
        "patents-0-number": "ZL202010123456.2",
        "patents-0-kind": "invention_patent",
        "patents-0-status": "granted",
        "patents-0-jurisdiction": "CN",
        "patents-1-kind": "invention_patent",
        "patents-1-status": "granted",
        "patents-1-jurisdiction": "CN",
    }
    formset = PatentFormSet(data, prefix="patents")
    assert formset.is_valid(), formset.errors
    assert [row["number"] for row in formset_rows(formset)] == ["ZL202010123456.2"]


def test_the_api_shows_the_fields_the_visibility_policy_declares():
    # the serializers' field lists are the policy's declarations, in its order
    assert list(TechnologySerializer().fields) == list(TECHNOLOGY_REPRESENTATION)
    assert list(TechnologyDetailSerializer().fields) == [
        *TECHNOLOGY_REPRESENTATION,
        *TECHNOLOGY_DETAIL_REPRESENTATION,
    ]
    # and each has a clearance there
    declared = {**TECHNOLOGY_REPRESENTATION, **TECHNOLOGY_DETAIL_REPRESENTATION}
    for name, clearance in declared.items():
        assert TECHNOLOGY_FIELDS.clearance_of(name) == clearance


def test_the_manage_page_labels_buttons_and_history_from_the_tables(client, owner, reviewer):
    # given a listing a reviewer returned for changes
    technology = make_technology(owner, status=TechnologyStatus.SUBMITTED)
    services.technology_review(
        user=reviewer, technology=technology, decision="return", comment="请补充专利"
    )
    # when its holder opens the manage page in English
    client.login(email=owner.email, password=PASSWORD)
    with translation.override("en"):
        url = reverse("catalog:technology_manage", args=[technology.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then the button is the transition's label and the history shows labels, not codes
    assert 'data-testid="action-submit"' in page
    assert ">Resubmit</button>" in page
    assert ">Returned for changes</strong>" in page
    # (the arrow is wrapped so that it turns on right-to-left pages)
    assert 'Awaiting review <span class="flow-arrow">→</span> Returned for changes' in page
    assert "submitted → returned" not in page
