"""The files the site offers for download, and how the tests run them alone."""

from __future__ import annotations

import os
import subprocess

from conftest import HTML

ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    "MPLBACKEND": "agg",
    "OMP_NUM_THREADS": "1",
    "LB_NO_PROGRESS": "1",
}
#: Seconds per script, notebook or cell. Most scripts take seconds; the slowest,
#: plot_05_depth_slider.py, trains 108 networks (12 seeds) in about two minutes
#: alone, and the test suite runs it beside other work.
TIMEOUT = 420


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
