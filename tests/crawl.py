"""One visit per page of the built site, shared by the browser tests.

The crawl goes from page to page in one tab, as a reader does (a new tab per
page starts a renderer and compiles axe-core anew, which doubled the time per
page). Each page is visited once per run: :meth:`Crawl.visit` keeps what it saw,
so the first-visit weight, the own bytes and the accessibility results of a page
all come from the same load.

The crawl is bound by the renderer's main thread, one core. Two tabs of one
browser taking turns (the next page loading while axe-core examines this one)
share that thread and were slower, 70 s against 67 s for the 188 pages. Two
browsers, in two pytest-xdist workers, do use the second core: the book's pages
(``test_browser.py``) and the API reference (``test_browser_api.py``) are
crawled side by side, each by its worker's own :class:`Crawl` (84 s for the
whole crawl in one browser, 63 s in two).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from benchmarks.pages import transfer_bytes

#: Text left with these after rendering means a formula was not typeset:
#: a TeX command (``\frac``, ``\(``), display dollars, or ``$...$`` inline.
RAW_TEX = re.compile(r"\\(?:[A-Za-z]+|[()\[\]])|\$\$|\$[^$\s][^$\n]{0,80}\$")

#: Largest allowed page weight of a first visit, as a static host serves it (text
#: gzip-compressed, images as they are), shared assets in; figures below the fold
#: and later stepper frames load lazily.
BUDGET_KIB = 750

#: Everything measured in a page once it has loaded, in one call: its title,
#: the lazy images below the first screen (left out of the first-visit weight),
#: images that do not decode, the visible text without maths or code (to look
#: for raw TeX) and KaTeX's parse errors (rendered as ``.katex-error``).
#:
#: A lazy image is fetched and decoded apart from the page: loading it into the
#: page would leave it in the tab's image cache, and a later page showing the
#: same file lazily would then load it at once, inflating that page's weight.
PAGE_CHECKS = """async () => {
  const lazy = Array.from(document.images).filter(i => i.loading === 'lazy');
  const inView = () => lazy.filter(i => i.getBoundingClientRect().top < innerHeight
                                        && !i.closest('[hidden]'));
  // A lazy image has no height until it loads, so on a busy machine more of
  // them sit in the first screen at 'load' than once the shown ones have their
  // size: decode what is in view until the set stops changing (the settled
  // layout a reader sees).
  let shown = [];
  for (let round = 0; round < 20; round++) {
    const now = inView();
    await Promise.all(now.map(i => i.decode().catch(() => null)));
    if (now.length === shown.length && now.every((img, k) => img === shown[k])) break;
    shown = now;
  }
  const belowFold = lazy.filter(i => !shown.includes(i))
                        .map(i => new URL(i.getAttribute('src'), location.href).href);
  const bad = [];
  for (const img of Array.from(document.images)) {
    const src = img.currentSrc || img.src;
    try {
      if (img.loading === 'lazy' && !shown.includes(img)) {
        const bitmap = await createImageBitmap(await (await fetch(src)).blob());
        if (bitmap.width === 0) bad.push(src.slice(0, 80));
        bitmap.close();
      } else {
        await img.decode();
        if (img.naturalWidth === 0) bad.push(src.slice(0, 80));
      }
    } catch (e) { bad.push(src.slice(0, 80)); }
  }
  const body = document.body.cloneNode(true);
  body.querySelectorAll('.katex, pre, code, script, style, .highlight')
      .forEach(e => e.remove());
  return {
    title: document.title,
    belowFold,
    badImages: bad,
    text: body.textContent,
    katexErrors: Array.from(document.querySelectorAll('.katex-error'))
                      .map(e => e.textContent),
  };
}"""

#: axe-core's serious and critical violations on the page. label-content-name-
#: mismatch is off by default (experimental); the theme's controls failed it,
#: so it is checked too.
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    resultTypes: ['violations'],
    rules: {'label-content-name-mismatch': {enabled: true}},
  });
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.nodes.length} nodes, e.g. `
              + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(' | '));
}"""


def is_shared(url: str) -> bool:
    """Whether a URL is cached once for the whole site (theme, KaTeX, search index)."""
    path = urlparse(url).path
    return "/_static/" in path or path.endswith("/searchindex.js")


@dataclass
class Visit:
    """What one load of a page showed."""

    title: str
    errors: list[str]  #: console errors, page errors and HTTP errors
    outside: list[str]  #: requests to any host but the local server
    bad_images: list[str]
    text: str  #: visible text, maths and code left out
    katex_errors: list[str]
    violations: list[str]  #: serious and critical, from axe-core
    #: as served (text gzipped); shared assets in, lazy images below the fold out
    first_visit_kib: float
    own_kib: float  #: as served, what no other page shares (HTML, figures, frames)
    files: list[str] = field(default_factory=list)  #: every file name fetched


class Crawl:
    """One tab going over the pages, and what each page showed.

    Parameters
    ----------
    context : playwright BrowserContext
        Where the tab lives (a 1280 x 900 viewport).
    server : str
        Base URL of the site, e.g. ``http://127.0.0.1:8000``.
    axe_url : str
        URL of ``axe.min.js`` on that server (loaded by URL, so cached).
    site : Path
        The directory the server serves (``docs/_build/html``).
    """

    def __init__(self, context, server: str, axe_url: str, site: Path):
        self.server, self.axe_url, self.site = server, axe_url, site
        self.tab = context.new_page()
        self.path: str | None = None  # what the tab shows
        self.log: dict = {}  # errors, outside requests, responses of that load
        self.visits: dict[str, Visit] = {}
        self.tab.on("response", self._on_response)
        self.tab.on("console", self._on_console)
        self.tab.on("pageerror", lambda e: self.log["errors"].append(str(e)))
        self.tab.on("request", self._on_request)

    def _on_response(self, response) -> None:
        # a response to a request the previous page made (a stepper frame asked
        # for by the last click) may arrive after the tab moved on: not this page's
        if response.request.timing["startTime"] >= self.log["since"]:
            self.log["responses"].append(response)
        if response.status >= 400:
            self.log["errors"].append(f"HTTP {response.status}: {response.url}")

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.log["errors"].append(message.text)

    def _on_request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme not in ("data", "blob", "about") and url.hostname != "127.0.0.1":
            self.log["outside"].append(request.url)

    def page(self, path: str):
        """The tab, showing ``path`` (loaded now if it shows another page)."""
        if self.path != path:
            # ms since the epoch, as Chromium stamps a request's start
            since = time.time() * 1000
            self.log = {"errors": [], "outside": [], "responses": [], "since": since}
            self.path = path
            self.tab.goto(f"{self.server}/{path}", wait_until="load")
        return self.tab

    def visit(self, path: str) -> Visit:
        """Load ``path`` (once per run) and return what it showed."""
        if path in self.visits:
            return self.visits[path]
        page = self.page(path)
        checks = page.evaluate(PAGE_CHECKS)
        # what the page fetched by itself (axe-core, injected next, is not the site's)
        responses = list(self.log["responses"])
        page.add_script_tag(url=self.axe_url)
        violations = page.evaluate(RUN_AXE)
        below_fold = set(checks["belowFold"])
        # files the server sent for this page (a failed request is an error)
        sent = [r for r in responses if r.ok and r.url.startswith(self.server)]
        first = [r for r in sent if r.url not in below_fold]
        own = [r for r in first if not is_shared(r.url)]
        self.visits[path] = Visit(
            title=checks["title"],
            errors=list(self.log["errors"]),
            outside=list(self.log["outside"]),
            bad_images=checks["badImages"],
            text=checks["text"],
            katex_errors=checks["katexErrors"],
            violations=violations,
            first_visit_kib=sum(self._served_bytes(r.url) for r in first) / 1024,
            own_kib=sum(self._served_bytes(r.url) for r in own) / 1024,
            files=[urlparse(r.url).path.rsplit("/", 1)[-1] for r in responses],
        )
        return self.visits[path]

    def _served_bytes(self, url: str) -> int:
        """Bytes a static host sends for ``url`` (text gzipped), from the file.

        A static server sends the file as it is on disk, so the file is weighed
        there, as ``benchmarks/pages.py`` weighs it, and no body is asked of
        the browser (which drops a body once its tab has moved to another page).
        """
        return transfer_bytes(self.site / unquote(urlparse(url).path).lstrip("/"))


def problems(visit: Visit) -> list[str]:
    """What is wrong with a visited page, one sentence each (empty: nothing)."""
    found = []
    if not visit.title:
        found.append("page has no title")
    if visit.errors:
        found.append(f"console errors: {visit.errors}")
    if visit.outside:
        found.append(f"requests leaving the site: {visit.outside}")
    if visit.bad_images:
        found.append(f"images not decoded: {visit.bad_images}")
    if raw_tex := RAW_TEX.findall(visit.text):
        found.append(f"raw TeX in the page text: {raw_tex}")
    if visit.katex_errors:
        found.append(f"maths KaTeX could not parse: {visit.katex_errors}")
    if visit.violations:
        found.append("axe-core:\n" + "\n".join(visit.violations))
    if visit.first_visit_kib >= BUDGET_KIB:
        found.append(f"first visit weighs {visit.first_visit_kib:.0f} KiB")
    if "fontawesome.js" in visit.files:  # the 1.5 MB icon script
        found.append("loads fontawesome.js")
    return found


def visible_frame(stepper) -> int:
    """Index of the frame a stepper shows (-1: none)."""
    return stepper.evaluate(
        "s => Array.from(s.querySelectorAll('.lb-stepper-frame'))"
        ".findIndex(f => !f.hidden && f.offsetWidth > 0)"
    )


def step_every_stepper(page) -> None:
    """Next, Previous, End, a stop at the end, and the slider, on each stepper."""
    steppers = page.locator(".lb-stepper")
    for k in range(steppers.count()):
        s = steppers.nth(k)
        n = s.locator(".lb-stepper-frame").count()
        label = s.locator(".lb-stepper-label")
        s.scroll_into_view_if_needed()
        assert visible_frame(s) == 0
        first_label = label.inner_text()
        s.get_by_role("button", name="Next frame").click()
        assert visible_frame(s) == 1 % n
        assert label.inner_text() != first_label or n == 1
        s.get_by_role("button", name="Previous frame").click()
        assert visible_frame(s) == 0
        s.focus()
        page.keyboard.press("End")
        assert visible_frame(s) == n - 1
        page.keyboard.press("ArrowRight")  # stops at the end, no silent wrap
        assert visible_frame(s) == n - 1
        slider = s.get_by_role("slider", name="Frame")
        slider.fill(str(n - 1))
        assert visible_frame(s) == n - 1


def check_page(crawl: Crawl, path: str) -> None:
    """One load of ``path``: clean, typeset, accessible, within its weight; and
    every stepper on it steps, with no console error while stepping."""
    visit = crawl.visit(path)
    print(f"{path}: {visit.first_visit_kib:.0f} KiB")
    assert problems(visit) == []
    page = crawl.page(path)
    errors_before = len(crawl.log["errors"])
    step_every_stepper(page)
    assert crawl.log["errors"][errors_before:] == []
