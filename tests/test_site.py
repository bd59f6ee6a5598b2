"""The built site: no warnings, every script made its figures, no outside assets."""

from __future__ import annotations

import re

import pytest
from conftest import GALLERY, WARNINGS, gallery_page, gallery_scripts

pytestmark = pytest.mark.site

# Attributes that make the browser fetch something (links to other sites are fine).
FETCHING = re.compile(
    r"<(?:script|img|link|iframe|source|video|audio)\b[^>]*?\b(?:src|href)="
    r"[\"'](?P<url>(?:https?:)?//[^\"']+)",
    re.IGNORECASE,
)


def test_build_emitted_no_warnings(site):
    assert WARNINGS.exists(), "build the site with nox (it records warnings.txt)"
    assert WARNINGS.read_text().strip() == ""


@pytest.mark.parametrize("script", gallery_scripts(), ids=lambda p: p.stem)
def test_each_gallery_script_made_its_figures(site, script):
    page = site / gallery_page(script)
    assert page.exists(), f"no page for {script.relative_to(GALLERY)}"
    html = page.read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]+src="([^"]+)"', html)
    figures = [s for s in images if f"sphx_glr_{script.stem}_" in s]
    steppers = html.count('class="lb-stepper"')
    assert figures or steppers, f"{script.name} produced no figure"
    for src in figures:
        assert (page.parent / src).resolve().exists(), src
    # downloads: the script and the notebook
    assert f"{script.stem}.py" in html and f"{script.stem}.ipynb" in html


def test_gallery_offers_zip_of_all_examples(site):
    html = (site / "auto_gallery" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="[^"]+\.zip"', html)


def test_no_page_fetches_from_another_host(site):
    offenders = {}
    for page in site.rglob("*.html"):
        urls = [m.group("url") for m in FETCHING.finditer(page.read_text("utf-8"))]
        if urls:
            offenders[str(page.relative_to(site))] = urls
    assert offenders == {}


def test_chapter_quotes_the_computed_gelu_gap(site):
    from learnable_bases.activations import max_gelu_gap

    html = (site / "chapters" / "01_learnable_bases.html").read_text("utf-8")
    assert f"{max_gelu_gap():.4f}" in html


def test_api_reference_lists_examples_using_a_function(site):
    html = (
        site / "api" / "generated" / "learnable_bases.activations.gelu.html"
    ).read_text("utf-8")
    assert "plot_activations" in html


def test_theme_macro_override_matches_installed_theme():
    """docs/_templates/static/webpack-macros.html is the theme's file minus the
    Font Awesome script; if the theme changes, the override must be refreshed."""
    from pathlib import Path

    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    theirs = (theme / "static" / "webpack-macros.html").read_text().splitlines()
    ours = (
        (Path(__file__).parents[1] / "docs/_templates/static/webpack-macros.html")
        .read_text()
        .splitlines()
    )

    def body(lines):
        text = "\n".join(lines)
        return text[text.index("{% macro") :]

    expected = [
        line
        for line in body(theirs).splitlines()
        if "fontawesome.js" not in line and "custom icons" not in line
    ]
    assert body(ours).splitlines() == expected
