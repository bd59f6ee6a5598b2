"""Entry points: ``nox -s docs``, ``nox -s tests``, ``nox -s lint``, ``nox -s serve``,
``nox -s repro``.

Environments are reused between runs; the project is (re)installed only when
``pyproject.toml`` or the torch pin changes, so repeat runs start in seconds.
Force a clean site build with ``nox -s docs -- clean``.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
import tempfile
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


#: Browsers looked for on PATH, in order (Debian, Ubuntu, Google's builds).
SYSTEM_BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)
PLAYWRIGHT_PATH = (
    "from playwright.sync_api import sync_playwright\n"
    "with sync_playwright() as p: print(p.chromium.executable_path)"
)


def _find_browser(session: nox.Session) -> str:
    """A Chromium for the browser tests: the system's, else Playwright's own.

    Says which one it uses; installs Playwright's Chromium only when the system
    has none, and stops with one clear message when that fails too.
    """
    if os.environ.get("LB_CHROMIUM"):
        session.log(f"browser tests: LB_CHROMIUM={os.environ['LB_CHROMIUM']}")
        return os.environ["LB_CHROMIUM"]
    for name in SYSTEM_BROWSERS:
        if path := shutil.which(name):
            session.log(f"browser tests: using the system browser {path}")
            return path
    path = session.run("python", "-c", PLAYWRIGHT_PATH, silent=True).strip()
    if Path(path).exists():
        session.log(f"browser tests: using Playwright's Chromium {path}")
        return path
    session.log("no Chromium or Chrome on PATH: running `playwright install chromium`")
    try:
        session.run("playwright", "install", "chromium")
    except nox.command.CommandFailed:
        session.error(
            "the browser tests need Chromium and none could be found or installed. "
            "Install one (Debian/Ubuntu: apt-get install -y chromium; or make "
            "Playwright's download host reachable), or point LB_CHROMIUM at a "
            "Chrome/Chromium executable; LB_SKIP_BROWSER=1 skips those tests."
        )
    session.log(f"browser tests: installed Playwright's Chromium at {path}")
    return path


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Build the site (incrementally) and run the whole test suite against it.

    Extra arguments go to pytest, e.g. ``nox -s tests -- -k activations``.
    """
    _install(session, "docs,test")
    env = dict(THREADS)
    if os.environ.get("LB_SKIP_BROWSER") != "1":
        env["LB_CHROMIUM"] = _find_browser(session)
    _build_site(session, clean=False)
    session.run("pytest", *session.posargs, env=env)


#: The one file two builds of one commit may differ in: the build record (timings).
REPRO_SKIP = {"reproducibility.html"}


def compare_trees(first: Path, second: Path) -> list[str]:
    """Files that differ between two site builds (missing on one side, or bytes)."""
    names = {
        p.relative_to(root).as_posix()
        for root in (first, second)
        for p in root.rglob("*")
        if p.is_file()
    }
    return sorted(
        name
        for name in names
        if Path(name).name not in REPRO_SKIP
        and not (
            (first / name).is_file()
            and (second / name).is_file()
            and filecmp.cmp(first / name, second / name, shallow=False)
        )
    )


@nox.session(python="3.11")
def repro(session: nox.Session) -> None:
    """Build the site twice from clean and compare every file byte for byte.

    Only the build record (``reproducibility.html``, which holds the timings)
    may differ. Leaves the second build in docs/_build/html.
    """
    _install(session, "docs")
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp) / "html"
        _build_site(session, clean=True)
        shutil.copytree(HTML, first)
        _build_site(session, clean=True)
        differ = compare_trees(first, HTML)
    n = sum(1 for p in HTML.rglob("*") if p.is_file())
    if differ:
        session.error(f"{len(differ)} of {n} files differ between two builds: {differ}")
    session.log(f"two clean builds are identical: {n} files (skipped {REPRO_SKIP})")


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
