"""Entry points: ``nox -s docs``, ``tests``, ``kernels``, ``lint``, ``serve``,
``bench``, ``bench_sbi``, ``repro``.

Every session runs on the Python that runs nox (``python=None``), as
scientific-python/cookie does; pick another with nox's own ``--force-python``
(``-P 3.12``). An interpreter outside ``requires-python`` stops the session with
one sentence naming the supported range.

Environments are reused between runs; the project is (re)installed only when
``pyproject.toml``, the torch pin or the torch index changes, so repeat runs
start in seconds. Force a clean site build with ``nox -s docs -- clean``.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nox
from packaging.specifiers import SpecifierSet
from packaging.version import Version

nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "docs", "tests"]

ROOT = Path(__file__).parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
HTML = BUILD / "html"
# A pinned torch; plain "torch" would resolve to the newest (on Linux, CUDA) build.
TORCH = os.environ.get("LB_TORCH_SPEC", "torch==2.13.0")
# An extra index for torch, e.g. https://download.pytorch.org/whl/cpu for CPU-only
# wheels on Linux (PyPI's Linux wheels bundle CUDA and are several GB).
TORCH_INDEX = os.environ.get("LB_TORCH_INDEX_URL", "")
#: The Python versions the project supports, from pyproject.toml.
REQUIRES_PYTHON = nox.project.load_toml(ROOT / "pyproject.toml")["project"][
    "requires-python"
]
#: The peer that ``nox -s bench_sbi`` measures; only that session installs it.
SBI = os.environ.get("LB_SBI_SPEC", "sbi==0.27.0")
# Two cores: one BLAS/torch thread per process avoids oversubscription.
THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "LB_NO_PROGRESS": "1"}


def python_supported(version: str, requires: str = REQUIRES_PYTHON) -> bool:
    """Whether Python ``version`` (e.g. ``"3.12.1"``) satisfies ``requires``."""
    return SpecifierSet(requires).contains(Version(version))


def _check_python(session: nox.Session) -> None:
    """Stop the session, in one sentence, on a Python outside the supported range."""
    # run_always: also in ``--install-only`` mode, where session.run returns None
    version = session.run_always(
        "python", "-c", "import platform; print(platform.python_version())",
        silent=True,
    )  # fmt: skip
    if version is None:  # nox -R (--no-install): a reused environment, not checked
        return
    version = version.strip()
    if not python_supported(version):
        session.error(
            f"Python {version} is not supported: Learnable Bases needs Python "
            f"{REQUIRES_PYTHON}; run nox with a supported interpreter or pick one "
            "with --force-python (e.g. nox -P 3.12 -s docs)."
        )


def _install(session: nox.Session, extras: str, *packages: str) -> None:
    """Install the project with ``extras``, ``packages`` and the torch pin, once per
    change, in one pip call (so nothing that depends on torch picks another one).
    """
    _check_python(session)
    key = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes()
        + f"{extras}|{'|'.join(packages)}|{TORCH}|{TORCH_INDEX}".encode()
    ).hexdigest()
    stamp = Path(session.virtualenv.location) / ".lb-installed"
    if stamp.exists() and stamp.read_text() == key:
        session.log("environment up to date; skipping install")
        return
    index = ["--extra-index-url", TORCH_INDEX] if TORCH_INDEX else []
    project = f".[{extras}]" if extras else "."
    session.install("-e", project, *packages, TORCH, *index)
    stamp.write_text(key)


def _build_site(
    session: nox.Session, *, clean: bool, root: Path = ROOT, env: dict | None = None
) -> None:
    """Build the site of the repository at ``root`` (the checkout, or a copy)."""
    docs = root / "docs"
    build = docs / "_build"
    if clean:
        for path in (build, docs / "auto_gallery", docs / "api" / "generated"):
            shutil.rmtree(path, ignore_errors=True)
    build.mkdir(parents=True, exist_ok=True)
    session.run(
        "sphinx-build",
        "-b", "html",
        "-W", "--keep-going",
        "-w", str(build / "warnings.txt"),
        "-d", str(build / "doctrees"),  # build state, kept out of the site
        str(docs), str(build / "html"),
        env=THREADS | (env or {}),
    )  # fmt: skip


@nox.session(python=None)
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
    path = session.run_always("python", "-c", PLAYWRIGHT_PATH, silent=True).strip()
    if Path(path).exists():
        session.log(f"browser tests: using Playwright's Chromium {path}")
        return path
    session.log("no Chromium or Chrome on PATH: running `playwright install chromium`")
    try:
        session.run_install("playwright", "install", "chromium")
    except nox.command.CommandFailed:
        session.error(
            "the browser tests need Chromium and none could be found or installed. "
            "Install one (Debian/Ubuntu: apt-get install -y chromium; or make "
            "Playwright's download host reachable), or point LB_CHROMIUM at a "
            "Chrome/Chromium executable; LB_SKIP_BROWSER=1 skips those tests."
        )
    session.log(f"browser tests: installed Playwright's Chromium at {path}")
    return path


#: pytest-xdist: one worker per core, each test module whole on one worker (its
#: module fixtures, such as trained models, are made once; the two crawls, the
#: book's pages and the API reference, run at once in two browsers). ``-n 0``
#: after ``--`` runs everything in one process.
PARALLEL = ("-n", "auto", "--dist", "loadscope")


@nox.session(python=None)
def tests(session: nox.Session) -> None:
    """Build the site (incrementally) and run the whole test suite against it.

    Extra arguments go to pytest, e.g. ``nox -s tests -- -k activations``.
    """
    _install(session, "docs,test")
    env = dict(THREADS)
    if os.environ.get("LB_SKIP_BROWSER") != "1":
        env["LB_CHROMIUM"] = _find_browser(session)
    _build_site(session, clean=False)
    session.run("pytest", *PARALLEL, *session.posargs, env=env)


#: torch's vector-kernel paths, from the most portable up (``ATEN_CPU_CAPABILITY``
#: forces one; ``torch.backends.cpu.get_cpu_capability()`` names the native one).
KERNEL_PATHS = ("default", "avx2", "avx512")
CAPABILITY = "import torch; print(torch.backends.cpu.get_cpu_capability())"
#: The claim tests: every test that trains a model, computes a number or checks
#: a number the site quotes. Left out: the browser tests, which read pages, and
#: the downloaded notebooks, which run the gallery scripts that
#: tests/test_gallery_standalone.py runs already.
CLAIM_TESTS = ("-m", "not browser", "--ignore=tests/test_gallery_notebooks.py")


def other_kernel_paths(native: str) -> list[str]:
    """The kernel paths a CPU whose native path is ``native`` can also run.

    Parameters
    ----------
    native : str
        What ``torch.backends.cpu.get_cpu_capability()`` prints, e.g. ``"AVX512"``,
        ``"AVX2"``, ``"DEFAULT"`` or (on ARM) ``"SVE256"``.

    Returns
    -------
    list of str
        The x86 paths below ``native`` (``["default", "avx2"]`` on an AVX-512
        CPU, ``["default"]`` on an AVX2 one); ``["default"]`` for any other
        native vector path; none for a CPU that only has the default kernels.
    """
    native = native.strip().lower()
    if native == "default":
        return []
    if native in KERNEL_PATHS:
        return list(KERNEL_PATHS[: KERNEL_PATHS.index(native)])
    return ["default"]


@nox.session(python=None)
def kernels(session: nox.Session) -> None:
    """The site's claims again under torch's other vector kernels.

    torch picks its CPU kernels (AVX-512, AVX2 or default) per machine, and
    their rounding differs, so a claim that holds on one CPU could fail on
    another. For each kernel path this CPU has besides its native one (``nox -s
    tests`` covers that), the repository is copied to a temporary folder, its
    site is built there under ``ATEN_CPU_CAPABILITY=<path>`` (kept in
    ``docs/_build/kernels/<path>``) and the claim tests (:data:`CLAIM_TESTS`)
    run against that build with the same setting. Among them,
    ``tests/test_kernel_paths.py`` compares the numbers in the chapters' text
    with the native build, which this session first brings up to date.

    ``nox -s kernels -- default`` checks named paths only; other arguments go
    to pytest (``nox -s kernels -- default -k chapter2``).
    """
    _install(session, "docs,test")
    sys.path.insert(0, str(ROOT))  # nox does not put the noxfile's folder there
    from benchmarks.build import copy_repository

    asked = [a.lower() for a in session.posargs if a.lower() in KERNEL_PATHS]
    pytest_args = [a for a in session.posargs if a.lower() not in KERNEL_PATHS]
    native = session.run("python", "-c", CAPABILITY, silent=True).strip()
    paths = asked or other_kernel_paths(native)
    if not paths:
        session.log(f"native kernels {native}: no other path to check on this CPU")
        return
    session.log(f"native kernels {native}; checking {', '.join(paths)}")
    _build_site(session, clean=False)  # the native build, to compare numbers with
    for path in paths:
        with tempfile.TemporaryDirectory(prefix=f"lb-kernels-{path}-") as tmp:
            copy = copy_repository(Path(tmp))
            env = {
                "ATEN_CPU_CAPABILITY": path,
                # the copy's library, not the editable install of the checkout
                "PYTHONPATH": str(copy / "src"),
                "LB_CACHE_DIR": str(copy / "docs" / "_build" / ".lb_cache"),
            }
            _build_site(session, clean=True, root=copy, env=env)
            kept = BUILD / "kernels" / path
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(copy / "docs" / "_build" / "html", kept)
            with session.chdir(copy):
                session.run(
                    "pytest", *PARALLEL, *CLAIM_TESTS, *pytest_args,
                    env=THREADS | env | {"LB_NATIVE_SITE": str(HTML)},
                )  # fmt: skip
        session.log(f"kernels {path}: claim tests passed; site in {kept}")


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


@nox.session(python=None)
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


@nox.session(python=None)
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=None)
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


@nox.session(python=None)
def bench(session: nox.Session) -> None:
    """Speed benchmarks: print a table, write a JSON report to benchmarks/results/.

    Ratios are measured side by side and alternated (see benchmarks/). Arguments
    go to ``python -m benchmarks``: ``nox -s bench -- --build`` adds the build
    times (four builds on a temporary copy, minutes), ``--out PATH`` sets the
    report's path.
    """
    _install(session, "docs")
    session.run("python", "-m", "benchmarks", *session.posargs, env=THREADS)


@nox.session(python=None)
def bench_sbi(session: nox.Session) -> None:
    """The peer, measured: ``sbi``'s NPE beside ``fit_posterior`` (benchmarks/sbi_peer).

    Its own environment, the only one ``sbi`` is installed in (the docs and
    tests never see it). Prints a Markdown table and writes
    benchmarks/results/sbi_peer.json; arguments go to ``python -m
    benchmarks.sbi_peer`` (``--tiny``, ``--seeds 0 1``, ``--out PATH``).
    """
    _install(session, "", SBI)
    session.run("python", "-m", "benchmarks.sbi_peer", *session.posargs, env=THREADS)
