"""Identical rebuilds: one training example run twice gives the same bytes.

``nox -s repro`` builds the whole site twice from clean and compares every
file; this fast check does the same for one gallery script that trains a
network: two fresh interpreters, every figure and stepper frame it makes and
everything it prints compared byte for byte.
"""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import GALLERY

TRAINING_EXAMPLE = GALLERY / "02_training" / "plot_05_regression_nll.py"

RUN_AND_HASH = """
import hashlib, io, runpy, sys
import matplotlib
matplotlib.use("agg")
import matplotlib.pyplot as plt
from learnable_bases.stepper import Stepper

names = runpy.run_path(sys.argv[1], run_name="__main__")
digests = []
for num in plt.get_fignums():
    buf = io.BytesIO()
    plt.figure(num).savefig(buf, format="png", metadata={"Software": None})
    digests.append(hashlib.sha256(buf.getvalue()).hexdigest())
for value in names.values():
    if isinstance(value, Stepper):
        digests += [hashlib.sha256(f).hexdigest() for f in value.frames]
print("DIGESTS", len(digests), *digests)
"""


def _run(tmp_path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_HASH, str(TRAINING_EXAMPLE)],
        cwd=tmp_path,
        env={**os.environ, "OMP_NUM_THREADS": "1", "LB_NO_PROGRESS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_a_training_example_is_byte_identical_when_rerun(tmp_path):
    assert TRAINING_EXAMPLE.exists(), "pick another training example for this test"
    assert "train" in TRAINING_EXAMPLE.read_text()
    first, second = _run(tmp_path), _run(tmp_path)
    assert "DIGESTS" in first
    n = int(first.split("DIGESTS")[1].split()[0])
    assert n >= 2, "the example made fewer images than expected"
    assert first == second, "two runs of the same training example differ"


def test_downloadable_zips_depend_on_their_contents_only(tmp_path):
    """The build rewrites sphinx-gallery's zips (install note, fixed timestamps)."""
    import sys
    import time
    import zipfile

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    import lb_site

    made = []
    for k, stamp in enumerate([(2020, 5, 1, 10, 0, 0), (2026, 1, 2, 3, 4, 6)]):
        archive = tmp_path / f"{k}.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for name in ["b.ipynb", "plot_a.py"] if k else ["plot_a.py", "b.ipynb"]:
                data = (
                    '"""Title\n=====\n\nText.\n"""\n' if name.endswith("py") else "{}"
                )
                zf.writestr(zipfile.ZipInfo(name, date_time=stamp), data)
        time.sleep(0.01)
        lb_site.rewrite_zip(archive)
        made.append(archive.read_bytes())
    assert made[0] == made[1]
    with zipfile.ZipFile(tmp_path / "0.zip") as zf:
        assert "pip install learnable_bases" in zf.read("plot_a.py").decode()
