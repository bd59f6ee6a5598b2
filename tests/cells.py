"""The code cells a chapter's Markdown tags ``plain-pytorch``, and how tests run them.

The code pages and some exercise solutions are plain PyTorch (the library draws
the data at most). The build executes them; the chapter tests execute the same
source again, on their own, and check what the text says about it.
"""

from __future__ import annotations

import contextlib
import io
import re

from conftest import ROOT

CHAPTERS = ROOT / "docs" / "chapters"

#: A MyST code cell: its options, either ``:key: value`` lines or a YAML block
#: between ``---`` lines, and its source, up to the closing fence.
CELL = re.compile(
    r"^```\{code-cell\}[^\n]*\n"
    r"(?:---\n(?P<yaml>.*?\n)---\n|(?P<options>(?::[\w-]+:[^\n]*\n)*))"
    r"(?P<source>.*?)^```[ \t]*$",
    re.S | re.M,
)
TAGS = re.compile(r"^:?tags:[ \t]*\[([^\]\n]*)\]", re.M)


def plain_pytorch_cells(page: str) -> list[str]:
    """Source of the cells tagged ``plain-pytorch`` on a chapter page, in order.

    ``page`` is a file name in ``docs/chapters``, e.g. ``"02_training.md"``.
    """
    cells = []
    for cell in CELL.finditer((CHAPTERS / page).read_text(encoding="utf-8")):
        options = cell["yaml"] or cell["options"]
        tags = [t.strip() for m in TAGS.findall(options) for t in m.split(",")]
        if "plain-pytorch" in tags:
            cells.append(cell["source"])
    return cells


def run(page: str, *sources: str) -> tuple[dict, str]:
    """Execute ``sources`` (cells of ``page``) in order in one fresh namespace.

    Returns the namespace and what the cells printed.
    """
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for source in sources:
            exec(compile(source, page, "exec"), namespace)
    return namespace, out.getvalue()
