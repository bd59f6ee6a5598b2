"""Every script the site offers runs on its own, outside the build.

The build runs the scripts inside sphinx-gallery; a reader runs the downloaded
file with plain Python. Here each downloaded script runs in a fresh interpreter
from an empty directory, with only the installed package, and each download
(script and notebook) says how to install that package. The notebooks run in
``test_gallery_notebooks.py`` (a module of its own, so that pytest-xdist runs
the two halves side by side).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest
from conftest import gallery_scripts
from downloads import ENV, TIMEOUT, download


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
