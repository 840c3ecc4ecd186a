"""The shared form components (core.templatetags.form_ui, core.form_renderer) and the pages
that use them: every error in a summary that links to its field, required fields marked."""

import re

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from accounts.models import Organization
from catalog.models import Technology
from core.templatetags.form_ui import error_entries
from tests.catalog.test_pages import form_data as technology_form_data
from tests.factories import UserFactory


class SampleForm(forms.Form):
    name = forms.CharField(label="Name")
    colour = forms.ChoiceField(
        label="Colour", choices=[("g", "Green"), ("b", "Blue")], widget=forms.RadioSelect
    )
    sizes = forms.MultipleChoiceField(
        label="Sizes", choices=[("s", "S"), ("m", "M")], widget=forms.CheckboxSelectMultiple
    )
    region = forms.ChoiceField(
        label="Region", choices=[("CN-JS", "Jiangsu"), ("CN-ZJ", "Zhejiang")]
    )
    agree = forms.BooleanField(label="Agree")
    token = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label="Note", required=False)

    def clean(self):
        raise forms.ValidationError("The whole form is wrong.")


def test_every_error_links_to_an_input_of_its_field():
    # given a refused form with text, radio, checkbox-group and hidden fields
    form = SampleForm(data={})
    assert not form.is_valid()
    # when its errors are listed
    anchors = {entry["label"]: entry["anchor"] for entry in error_entries(form)}
    # then a text input is linked by its id, a group by its first option, a hidden field and
    # the form's own error by nothing (there is no input to jump to)
    assert anchors["Name"] == "id_name"
    assert anchors["Colour"] == "id_colour_0"
    assert anchors["Sizes"] == "id_sizes_0"
    assert anchors["Region"] == "id_region"
    assert anchors["Token"] == ""
    assert anchors[""] == ""
    assert "Note" not in anchors
    rendered = str(form["colour"]) + str(form["sizes"])
    assert 'id="id_colour_0"' in rendered and 'id="id_sizes_0"' in rendered


def test_an_unbound_form_has_no_summary():
    html = Template("{% load form_ui %}{% error_summary form %}").render(
        Context({"form": SampleForm()})
    )
    assert "error-summary" not in html


def test_formset_rows_are_listed_by_row_with_their_field_ids():
    class Row(forms.Form):
        number = forms.CharField(label="Number")

    formset_class = forms.formset_factory(Row, extra=0)
    formset = formset_class(
        data={
            "rows-TOTAL_FORMS": "2",
            "rows-INITIAL_FORMS": "0",
            "rows-0-number": "ZL1",
            "rows-1-number": "",
        },
        prefix="rows",
    )
    formset.forms[1].empty_permitted = False
    assert not formset.is_valid()
    entries = error_entries(formset)
    assert [entry["anchor"] for entry in entries] == ["id_rows-1-number"]
    assert entries[0]["label"].endswith("Number") and "2" in entries[0]["label"]


def test_required_inputs_say_so_to_assistive_technology():
    form = SampleForm()
    # a select whose first option is a real choice gets no `required` from Django
    region = str(form["region"])
    assert 'aria-required="true"' in region and " required" not in region
    # a text input keeps Django's `required` and needs nothing more
    name = str(form["name"])
    assert " required" in name and "aria-required" not in name
    # ARIA forbids the attribute on checkboxes and radios
    assert "aria-required" not in str(form["agree"])
    assert "aria-required" not in str(form["colour"])
    assert "aria-required" not in str(form["sizes"])
    # an optional field says neither
    assert "required" not in str(form["note"])


def test_the_legend_shows_only_when_a_field_is_required():
    class Optional(forms.Form):
        note = forms.CharField(required=False)

    template = Template("{% load form_ui %}{% required_legend form %}")
    assert "required-legend" in template.render(Context({"form": SampleForm()}))
    assert "required-legend" not in template.render(Context({"form": Optional()}))


# --- pages ----------------------------------------------------------------------------------


def _summary_links(content: str) -> set[str]:
    match = re.search(r'<div[^>]*data-testid="error-summary".*?</div>', content, re.S)
    assert match, "no error summary on the page"
    assert 'tabindex="-1"' in match.group(0)
    links = set(re.findall(r'href="#([^"]+)"', match.group(0)))
    for anchor in links:
        assert f'id="{anchor}"' in content, anchor
    return links


@pytest.mark.django_db
def test_the_organisation_form_summarises_its_errors(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:organization_create"), {"name_zh": "", "kind": "", "region": ""}
    )
    content = response.content.decode()
    assert {"id_kind", "id_region"} <= _summary_links(content)
    assert content.count('data-testid="required-legend"') == 1
    assert not Organization.objects.filter(memberships__user=user).exists()


@pytest.mark.django_db
def test_the_profile_form_summarises_its_errors(client):
    user = UserFactory(full_name="王小明")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"),
        {"full_name": "王小明", "preferred_language": "xx", "notification_frequency": ""},
    )
    assert "id_preferred_language" in _summary_links(response.content.decode())


@pytest.mark.django_db
def test_the_technology_form_summarises_patent_rows_too(client, owner):
    client.force_login(owner)
    response = client.post(
        reverse("catalog:technology_create"),
        technology_form_data(**{"patents-0-kind": "no-such-kind"}),
    )
    content = response.content.decode()
    assert "id_patents-0-kind" in _summary_links(content)
    assert "第 1 行" in content
    assert not Technology.objects.exists()


@pytest.mark.django_db
def test_the_expert_form_summarises_its_errors(client):
    client.force_login(UserFactory())
    response = client.post(reverse("programmes:expert_apply"), {"name": "", "title": ""})
    links = _summary_links(response.content.decode())
    assert {"id_name", "id_title"} <= links
