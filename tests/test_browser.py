"""A real browser over every page the build wrote: Chromium, driven by Playwright.

The pages are read from ``docs/_build/html`` when the tests are collected, so a
chapter, gallery script or API page added later is crawled with no edit here.
Each page is loaded once, in one browser (``tests/crawl.py``), and must show:

* no console error and no failed request;
* no request to any host but the local server;
* every image decoded;
* all maths rendered by KaTeX (no raw TeX left in the visible text);
* no serious or critical accessibility violation found by axe-core
  (``tests/axe/axe.min.js``, MPL-2.0, from the npm package ``axe-core``);
* a page weight, as a static host serves it (text gzip-compressed), within budget;
* steppers that move on Next, the arrow keys and the slider (in the same load).

This module crawls the book's pages (landing page, chapters, gallery);
``test_browser_api.py`` crawls the API reference with the same checks. Two
modules, so that ``pytest-xdist`` (``--dist loadscope``, as ``nox -s tests`` runs
it) crawls the two halves at once, in two browsers.

Every chapter is screenshot in light and dark mode (into
``docs/_build/screenshots``): its figures must keep their light panel and dark
ink, and its text its contrast.
"""

from __future__ import annotations

import functools
import io
import statistics
from pathlib import Path

import pytest
from conftest import AXE_URL_PATH, HTML, ROOT, gallery_page, gallery_scripts, site_pages
from crawl import check_page

pytestmark = pytest.mark.browser

#: The book's pages: everything the build wrote but the API reference.
PAGES = [p for p in site_pages() if not p.startswith("api/")]
STEPPER_PAGES = [
    p for p in site_pages() if 'class="lb-stepper"' in (HTML / p).read_text("utf-8")
]
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]
SCREENSHOTS = ROOT / "docs" / "_build" / "screenshots"

#: Every image the page shows loaded, lazy ones too (for a full-page screenshot);
#: a stepper's hidden frames are not shown, so they are left alone.
LOAD_SHOWN_IMAGES = """async () => {
  const shown = Array.from(document.images).filter(i => !i.closest('[hidden]'));
  shown.forEach(i => { i.loading = 'eager'; });
  await Promise.all(shown.map(i => i.decode().catch(() => null)));
}"""


def test_the_crawl_covers_every_kind_of_page():
    kinds = {p.split("/")[0] if "/" in p else "top" for p in PAGES}
    assert {"top", "chapters", "auto_gallery"} <= kinds, kinds


@pytest.mark.parametrize("path", PAGES)
def test_page(crawl, path):
    """One load of ``path``: clean, typeset, accessible, within its weight; and
    every stepper on it steps."""
    check_page(crawl, path)


# --- own bytes --------------------------------------------------------------------

#: Pages whose own bytes are budgeted: the landing page, chapters and gallery.
OWN_BYTES_PAGES = ["index.html", *CHAPTERS, *map(gallery_page, gallery_scripts())]

#: Largest own bytes (as served, first visit) of any chapter, and of the median page.
#: As for the first-visit weight, lazy images below the first screen are left
#: out (whether they load with the page is a race). Measured: 335 and 29 KiB.
CHAPTER_BUDGET_KIB = 350
MEDIAN_BUDGET_KIB = 40


def test_own_bytes_within_budget(crawl):
    """A page's *own* bytes are what a first visit fetches that no other page
    shares: the HTML, its figures and the stepper frames it shows; the theme's
    and KaTeX's assets under ``_static/`` (and the search index) are shared and
    cached once for the whole site. From the crawl's visits above (one per page).
    """
    own_kib = {path: crawl.visit(path).own_kib for path in OWN_BYTES_PAGES}
    chapters = {p: round(own_kib[p]) for p in CHAPTERS}
    median = statistics.median(own_kib.values())
    print(chapters, f"median own bytes: {median:.0f} KiB")
    assert max(chapters.values()) <= CHAPTER_BUDGET_KIB, chapters
    assert median <= MEDIAN_BUDGET_KIB


@pytest.mark.parametrize("path", ["index.html", "chapters/01_learnable_bases.html"])
def test_maths_is_typeset(crawl, path):
    page = crawl.page(path)
    assert page.locator(".katex").count() > 0
    # the KaTeX fonts really loaded (served from the site itself)
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate(
        "Array.from(document.fonts).filter(f => f.family.startsWith('KaTeX')"
        " && f.status === 'loaded').length"
    )
    assert loaded > 0


def test_steppers_are_found():
    assert any(p.startswith("chapters/") for p in STEPPER_PAGES)
    assert any(p.startswith("auto_gallery/") for p in STEPPER_PAGES)


def test_theme_icons_render_from_the_web_font(crawl):
    page = crawl.page("index.html")
    page.evaluate("document.fonts.ready")
    icon = page.locator(".theme-switch-button i >> visible=true").first
    assert icon.bounding_box()["width"] > 4
    loaded = page.evaluate(
        "Array.from(document.fonts).some(f => f.family.includes('Font Awesome')"
        " && f.status === 'loaded')"
    )
    assert loaded


# --- dark mode ------------------------------------------------------------------

#: The article's images.
FIGURES = ".bd-article img"
#: Each figure's box on the full page, and its place among FIGURES (``nth``).
FIGURE_BOXES = f"""() => Array.from(document.querySelectorAll('{FIGURES}'))
  .map((img, nth) => [img, nth])
  .filter(([img]) => img.offsetWidth >= 120 && img.offsetHeight >= 80)
  .map(([img, nth]) => {{
    const r = img.getBoundingClientRect();
    return {{src: img.src.slice(-60), nth: nth, x: r.left + window.scrollX,
            y: r.top + window.scrollY, w: r.width, h: r.height}};
  }})"""


def _luminance(rgb):
    """WCAG relative luminance of an (..., 3) array of 0-255 sRGB values."""
    import numpy as np

    c = np.asarray(rgb, dtype=float) / 255
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return c @ np.array([0.2126, 0.7152, 0.0722])


@functools.cache
def _channel_luminance():
    """(3, 256) array: each channel's share of the luminance, for each value."""
    import numpy as np

    return _luminance(np.eye(3)[:, None, :] * np.arange(256)[None, :, None])


def figure_contrast(screenshot, box) -> tuple[float, float, float]:
    """Background luminance, ink luminance and their WCAG contrast in one figure.

    The background is the figure's most common colour; the ink is the darkest
    1 % of its pixels (axis labels and tick text are drawn in the darkest ink).
    """
    import numpy as np

    x0, y0 = int(box["x"]) + 2, int(box["y"]) + 2
    x1, y1 = int(box["x"] + box["w"]) - 2, int(box["y"] + box["h"]) - 2
    flat = np.asarray(screenshot.crop((x0, y0, x1, y1)).convert("RGB")).reshape(-1, 3)
    wide = flat.astype(np.int64)
    colours, counts = np.unique(
        (wide[:, 0] << 16) | (wide[:, 1] << 8) | wide[:, 2], return_counts=True
    )
    mode = int(colours[counts.argmax()])
    background = float(_luminance([mode >> 16, (mode >> 8) & 255, mode & 255]))
    luminance = _channel_luminance()[np.arange(3), flat].sum(axis=1)
    ink = float(np.percentile(luminance, 1))
    return background, ink, (background + 0.05) / (ink + 0.05)


COLOUR_CONTRAST = """async () =>
  (await axe.run(document, {runOnly: ['color-contrast']})).violations
  .flatMap(v => v.nodes.slice(0, 3).map(n => n.target.join(' ')
    + ': ' + n.any.map(a => a.message).join(' ')))"""


def test_figure_contrast_measures_panel_and_ink():
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (200, 100), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 60, 40), fill="black")
    background, ink, ratio = figure_contrast(
        image, {"x": 0, "y": 0, "w": 200, "h": 100}
    )
    assert background == pytest.approx(1.0) and ink == pytest.approx(0.0)
    assert ratio == pytest.approx(21.0)
    grey = Image.new("RGB", (200, 100), (40, 40, 40))
    assert figure_contrast(grey, {"x": 0, "y": 0, "w": 200, "h": 100})[0] < 0.05


@pytest.fixture(scope="module")
def screens(browser):
    """The chapter screenshots' context (one cache for the six chapters)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def _readable(background: float, ratio: float) -> bool:
    """A light panel with dark ink, as in light mode: nothing went transparent."""
    return background >= 0.5 and ratio >= 4.5


def _contrast_in_view(page, box: dict) -> tuple[float, float]:
    """Background and contrast of one figure, screenshot alone once in view."""
    from PIL import Image

    figure = page.locator(FIGURES).nth(box["nth"])
    figure.scroll_into_view_if_needed()
    figure.evaluate("img => img.decode()")
    png = figure.screenshot(animations="disabled")
    shot = Image.open(io.BytesIO(png))
    background, _, ratio = figure_contrast(
        shot, {"x": 0, "y": 0, "w": shot.width, "h": shot.height}
    )
    return background, ratio


def _unreadable_figures(page, png: bytes, boxes: list[dict]) -> list[str]:
    """The figures of a full-page screenshot without a light panel and dark ink.

    A figure that fails is looked at again on its own, scrolled into view: under
    CPU load a full-page capture has once shown a figure measuring 6.2 at 3.8
    (a figure painted before its full decode, or moved after its box was read).
    It is unreadable only if both looks say so.
    """
    from PIL import Image

    shot = Image.open(io.BytesIO(png))
    unreadable = []
    for box in boxes:
        background, _, ratio = figure_contrast(shot, box)
        if _readable(background, ratio):
            continue
        again = _contrast_in_view(page, box)
        if not _readable(*again):
            unreadable.append(
                f"{box['src']}: bg {background:.2f}, ratio {ratio:.1f} on the page; "
                f"bg {again[0]:.2f}, ratio {again[1]:.1f} alone"
            )
    return unreadable


def _png_data_uri(ink: tuple[int, int, int]) -> str:
    """A 300 x 150 white figure with a block of ``ink``, as a data URI."""
    import base64

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 150), "white")
    ImageDraw.Draw(image).rectangle((30, 30, 150, 90), fill=ink)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_a_figure_is_unreadable_only_if_it_is_so_in_view(screens):
    """A bad full-page capture alone fails nothing; a faint figure fails both looks."""
    from PIL import Image

    page = screens.new_page()
    try:
        page.set_content(
            f'<div class="bd-article"><img src="{_png_data_uri((0, 0, 0))}">'
            f'<img src="{_png_data_uri((170, 170, 170))}"></div>'
        )
        page.evaluate(LOAD_SHOWN_IMAGES)
        boxes = page.evaluate(FIGURE_BOXES)
        blank = io.BytesIO()
        Image.new("RGB", (1280, 900), "white").save(blank, format="PNG")
        unreadable = _unreadable_figures(page, blank.getvalue(), boxes)
    finally:
        page.close()
    assert [box["nth"] for box in boxes] == [0, 1]
    assert len(unreadable) == 1 and "ratio 1.0 on the page" in unreadable[0]
    assert "ratio 2.3 alone" in unreadable[0], unreadable


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_readable_in_both_modes(screens, server, path):
    """A full-page screenshot of each chapter in light and in dark mode (into
    docs/_build/screenshots): every figure keeps a light panel with dark ink.

    In dark mode, axe's colour-contrast rule must pass for the text around the
    figures (captions, labels, stepper controls); in light mode, the crawl's
    full axe-core run (``test_page``) already checks it.
    """
    page = screens.new_page()
    try:
        page.goto(f"{server}/{path}", wait_until="load")
        page.evaluate(LOAD_SHOWN_IMAGES)
        unreadable = {}
        for mode in ("light", "dark"):
            # the theme's "auto" mode follows the reader's system setting
            page.emulate_media(color_scheme=mode)
            page.wait_for_function(
                "mode => document.documentElement.dataset.theme === mode",
                arg=mode,
                timeout=5_000,
            )
            boxes = page.evaluate(FIGURE_BOXES)
            png = page.screenshot(full_page=True)
            out = SCREENSHOTS / mode / (Path(path).stem + ".png")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(png)
            unreadable[mode] = _unreadable_figures(page, png, boxes)
        page.add_script_tag(url=server + AXE_URL_PATH)
        low_contrast = page.evaluate(COLOUR_CONTRAST)
    finally:
        page.close()
    assert unreadable == {"light": [], "dark": []}, f"figures unreadable: {unreadable}"
    assert low_contrast == [], f"low-contrast text in dark mode: {low_contrast}"
