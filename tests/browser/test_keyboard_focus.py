"""Keyboard focus is visible (#14 item 15): each element reached with Tab draws an outline."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_STYLE = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return {tag: element.tagName, text: (element.innerText || element.value || '').trim(),
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def test_tabbing_through_the_home_page_shows_where_the_focus_is(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url)
    seen = []
    for _ in range(8):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        seen.append(focus)
        assert focus["outline"] != "none" and focus["width"] >= 2, focus
    # the first stop is the skip link, then the navigation
    assert seen[0]["text"] == "跳到主要内容"
    assert any(stop["tag"] == "A" for stop in seen[1:])
