"""Every notebook the site offers runs on its own, and so does the site's wheel.

A reader opens the downloaded notebook in Jupyter. Here each one runs through
nbclient in a fresh kernel, with only the installed package; and the wheel the
site offers installs into a new virtual environment and runs a downloaded
notebook there.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv

import pytest
from conftest import gallery_scripts
from downloads import ENV, download, run_notebook_code


@pytest.mark.site
@pytest.mark.parametrize("script", gallery_scripts(), ids=lambda p: p.stem)
def test_downloaded_notebook_runs_alone(site, script, tmp_path):
    result = run_notebook_code(sys.executable, download(script, ".ipynb"), tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]


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
