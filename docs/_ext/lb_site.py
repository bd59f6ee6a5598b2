"""The site as readers meet it: accessible navigation, the wheel, a build record.

* :func:`name_toctree_toggles` — the theme's side-bar toggles are ``<summary>``
  elements holding only a chevron icon, so a screen reader announces nothing;
  each gets an ``aria-label`` naming the section it opens.
* :func:`start_wheel` — the library is built as a wheel during every
  build and offered on the site (``_downloads/wheel/``), so a downloaded script
  or notebook can be run with ``pip install`` and nothing else. The ``lb-wheel``
  role links to it from any page.
* :func:`add_install_note` — every downloaded notebook's first cell and every
  downloaded script's docstring say how to install the library.
* ``.. lb-build-record::`` — the reproducibility page: versions, the commit, the
  seed policy, and each gallery script's and chapter's execution time. It is the
  one page allowed to differ between two builds of the same commit (timings),
  so it is rebuilt every time and kept out of the search index.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import platform
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from docutils import nodes
from docutils.parsers.rst import Directive

ROOT = Path(__file__).resolve().parents[2]
WHEEL_DIR = "_downloads/wheel"
#: Files besides the library's source that go into the wheel (its metadata).
WHEEL_INPUTS = ("pyproject.toml", "README.md", "LICENSE")
#: Name of the reproducibility page (the repro check skips it by this name).
RECORD_PAGE = "reproducibility"
INSTALL_NOTE = (
    "Needs the ``learnable_bases`` library: download its wheel from the book's\n"
    "landing page and run ``pip install learnable_bases-*.whl``."
)
VERSIONS = (
    "torch",
    "numpy",
    "matplotlib",
    "sphinx",
    "sphinx-gallery",
    "myst-nb",
    "learnable-bases",
)
SEED_POLICY = (
    "Every gallery script and chapter seeds each random draw explicitly (a "
    "``seed`` argument or a ``torch.Generator``); before each gallery script "
    "the build also sets torch's global seed to 0 and torch, OpenMP and MKL to "
    "one thread, so two builds of the same commit give byte-identical figures "
    "and numbers."
)


# --- accessible side-bar toggles ------------------------------------------------


def label_toggles(tree) -> None:
    """Give every text-less ``<summary>`` of a BeautifulSoup tree an aria-label."""
    for summary in tree.select("summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        item = summary.find_parent("li")
        link = item.find("a", recursive=False) if item else None
        title = link.get_text(" ", strip=True) if link else "this section"
        summary["aria-label"] = f"Show or hide the pages under {title}"


def name_toctree_toggles(app, pagename, templatename, context, doctree) -> None:
    """Html-page-context handler wrapping the theme's side-bar generator."""
    generate = context.get("generate_toctree_html")
    if generate is None or getattr(generate, "lb_labelled", False):
        return

    def labelled(*args, **kwargs):
        tree = generate(*args, **kwargs)
        if hasattr(tree, "select"):
            label_toggles(tree)
        return tree

    labelled.lb_labelled = True
    context["generate_toctree_html"] = labelled


# --- myst-nb's hidden cells ---------------------------------------------------------

#: myst-nb's toggle for a hidden cell: an aria-label that differs from its visible
#: text ("Show code cell source"), which fails label-content-name-mismatch.
HIDDEN_CELL_TOGGLE = '<summary aria-label="Toggle hidden content">'


def name_hidden_cell_toggles(app, pagename, templatename, context, doctree) -> None:
    """Html-page-context handler: hidden-cell toggles are named by their text."""
    if HIDDEN_CELL_TOGGLE in context.get("body", ""):
        context["body"] = context["body"].replace(HIDDEN_CELL_TOGGLE, "<summary>")


# --- page descriptions for link previews --------------------------------------------

SITE_DESCRIPTION = (
    "Deep neural networks as learnable basis functions: an executed textbook "
    "whose every figure is a script you can download and run."
)


def page_description(doctree) -> str:
    """The page's first paragraph as plain text, cut to about 160 characters."""
    if doctree is not None:
        for para in doctree.findall(nodes.paragraph):
            text = " ".join(para.astext().split())
            if len(text.split()) >= 6 and "$" not in text and "\\" not in text:
                return (
                    text if len(text) <= 160 else text[:157].rsplit(" ", 1)[0] + "..."
                )
    return SITE_DESCRIPTION


def add_description(app, pagename, templatename, context, doctree) -> None:
    """Html-page-context handler: a ``<meta name="description">`` on every page."""
    from html import escape

    meta = f'<meta name="description" content="{escape(page_description(doctree))}" />'
    context["metatags"] = context.get("metatags", "") + meta + "\n"


# --- the library as a wheel -----------------------------------------------------


def wheel_key() -> str:
    """What the wheel is built from: the library's source, its metadata files."""
    from learnable_bases.cache import library_hash

    meta = "".join((ROOT / name).read_text("utf-8") for name in WHEEL_INPUTS)
    return library_hash() + meta


def wheel_name() -> str:
    """File name of the library's wheel (pure Python, so ``py3-none-any``)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    name = project["name"].replace("-", "_")
    return f"{name}-{project['version']}-py3-none-any.whl"


def start_wheel(app, env) -> None:
    """Env-updated handler: build the wheel while the pages are written.

    Writing runs in one process, so ``pip wheel`` (about 2 s) takes the idle
    core. Skipped when the wheel of the same sources is already there.
    """
    out = Path(app.outdir) / WHEEL_DIR
    stamp = Path(app.doctreedir) / "lb-wheel-key.txt"
    app.lb_wheel_build = None
    key = wheel_key()
    if (out / wheel_name()).exists() and stamp.exists() and stamp.read_text() == key:
        return
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.whl"):
        old.unlink()
    stamp.unlink(missing_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(out), str(ROOT)],
    )  # fmt: skip
    app.lb_wheel_build = (process, stamp, key)


def finish_wheel(app, exception) -> None:
    """Build-finished handler: wait for the wheel; fail if it was not made."""
    build = getattr(app, "lb_wheel_build", None)
    if build is None:
        return
    process, stamp, key = build
    if (
        process.wait() != 0
        or not (Path(app.outdir) / WHEEL_DIR / wheel_name()).exists()
    ):
        raise RuntimeError(
            f"building the library wheel {wheel_name()} failed (pip wheel exited "
            f"with {process.returncode}); see its output above"
        )
    stamp.write_text(key)


def wheel_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{lb-wheel}`wheel```: a link to the library wheel, showing its file name."""
    env = inliner.document.settings.env
    depth = env.docname.count("/")
    wheel = wheel_name()
    uri = "../" * depth + f"{WHEEL_DIR}/{wheel}"
    label = wheel if text in ("", "wheel") else text
    return [nodes.reference(rawtext, label, refuri=uri, classes=["lb-wheel"])], []


# --- install notes in the downloads -------------------------------------------------


def add_install_note(app, exception) -> None:
    """Build-finished handler: say how to install in every script and notebook."""
    if exception is not None or app.builder.format != "html":
        return
    downloads = Path(app.outdir) / "_downloads"
    for script in downloads.rglob("plot_*.py"):
        script.write_text(script_with_note(script.read_text("utf-8")), "utf-8")
    for archive in downloads.rglob("*.zip"):
        rewrite_zip(archive)


def script_with_note(source: str) -> str:
    """The script with :data:`INSTALL_NOTE` as the last paragraph of its docstring."""
    if INSTALL_NOTE in source:
        return source
    docstring = ast.parse(source).body[0]
    lines = source.splitlines(keepends=True)
    closing = lines[docstring.end_lineno - 1]
    cut = closing.rstrip().rfind(closing.rstrip()[-3:])  # the closing quotes
    text = closing[:cut].rstrip()
    lines[docstring.end_lineno - 1] = (
        (f"{text}\n" if text else "") + f"\n{INSTALL_NOTE}\n" + closing[cut:]
    )
    return "".join(lines)


#: Timestamp of every member of a downloadable zip: the zip's bytes then depend on
#: its contents only, not on when the build copied the files (identical rebuilds).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def rewrite_zip(archive: Path) -> None:
    """Put the install note into a downloadable zip's scripts; fix its timestamps."""
    with zipfile.ZipFile(archive) as zf:
        members = sorted((info.filename, zf.read(info)) for info in zf.infolist())
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if name.endswith(".py"):
                data = script_with_note(data.decode("utf-8")).encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)


def first_notebook_cell() -> str:
    """Source of the first code cell of every downloaded notebook."""
    return (
        "# " + INSTALL_NOTE.replace("``", "`").replace("\n", "\n# ") + "\n"
        "# In Jupyter: %pip install learnable_bases-*.whl\n"
        "%matplotlib inline"
    )


# --- the reproducibility page -------------------------------------------------------


class build_record(nodes.General, nodes.Element):
    """Placeholder filled once every page has been read (and executed)."""


class BuildRecordDirective(Directive):
    def run(self):
        return [build_record()]


def git_commit() -> str:
    """The commit the site is built from, or ``"uncommitted"`` for a dirty tree."""
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return "uncommitted" if status.strip() else head


def versions() -> list[tuple[str, str]]:
    """``(package, version)`` for Python and every package that shapes the output."""
    rows = [("Python", platform.python_version())]
    for name in VERSIONS:
        try:
            rows.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows


def gallery_times(srcdir: Path, gallery_dir: str) -> list[tuple[str, float]]:
    """``(script, seconds)`` of each gallery script's last run (sphinx-gallery's)."""
    rows = []
    for cost in sorted((srcdir / gallery_dir).rglob("*.cost.json")):
        script = cost.relative_to(srcdir / gallery_dir).as_posix()
        script = script.removesuffix(".cost.json") + ".py"
        rows.append((script, float(json.loads(cost.read_text())["time"])))
    return rows


def chapter_times(env) -> list[tuple[str, float]]:
    """``(chapter, seconds)`` of each executed chapter (myst-nb's record)."""
    from myst_nb.sphinx_ import NbMetadataCollector

    rows = []
    for docname, data in sorted(NbMetadataCollector.get_doc_data(env).items()):
        runtime = (data.get("exec_data") or {}).get("runtime")
        if runtime is not None:
            rows.append((docname, float(runtime)))
    return rows


def _table(header: tuple[str, str], rows: list[tuple[str, str]]) -> nodes.table:
    table = nodes.table()
    group = nodes.tgroup(cols=2)
    table += group
    group += nodes.colspec(colwidth=3)
    group += nodes.colspec(colwidth=1)
    head, body = nodes.thead(), nodes.tbody()
    for cells, part in (([header], head), (rows, body)):
        for cell_texts in cells:
            row = nodes.row()
            for text in cell_texts:
                row += nodes.entry("", nodes.paragraph(text=text))
            part += row
    group += head
    group += body
    return table


def numerics_note() -> str:
    """The build record's sentence on torch's version and vector kernels."""
    from learnable_bases.cache import numerics

    return (
        f"Numerics: {numerics()}. torch picks its CPU vector kernels per machine "
        "and their rounding differs, so a single training run can end differently "
        "on another CPU; the book quotes such results as medians and ranges over "
        "seeds, and its claims are tested on every kernel path (nox -s kernels)."
    )


def fill_build_record(app, doctree, docname) -> None:
    """Doctree-resolved handler: replace the placeholder with the record."""
    for node in doctree.findall(build_record):
        gallery_dir = app.config.sphinx_gallery_conf["gallery_dirs"][0]
        scripts = gallery_times(Path(app.srcdir), gallery_dir)
        chapters = chapter_times(app.env)
        commit = git_commit()
        content = [
            nodes.paragraph(text=f"Built from commit: {commit}."),
            _table(("package", "version"), versions()),
            nodes.paragraph(text=numerics_note()),
            nodes.paragraph(text="Seed policy. " + SEED_POLICY.replace("``", "")),
            nodes.paragraph(
                text=f"Execution time of each gallery script ({len(scripts)} "
                "scripts; the last run of each, in seconds):"
            ),
            _table(("script", "seconds"), [(s, f"{t:.1f}") for s, t in scripts]),
            nodes.paragraph(
                text=f"Execution time of each chapter ({len(chapters)} executed "
                "pages; the run that filled the cache, in seconds):"
            ),
            _table(("chapter", "seconds"), [(c, f"{t:.1f}") for c, t in chapters]),
        ]
        node.replace_self(content)


def always_rebuild_record(app, env, added, changed, removed) -> list[str]:
    """Env-get-outdated handler: the record page is written on every build."""
    return [RECORD_PAGE] if RECORD_PAGE in env.found_docs else []


#: Pages the sitemap leaves out: Sphinx's own generated pages, not content.
SITEMAP_EXCLUDES = ("search", "genindex", "404")


def sitemap_xml(base_url: str, pages: list[str]) -> str:
    """A sitemap of ``pages`` (paths relative to the site) under ``base_url``."""
    urls = "".join(f"<url><loc>{escape(base_url + page)}</loc></url>" for page in pages)
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    )


def write_sitemap(app, exception) -> None:
    """Write ``sitemap.xml`` listing every page of the site.

    Written from the environment, which knows every document, and not from the
    pages this build happened to write (sphinx-sitemap's way, which leaves an
    incremental build with a sitemap of only the pages that changed).
    """
    if exception is not None or app.builder.format != "html":
        return
    base = app.config.html_baseurl.rstrip("/") + "/"
    pages = [
        app.builder.get_target_uri(doc)
        for doc in sorted(app.env.found_docs)
        if doc not in SITEMAP_EXCLUDES
    ]
    out = Path(app.outdir) / "sitemap.xml"
    out.write_text(sitemap_xml(base, pages), encoding="utf-8")


def setup(app):
    app.connect("build-finished", write_sitemap)
    app.connect("html-page-context", name_toctree_toggles, priority=900)
    app.connect("html-page-context", add_description)
    app.connect("html-page-context", name_hidden_cell_toggles)
    app.connect("env-updated", start_wheel)
    app.connect("build-finished", finish_wheel)
    app.connect("build-finished", add_install_note)
    app.connect("doctree-resolved", fill_build_record)
    app.connect("env-get-outdated", always_rebuild_record)
    app.add_role("lb-wheel", wheel_role)
    app.add_node(build_record)
    app.add_directive("lb-build-record", BuildRecordDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
