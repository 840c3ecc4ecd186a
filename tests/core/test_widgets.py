import re

from django import forms

from core.regions import region_choices
from core.widgets import LongSelect


def _normalized(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


def test_long_select_renders_what_a_select_renders():
    choices = [("", "---"), ("CN-JS", "江苏 <Jiangsu>"), ("Asia", [("JP", "日本"), ("KR", "韩国")])]
    attrs = {"class": "form-select", "id": "id_region", "required": True, "disabled": False}
    for value in ("", "CN-JS", "KR", None):
        expected = forms.Select(choices=choices).render("region", value, attrs=attrs)
        assert _normalized(LongSelect(choices=choices).render("region", value, attrs=attrs)) == (
            _normalized(expected)
        )


def test_long_select_escapes_labels_and_marks_the_selected_region():
    html = LongSelect(choices=[("CN-JS", "江苏 <Jiangsu>")]).render("region", "CN-JS")
    assert '<option value="CN-JS" selected>江苏 &lt;Jiangsu&gt;</option>' in html
    assert len(LongSelect(choices=region_choices()).render("region", "").split("<option")) > 30
