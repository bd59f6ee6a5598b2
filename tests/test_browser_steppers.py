"""Steppers in a real browser: ends, Play, lazy frames.

A stepper's Prev and Next are disabled at the ends (no silent wrap), Play turns
back into "Play" when the last frame shows, and frames after the first load only
when they are about to be shown. Each test loads its page in a fresh context, as
a reader's first visit.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def visit(browser, server):
    """A fresh context per visit: nothing cached, a first visit as a reader's."""
    opened = []

    def _visit(path, clock=False):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        opened.append(context)
        page = context.new_page()
        if clock:  # timers run when the test says so, not in real time
            page.clock.install()
        responses = []
        page.on("response", lambda r: responses.append(r))
        page.goto(f"{server}/{path}", wait_until="load")
        return page, responses

    yield _visit
    for context in opened:
        context.close()


def test_only_the_first_frame_of_a_stepper_loads_with_the_page(visit):
    page, responses = visit("auto_gallery/02_training/plot_01_gd_learning_rate.html")
    # the shown frame is a lazy image, which need not hold up the load event on
    # a busy machine: wait until the network has settled, then count
    page.wait_for_load_state("networkidle")
    frames = sorted(
        urlparse(r.url).path.rsplit("/", 1)[-1]
        for r in responses
        if "/lb-frames/" in r.url
    )
    # frame 0 is shown; frame 1 is fetched ahead of the first Next
    assert frames[:1] == ["sphx_glr_plot_01_gd_learning_rate_001_frame00.png"]
    assert len(frames) <= 2
    stepper = page.locator(".lb-stepper").first
    assert stepper.locator(".lb-stepper-frame").count() > 5


def test_steppers_far_below_the_fold_fetch_nothing_with_the_page(visit):
    """Chapter 3 has three steppers; the ones a reader has not reached cost nothing.

    (Each stepper used to fetch its first two frames with the page, wherever it
    stood: 252 KiB of chapter 3's first visit.)
    """
    page, responses = visit("chapters/03_going_deep.html")
    page.wait_for_timeout(500)  # time for a wrongly eager frame to be asked for
    fetched = {urlparse(r.url).path.rsplit("/", 1)[-1] for r in responses}
    late = [f for f in fetched if "depth_slider_001" in f or "learned_features" in f]
    assert late == []
    # scrolled to, the last stepper fetches its shown frame and the next one
    stepper = page.locator(".lb-stepper").last
    stepper.scroll_into_view_if_needed()
    page.wait_for_function(
        "s => s.querySelectorAll('.lb-stepper-frame')[1].loading === 'eager'",
        arg=stepper.element_handle(),
    )


def test_prev_and_next_are_disabled_at_the_ends_and_play_stops(visit):
    page, _ = visit(
        "auto_gallery/01_learnable_bases/plot_01_random_neurons.html", clock=True
    )
    s = page.locator(".lb-stepper").first
    n = s.locator(".lb-stepper-frame").count()
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
    assert s.get_attribute("data-frame") == str(n - 1)
    # Play from the last frame restarts at the first, moves on a frame a beat,
    # and says "Play" again as soon as the last frame shows
    play.click()
    assert "Pause" in play.inner_text()
    assert s.get_attribute("data-frame") == "0"
    page.clock.run_for(1_000)
    assert s.get_attribute("data-frame") == "1"
    page.clock.run_for(1_000 * n)
    assert s.get_attribute("data-frame") == str(n - 1)
    assert "Play" in play.inner_text() and "Pause" not in play.inner_text()
    assert play.get_attribute("aria-pressed") == "false"
    # Play asked for every frame at once, so all of them load
    page.wait_for_function(
        "s => Array.from(s.querySelectorAll('.lb-stepper-frame'))"
        ".every(f => f.complete && f.naturalWidth > 0)",
        arg=s.element_handle(),
        timeout=15_000,
    )
