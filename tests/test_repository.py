"""The repository itself: no binary archives at the top level.

Package archives committed by accident (wheels, tarballs) bloat every clone and
are never used by the build; dependencies come from the package index.
"""

from __future__ import annotations

import subprocess

from conftest import ROOT

ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".zip", ".egg", ".tar", ".gz", ".7z")


def test_no_binary_archive_tracked_at_the_top_level():
    tracked = subprocess.run(
        ["git", "ls-files", "--", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    top_level = [name for name in tracked if "/" not in name]
    assert top_level, "git ls-files listed nothing: not a git checkout?"
    archives = [name for name in top_level if name.lower().endswith(ARCHIVE_SUFFIXES)]
    assert archives == [], f"binary archives tracked at the repository root: {archives}"


def test_gallery_scripts_are_numbered_in_lecture_order():
    """The gallery sorts scripts by file name (``FileNameSortKey``), so each
    chapter's are numbered 01, 02, ... with no gap or repeat."""
    for folder in sorted((ROOT / "gallery").glob("0[1-9]_*")):
        numbers = [p.name.split("_")[1] for p in sorted(folder.glob("plot_*.py"))]
        assert numbers == [f"{i:02d}" for i in range(1, len(numbers) + 1)], folder
    conf = (ROOT / "docs" / "conf.py").read_text()
    assert '"within_subsection_order": "sphinx_gallery.sorting.FileNameSortKey"' in conf
