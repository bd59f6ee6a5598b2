"""Steppers in a real browser: ends, Play, lazy frames; and each page's own bytes.

A stepper's Prev and Next are disabled at the ends (no silent wrap), Play turns
back into "Play" when the last frame shows, and frames after the first load only
when they are about to be shown. A page's *own* bytes are what a first visit
fetches that no other page shares: the HTML, its figures and the stepper frames
it shows; the theme's and KaTeX's assets under ``_static/`` (and the search
index) are shared and cached once for the whole site.
"""

from __future__ import annotations

import gzip
import statistics
from urllib.parse import urlparse

import pytest
from conftest import HTML, gallery_page, gallery_scripts

pytestmark = pytest.mark.browser

CHAPTERS = sorted(str(p.relative_to(HTML)) for p in (HTML / "chapters").glob("*.html"))
PAGES = ["index.html", *CHAPTERS, *[gallery_page(s) for s in gallery_scripts()]]

#: Largest own bytes (gzip, first visit) of any chapter, and of the median page.
CHAPTER_BUDGET_KIB = 380
MEDIAN_BUDGET_KIB = 80


def _is_shared(url: str) -> bool:
    path = urlparse(url).path
    return "/_static/" in path or path.endswith("/searchindex.js")


@pytest.fixture
def visit(browser, server):
    def _visit(path):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        responses = []
        page.on("response", lambda r: responses.append(r))
        page.goto(f"{server}/{path}", wait_until="load")
        return context, page, responses

    return _visit


def test_own_bytes_within_budget(visit):
    own_kib = {}
    for path in PAGES:
        context, _, responses = visit(path)
        try:
            own_kib[path] = (
                sum(
                    len(gzip.compress(r.body(), 6))
                    for r in responses
                    if not _is_shared(r.url) and r.status == 200
                )
                / 1024
            )
        finally:
            context.close()
    chapters = {p: round(own_kib[p]) for p in CHAPTERS}
    median = statistics.median(own_kib.values())
    print(chapters, f"median own bytes: {median:.0f} KiB gzip")
    assert max(chapters.values()) <= CHAPTER_BUDGET_KIB, chapters
    assert median <= MEDIAN_BUDGET_KIB


def test_only_the_first_frame_of_a_stepper_loads_with_the_page(visit):
    context, page, responses = visit(
        "auto_gallery/02_training/plot_gd_learning_rate.html"
    )
    try:
        frames = sorted(
            urlparse(r.url).path.rsplit("/", 1)[-1]
            for r in responses
            if "/lb-frames/" in r.url
        )
        # frame 0 is shown; frame 1 is fetched ahead of the first Next
        assert frames[:1] == ["sphx_glr_plot_gd_learning_rate_001_frame00.png"]
        assert len(frames) <= 2
        stepper = page.locator(".lb-stepper").first
        assert stepper.locator(".lb-stepper-frame").count() > 5
    finally:
        context.close()


def test_prev_and_next_are_disabled_at_the_ends_and_play_stops(visit):
    context, page, _ = visit("auto_gallery/01_learnable_bases/plot_random_neurons.html")
    try:
        s = page.locator(".lb-stepper").first
        s.scroll_into_view_if_needed()
        prev = s.get_by_role("button", name="Previous frame")
        nxt = s.get_by_role("button", name="Next frame")
        play = s.locator("[data-act=play]")
        assert prev.is_disabled() and nxt.is_enabled()
        nxt.click()
        assert prev.is_enabled()
        s.focus()
        page.keyboard.press("End")
        assert nxt.is_disabled() and prev.is_enabled()
        assert s.get_attribute("data-frame") == str(
            s.locator(".lb-stepper-frame").count() - 1
        )
        # Play from the last frame restarts at the first, and says "Play" again
        # as soon as the last frame shows
        play.click()
        assert "Pause" in play.inner_text()
        page.wait_for_function(
            "s => s.dataset.frame === String(s.querySelectorAll("
            "'.lb-stepper-frame').length - 1)",
            arg=s.element_handle(),
            timeout=15_000,
        )
        assert "Play" in play.inner_text() and "Pause" not in play.inner_text()
        assert play.get_attribute("aria-pressed") == "false"
        # every frame was loaded by the time it was shown
        assert s.evaluate(
            "s => Array.from(s.querySelectorAll('.lb-stepper-frame'))"
            ".every(f => f.complete && f.naturalWidth > 0)"
        )
    finally:
        context.close()
