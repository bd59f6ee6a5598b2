"""Shared fixtures: the built site, a local HTTP server for it, a Chromium browser.

The site tests check the build that ``nox -s tests`` makes just before running
pytest (or one from ``nox -s docs``). The browser tests drive Chromium through
Playwright: the one ``nox -s tests`` found or installed (``LB_CHROMIUM``), else
the system's Chromium or Chrome, else Playwright's own. When there is none they
fail, not skip, because CI must run them: the first browser test fails with the
reason and the rest are skipped as following from it (in each pytest-xdist
worker; ``nox -s tests`` stops before pytest with one message). Set
``LB_SKIP_BROWSER=1`` to skip them knowingly on a machine without a browser.

``nox -s tests`` runs pytest-xdist with ``--dist loadscope``: a module's tests
stay on one worker, so its module fixtures (trained models) are made once and
the session fixtures (browser, server, crawl) once per worker.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import os
import re
import shutil
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import torch

# crawl.py holds the checks every crawled page must pass: show their values on failure
pytest.register_assert_rewrite("crawl")

# The docs build runs torch on one thread; the tests do too, so the numbers they
# check are the numbers the site prints (and two cores are not oversubscribed).
torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "docs" / "_build" / "html"
WARNINGS = ROOT / "docs" / "_build" / "warnings.txt"
GALLERY = ROOT / "gallery"


def load_noxfile():
    """The project's ``noxfile.py`` as a module (nox runs it; tests read it).

    Load it once, as :data:`NOXFILE`: nox warns when a session is registered twice.
    """
    spec = importlib.util.spec_from_file_location("noxfile_", ROOT / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NOXFILE = load_noxfile()
#: Browser executables looked for on PATH, in order, when LB_CHROMIUM is unset:
#: the noxfile's list, so ``nox -s tests`` and a bare ``pytest`` look alike.
SYSTEM_BROWSERS = NOXFILE.SYSTEM_BROWSERS


def quoted_source(html: str) -> tuple[list[list[str]], set[str], set[str]]:
    """What a code page quotes (see docs/_ext/lb_codepage.py).

    Returns the code lines of each ``lb-src`` block (tags removed, unescaped),
    the row colour classes and the highlight colour numbers used on the page.
    """
    import html as htmllib
    import re

    blocks = [
        [
            htmllib.unescape(re.sub(r"<[^>]+>", "", code)).strip()
            for code in re.findall(r"<code>(.*?)</code>", block, flags=re.S)
        ]
        for block in re.findall(
            r'<div class="lb-src"[^>]*>(.*?)</div>', html, flags=re.S
        )
    ]
    rows = set(re.findall(r'class="lb-eqcode (lb-c\d)', html))
    marks = set(re.findall(r'<mark class="lb-m(\d)"', html))
    return blocks, rows, marks


def gallery_scripts() -> list[Path]:
    """Every gallery script (``gallery/<chapter>/plot_<NN>_<name>.py``)."""
    return sorted(GALLERY.glob("*/plot_*.py"))


def gallery_page(script: Path) -> str:
    """Site-relative URL of a gallery script's page."""
    return f"auto_gallery/{script.parent.name}/{script.stem}.html"


@pytest.fixture(scope="session")
def site() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built site at {HTML}; run `nox -s docs` (or `nox -s tests`)")
    return HTML


#: Where the test server offers axe-core (``tests/axe``), beside the site: loaded
#: by URL, the browser caches it and its compiled code for every later page.
AXE_URL_PATH = "/__tests__/axe.min.js"
AXE_FILE = Path(__file__).parent / "axe" / "axe.min.js"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass

    def translate_path(self, path: str) -> str:
        if path.split("?", 1)[0] == AXE_URL_PATH:
            return str(AXE_FILE)
        return super().translate_path(path)

    def end_headers(self) -> None:
        # as a static host would: a browser keeps the theme's assets for an hour
        # instead of asking again on every page
        self.send_header("Cache-Control", "max-age=3600")
        super().end_headers()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # a browser that moves to the next page drops the files still coming:
        # a broken pipe is what every static server sees then, not an error
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def site_pages() -> list[str]:
    """Every HTML page the build wrote, site-relative (``api/index.html``, ...).

    Read from the build at collection time, so a page added later is crawled
    with no edit to the tests. Sphinx's copies of sources and downloads are
    files, not pages.
    """
    skip = {"_sources", "_static", "_downloads", "_images"}
    return sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if not skip.intersection(p.relative_to(HTML).parts)
    )


@functools.cache
def find_chromium() -> tuple[str | None, str]:
    """A Chromium or Chrome to drive, and where it came from.

    ``LB_CHROMIUM`` first (``nox -s tests`` sets it), then a system browser on
    ``PATH``, then the one ``playwright install chromium`` downloads.

    Returns
    -------
    path : str or None
        The executable, or None when there is none.
    how : str
        Where it was found, or why nothing was.
    """
    if os.environ.get("LB_CHROMIUM"):
        path = os.environ["LB_CHROMIUM"]
        if Path(path).exists():
            return path, f"LB_CHROMIUM={path}"
        return None, f"LB_CHROMIUM={path} does not exist"
    for name in SYSTEM_BROWSERS:
        if path := shutil.which(name):
            return path, f"system browser {path}"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        path = p.chromium.executable_path
    if Path(path).exists():
        return path, f"Playwright's Chromium {path}"
    return None, (
        "no Chromium or Chrome on PATH and no Playwright Chromium; install one "
        "(apt-get install -y chromium, or `playwright install chromium`), set "
        "LB_CHROMIUM=/path/to/chrome, or run `nox -s tests`, which does this"
    )


_BROWSER_FAILED: list[str] = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Browser tests without a browser: the first fails with the reason, the rest skip.

    (A session fixture that fails is re-raised for every test that uses it: one
    missing browser would read as a hundred errors.)
    """
    if item.get_closest_marker("browser") is None:
        return
    if os.environ.get("LB_SKIP_BROWSER") == "1":
        pytest.skip("LB_SKIP_BROWSER=1: browser tests skipped on request")
    path, how = find_chromium()
    if path is None:
        if not _BROWSER_FAILED:
            _BROWSER_FAILED.append(how)
            pytest.fail(f"browser tests need Chromium: {how}", pytrace=False)
        pytest.skip("no browser (reported by the first browser test)")


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run (found by :func:`find_chromium`)."""
    path, how = find_chromium()
    if path is None:
        pytest.skip(f"no browser: {how}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                # Each page is a new JavaScript realm in which axe-core runs once
                # for a fraction of a second: compiling its hot functions with
                # V8's optimising tiers costs more CPU than they save there
                # (the crawl: 20 % less CPU, 10 % less time). Baseline code only.
                "--js-flags=--max-opt=1",
            ],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def crawl(browser, server):
    """The site's pages, each visited once per run (see ``tests/crawl.py``)."""
    from crawl import Crawl

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield Crawl(context, server, server + AXE_URL_PATH, HTML)
    context.close()


def assigned_call(path: Path, name: str, func: str) -> dict:
    """The keyword arguments, as values, of ``name = ...func(...)`` in a gallery
    script or in a chapter's code cells: the settings a reader sees.

    ``func`` is matched by its last name (``fit_regression`` matches
    ``lb.regression.fit_regression``; ``dict`` a ``dict(...)`` literal). The
    call must pass keywords only, with literal values.
    """
    text = path.read_text(encoding="utf-8")
    sources = [text]
    if path.suffix == ".md":  # the code cells, without their option lines
        cells = re.findall(r"```\{code-cell\} python\n(.*?)```", text, re.S)
        sources = [re.sub(r"(?m)^[:%].*$", "", c) for c in cells]
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if (
                func == "dict"
                and isinstance(node, ast.Assign)
                and [getattr(t, "id", None) for t in node.targets] == [name]
                and isinstance(node.value, ast.Dict)
            ):
                return ast.literal_eval(node.value)  # {...}, as dict(...) is
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
                continue
            target = [getattr(t, "id", None) for t in node.targets]
            callee = node.value.func
            if target == [name] and func in (
                getattr(callee, "attr", None),
                getattr(callee, "id", None),
            ):
                assert not node.value.args, f"{path.name}: {name}: keywords only"
                return {k.arg: ast.literal_eval(k.value) for k in node.value.keywords}
    raise AssertionError(f"no {name} = ...{func}(...) in {path}")


def line(w, b, dtype=torch.float32):
    """mu(x) = w x + b, the two-parameter model of chapter 2's SGD figure."""
    model = torch.nn.Linear(1, 1).to(dtype)
    with torch.no_grad():
        model.weight.fill_(w)
        model.bias.fill_(b)
    return model


@pytest.fixture(scope="session")
def backprop_demo():
    """Chapter 3's visible backprop cell, returning what it prints (for the
    chapter's claims in test_chapter3.py and gradients_by_layer in test_deep.py)."""
    import learnable_bases as lb

    model = lb.models.MLP(in_dim=2, width=16, depth=4, seed=0).double()
    x, y = lb.targets.sample_field("spiral", 64, noise_sigma=0.1, seed=1)
    x, y = x.double(), y.double()
    lb.losses.mse_objective(model, x, y).backward()
    by_hand = lb.deep.backprop(model, x, y)
    layers = [*model.layers, model.head]
    W, eps = model.layers[0].weight, 1e-6
    i, j = divmod(int(W.grad.abs().argmax()), W.shape[1])
    with torch.no_grad():
        W[i, j] += eps
        e_plus = float(lb.losses.mse_objective(model, x, y))
        W[i, j] -= 2 * eps
        e_minus = float(lb.losses.mse_objective(model, x, y))
        W[i, j] += eps
    return {
        "max_grad": [float(m.weight.grad.abs().max()) for m in layers],
        "gaps": [
            float((dW - m.weight.grad).abs().max())
            for m, (dW, _) in zip(layers, by_hand, strict=True)
        ],
        "autograd": float(W.grad[i, j]),
        "finite_difference": (e_plus - e_minus) / (2 * eps),
        "index": (i, j),
    }
