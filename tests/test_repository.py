"""The repository itself: no binary archives at the top level, lecture order
from file names, and an example on every API page.

Package archives committed by accident (wheels, tarballs) bloat every clone and
are never used by the build; dependencies come from the package index.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess

import pytest
from conftest import ROOT

import learnable_bases as lb

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


def _api_names(module_name: str) -> list[str]:
    """The names the API reference gives a page: public functions and classes
    defined in the module (autosummary's rule)."""
    module = importlib.import_module(f"learnable_bases.{module_name}")
    return [
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(inspect.unwrap(obj)) or inspect.isclass(obj))
        and obj.__module__ == module.__name__
    ]


@pytest.mark.parametrize("module_name", lb.__all__)
def test_every_api_page_has_a_runnable_example(module_name):
    """Each public function and class has a numpydoc Examples section with
    ``>>>`` lines, which pytest runs as doctests (``--doctest-modules``)."""
    names = _api_names(module_name)
    assert names, module_name
    module = importlib.import_module(f"learnable_bases.{module_name}")
    missing = []
    for name in names:
        doc = inspect.getdoc(getattr(module, name)) or ""
        examples = doc.partition("\nExamples\n--------\n")[2]
        if ">>> " not in examples:
            missing.append(name)
    assert missing == [], f"{module_name}: no doctest Examples section in {missing}"
