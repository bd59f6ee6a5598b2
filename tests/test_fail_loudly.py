"""A gallery script or a chapter cell that raises fails the docs build, loudly.

A copy of the docs configuration builds a tiny book, in a temporary directory,
with one broken gallery script and one chapter whose cell raises, each beside
a working one so that scripts and chapters run in parallel worker processes as
in the real build (``LB_BUILD_JOBS=2``). The build must exit non-zero and name
both broken files and both errors.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import ROOT

BROKEN_SCRIPT = '''"""
Broken on purpose
=================

A script that raises, to check the build fails loudly.
"""

# %%
# It raises.
raise RuntimeError("gallery script broken on purpose")
'''

BROKEN_CHAPTER = """---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---

# A broken chapter

```{code-cell} python
raise ValueError("chapter cell broken on purpose")
```
"""

FINE_SCRIPT = '''"""
Works
=====

A script that runs.
"""

# %%
print("fine script ran")
'''

FINE_CHAPTER = BROKEN_CHAPTER.replace("A broken chapter", "A fine chapter").replace(
    'raise ValueError("chapter cell broken on purpose")', "print(1 + 1)"
)

INDEX = """# Tiny book

```{toctree}
chapters/broken_chapter
chapters/fine_chapter
auto_gallery/index
```
"""


def test_a_raising_script_or_cell_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    for part in ("_ext", "_static", "_templates"):
        shutil.copytree(ROOT / "docs" / part, docs / part)
    shutil.copy(ROOT / "docs" / "conf.py", docs / "conf.py")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, tmp_path / name)  # the wheel the site offers
    shutil.copytree(ROOT / "src", tmp_path / "src")
    (docs / "index.md").write_text(INDEX)
    (docs / "chapters").mkdir()
    (docs / "chapters" / "broken_chapter.md").write_text(BROKEN_CHAPTER)
    (docs / "chapters" / "fine_chapter.md").write_text(FINE_CHAPTER)
    gallery = tmp_path / "gallery" / "01_broken"
    gallery.mkdir(parents=True)
    (gallery.parent / "GALLERY_HEADER.rst").write_text("Gallery\n=======\n")
    (gallery / "GALLERY_HEADER.rst").write_text("Broken\n------\n")
    (gallery / "plot_broken.py").write_text(BROKEN_SCRIPT)
    (gallery / "plot_fine.py").write_text(FINE_SCRIPT)

    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going",
         str(docs), str(docs / "_build" / "html")],
        cwd=tmp_path,
        env={
            **os.environ,
            "OMP_NUM_THREADS": "1",
            "LB_NO_PROGRESS": "1",
            "LB_BUILD_JOBS": "2",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "plot_broken.py" in output
    assert "gallery script broken on purpose" in output
    assert "broken_chapter" in output
    assert "chapter cell broken on purpose" in output
    # the chapters ran side by side first; the broken one again, alone, to report
    assert "executing 2 chapters in 2 processes" in output
    assert "fine_chapter.md: executed in" in output
    assert "broken_chapter.md: CellExecutionError; myst-nb will run it again" in output
    assert "(with parallel=2)" in output
