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
