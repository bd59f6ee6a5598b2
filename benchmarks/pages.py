"""Page weight: the bytes each page of the built site loads, read from its HTML.

Text files (HTML, CSS, JS, SVG) count gzip-compressed, as a static host serves
them; images and fonts count as they are. The files a page loads are those its
``<script>``, ``<link>``, ``<img>``, ``<source>`` and ``<iframe>`` tags name
(``src``, ``href``, ``data-src`` or ``srcset``), not the pages its ``<a>`` tags
link, nor fonts a stylesheet fetches only when a glyph needs them. An image
marked ``loading="lazy"`` (a stepper's later frames) is fetched only when it is
about to be shown (or scrolled near), so it is not counted with the page;
``lazy`` reports those bytes apart. What a browser really fetches on a first
visit, lazy figures in view included, is measured by the browser tests. A
page's *shared* bytes are the files it loads from ``_static/`` or the site's
root (``searchindex.js``); its *own* bytes are the HTML itself plus every other
file it loads eagerly: its first stepper frames, eager figures and fragments.
"""

from __future__ import annotations

import gzip
import re
import statistics
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

TEXT = {".html", ".css", ".js", ".svg", ".json", ".txt", ".mjs"}
TAG = re.compile(r"<(?:script|link|img|source|iframe)\b[^>]*>", re.IGNORECASE)
URL = re.compile(r"""\s(?:src|href|data-src|srcset)\s*=\s*["']([^"'#?\s]+)""")


@cache
def transfer_bytes(path: Path) -> int:
    """Bytes served for ``path``: gzip level 6 for text, as-is for binary."""
    data = path.read_bytes()
    return len(gzip.compress(data, 6)) if path.suffix in TEXT else len(data)


LAZY = re.compile(r"""\sloading\s*=\s*["']lazy["']""", re.IGNORECASE)


def loaded_files(page: Path, html: Path, *, lazy: bool = False) -> set[Path]:
    """Files inside the site ``html`` that loading ``page`` fetches.

    With ``lazy=True``, instead the files of its lazily loaded images.
    """
    found = set()
    text = page.read_text(encoding="utf-8")
    tags = [tag for tag in TAG.findall(text) if bool(LAZY.search(tag)) == lazy]
    for url in (u for tag in tags for u in URL.findall(tag)):
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path:
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        if target.is_file() and target.is_relative_to(html) and target != page:
            if target.suffix != ".html":  # a link to another page is not loaded
                found.add(target)
    return found


def page_weight(page: Path, html: Path) -> dict[str, int]:
    """Shared and own transfer bytes of one page.

    Parameters
    ----------
    page : Path
        An HTML file of the site.
    html : Path
        The site's root directory.

    Returns
    -------
    dict
        ``shared``, ``own`` and ``total`` bytes of a first visit, and ``lazy``:
        those of images loaded only when scrolled or stepped to.
    """
    html = html.resolve()
    page = page.resolve()
    files = loaded_files(page, html)
    lazy = sum(transfer_bytes(f) for f in loaded_files(page, html, lazy=True) - files)
    shared = {
        f for f in files if f.is_relative_to(html / "_static") or f.parent == html
    }
    own = transfer_bytes(page) + sum(transfer_bytes(f) for f in files - shared)
    shared = sum(transfer_bytes(f) for f in shared)
    return {"shared": shared, "own": own, "total": shared + own, "lazy": lazy}


def site_weights(html: Path) -> dict:
    """:func:`page_weight` of every page under ``html``, with median and max.

    Returns
    -------
    dict
        ``pages`` (site-relative path to weights) and, for ``own``,
        ``shared`` and ``total``, the ``median`` and ``max`` over pages.
    """
    html = Path(html).resolve()
    pages = {
        p.relative_to(html).as_posix(): page_weight(p, html)
        for p in sorted(html.rglob("*.html"))
        if "_static" not in p.parts and "_sources" not in p.parts
        and not p.name.endswith(".ipynb.html")
    }  # fmt: skip
    if not pages:
        raise FileNotFoundError(f"no HTML pages under {html}; build the site first")
    summary = {
        key: {
            "median": statistics.median(w[key] for w in pages.values()),
            "max": max(w[key] for w in pages.values()),
        }
        for key in ("own", "shared", "total", "lazy")
    }
    return {"pages": pages, **summary}
