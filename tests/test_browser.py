"""A real browser over every page the build wrote: Chromium, driven by Playwright.

The pages are read from ``docs/_build/html`` when the tests are collected, so a
chapter, gallery script or API page added later is crawled with no edit here.
Each page is loaded once, in one browser, and must show:

* no console error and no failed request;
* no request to any host but the local server;
* every image decoded;
* all maths rendered by KaTeX (no raw TeX left in the visible text);
* no serious or critical accessibility violation found by axe-core
  (``tests/axe/axe.min.js``, MPL-2.0, from the npm package ``axe-core``);
* a page weight, gzip-compressed as a static host serves it, within budget.

Every stepper must move on Next, the arrow keys and the slider; every chapter
is screenshot in light and dark mode (into ``docs/_build/screenshots``): its
figures must keep their light panel and dark ink, and its text its contrast.
"""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import AXE_URL_PATH, HTML, ROOT, site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()
STEPPER_PAGES = [
    p for p in PAGES if 'class="lb-stepper"' in (HTML / p).read_text("utf-8")
]
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]
SCREENSHOTS = ROOT / "docs" / "_build" / "screenshots"

#: Text left with these after rendering means a formula was not typeset:
#: a TeX command (``\frac``, ``\(``), display dollars, or ``$...$`` inline.
RAW_TEX = re.compile(r"\\(?:[A-Za-z]+|[()\[\]])|\$\$|\$[^$\s][^$\n]{0,80}\$")

VISIBLE_TEXT_WITHOUT_MATH_OR_CODE = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('.katex, pre, code, script, style, .highlight')
      .forEach(e => e.remove());
  return body.textContent;
}"""

DECODE_ALL_IMAGES = """async () => {
  // A lazy image is fetched and decoded apart from the page: loading it into
  // the page would leave it in the tab's image cache, and a later page showing
  // the same file lazily would then load it at once, inflating its weight.
  const bad = [];
  for (const img of Array.from(document.images)) {
    const src = img.currentSrc || img.src;
    try {
      if (img.loading === 'lazy') {
        const bitmap = await createImageBitmap(await (await fetch(src)).blob());
        if (bitmap.width === 0) bad.push(src.slice(0, 80));
        bitmap.close();
      } else {
        await img.decode();
        if (img.naturalWidth === 0) bad.push(src.slice(0, 80));
      }
    } catch (e) { bad.push(src.slice(0, 80)); }
  }
  return bad;
}"""

#: Every image loaded into the page, lazy ones too (for a full-page screenshot).
LOAD_ALL_IMAGES = """async () => {
  for (const img of Array.from(document.images)) {
    img.loading = 'eager';
    await img.decode().catch(() => null);
  }
}"""

LAZY_BELOW_THE_FOLD = """async () => {
  const lazy = Array.from(document.images).filter(i => i.loading === 'lazy');
  const shown = lazy.filter(i => i.getBoundingClientRect().top < innerHeight
                                 && !i.closest('[hidden]'));
  await Promise.all(shown.map(i => i.decode().catch(() => null)));
  return lazy.filter(i => !shown.includes(i))
             .map(i => new URL(i.getAttribute('src'), location.href).href);
}"""

RUN_AXE = """async () => {
  // label-content-name-mismatch is off by default (experimental); the theme's
  // controls failed it, so it is checked too.
  const result = await axe.run(document, {
    resultTypes: ['violations'],
    rules: {'label-content-name-mismatch': {enabled: true}},
  });
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.nodes.length} nodes, e.g. `
              + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | '));
}"""

#: Largest allowed page weight of a first visit, as a static host serves it (gzip),
#: shared assets in; figures below the fold and later stepper frames load lazily.
BUDGET_KIB = 750


def _watch(page) -> dict:
    """Record ``page``'s errors, outside requests and responses into ``["log"]``."""
    holder: dict = {"log": {"errors": [], "outside": [], "responses": []}}

    def on_response(response):
        holder["log"]["responses"].append(response)
        if response.status >= 400:
            holder["log"]["errors"].append(f"HTTP {response.status}: {response.url}")

    def on_console(message):
        if message.type == "error":
            holder["log"]["errors"].append(message.text)

    def on_request(request):
        url = urlparse(request.url)
        if url.scheme not in ("data", "blob", "about") and url.hostname != "127.0.0.1":
            holder["log"]["outside"].append(request.url)

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda e: holder["log"]["errors"].append(str(e)))
    page.on("request", on_request)
    return holder


class _KeepOpen:
    """What :func:`_open` returns for the crawl's tab: closing it does nothing."""

    def close(self) -> None:
        pass


_CRAWL_TAB: dict = {}


def _open(browser, server, path, **context_options):
    """Load ``path``, recording errors, requests and responses of that load.

    The crawl (no options) goes from page to page in one tab of one context, as
    a reader does: a new tab per page starts a renderer and compiles axe-core
    anew, which doubled the time per page. The log is fresh for every page. A
    test with options of its own (dark mode) gets a new context. Close what
    this returns with ``.close()`` either way (for the crawl's tab, a no-op).
    """
    if context_options:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, **context_options
        )
        page = context.new_page()
        holder = _watch(page)
    else:
        if id(browser) not in _CRAWL_TAB:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            tab = context.new_page()
            _CRAWL_TAB[id(browser)] = (tab, _watch(tab))
        page, holder = _CRAWL_TAB[id(browser)]
        context = _KeepOpen()
    log = holder["log"] = {"errors": [], "outside": [], "responses": []}
    page.goto(f"{server}/{path}", wait_until="load")
    return context, page, log


_GZIP_BYTES: dict[str, int] = {}


def _gzip_bytes(response) -> int:
    """Compressed size of a response, once per URL (the site does not change)."""
    if response.url not in _GZIP_BYTES:
        _GZIP_BYTES[response.url] = len(gzip.compress(response.body(), 6))
    return _GZIP_BYTES[response.url]


def test_the_crawl_covers_every_kind_of_page():
    kinds = {p.split("/")[0] if "/" in p else "top" for p in PAGES}
    assert {"top", "chapters", "auto_gallery", "api"} <= kinds, kinds
    assert sum(p.startswith("api/generated/") for p in PAGES) > 20


@pytest.mark.parametrize("path", PAGES)
def test_page(browser, server, path):
    """One load of ``path``: clean, typeset, accessible and within its weight."""
    context, page, log = _open(browser, server, path)
    try:
        # What a first visit fetches: everything but the lazy images below the
        # first screen, which the browser may or may not have begun to fetch by
        # the load event (a race, so they are left out); lazy images on the
        # first screen are waited for.
        below_fold = set(page.evaluate(LAZY_BELOW_THE_FOLD))
        first_visit = [r for r in log["responses"] if r.url not in below_fold]
        title = page.title()
        bad_images = page.evaluate(DECODE_ALL_IMAGES)
        raw_tex = RAW_TEX.findall(page.evaluate(VISIBLE_TEXT_WITHOUT_MATH_OR_CODE))
        # KaTeX renders what it cannot parse in red, as a .katex-error span
        katex_errors = page.locator(".katex-error").all_inner_texts()
        page.add_script_tag(url=server + AXE_URL_PATH)
        violations = page.evaluate(RUN_AXE)
        kib = sum(_gzip_bytes(r) for r in first_visit) / 1024
        files = [urlparse(r.url).path.rsplit("/", 1)[-1] for r in log["responses"]]
    finally:
        context.close()
    print(f"{path}: {kib:.0f} KiB gzip")
    assert title, "page has no title"
    assert log["errors"] == [], f"console errors: {log['errors']}"
    assert log["outside"] == [], f"requests leaving the site: {log['outside']}"
    assert bad_images == [], f"images not decoded: {bad_images}"
    assert raw_tex == [], f"raw TeX in the page text: {raw_tex}"
    assert katex_errors == [], f"unparsed: {katex_errors}"
    assert violations == [], "axe-core:\n" + "\n".join(violations)
    assert kib < BUDGET_KIB, f"first visit weighs {kib:.0f} KiB gzip"
    assert "fontawesome.js" not in files  # the 1.5 MB icon script


@pytest.mark.parametrize("path", ["index.html", "chapters/01_learnable_bases.html"])
def test_maths_is_typeset(browser, server, path):
    context, page, _ = _open(browser, server, path)
    try:
        assert page.locator(".katex").count() > 0
        # the KaTeX fonts really loaded (served from the site itself)
        page.evaluate("document.fonts.ready")
        loaded = page.evaluate(
            "Array.from(document.fonts).filter(f => f.family.startsWith('KaTeX')"
            " && f.status === 'loaded').length"
        )
        assert loaded > 0
    finally:
        context.close()


def _visible_frame(stepper):
    return stepper.evaluate(
        "s => Array.from(s.querySelectorAll('.lb-stepper-frame'))"
        ".findIndex(f => !f.hidden && f.offsetWidth > 0)"
    )


def test_steppers_are_found():
    assert any(p.startswith("chapters/") for p in STEPPER_PAGES)
    assert any(p.startswith("auto_gallery/") for p in STEPPER_PAGES)


@pytest.mark.parametrize("path", STEPPER_PAGES)
def test_steppers_step(browser, server, path):
    context, page, log = _open(browser, server, path)
    try:
        steppers = page.locator(".lb-stepper")
        assert steppers.count() > 0
        for k in range(steppers.count()):
            s = steppers.nth(k)
            n = s.locator(".lb-stepper-frame").count()
            label = s.locator(".lb-stepper-label")
            s.scroll_into_view_if_needed()
            assert _visible_frame(s) == 0
            first_label = label.inner_text()
            s.get_by_role("button", name="Next frame").click()
            assert _visible_frame(s) == 1 % n
            assert label.inner_text() != first_label or n == 1
            s.get_by_role("button", name="Previous frame").click()
            assert _visible_frame(s) == 0
            s.focus()
            page.keyboard.press("End")
            assert _visible_frame(s) == n - 1
            page.keyboard.press("ArrowRight")  # stops at the end, no silent wrap
            assert _visible_frame(s) == n - 1
            slider = s.get_by_role("slider", name="Frame")
            slider.fill(str(n - 1))
            assert _visible_frame(s) == n - 1
        assert log["errors"] == []
    finally:
        context.close()


def test_theme_icons_render_from_the_web_font(browser, server):
    context, page, _ = _open(browser, server, "index.html")
    try:
        page.evaluate("document.fonts.ready")
        icon = page.locator(".theme-switch-button i >> visible=true").first
        assert icon.bounding_box()["width"] > 4
        loaded = page.evaluate(
            "Array.from(document.fonts).some(f => f.family.includes('Font Awesome')"
            " && f.status === 'loaded')"
        )
        assert loaded
    finally:
        context.close()


# --- dark mode ------------------------------------------------------------------

FIGURE_BOXES = """() => Array.from(document.querySelectorAll('.bd-article img'))
  .filter(img => img.offsetWidth >= 120 && img.offsetHeight >= 80)
  .map(img => {
    const r = img.getBoundingClientRect();
    return {src: img.src.slice(-60), x: r.left + window.scrollX,
            y: r.top + window.scrollY, w: r.width, h: r.height};
  })"""


def _luminance(rgb):
    """WCAG relative luminance of an (..., 3) array of 0-255 sRGB values."""
    import numpy as np

    c = np.asarray(rgb, dtype=float) / 255
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return c @ np.array([0.2126, 0.7152, 0.0722])


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
    packed = (wide[:, 0] << 16) | (wide[:, 1] << 8) | wide[:, 2]
    mode = int(np.bincount(packed).argmax())
    background = float(_luminance([mode >> 16, (mode >> 8) & 255, mode & 255]))
    ink = float(np.percentile(_luminance(flat), 1))
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


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_readable_in_both_modes(browser, server, path, mode):
    """A full-page screenshot per chapter and mode (docs/_build/screenshots):
    every figure keeps a light panel with dark ink, and axe's colour-contrast
    rule passes for the text around it (captions, labels, stepper controls)."""
    from PIL import Image

    context, page, _ = _open(browser, server, path, color_scheme=mode)
    try:
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        page.evaluate(LOAD_ALL_IMAGES)
        boxes = page.evaluate(FIGURE_BOXES)
        png = page.screenshot(full_page=True)
        page.add_script_tag(url=server + AXE_URL_PATH)
        low_contrast = page.evaluate(COLOUR_CONTRAST)
    finally:
        context.close()
    out = SCREENSHOTS / mode / (Path(path).stem + ".png")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png)
    shot = Image.open(io.BytesIO(png))
    unreadable = []
    for box in boxes:
        background, _, ratio = figure_contrast(shot, box)
        # a light panel with dark ink, as in light mode: nothing went transparent
        if background < 0.5 or ratio < 4.5:
            unreadable.append(
                f"{box['src']}: bg {background:.2f}, contrast {ratio:.1f}"
            )
    assert unreadable == [], f"figures unreadable in {mode} mode: {unreadable}"
    assert low_contrast == [], f"low-contrast text in {mode} mode: {low_contrast}"
