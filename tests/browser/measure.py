"""Measurements of a rendered page shared by the browser tests (navigation fit, site audit)."""

from playwright.sync_api import Page

# Everything a person can reach in the navigation that is currently rendered, with the problems
# found: outside the viewport horizontally, above it, wrapped onto several lines, or (the
# language box) too narrow for its selected name.
MEASURE = """
(scope) => {
  const width = window.innerWidth;
  const root = document.querySelector(scope);
  const problems = [];
  const name = (el) => (el.getAttribute('aria-label') || el.innerText || el.value || el.tagName)
    .trim().replace(/\\s+/g, ' ').slice(0, 40);
  const lines = (el) => {
    // One rectangle per line fragment of each text node; fragments on one line share a centre.
    const centres = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) {
        if (rect.width < 1 || rect.height < 1) continue;
        const centre = rect.top + rect.height / 2;
        if (!centres.some((c) => Math.abs(c - centre) < rect.height / 2)) centres.push(centre);
      }
    }
    return centres.length;
  };
  const items = [...root.querySelectorAll('a, button, select')].filter(
    (el) => el.checkVisibility() && el.getBoundingClientRect().width > 0
  );
  for (const el of items) {
    const rect = el.getBoundingClientRect();
    if (rect.left < -0.5 || rect.right > width + 0.5 || rect.top < -0.5) {
      problems.push(`outside: ${name(el)} [${Math.round(rect.left)}, ${Math.round(rect.right)}]`);
    }
    if (el.tagName === 'SELECT') {
      const style = getComputedStyle(el);
      const context = document.createElement('canvas').getContext('2d');
      context.font = style.font;
      const text = el.options[el.selectedIndex].text;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (context.measureText(text).width > room + 1) problems.push(`cut: ${text}`);
    } else if (lines(el) > 1) {
      problems.push(`wraps: ${name(el)}`);
    }
  }
  return {
    problems,
    scrollWidth: document.documentElement.scrollWidth,
    width,
    count: items.length,
  };
}
"""


def measure(page: Page, where: str, scope: str = "nav.navbar") -> list[str]:
    result = page.evaluate(MEASURE, scope)
    problems = [f"{where}: {problem}" for problem in result["problems"]]
    if result["scrollWidth"] > result["width"]:
        problems.append(f"{where}: scrolls sideways ({result['scrollWidth']} > {result['width']})")
    if result["count"] == 0:
        problems.append(f"{where}: nothing of the navigation is visible")
    return problems
