"""Every figure readable on a phone: at first sight, or one tap away.

On a phone 390 CSS px wide (device scale factor 2) a figure drawn for a 700 px
column is shown at half its size. The book's figure style draws its smallest
text at 10 pt, 100 pixels per inch at 1x: about 13.9 CSS px when an image is
shown at its natural 1x width (half the pixels of the 2x PNGs). A figure's
*effective* text size is that, times its rendered width over its 1x width.

Each figure on every page that has figures (chapters and gallery pages; a
stepper's current frame counts) must show text of at least 9 CSS px, or open
with one tap in a full-screen view (``docs/_static/lb-zoom.js``) with its text
at 12 px or more. The view is a modal ``<dialog>`` with a name, scrolls, leaves
pinch-zoom on, closes with Escape and with Back (it is a history entry), opens
from the keyboard (Enter and Space on the figure's button) and gives focus back
to that button. A stepper's controls are at least 24 x 24 CSS px (WCAG 2.2,
2.5.8, target size).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from conftest import AXE_URL_PATH, HTML, site_pages

pytestmark = pytest.mark.browser

#: The figure style's smallest text (10 pt at 100 px per inch) at 1x, in CSS px.
STYLE_PX = 10 / 72 * 100
#: Smallest effective text at first sight, and in the full-screen view.
FIRST_SIGHT_PX = 9
VIEW_PX = 12
#: WCAG 2.2 target size (minimum), CSS px.
TARGET_PX = 24

_FIGURE_HTML = re.compile(
    r'class="(?:lb-stepper|sphx-glr-(?:single|multi)-img)"|<figure'
)
#: Pages with figures: chapters and gallery pages (read from the build).
FIGURE_PAGES = [
    p
    for p in site_pages()
    if p.startswith(("chapters/", "auto_gallery/"))
    and _FIGURE_HTML.search((HTML / p).read_text("utf-8"))
]

#: Each figure of the page, numbered (``data-lb-t``) for the test to find it:
#: its effective text size as shown, from its rendered width and its 1x width.
#: The 1x width is the ``width`` attribute where the page gives one (stepper
#: frames), the density-corrected natural width of a ``srcset`` image, or half
#: the pixels of a 2x file (``*_2_00x.png``, the chapters' figures).
FIGURES = """(stylePx) => {
  const sel = '.bd-article figure img, .bd-article img.sphx-glr-single-img, '
            + '.bd-article img.sphx-glr-multi-img, .bd-article .lb-stepper';
  return Array.from(document.querySelectorAll(sel))
    .filter(e => !e.closest('.sphx-glr-thumbcontainer')
                 && !(e.tagName === 'IMG' && e.closest('.lb-stepper')))
    .map((e, k) => {
      const stepper = e.classList.contains('lb-stepper');
      const img = stepper
        ? Array.from(e.querySelectorAll('.lb-stepper-frame')).find(f => !f.hidden)
        : e;
      e.dataset.lbT = k;
      const wa = Number(img.getAttribute('width'));
      const w1 = wa > 0 ? wa
        : img.srcset ? img.naturalWidth
        : /_2_00x\\.png$/.test(img.currentSrc || img.src) ? img.naturalWidth / 2
        : img.naturalWidth;
      const w = img.getBoundingClientRect().width;
      return {k, stepper, src: (img.currentSrc || img.src).split('/').pop(),
              w1, w, px: stylePx * w / w1};
    });
}"""

#: Make every figure's image load and decode (they are lazy).
LOAD_FIGURES = """async () => {
  const imgs = Array.from(document.querySelectorAll('.bd-article img'))
    .filter(i => !i.hidden);
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
}"""

#: The open view: its name, its image's size and what its box allows.
VIEW = """() => {
  const d = document.querySelector('dialog[open]');
  if (!d) return null;
  const img = d.querySelector('img');
  const box = img.parentElement;
  const named = document.getElementById(d.getAttribute('aria-labelledby'));
  const meta = document.querySelector('meta[name=viewport]');
  return {
    modal: d.getAttribute('aria-modal') === 'true' && d.matches(':modal'),
    name: (named ? named.textContent : d.getAttribute('aria-label')) || '',
    src: img.currentSrc.split('/').pop(),
    alt: img.alt,
    w: img.getBoundingClientRect().width,
    dialogW: d.getBoundingClientRect().width,
    dialogH: d.getBoundingClientRect().height,
    overflow: getComputedStyle(box).overflowX,
    scrolls: box.scrollWidth > box.clientWidth + 1,
    touchAction: getComputedStyle(box).touchAction,
    viewport: meta ? meta.content : '',
    complete: img.complete && img.naturalWidth > 0,
  };
}"""

#: The figure's button (the one the view's focus returns to) holds focus.
FOCUS_ON_BUTTON = """(k) => {
  const a = document.activeElement;
  const e = document.querySelector(`[data-lb-t="${k}"]`);
  return !!a && a.matches('button.lb-zoom-open') && a.parentElement.contains(e);
}"""


@pytest.fixture(scope="module")
def phone(browser, server):
    """One touch tab at a phone's size for the module; records outside requests."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlparse(r.url).scheme in ("http", "https")
            and urlparse(r.url).hostname != "127.0.0.1"
            else None
        ),
    )

    def show(path: str):
        page.goto(f"{server}/{path}", wait_until="load")
        page.evaluate(LOAD_FIGURES)
        return page

    show.outside = outside
    yield show
    context.close()


def _open_view(page, target: str, how: str) -> dict:
    """Open the view with one tap on the figure, or Enter/Space on its button."""
    if how == "tap":
        page.locator(target).tap()
    else:
        page.keyboard.press(how)
    page.wait_for_selector("dialog.lb-zoom-dialog[open]", timeout=5_000)
    page.wait_for_function(
        "() => { const i = document.querySelector('dialog[open] img');"
        " return i && i.complete && i.naturalWidth > 0; }",
        timeout=10_000,
    )
    return page.evaluate(VIEW)


def _closed(page) -> bool:
    page.wait_for_function(
        "() => !document.querySelector('dialog[open]')", timeout=5_000
    )
    return True


def _focus_back(page, k: int) -> None:
    """Focus is back on figure ``k``'s button (the dialog's close event is a task
    queued after it closes)."""
    try:
        page.wait_for_function(FOCUS_ON_BUTTON, arg=k, timeout=3_000)
    except Exception:  # playwright's TimeoutError: say what has focus instead
        focused = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
        pytest.fail(f"focus did not return to figure {k}'s button: {focused}")


def check_view(page, figure: dict) -> None:
    """Tap, read, Escape; Enter, Back; Space, Close: open, scaled, closed and
    focus back each time."""
    k = figure["k"]
    host = f'[data-lb-t="{k}"]'
    # a stepper's current frame, not the stepper's controls, is what is tapped
    target = f"{host} .lb-stepper-frame:not([hidden])" if figure["stepper"] else host
    page.locator(target).scroll_into_view_if_needed()
    url = page.url
    view = _open_view(page, target, "tap")
    assert view["modal"] and view["name"].strip(), view
    assert view["alt"], "the view's image has no alt text"
    # the file the page shows at this screen's density (2x), no other download
    assert view["src"] == figure["src"], (view["src"], figure["src"])
    assert view["dialogW"] >= 389 and view["dialogH"] >= 800, "not full screen"
    px = STYLE_PX * view["w"] / figure["w1"]
    assert px >= VIEW_PX, f"text at {px:.1f} px in the view: {figure['src']}"
    assert view["overflow"] == "auto"
    assert view["scrolls"] == (view["w"] > 390), view
    assert "none" not in view["touchAction"], view["touchAction"]
    assert "user-scalable=no" not in view["viewport"].replace(" ", "")
    page.keyboard.press("Escape")
    assert _closed(page) and page.url == url
    _focus_back(page, k)
    # from the keyboard: Enter on the button, then the browser's Back
    _open_view(page, target, "Enter")
    page.evaluate("history.back()")
    assert _closed(page) and page.url == url
    _focus_back(page, k)
    # Space, then the view's own Close button; Back afterwards leaves the page
    # where it was (the view's history entry is gone)
    _open_view(page, target, " ")
    page.get_by_role("button", name="Close").click()
    assert _closed(page) and page.url == url
    _focus_back(page, k)


@pytest.mark.parametrize("path", FIGURE_PAGES)
def test_every_figure_is_readable_on_a_phone(phone, path):
    """At 390 px, each figure's text is >= 9 px, or one tap shows it at >= 12 px."""
    page = phone(path)
    figures = page.evaluate(FIGURES, STYLE_PX)
    assert figures, f"no figure found on {path}"
    for figure in figures:
        assert figure["w1"] > 0 and figure["w"] > 0, figure
        if figure["px"] < FIRST_SIGHT_PX:
            check_view(page, figure)
    assert phone.outside == [], f"requests leaving the site: {phone.outside}"


def test_figure_text_is_measured_as_the_issue_measured_it(phone):
    """Chapter 2's regression figure is 15 inches wide: about 3 px as shown."""
    page = phone("chapters/02_training.html")
    figures = page.evaluate(FIGURES, STYLE_PX)
    smallest = min(f["px"] for f in figures)
    assert 2 < smallest < 5, figures
    # and a stepper frame's 1x width comes from its width attribute
    assert any(f["stepper"] and f["w1"] >= 600 for f in figures), figures


def test_a_stepper_view_shows_the_current_frame(phone):
    page = phone("auto_gallery/01_learnable_bases/plot_01_random_neurons.html")
    stepper = page.locator(".lb-stepper").first
    stepper.scroll_into_view_if_needed()
    stepper.get_by_role("button", name="Next frame").tap()
    frame = stepper.locator(".lb-stepper-frame:not([hidden])")
    src = frame.evaluate("f => f.currentSrc.split('/').pop()")
    assert src.endswith("_frame01.png")
    view = _open_view(
        page, ".lb-stepper .lb-stepper-frame:not([hidden]) >> nth=0", "tap"
    )
    assert view["src"] == src
    page.keyboard.press("Escape")
    _closed(page)


def test_stepper_controls_are_touch_targets(phone):
    """Every button and slider of every stepper is at least 24 x 24 CSS px."""
    small = []
    for path in [
        p for p in FIGURE_PAGES if 'class="lb-stepper"' in (HTML / p).read_text("utf-8")
    ]:
        page = phone(path)
        small += page.evaluate(
            """(min) => Array.from(document.querySelectorAll(
                 '.lb-stepper-controls button, .lb-stepper-controls input'))
               .map(c => [c.getAttribute('aria-label') || c.textContent,
                          c.getBoundingClientRect()])
               .filter(([, r]) => r.width < min || r.height < min)
               .map(([n, r]) => `${location.pathname} ${n}: ${r.width}x${r.height}`)""",
            TARGET_PX,
        )
    assert small == []


def test_zoom_buttons_are_touch_targets(phone):
    page = phone("chapters/04_density_estimation.html")
    sizes = page.evaluate(
        "() => Array.from(document.querySelectorAll('.lb-zoom-open'))"
        ".map(b => b.getBoundingClientRect()).map(r => [r.width, r.height])"
    )
    assert sizes and all(w >= TARGET_PX and h >= TARGET_PX for w, h in sizes), sizes


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_open_view_is_accessible_in_both_modes(browser, server, mode):
    """axe-core on chapter 4 with the view open: no serious violation, in light
    and dark mode (colour contrast of the view's bar included); the view's
    background follows the theme."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        color_scheme=mode,
    )
    try:
        page = context.new_page()
        page.goto(f"{server}/chapters/04_density_estimation.html", wait_until="load")
        page.wait_for_function(
            "m => document.documentElement.dataset.theme === m", arg=mode
        )
        page.evaluate(LOAD_FIGURES)
        page.locator(".bd-article figure img").first.tap()
        page.wait_for_selector("dialog.lb-zoom-dialog[open]")
        page.add_script_tag(url=server + AXE_URL_PATH)
        violations = page.evaluate(
            """async () => (await axe.run(document.querySelector('dialog[open]'),
                 {resultTypes: ['violations']})).violations
               .filter(v => v.impact === 'serious' || v.impact === 'critical')
               .map(v => v.id + ': '
                         + v.nodes.map(n => n.target.join(' ')).join(' | '))"""
        )
        background = page.evaluate(
            "() => getComputedStyle(document.querySelector('dialog[open]'))"
            ".backgroundColor"
        )
    finally:
        context.close()
    assert violations == []
    rgb = [int(c) for c in re.findall(r"\d+", background)[:3]]
    assert (sum(rgb) / 3 < 80) if mode == "dark" else (sum(rgb) / 3 > 200), background
