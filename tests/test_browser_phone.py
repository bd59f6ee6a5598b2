"""On a phone (390 px wide), every display equation opens at its start.

The theme lays display maths out as a reversed flex row, which opened long
equations scrolled to their right end with their start cut off; docs/_static/lb.css
lays them out left to right. This checks every display equation of every chapter
and the landing page in Chromium at phone width.
"""

from __future__ import annotations

import pytest
from conftest import HTML, site_pages

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


# --- no page wider than the phone ------------------------------------------------

#: Every page the build wrote: chapters, gallery, API, landing page, search, 404.
ALL_PAGES = site_pages()

#: How far the page reaches past the viewport, and the elements that reach out.
PAGE_WIDTH = """() => {
  const w = document.documentElement.clientWidth;
  const out = Array.from(document.querySelectorAll('.bd-article *'))
    .filter(e => e.getBoundingClientRect().right > w + 1)
    .slice(0, 3).map(e => e.tagName + '.' + e.className + ': '
                      + (e.textContent || '').trim().slice(0, 60));
  return {scrollWidth: document.documentElement.scrollWidth, out};
}"""


def test_the_width_check_covers_every_kind_of_page():
    kinds = {p.split("/")[0] for p in ALL_PAGES}
    assert {"chapters", "auto_gallery", "api"} <= kinds
    assert {"index.html", "search.html", "genindex.html", "404.html"} <= set(ALL_PAGES)


@pytest.mark.parametrize("path", ALL_PAGES)
def test_no_page_is_wider_than_a_phone(phone, path):
    """At 390 px nothing makes the page scroll sideways: long inline code and
    signatures wrap, tables and code blocks scroll inside their own box."""
    width = phone(path).evaluate(PAGE_WIDTH)
    assert width["scrollWidth"] <= 390, width


def test_long_inline_code_wraps_inside_its_box(phone):
    """Chapter 4's `learnable_bases.posterior.gaussian_log_prob()` (405 px wide
    on one line) wraps onto two lines within the column."""
    boxes = phone("chapters/04_density_estimation.html").evaluate(
        """() => Array.from(document.querySelectorAll('.bd-article code.literal'))
        .filter(c => c.textContent.includes('posterior.gaussian_log_prob'))
        .map(c => ({right: c.getBoundingClientRect().right,
                    lines: c.getClientRects().length}))"""
    )
    assert boxes and all(b["right"] <= 390 for b in boxes), boxes
    assert any(b["lines"] >= 2 for b in boxes), boxes
