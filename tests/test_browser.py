"""A real browser over the built site: Chromium, driven by Playwright.

Every chapter and gallery page must load with no console error, no request to
any host but the local server, every image decoded, all maths rendered by KaTeX
(no raw TeX left in the text), and every stepper must move on Next, the arrow
keys and the slider.
"""

from __future__ import annotations

import gzip
from urllib.parse import urlparse

import pytest
from conftest import HTML, gallery_page, gallery_scripts

pytestmark = pytest.mark.browser

PAGES = [
    "index.html",
    *sorted(str(p.relative_to(HTML)) for p in (HTML / "chapters").glob("*.html")),
    "auto_gallery/index.html",
    "api/index.html",
    *[gallery_page(s) for s in gallery_scripts()],
]

# Text left with these after rendering means a formula was not typeset.
RAW_TEX = ["$$", "\\(", "\\[", "\\frac", "\\mathbf", "\\boldsymbol", "\\sum", "\\sigma"]

VISIBLE_TEXT_WITHOUT_MATH_OR_CODE = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('.katex, pre, code, script, style, .highlight')
      .forEach(e => e.remove());
  return body.textContent;
}"""

DECODE_ALL_IMAGES = """async () => {
  const bad = [];
  for (const img of Array.from(document.images)) {
    img.loading = 'eager';
    try { await img.decode(); } catch (e) { bad.push(img.src.slice(0, 80)); }
    if (img.naturalWidth === 0) bad.push(img.src.slice(0, 80));
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def open_page(browser, server):
    def _open(path):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors, outside = [], []
        page.responses = []
        page.on("response", lambda r: page.responses.append(r))
        page.on(
            "console",
            lambda m: errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "response",
            lambda r: r.status >= 400 and errors.append(f"HTTP {r.status}: {r.url}"),
        )

        def check_request(request):
            url = urlparse(request.url)
            if url.scheme in ("data", "blob", "about"):
                return
            if url.hostname != "127.0.0.1":
                outside.append(request.url)

        page.on("request", check_request)
        page.goto(f"{server}/{path}", wait_until="networkidle")
        return context, page, errors, outside

    return _open


@pytest.mark.parametrize("path", PAGES)
def test_page_is_clean(open_page, path):
    context, page, errors, outside = open_page(path)
    try:
        assert page.title(), "page has no title"
        bad_images = page.evaluate(DECODE_ALL_IMAGES)
        text = page.evaluate(VISIBLE_TEXT_WITHOUT_MATH_OR_CODE)
        page.wait_for_load_state("networkidle")
        assert errors == [], f"console errors: {errors}"
        assert outside == [], f"requests leaving the site: {outside}"
        assert bad_images == [], f"images that do not decode: {bad_images}"
        leftovers = [t for t in RAW_TEX if t in text]
        assert leftovers == [], f"raw TeX in the page text: {leftovers}"
        # KaTeX renders what it cannot parse in red, as a .katex-error span
        broken = page.locator(".katex-error").all_inner_texts()
        assert broken == [], f"formulas KaTeX could not parse: {broken}"
    finally:
        context.close()


@pytest.mark.parametrize("path", ["index.html", "chapters/01_learnable_bases.html"])
def test_maths_is_typeset(open_page, path):
    context, page, _, _ = open_page(path)
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


STEPPER_PAGES = [p for p in PAGES if p.startswith(("auto_gallery/", "chapters/"))]


def _visible_frame(stepper):
    return stepper.evaluate(
        "s => Array.from(s.querySelectorAll('.lb-stepper-frame'))"
        ".findIndex(f => !f.hidden && f.offsetWidth > 0)"
    )


@pytest.mark.parametrize("path", STEPPER_PAGES)
def test_steppers_step(open_page, path):
    context, page, errors, _ = open_page(path)
    try:
        steppers = page.locator(".lb-stepper")
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
        assert errors == []
    finally:
        context.close()


#: Largest allowed page weight, as a static host serves it (gzip), all assets in.
BUDGET_KIB = 768


@pytest.mark.parametrize("path", PAGES)
def test_page_weight_within_budget(open_page, path):
    context, page, _, _ = open_page(path)
    try:
        kib = sum(len(gzip.compress(r.body(), 6)) for r in page.responses) / 1024
        print(f"{path}: {kib:.0f} KiB gzip")
        assert kib < BUDGET_KIB
        names = [urlparse(r.url).path.rsplit("/", 1)[-1] for r in page.responses]
        assert "fontawesome.js" not in names  # the 1.5 MB icon script is dropped
    finally:
        context.close()


def test_theme_icons_render_from_the_web_font(open_page):
    context, page, _, _ = open_page("index.html")
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
