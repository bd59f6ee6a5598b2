"""Each downloadable gallery script runs on its own, outside the docs build.

The build runs the scripts inside sphinx-gallery; a reader runs the downloaded
file with plain Python (or the notebook in Jupyter). Here each script runs in a
fresh interpreter, from an empty directory, with only the installed package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import HTML, gallery_scripts


@pytest.mark.parametrize("script", gallery_scripts(), ids=lambda p: p.stem)
def test_script_runs_alone(script, tmp_path):
    env = {
        **os.environ,
        "MPLBACKEND": "agg",
        "OMP_NUM_THREADS": "1",
        "LB_NO_PROGRESS": "1",
    }
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert list(tmp_path.iterdir()) == [], "scripts must not write files"


@pytest.mark.site
@pytest.mark.parametrize("script", gallery_scripts(), ids=lambda p: p.stem)
def test_notebook_download_is_a_valid_notebook(site, script):
    downloads = list((HTML / "_downloads").rglob(f"{script.stem}.ipynb"))
    assert downloads, f"no notebook download for {script.name}"
    nb = json.loads(downloads[0].read_text(encoding="utf-8"))
    code = "\n".join(
        "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
    )
    assert "import learnable_bases as lb" in code
