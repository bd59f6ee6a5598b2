"""Shared fixtures: the built site, a local HTTP server for it, a Chromium browser.

The site tests check the build that ``nox -s tests`` makes just before running
pytest (or one from ``nox -s docs``). The browser tests drive Debian's Chromium
through Playwright; they fail, not skip, when it is missing, because CI must run
them. Set ``LB_SKIP_BROWSER=1`` to skip them knowingly on a machine without it.
"""

from __future__ import annotations

import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import torch

# The docs build runs torch on one thread; the tests do too, so the numbers they
# check are the numbers the site prints (and two cores are not oversubscribed).
torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "docs" / "_build" / "html"
WARNINGS = ROOT / "docs" / "_build" / "warnings.txt"
GALLERY = ROOT / "gallery"
CHROMIUM = os.environ.get("LB_CHROMIUM", "/usr/bin/chromium")


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
        for block in re.findall(r'<div class="lb-src">(.*?)</div>', html, flags=re.S)
    ]
    rows = set(re.findall(r'class="lb-eqcode (lb-c\d)', html))
    marks = set(re.findall(r'<mark class="lb-m(\d)"', html))
    return blocks, rows, marks


def gallery_scripts() -> list[Path]:
    """Every gallery script, e.g. ``gallery/01_learnable_bases/plot_activations.py``."""
    return sorted(GALLERY.glob("*/plot_*.py"))


def gallery_page(script: Path) -> str:
    """Site-relative URL of a gallery script's page."""
    return f"auto_gallery/{script.parent.name}/{script.stem}.html"


@pytest.fixture(scope="session")
def site() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built site at {HTML}; run `nox -s docs` (or `nox -s tests`)")
    return HTML


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    if os.environ.get("LB_SKIP_BROWSER") == "1":
        pytest.skip("LB_SKIP_BROWSER=1: browser tests skipped on request")
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}; install Debian's chromium "
            "(apt-get install -y chromium) or set LB_CHROMIUM"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()
