"""Hosting: the Pages workflow and the Read the Docs config are valid and build
the site with the README's command; the built site has a 404 page and a sitemap."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT, site_pages

CHECK = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]
CONFIGS = [
    (".github/workflows/pages.yml", "vendor.github-workflows"),
    (".readthedocs.yaml", "vendor.readthedocs"),
]


@pytest.mark.parametrize(("path", "schema"), CONFIGS, ids=lambda v: str(v))
def test_hosting_config_is_valid(path, schema):
    """Validated against the schema the host publishes (vendored, offline)."""
    result = subprocess.run(
        [*CHECK, schema, str(ROOT / path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", [p for p, _ in CONFIGS])
def test_hosting_builds_with_the_readme_command(path):
    text = (ROOT / path).read_text()
    assert "nox -s docs" in text
    assert "docs/_build/html" in text


@pytest.mark.site
def test_site_has_a_404_page_and_a_sitemap(site):
    assert (site / "404.html").exists()
    tree = ET.parse(site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [loc.text for loc in tree.getroot().findall("s:url/s:loc", ns)]
    pages = {
        p for p in site_pages() if p not in ("search.html", "genindex.html", "404.html")
    }
    # the site's base URL (html_baseurl) is what the shortest index URL starts with
    base = min((u for u in urls if u.endswith("/index.html")), key=len)[:-10]
    listed = {u.removeprefix(base) for u in urls}
    # every listed URL is a page; every page is listed, bar pages an incremental
    # build leaves behind from a removed function (not in the sources any more)
    assert listed <= pages
    assert all(p.startswith("api/generated/") for p in pages - listed), pages - listed
    for page in ("chapters/01_learnable_bases.html", "api/index.html"):
        assert any(u.endswith(page) for u in urls), page


@pytest.mark.site
def test_every_page_has_a_description(site):
    missing = [
        p
        for p in site_pages()
        if '<meta name="description" content="' not in (Path(site) / p).read_text()
    ]
    assert missing == []
