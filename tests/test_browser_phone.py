"""On a phone (390 px wide), every display equation opens at its start.

The theme lays display maths out as a reversed flex row, which opened long
equations scrolled to their right end with their start cut off; docs/_static/lb.css
lays them out left to right. This checks every display equation of every chapter
and the landing page in Chromium at phone width.
"""

from __future__ import annotations

import pytest
from conftest import HTML

pytestmark = pytest.mark.browser

PAGES = [
    "index.html",
    *sorted(str(p.relative_to(HTML)) for p in (HTML / "chapters").glob("*.html")),
]

# For each display equation: is its box scrolled, and does its rendered maths
# start left of the box (cut off)? Also whether it is wider than the box at all.
DISPLAY_MATHS = """() => Array.from(document.querySelectorAll('div.math'))
.map((box, k) => {
  const parts = box.querySelectorAll('.katex-html .base');
  const b = box.getBoundingClientRect();
  const first = parts.length ? parts[0].getBoundingClientRect() : b;
  const last = parts.length ? parts[parts.length - 1].getBoundingClientRect() : b;
  return {k, scrolled: box.scrollLeft, cut: b.left - first.left,
          overflows: last.right - first.left > b.width + 1};
})"""


@pytest.fixture(scope="module")
def phone(browser, server):
    """One tab at a phone's size, for every page of this module (one cache)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()

    def show(path: str):
        page.goto(f"{server}/{path}", wait_until="load")
        return page

    yield show
    context.close()


@pytest.mark.parametrize("path", PAGES)
def test_display_equations_start_at_their_left_edge_on_a_phone(phone, path):
    equations = phone(path).evaluate(DISPLAY_MATHS)
    bad = [e for e in equations if e["scrolled"] > 0 or e["cut"] > 1]
    assert bad == [], f"equations opened scrolled or cut off: {bad}"


def test_phone_check_sees_wide_equations(phone):
    """The check above is not vacuous: chapter 2 has equations wider than a phone."""
    equations = phone("chapters/02_training.html").evaluate(DISPLAY_MATHS)
    assert len(equations) >= 5
    assert sum(e["overflows"] for e in equations) >= 3
