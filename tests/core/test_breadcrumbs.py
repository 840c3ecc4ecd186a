"""`{% breadcrumbs %}` (core.templatetags.breadcrumbs): one trail markup for every page."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation


def render(source: str, **context) -> str:
    return Template("{% load breadcrumbs %}" + source).render(Context(context))


def test_earlier_crumbs_link_and_only_the_last_is_the_current_page():
    html = render(
        "{% breadcrumbs first_url 'Deals' '' 'Licences' current %}",
        first_url="/exchange/deals/",
        current="Deal #7",
    )
    assert '<a href="/exchange/deals/">Deals</a>' in html
    # a crumb without an address is plain text
    assert '<li class="breadcrumb-item">Licences</li>' in html
    assert html.count('aria-current="page"') == 1
    assert 'aria-current="page">Deal #7</li>' in html


def test_the_trail_is_named_in_the_readers_language():
    with translation.override("zh-hans"):
        html = render("{% breadcrumbs '/' 'Home' 'Here' %}")
    assert 'aria-label="导航路径"' in html


def test_labels_are_escaped():
    html = render("{% breadcrumbs '/' 'Home' title %}", title="<script>x</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_trail_without_a_current_page_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        render("{% breadcrumbs '/' 'Home' %}")
