"""The built site: no warnings, every script made its figures, no outside assets."""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import (
    GALLERY,
    ROOT,
    WARNINGS,
    gallery_page,
    gallery_scripts,
    site_pages,
)

pytestmark = pytest.mark.site
sys.path.insert(0, str(ROOT / "docs" / "_ext"))  # lb_site: the overrides' targets

# Attributes that make the browser fetch something (links to other sites are fine,
# and so is the canonical address the site declares for itself).
FETCHING = re.compile(
    r"<(?:script|img|link(?![^>]*\brel=\"canonical\")|iframe|source|video|audio)"
    r"\b[^>]*?\b(?:src|href)="
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


#: How Python prints a warning: ``path.py:52: DeprecationWarning: ...``.
PRINTED_WARNING = re.compile(r"\.py:\d+: \w*Warning: [^<\n]*")


def test_no_page_shows_a_python_warning(site):
    """A warning a gallery script or a chapter cell printed would reach the
    reader as output; the code must not raise one."""
    shown = {}
    for page in site_pages():
        found = PRINTED_WARNING.findall((site / page).read_text(encoding="utf-8"))
        if found:
            shown[page] = sorted(set(found))
    assert shown == {}


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


def test_build_record_names_torch_and_its_vector_kernels(site):
    import torch

    html = (site / "reproducibility.html").read_text("utf-8")
    kernels = torch.backends.cpu.get_cpu_capability()
    assert f"Numerics: torch {torch.__version__}, {kernels} kernels." in html


def test_api_reference_lists_examples_using_a_function(site):
    html = (
        site / "api" / "generated" / "learnable_bases.activations.gelu.html"
    ).read_text("utf-8")
    assert "plot_02_activations" in html


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


# --- every image on every page has alt text that says what it shows --------------


class _Images(HTMLParser):
    """Each ``<img>``'s attributes, with whether it sits in a gallery thumbnail."""

    def __init__(self):
        super().__init__()
        self.images: list[tuple[dict, bool]] = []
        self._stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append((attrs, any(self._stack)))
        elif tag == "div":
            self._stack.append("sphx-glr-thumbcontainer" in (attrs.get("class") or ""))

    def handle_endtag(self, tag):
        if tag == "div" and self._stack:
            self._stack.pop()


def alt_problem(attrs: dict, in_thumbnail: bool) -> str | None:
    """Why an image's alt text fails, or None when it is fine.

    Decorative images (a thumbnail whose link carries the title, or one marked
    ``role="presentation"`` / ``aria-hidden``) must have ``alt=""``; every other
    image needs a description: not missing, not empty, not a file name, no TeX,
    more than a title (four words or more).
    """
    alt = attrs.get("alt")
    if alt is None:
        return "no alt"
    decorative = in_thumbnail or attrs.get("role") == "presentation"
    decorative = decorative or attrs.get("aria-hidden") == "true"
    if decorative:
        return None if alt == "" else f"decorative image with alt {alt!r}"
    if not alt.strip():
        return "empty alt"
    lowered = alt.lower()
    stems = {s.stem.replace("_", " ") for s in gallery_scripts()}
    if (
        re.search(r"\.(png|jpe?g|svg|gif|webp)\b", lowered)
        or "sphx" in lowered
        or lowered.startswith("plot ")
        or lowered in stems
    ):
        return f"file-name-like alt {alt!r}"
    if "$" in alt or "\\" in alt:
        return f"TeX in alt {alt!r}"
    if len(alt.split()) < 4:
        return f"alt too short to describe the figure: {alt!r}"
    return None


@pytest.mark.parametrize(
    ("attrs", "thumb", "ok"),
    [
        ({"alt": "plot sgd noise"}, False, False),
        ({"alt": "40 steps, $\\eta = 0.05$"}, False, False),
        ({}, False, False),
        ({"alt": ""}, False, False),
        ({"alt": "sphx_glr_plot_07_width_001.png"}, False, False),
        ({"alt": "A"}, False, False),
        ({"alt": ""}, True, True),
        ({"alt": "Two panels of activation curves and their derivatives"}, False, True),
    ],
)
def test_alt_rules_catch_what_they_should(attrs, thumb, ok):
    assert (alt_problem(attrs, thumb) is None) == ok


def test_every_image_on_the_site_has_a_real_alt(site):
    problems, n_images = {}, 0
    for page in site_pages():
        parser = _Images()
        parser.feed((site / page).read_text("utf-8"))
        n_images += len(parser.images)
        for attrs, thumb in parser.images:
            if reason := alt_problem(attrs, thumb):
                problems.setdefault(page, []).append(
                    f"{attrs.get('src', '')[:60]}: {reason}"
                )
    print(f"{n_images} images checked")
    assert n_images > 0
    assert problems == {}


# --- accessibility overrides of the theme and sphinx-gallery (track upgrades) ------


def test_every_disclosure_toggle_has_a_name(site):
    """The theme's side-bar ``<summary>`` toggles hold only an icon; the build
    names them (docs/_ext/lb_site.py). Fails if a theme upgrade changes the
    markup so that the naming no longer applies."""
    unnamed = {}
    for page in site_pages():
        html = (site / page).read_text("utf-8")
        for summary in re.findall(r"<summary\b[^>]*>.*?</summary>", html, flags=re.S):
            opening = summary[: summary.index(">") + 1]
            text = re.sub(r"<[^>]+>", "", summary).strip()
            if not text and "aria-label=" not in opening:
                unnamed.setdefault(page, 0)
                unnamed[page] += 1
    assert unnamed == {}


def test_search_button_override_matches_installed_theme():
    """docs/_templates/search-button-field.html is the theme's component file
    without the button's aria-label, so its name comes from its visible text
    ("Search Ctrl+K"; the label "Search" alone failed axe's
    label-content-name-mismatch); if the theme changes, refresh it."""
    import pydata_sphinx_theme

    name = "search-button-field.html"
    theme = Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme"
    theirs = (theme / "components" / name).read_text()
    ours = (ROOT / "docs/_templates" / name).read_text()
    label = " aria-label=\"{{ _('Search') }}\""
    assert theirs.count(label) == 1
    assert ours == theirs.replace(label, "")


def test_thumbnail_title_override_targets_sphinx_gallery_rule():
    """sphinx-gallery hides each thumbnail link's title with ``display: none``
    (an unnamed link); docs/_static/lb-a11y.css overrides that exact selector."""
    import sphinx_gallery

    selector = ".sphx-glr-thumbcontainer p a span"
    css = (Path(sphinx_gallery.__file__).parent / "_static/sg_gallery.css").read_text()
    rule = css[css.index(selector + " {") :]
    assert "display: none" in rule[: rule.index("}")]
    ours = (ROOT / "docs/_static/lb-a11y.css").read_text()
    assert selector + " {" in ours and "display: inline" in ours


def test_hidden_cell_toggle_override_targets_myst_nb():
    """myst-nb labels a hidden cell's toggle "Toggle hidden content" while it
    shows "Show code cell source"; the build drops the label (lb_site.py). If
    myst-nb changes that markup, the override must follow."""
    import inspect

    import lb_site
    import myst_nb.sphinx_

    assert lb_site.HIDDEN_CELL_TOGGLE in inspect.getsource(myst_nb.sphinx_)


def test_no_page_keeps_the_hidden_cell_label(site):
    import lb_site

    assert not [
        p for p in site_pages() if lb_site.HIDDEN_CELL_TOGGLE in (site / p).read_text()
    ]


def test_every_stepper_in_a_chapter_has_a_caption(site):
    """A stepper's caption sits right under it, styled as a figure's caption."""
    for page in sorted((site / "chapters").glob("*.html")):
        html = page.read_text("utf-8")
        for start in (m.start() for m in re.finditer('<div class="lb-stepper"', html)):
            # the stepper's own markup ends with its script; the caption follows
            after = html[html.index("</script>", start) :]
            following = re.search(r"<(p|div|section)\b[^>]*>", after)
            assert following and "lb-caption" in following.group(0), (
                f"{page.name}: a stepper without an lb-caption right after it"
            )


# ------------------------------- exercises, stepper frames, figure resolution
@pytest.mark.parametrize(
    "page", ["01_learnable_bases.html", "02_training.html", "03_going_deep.html"]
)
def test_each_chapter_ends_with_executed_hidden_exercises(site, page):
    html = (site / "chapters" / page).read_text("utf-8")
    section = html[html.index('id="exercises"') :]
    solutions = re.findall(r'<div class="cell tag_hide-cell[^"]*"', section)
    assert 3 <= len(solutions) <= 5
    # hidden behind a toggle, and executed: every solution printed its answer
    assert section.count("<details") >= len(solutions)
    assert section.count('class="cell_output') >= len(solutions)


def test_stepper_frames_are_shared_files_not_inline_copies(site):
    chapter = (site / "chapters/01_learnable_bases.html").read_text("utf-8")
    gallery = (
        site / "auto_gallery/01_learnable_bases/plot_01_random_neurons.html"
    ).read_text("utf-8")
    for page, prefix in ((chapter, "../"), (gallery, "../../")):
        assert "data:image/png;base64" not in page and "@@LB_ROOT@@" not in page
        frames = re.findall(r'src="([^"]*lb-frames/[^"]+)"', page)
        assert frames and all(
            f.startswith(prefix + "_images/lb-frames/") for f in frames
        )
    names = lambda page: re.findall(r'lb-frames/([^"]+)"', page)  # noqa: E731
    assert set(names(chapter)) >= set(names(gallery))  # the same files, once
    for name in names(chapter):
        assert (site / "_images" / "lb-frames" / name).exists(), name


def test_figures_are_drawn_at_twice_their_display_resolution(site):
    from PIL import Image

    html = (site / "chapters/01_learnable_bases.html").read_text("utf-8")
    static = re.findall(r'<img [^>]*src="([^"]+_2_00x\.png)"', html)
    assert len(static) >= 3
    frames = re.findall(r"<img [^>]*lb-stepper-frame[^>]*>", html)
    for tag in frames:
        src = re.search(r'src="\.\./([^"]+)"', tag).group(1)
        shown = int(re.search(r'width="(\d+)"', tag).group(1))
        assert Image.open(site / src).width == 2 * shown
