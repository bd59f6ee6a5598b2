"""Sphinx glue for Learnable Bases.

* :func:`stepper_scraper` — a sphinx-gallery image scraper that finds the
  :class:`learnable_bases.stepper.Stepper` objects a gallery block created, writes
  each frame as a PNG file and the widget as an HTML fragment (and its last frame
  as a PNG thumbnail) next to the example's images, and embeds the fragment in
  the example page. Chapters show the same widget with ``{raw} html`` and
  ``:file:`` pointing at that fragment. The fragment names its frames
  ``@@LB_ROOT@@_images/lb-frames/<file>``; :func:`copy_stepper_frames` copies the
  frames there once and :func:`finish_page_body` turns the placeholder into
  the page's relative path to the site root, so the gallery page and the chapter
  load (and cache) the same files.
* :func:`matplotlib_scraper` — sphinx-gallery's matplotlib scraper, then each
  PNG re-encoded with a 256-colour palette (a third of the bytes, same colours).
* :func:`start_katex_server` — KaTeX's prerender server, connected with retries
  (sphinxcontrib-katex connects once, as soon as the socket file appears, and
  is refused now and then on a loaded machine).
* :func:`invalidate_on_library_change` — sphinx-gallery re-runs an example only
  when the script changes and myst-nb's cache keys on the notebook, so a change
  in ``src/learnable_bases`` alone would leave stale figures and numbers. When
  the library's source hash, torch's version or its vector kernels
  (:func:`learnable_bases.cache.numerics`) differ from the last build's, the generated
  gallery, the API stubs, the execution cache, the doctrees and the result
  cache (:mod:`learnable_bases.cache`) are removed before reading. The API
  stubs are generated only when they are missing or older than the library,
  the API index or the autosummary templates.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import sphinxcontrib.katex
from sphinx_gallery.scrapers import matplotlib_scraper as _sg_matplotlib_scraper

from learnable_bases.cache import CACHE_ENV, library_hash, numerics


def invalidate_on_library_change(app, config) -> None:
    """Config-inited handler: drop generated outputs built from an older library."""
    srcdir = Path(app.srcdir)
    doctrees = Path(app.doctreedir)
    stamp = Path(config.nb_execution_cache_path).parent / "library-hash.txt"
    current = f"{library_hash()} | {numerics()}"
    if stamp.exists() and stamp.read_text() == current:
        return
    if stamp.exists():
        stale = [
            srcdir / config.sphinx_gallery_conf["gallery_dirs"][0],
            doctrees,
            Path(config.nb_execution_cache_path),
            # autosummary stubs of functions the library may no longer have
            srcdir / "api" / "generated",
        ]
        if os.environ.get(CACHE_ENV):  # its keys already exclude old results
            stale.append(Path(os.environ[CACHE_ENV]))
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)


def skip_current_stubs(app, config) -> None:
    """Config-inited handler: no autosummary run when the API stubs are current.

    The stubs depend on the library, the API index and the templates only;
    generating them again on every build (which imports torch) was most of a
    no-op rebuild.
    """
    from sphinx.ext.autosummary import process_generate_options

    stubs = Path(app.srcdir) / "api" / "generated" / STUBS_STAMP
    if not (stubs.exists() and stubs.read_text() == stubs_key(Path(app.srcdir))):
        return
    # Unhook the generator rather than set autosummary_generate = False: that
    # option is an "env" setting, and changing it would make Sphinx re-read all.
    for listener in list(app.events.listeners.get("builder-inited", [])):
        if listener.handler is process_generate_options:
            app.disconnect(listener.id)


#: Written into the API stubs' folder after a build that generated them.
STUBS_STAMP = ".lb-stubs-key"


def stubs_key(srcdir: Path) -> str:
    """What autosummary's stubs are made from: the library, index and templates."""
    inputs = [srcdir / "api" / "index.rst"]
    inputs += sorted((srcdir / "_templates" / "autosummary").glob("*"))
    return library_hash() + "".join(p.read_text("utf-8") for p in inputs)


def stamp_stubs(app, exception) -> None:
    """Build-finished handler: the stubs now match the library (see above)."""
    folder = Path(app.srcdir) / "api" / "generated"
    if exception is None and folder.is_dir():
        (folder / STUBS_STAMP).write_text(stubs_key(Path(app.srcdir)))


def stepper_scraper(block, block_vars, gallery_conf) -> str:
    """Embed every new :class:`~learnable_bases.stepper.Stepper` in the example."""
    from learnable_bases.stepper import Stepper

    seen = block_vars.setdefault("lb_seen_steppers", set())
    rst = []
    for value in list(block_vars["example_globals"].values()):
        if not isinstance(value, Stepper) or id(value) in seen:
            continue
        seen.add(id(value))
        png = Path(next(block_vars["image_path_iterator"]))
        png.write_bytes(value.frames[-1])  # thumbnail candidate
        urls = []
        for k, frame in enumerate(value.frames):
            name = f"{png.stem}_frame{k:02d}.png"
            (png.parent / name).write_bytes(frame)
            urls.append(f"{ROOT_TOKEN}{FRAMES_DIR}/{name}")
        fragment = png.with_suffix(".html")
        fragment.write_text(value.to_html(frame_urls=urls), encoding="utf-8")
        rst.append(f"\n.. raw:: html\n   :file: images/{fragment.name}\n")
    return "".join(rst)


def figure_alt_texts(block_vars) -> list[str]:
    """The alt text of every open figure, in the order the scraper saves them.

    Raises
    ------
    ValueError
        If a figure has none: every figure must be described in its script
        with :func:`learnable_bases.plotting.set_alt_text`.
    """
    import matplotlib.pyplot as plt

    from learnable_bases.plotting import ALT_TEXT_ATTR

    alts = []
    for num in plt.get_fignums():
        alt = getattr(plt.figure(num), ALT_TEXT_ATTR, None)
        if not alt:
            plt.close("all")
            raise ValueError(
                f"figure {num} of {Path(block_vars['src_file']).name} has no alt "
                "text; describe it with lb.plotting.set_alt_text(fig, '...')"
            )
        alts.append(alt)
    return alts


#: File-name ending of sphinx-gallery's 2x copy of a figure (``image_srcset``).
HIDPI_SUFFIX = "_2_00x.png"
#: Placeholder for the page's relative path to the site root, in stepper fragments.
ROOT_TOKEN = "@@LB_ROOT@@"
#: Where stepper frames are served from, relative to the site root.
FRAMES_DIR = "_images/lb-frames"


def copy_stepper_frames(app, exception) -> None:
    """Build-finished handler: copy new or changed stepper frames into the site."""
    if exception is not None or app.builder.format != "html":
        return
    gallery = Path(app.srcdir) / app.config.sphinx_gallery_conf["gallery_dirs"][0]
    target = Path(app.outdir) / FRAMES_DIR
    target.mkdir(parents=True, exist_ok=True)
    for frame in gallery.glob("*/images/*_frame[0-9][0-9].png"):
        out = target / frame.name
        if not out.exists() or out.read_bytes() != frame.read_bytes():
            shutil.copyfile(frame, out)


def finish_page_body(app, pagename, templatename, context, doctree) -> None:
    """html-page-context handler: stepper frame URLs and lazy figures.

    Points stepper frame URLs at the site root, and lets the browser load every
    figure image (``<img>`` without a ``loading`` attribute) only as the reader
    scrolls near it, so a page's first visit fetches the figures on screen.
    """
    body = context.get("body", "")
    body = body.replace(ROOT_TOKEN, "../" * pagename.count("/"))
    context["body"] = re.sub(r"<img (?![^>]*\bloading=)", '<img loading="lazy" ', body)


def matplotlib_scraper(block, block_vars, gallery_conf, **kwargs) -> str:
    """sphinx-gallery's matplotlib scraper, writing palette PNGs.

    Each image's ``alt`` is the text the script set on its figure with
    :func:`learnable_bases.plotting.set_alt_text` (sphinx-gallery's own default
    is the file name or the axes titles, TeX included); a figure without one
    fails the example.

    With ``image_srcset = ["2x"]`` sphinx-gallery saves each figure twice, at
    100 and 200 pixels per inch (``<name>_2_00x.png``), and offers both to the
    browser; the chapters show the 2x file. Both are palette-encoded.
    """
    from learnable_bases.stepper import palette_png

    alts = iter(figure_alt_texts(block_vars))
    paths = block_vars["image_path_iterator"].paths
    before = len(paths)
    rst = _sg_matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
    for path in map(Path, paths[before:]):
        for png in (path, path.with_name(f"{path.stem}{HIDPI_SUFFIX}")):
            if png.suffix == ".png" and png.exists():
                png.write_bytes(palette_png(png.read_bytes()))
    return re.sub(
        r"^(\s*):alt: .*$", lambda m: f"{m[1]}:alt: {next(alts)}", rst, flags=re.M
    )


def start_katex_server(cls, rundir: Path, timeout: float):
    """Start KaTeX's render server and connect, retrying while it comes up."""
    socket_path = Path(rundir) / "katex.sock"
    cmd = cls.build_command(socket=socket_path)
    process = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=rundir
    )
    deadline = time.monotonic() + max(timeout, 30.0)
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(socket_path))
            return process, sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise cls.timeout_error(timeout) from None
            time.sleep(0.02)


sphinxcontrib.katex.KaTeXServer.start_server_process = classmethod(start_katex_server)


def reset_torch(gallery_conf, fname) -> None:
    """Give every example the same start: one torch thread, fixed global seed."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)


def setup(app):
    app.connect("config-inited", invalidate_on_library_change)
    app.connect("config-inited", skip_current_stubs, priority=600)
    app.connect("html-page-context", finish_page_body)
    app.connect("build-finished", copy_stepper_frames)
    app.connect("build-finished", stamp_stubs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
