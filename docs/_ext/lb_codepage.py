"""Lines of the library's real source as HTML, parts highlighted in colour.

Used by the "what the network is" pages, which set each equation beside the
line of :class:`learnable_bases.models.MLP` that computes it. The lines are read
from the installed source at build time, so a page cannot drift from the code:
if a quoted line or highlight is no longer there, the build fails.
"""

from __future__ import annotations

import html
import inspect

from IPython.display import HTML


def source_lines(obj: object, *lines: tuple[str, list[tuple[str, int]]]) -> HTML:
    """HTML for lines of ``obj``'s source, with parts highlighted.

    Parameters
    ----------
    obj : class or function
        Whose source to quote.
    *lines : (needle, marks)
        ``needle`` picks the one source line containing it; ``marks`` is a list
        of ``(text, colour)`` pairs to highlight in that line, outer first
        (``colour`` selects the CSS class ``lb-m<colour>``).

    Returns
    -------
    IPython.display.HTML
        A ``<div class="lb-src" tabindex="0">`` with one numbered row per line.
    """
    source, first = inspect.getsourcelines(obj)
    rows = []
    for needle, marks in lines:
        hits = [i for i, line in enumerate(source) if needle in line]
        assert len(hits) == 1, f"{needle!r} found {len(hits)} times in {obj}"
        text = source[hits[0]].strip()
        out = html.escape(text)
        for mark, colour in marks:
            assert mark in text, f"{mark!r} not in {text!r}"
            esc = html.escape(mark)
            out = out.replace(esc, f'<mark class="lb-m{colour}">{esc}</mark>', 1)
        rows.append(
            f'<span class="lb-src-no">{first + hits[0]}</span><code>{out}</code>'
        )
    return HTML('<div class="lb-src" tabindex="0">' + "".join(rows) + "</div>")
