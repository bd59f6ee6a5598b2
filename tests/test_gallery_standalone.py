"""Every script and notebook the site offers runs on its own, outside the build.

The build runs the scripts inside sphinx-gallery; a reader runs the downloaded
file with plain Python, or the notebook in Jupyter. Here each downloaded script
runs in a fresh interpreter from an empty directory, each downloaded notebook
runs through nbclient in a fresh kernel, with only the installed package; and
the wheel the site offers installs into a new virtual environment and runs a
downloaded notebook there.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import sysconfig
import venv

import pytest
from conftest import HTML, gallery_scripts

ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    "MPLBACKEND": "agg",
    "OMP_NUM_THREADS": "1",
    "LB_NO_PROGRESS": "1",
}
TIMEOUT = 180  # seconds per script, notebook or cell; a script takes seconds


def download(script, suffix: str):
    """The file the site offers for a gallery script (``.py`` or ``.ipynb``)."""
    found = sorted((HTML / "_downloads").rglob(f"{script.stem}{suffix}"))
    assert found, f"the site offers no {script.stem}{suffix}"
    return found[0]


def run_notebook_code(python: str, notebook, cwd) -> subprocess.CompletedProcess:
    """Execute a notebook with nbclient in a kernel of ``python``'s environment."""
    code = (
        "import sys, nbformat, nbclient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        f"nbclient.NotebookClient(nb, timeout={TIMEOUT}, kernel_name='python3',"
        " resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
    )
    return subprocess.run(
        [python, "-c", code, str(notebook), str(cwd)],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 3,
    )


@pytest.mark.site
@pytest.mark.parametrize("script", gallery_scripts(), ids=lambda p: p.stem)
def test_downloaded_script_runs_alone(site, script, tmp_path):
    result = subprocess.run(
        [sys.executable, str(download(script, ".py"))],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert list(tmp_path.iterdir()) == [], "scripts must not write files"


@pytest.mark.site
@pytest.mark.parametrize("script", gallery_scripts(), ids=lambda p: p.stem)
def test_downloaded_notebook_runs_alone(site, script, tmp_path):
    result = run_notebook_code(sys.executable, download(script, ".ipynb"), tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.site
@pytest.mark.parametrize("script", gallery_scripts(), ids=lambda p: p.stem)
def test_downloads_say_how_to_install(site, script):
    docstring = ast.get_docstring(ast.parse(download(script, ".py").read_text()))
    assert "pip install learnable_bases" in docstring
    nb = json.loads(download(script, ".ipynb").read_text(encoding="utf-8"))
    first = "".join(next(c for c in nb["cells"] if c["cell_type"] == "code")["source"])
    assert "pip install learnable_bases" in first
    code = "\n".join(
        "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
    )
    assert "import learnable_bases as lb" in code


@pytest.mark.site
def test_site_wheel_installs_and_runs_a_downloaded_notebook(site, tmp_path):
    """A fresh venv gets the library from the site's wheel only.

    Its dependencies (torch, numpy, matplotlib, the notebook kernel) are lent
    from this environment through a path file placed after the venv's own
    site-packages, so the library cannot come from the project's editable
    install: ``learnable_bases`` must be imported from the venv.
    """
    (wheel,) = (site / "_downloads" / "wheel").glob("learnable_bases-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    install = subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        capture_output=True, text=True, env=ENV,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    lent = sysconfig.get_path("purelib")
    with open(f"{site_packages}/zz_lent_dependencies.pth", "w") as f:
        f.write(lent + "\n")
    where = subprocess.run(
        [python, "-c", "import learnable_bases; print(learnable_bases.__file__)"],
        capture_output=True, text=True, env=ENV, cwd=tmp_path,
    )  # fmt: skip
    assert where.returncode == 0, where.stderr
    assert where.stdout.startswith(str(env_dir)), where.stdout
    notebook = download(gallery_scripts()[0], ".ipynb")
    work = tmp_path / "work"
    work.mkdir()
    result = run_notebook_code(python, notebook, work)
    assert result.returncode == 0, result.stderr[-3000:]
