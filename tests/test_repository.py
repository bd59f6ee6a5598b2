"""The repository itself: no binary archives at the top level, lecture order
from file names, an example on every API page, and the library's shape (short
functions, private helpers in ``_checks`` only, a budget of code lines), and
where its tests live.

Package archives committed by accident (wheels, tarballs) bloat every clone and
are never used by the build; dependencies come from the package index.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import subprocess
import tokenize

import pytest
from conftest import ROOT

import learnable_bases as lb

LIBRARY = ROOT / "src" / "learnable_bases"
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


def _docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def code_lines(source: str) -> set[int]:
    """Numbers of the lines of ``source`` that hold code: not blank, not only a
    comment, not part of a docstring."""
    docstrings = _docstring_lines(ast.parse(source))
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT}
    skip |= {tokenize.DEDENT, tokenize.ENDMARKER}
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines - docstrings


def test_code_lines_skip_blank_comment_and_docstring_lines():
    source = '''"""Module."""

def f(x):  # a comment
    """Doc
    string."""
    # only a comment
    return (x +
            1)
'''
    assert sorted(code_lines(source)) == [3, 7, 8]


def _library_functions():
    for path in sorted(LIBRARY.glob("*.py")):
        source = path.read_text()
        lines = code_lines(source)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                body = range(node.lineno, node.end_lineno + 1)
                yield f"{path.stem}.{node.name}", len(lines.intersection(body))


def test_no_library_function_is_over_80_code_lines():
    sizes = dict(_library_functions())
    assert len(sizes) > 200  # the walk found the library's functions and methods
    assert {name: n for name, n in sizes.items() if n > 80} == {}


def test_no_private_name_is_imported_across_library_modules():
    """Helpers shared by modules live in ``_checks`` under public names; no
    module reaches into another's underscore names."""
    modules = {path.stem for path in LIBRARY.glob("*.py")}
    found = []
    for path in sorted(LIBRARY.glob("*.py")):
        tree = ast.parse(path.read_text())
        aliases = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found += [
                    f"{path.stem}: from .{node.module or ''} import {a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
                if node.module is None:
                    aliases |= {a.asname or a.name for a in node.names}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases | modules
                and node.attr.startswith("_")
            ):
                found.append(f"{path.stem}: {node.value.id}.{node.attr}")
    assert found == []


#: Test files for the project's other parts: the built site and its browser
#: checks, the gallery's downloads, the build's extension and reproducibility,
#: the benchmarks, the noxfile and this repository.
PROJECT_SUITES = {
    "test_benchmarks",
    "test_browser",
    "test_browser_api",
    "test_browser_discovery",
    "test_browser_phone",
    "test_browser_steppers",
    "test_browser_zoom",
    "test_gallery_notebooks",
    "test_gallery_standalone",
    "test_hosting",
    "test_kernel_paths",
    "test_noxfile",
    "test_repository",
    "test_repro",
    "test_site",
    "test_sphinxext",
}


def test_every_library_module_has_its_test_file_and_every_test_file_a_home():
    """One test file per library module (``_checks`` in ``test_checks``), one per
    chapter for its claims and page, and the project suites; nothing else."""
    paths = [p for p in LIBRARY.glob("*.py") if p.stem != "__init__"]
    modules = {p.stem.lstrip("_") for p in paths}
    chapters = {
        p.stem.split("_")[0] for p in (ROOT / "docs" / "chapters").glob("0*.md")
    }
    tests = {p.stem for p in (ROOT / "tests").glob("test_*.py")}
    assert {f"test_{m}" for m in modules} - tests == set()
    homes = {f"test_{m}" for m in modules} | PROJECT_SUITES
    homes |= {f"test_chapter{int(n)}" for n in chapters}
    assert tests - homes == set()
