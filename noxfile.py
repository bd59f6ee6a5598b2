"""Entry points: ``nox -s docs``, ``tests``, ``lint``, ``serve`` and ``bench``.

Environments are reused between runs; the project is (re)installed only when
``pyproject.toml`` or the torch pin changes, so repeat runs start in seconds.
Force a clean site build with ``nox -s docs -- clean``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import nox

nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "docs", "tests"]

ROOT = Path(__file__).parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
HTML = BUILD / "html"
# A CPU build of torch; plain "torch" would resolve to a multi-GB CUDA build.
TORCH = os.environ.get("LB_TORCH_SPEC", "torch==2.13.0")
# Two cores: one BLAS/torch thread per process avoids oversubscription.
THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "LB_NO_PROGRESS": "1"}


def _install(session: nox.Session, extras: str) -> None:
    """Install the project with ``extras`` and the torch pin, once per change."""
    key = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + f"{extras}|{TORCH}".encode()
    ).hexdigest()
    stamp = Path(session.virtualenv.location) / ".lb-installed"
    if stamp.exists() and stamp.read_text() == key:
        session.log("environment up to date; skipping install")
        return
    session.install("-e", f".[{extras}]", TORCH)
    stamp.write_text(key)


def _build_site(session: nox.Session, *, clean: bool) -> None:
    if clean:
        for path in (BUILD, DOCS / "auto_gallery", DOCS / "api" / "generated"):
            shutil.rmtree(path, ignore_errors=True)
    BUILD.mkdir(parents=True, exist_ok=True)
    session.run(
        "sphinx-build",
        "-b", "html",
        "-W", "--keep-going",
        "-w", str(BUILD / "warnings.txt"),
        str(DOCS), str(HTML),
        env=THREADS,
    )  # fmt: skip


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Build the site into docs/_build/html (warnings are errors).

    ``nox -s docs -- clean`` deletes the build, the generated gallery and the
    execution cache first.
    """
    _install(session, "docs")
    _build_site(session, clean="clean" in session.posargs)
    session.log(f"site: {HTML / 'index.html'}")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Build the site (incrementally) and run the whole test suite against it.

    Extra arguments go to pytest, e.g. ``nox -s tests -- -k activations``.
    """
    _install(session, "docs,test")
    _build_site(session, clean=False)
    session.run("pytest", *session.posargs, env=THREADS)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def serve(session: nox.Session) -> None:
    """Live-reloading preview on http://127.0.0.1:8000 (sphinx-autobuild)."""
    _install(session, "docs,dev")
    session.run(
        "sphinx-autobuild", str(DOCS), str(HTML),
        "--host", "127.0.0.1", "--port", "8000",
        "--watch", str(ROOT / "src"), "--watch", str(ROOT / "gallery"),
        "--ignore", str(DOCS / "auto_gallery"),
        "--ignore", str(DOCS / "api" / "generated"),
        env=THREADS,
    )  # fmt: skip


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Speed benchmarks: print a table, write a JSON report to benchmarks/results/.

    Ratios are measured side by side and alternated (see benchmarks/). Arguments
    go to ``python -m benchmarks``: ``nox -s bench -- --build`` adds the build
    times (four builds on a temporary copy, minutes), ``--out PATH`` sets the
    report's path.
    """
    _install(session, "docs")
    session.run("python", "-m", "benchmarks", *session.posargs, env=THREADS)
