"""The API reference in a real browser: every page under ``api/``, generated or not.

The same checks as the book's pages (``test_browser.py``, ``crawl.check_page``),
in a module of its own so that ``pytest-xdist`` (``--dist loadscope``) crawls it
in a second browser while the first crawls the book. Mostly autosummary's pages,
one per module and one per function: raw TeX in a docstring, a thumbnail link
without a name or a missing example image shows up here.
"""

from __future__ import annotations

import pytest
from conftest import site_pages
from crawl import check_page

pytestmark = pytest.mark.browser

PAGES = [p for p in site_pages() if p.startswith("api/")]


def test_the_crawl_covers_the_generated_pages():
    assert "api/index.html" in PAGES
    assert sum(p.startswith("api/generated/") for p in PAGES) > 20


@pytest.mark.parametrize("path", PAGES)
def test_api_page(crawl, path):
    check_page(crawl, path)
