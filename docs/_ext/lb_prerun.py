"""Execute the chapters side by side before Sphinx reads them.

myst-nb's ``cache`` mode runs each chapter notebook when Sphinx reads it, one
after the other: a kernel start and a torch import per chapter, with one core
idle. :func:`execute_chapters_in_parallel` runs on ``env-before-read-docs``: it
reads every chapter about to be parsed exactly as myst-nb does, executes those
the jupyter-cache does not hold yet in :func:`build_jobs` worker processes, and
stores the results in that cache. myst-nb then finds every chapter cached and
only renders it.

Nothing else changes: the cache key is myst-nb's (the code cells and the
kernel), the recorded run time is the chapter's own, and a chapter that fails
here is simply not cached, so myst-nb runs it again while reading and stops the
build with the chapter's name and traceback, as before.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


def build_jobs() -> int:
    """Processes for gallery scripts and chapters: ``LB_BUILD_JOBS``, else ≤ 4 cores."""
    value = os.environ.get("LB_BUILD_JOBS", "")
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"LB_BUILD_JOBS must be a positive integer, got {value!r}")
        return int(value)
    return max(1, min(4, os.cpu_count() or 1))


def _execute(notebook, cwd: str, timeout: int):
    """Worker: run one notebook; ``(notebook, seconds, error text or None)``."""
    from jupyter_cache.executors.utils import single_nb_execution

    result = single_nb_execution(
        notebook, cwd=cwd, timeout=timeout, allow_errors=False, meta_override=True
    )
    error = None if result.err is None else type(result.err).__name__
    return result.nb, result.time, error


def pending_chapters(env, docnames: list[str], cache) -> list[tuple[Path, object]]:
    """``(path, notebook)`` of each chapter to be read that ``cache`` lacks."""
    from myst_nb.core.read import create_nb_reader

    pending = []
    for docname in sorted(docnames):
        path = Path(env.doc2path(docname))
        if path.suffix != ".md":
            continue
        text = path.read_text("utf-8")
        reader = create_nb_reader(str(path), env.myst_config, env.mystnb_config, text)
        if reader is None:
            continue
        notebook = reader.read(text)
        mode = notebook.metadata.get("mystnb", {}).get("execution_mode", "cache")
        if mode != "cache":
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            pending.append((path, notebook))
    return pending


def execute_chapters_in_parallel(app, env, docnames: list[str]) -> None:
    """Env-before-read-docs handler: fill myst-nb's cache with parallel runs."""
    if env.mystnb_config.execution_mode != "cache":
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(env.mystnb_config.execution_cache_path)
    pending = pending_chapters(env, docnames, cache)
    jobs = min(build_jobs(), len(pending))
    if jobs < 2:
        return  # myst-nb runs the one chapter itself
    timeout = env.mystnb_config.execution_timeout
    logger.info(f"executing {len(pending)} chapters in {jobs} processes")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context) as pool:
        futures = [
            (path, pool.submit(_execute, notebook, str(path.parent), timeout))
            for path, notebook in pending
        ]
        for path, future in futures:
            notebook, seconds, error = future.result()
            if error is not None:
                logger.info(f"{path.name}: {error}; myst-nb will run it again")
                continue
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, str(path), data={"execution_seconds": seconds}),
                check_validity=False,
                overwrite=True,
            )
            logger.info(f"{path.name}: executed in {seconds:.2f} seconds")


def setup(app):
    app.connect("env-before-read-docs", execute_chapters_in_parallel)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
