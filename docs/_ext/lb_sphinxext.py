"""Sphinx glue for Learnable Bases.

* :func:`stepper_scraper` — a sphinx-gallery image scraper that finds the
  :class:`learnable_bases.stepper.Stepper` objects a gallery block created, writes
  each as an HTML fragment (and its last frame as a PNG thumbnail) next to the
  example's images, and embeds the fragment in the example page. Chapters show
  the same widget with ``{raw} html`` and ``:file:`` pointing at that fragment.
* :func:`invalidate_on_library_change` — sphinx-gallery re-runs an example only
  when the script changes and myst-nb's cache keys on the notebook, so a change
  in ``src/learnable_bases`` alone would leave stale figures and numbers. When
  the library's source hash differs from the last build's, the generated
  gallery, the execution cache and the doctrees are removed before reading.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import learnable_bases

LIBRARY = Path(learnable_bases.__file__).parent


def library_hash() -> str:
    """Hash of every source file of the installed ``learnable_bases`` package."""
    h = hashlib.sha256()
    for path in sorted(LIBRARY.rglob("*.py")):
        h.update(path.relative_to(LIBRARY).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def invalidate_on_library_change(app, config) -> None:
    """Config-inited handler: drop generated outputs built from an older library."""
    srcdir = Path(app.srcdir)
    doctrees = Path(app.doctreedir)
    stamp = Path(config.nb_execution_cache_path).parent / "library-hash.txt"
    current = library_hash()
    if stamp.exists() and stamp.read_text() == current:
        return
    if stamp.exists():
        for path in (
            srcdir / config.sphinx_gallery_conf["gallery_dirs"][0],
            doctrees,
            Path(config.nb_execution_cache_path),
        ):
            shutil.rmtree(path, ignore_errors=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)


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
        fragment = png.with_suffix(".html")
        fragment.write_text(value.to_html(), encoding="utf-8")
        rst.append(f"\n.. raw:: html\n   :file: images/{fragment.name}\n")
    return "".join(rst)


def reset_torch(gallery_conf, fname) -> None:
    """Give every example the same start: one torch thread, fixed global seed."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)


def setup(app):
    app.connect("config-inited", invalidate_on_library_change)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
