"""Build times of the site, on a temporary copy of the repository.

The copy holds the files git tracks (and new, not ignored ones), and its
``src/`` is put first on ``PYTHONPATH``, so the edits below never touch the real
tree. Sphinx runs as ``nox -s docs`` runs it (``-W --keep-going``, one
torch/BLAS thread). Four builds in a row:

1. *clean*: no build outputs, the environment ready;
2. *no-op*: nothing changed;
3. *script edit*: a comment appended to one gallery script;
4. *library edit*: a comment appended to one library module (every script and
   chapter runs again, by design).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "gallery/03_going_deep/plot_05_depth_slider.py"
MODULE = "src/learnable_bases/targets.py"
ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "LB_NO_PROGRESS": "1"}


def copy_repository(dest: Path, root: Path = ROOT) -> Path:
    """Copy the files of ``root`` that git tracks or does not ignore to ``dest``.

    The copy is a git repository of its own with those files staged, so that
    what reads ``git ls-files`` there (the repository tests) sees the same list.
    """
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=root, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = root / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=dest, check=True)
    return dest


def sphinx_build(repo: Path) -> tuple[float, float]:
    """Build ``repo``'s site as ``nox -s docs`` does.

    Returns
    -------
    wall, cpu : float
        Seconds of wall-clock time, and of CPU time (user + system) of the
        build and its child processes: on a shared machine the wall time grows
        with the other load, the CPU time much less.
    """
    docs, build = repo / "docs", repo / "docs" / "_build"
    build.mkdir(parents=True, exist_ok=True)
    env = os.environ | ENV
    env["PYTHONPATH"] = os.pathsep.join(
        [str(repo / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env.pop("LB_CACHE_DIR", None)  # docs/conf.py points it into the copy's build
    cmd = [
        sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
        "-w", str(build / "warnings.txt"), str(docs), str(build / "html"),
    ]  # fmt: skip
    before, start = cpu_seconds(), time.perf_counter()
    subprocess.run(cmd, cwd=repo, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, cpu_seconds() - before


def cpu_seconds() -> float:
    """User + system seconds of this process's finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def append_comment(path: Path) -> None:
    """Change a Python file without changing what it does."""
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\n# benchmark edit {time.time_ns()}\n")


def build_times(
    root: Path = ROOT,
    script: str = SCRIPT,
    module: str = MODULE,
    keep: Path | None = None,
) -> dict:
    """Time a clean, a no-op, a script-edit and a library-edit build of ``root``.

    Parameters
    ----------
    root : Path
        The repository to copy.
    script, module : str
        Repository-relative paths of the gallery script and the library module
        to edit.
    keep : Path, optional
        Copy the built site here (e.g. to weigh its pages); by default it is
        deleted with the temporary copy.

    Returns
    -------
    dict
        Wall seconds of ``clean``, ``noop``, ``script_edit`` and
        ``library_edit``, the same four in CPU seconds under ``cpu``, and the
        edited ``script`` and ``module``.
    """
    times, cpu = {}, {}

    def timed(name: str, repo: Path) -> None:
        times[name], cpu[name] = sphinx_build(repo)
        print(
            f"build {name}: {times[name]:.1f} s ({cpu[name]:.1f} s CPU)",
            file=sys.stderr, flush=True,
        )  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="lb-bench-") as tmp:
        repo = copy_repository(Path(tmp), root)
        timed("clean", repo)
        timed("noop", repo)
        append_comment(repo / script)
        timed("script_edit", repo)
        append_comment(repo / module)
        timed("library_edit", repo)
        if keep is not None:
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(repo / "docs" / "_build" / "html", keep)
    return times | {"cpu": cpu, "script": script, "module": module}
