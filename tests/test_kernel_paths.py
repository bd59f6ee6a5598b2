"""The numbers the chapters print hold whichever vector kernels torch picks.

torch chooses its CPU kernels per machine (AVX-512, AVX2, default) and their
rounding differs. ``nox -s kernels`` builds the site again under another path
(``ATEN_CPU_CAPABILITY``), runs the claim tests against that build, and points
``LB_NATIVE_SITE`` at the native build; these tests then compare, page by page,
every number in the chapters' text. A number computed at the edge of stability
from one training run moves by tens of per cent between two CPUs. A number may
move by at most :data:`REL_TOL` (or one unit of its last printed digit); one
that is a statistic over seeds, marked ``[...]{.lb-stat}`` in the chapter, by
its sampling error, at most :data:`STAT_TOL`.

Outside ``nox -s kernels`` there is nothing to compare with, and the page
comparisons skip.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import HTML

NATIVE = os.environ.get("LB_NATIVE_SITE")
#: Largest relative change of a printed number between two kernel paths.
REL_TOL = 0.05
#: ... and of a statistic over a few seeds (a mean of 3 moves with its standard
#: error; measured: 7-12 % between the default and AVX2 kernels).
STAT_TOL = 0.25
#: A number as the chapters print it: 0.42, −1.3, 10,000, 3e-4 (not part of a word).
NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[−-]?\d+)?(?![\w])")
PAGES = sorted(p.relative_to(HTML).as_posix() for p in HTML.glob("chapters/*.html"))


class _ArticleText(HTMLParser):
    """The text of a page's article, without code, maths or scripts.

    ``parts`` holds ``(text, is_statistic)``: text inside an ``lb-stat`` span
    (``[...]{.lb-stat}`` in a chapter) is a statistic over seeds.
    """

    SKIP_TAGS = frozenset({"pre", "script", "style", "math"})
    SKIP_CLASSES = frozenset({"katex", "katex-display"})
    VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[tuple[str, bool]] = []
        self.stack: list[tuple[bool, bool, bool]] = []  # (article, skip, stat)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        article, skip, stat = self.stack[-1] if self.stack else (False, False, False)
        self.stack.append(
            (
                article or tag == "article",
                skip or tag in self.SKIP_TAGS or bool(classes & self.SKIP_CLASSES),
                stat or "lb-stat" in classes,
            )
        )

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] and not self.stack[-1][1]:
            self.parts.append((data, self.stack[-1][2]))


def printed_numbers(page: str) -> list[tuple[str, str, bool]]:
    """Every number in a page's article text, with the words before it.

    Parameters
    ----------
    page : str
        The page's HTML.

    Returns
    -------
    list of (str, str, bool)
        ``(number, context, is_statistic)`` in reading order; code blocks and
        maths are left out (their numbers are typed, not computed).
    """
    parser = _ArticleText()
    parser.feed(page)
    found, context = [], ""
    for text, stat in parser.parts:
        text = re.sub(r"\s+", " ", text)
        for m in NUMBER.finditer(text):
            before = (context + text[: m.start()])[-60:].strip()
            found.append((m.group(), before, stat))
        context = (context + text)[-60:]
    return found


def value(number: str) -> tuple[float, float]:
    """A printed number's value and one unit of its last digit."""
    plain = number.replace("−", "-").replace(",", "")
    mantissa = plain.split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = float(plain.split("e")[1]) if "e" in plain else 0.0
    return float(plain), 10.0 ** (exponent - decimals)


def moved(native: str, other: str, tol: float = REL_TOL) -> bool:
    """Whether two printings of one number differ by more than ``tol``.

    One unit of the last printed digit is always allowed (a rounding flip).
    """
    (a, unit_a), (b, unit_b) = value(native), value(other)
    return abs(a - b) > max(tol * abs(a), unit_a, unit_b) * (1 + 1e-9)


def test_moved_allows_the_last_digit_and_a_few_per_cent():
    assert not moved("0.39", "0.40")  # one unit of the last digit
    assert not moved("1.30", "1.36")  # 4.6 %
    assert moved("0.59", "0.37")  # one SGD run on two CPUs (60 %)
    assert moved("10,000", "11,000") and not moved("3e-4", "4e-4")
    assert not moved("261", "280", STAT_TOL) and moved("261", "280")


def test_statistics_are_read_from_their_marks():
    page = (
        '<article class="bd-article"><p>one run: 0.59, a median: '
        '<span class="lb-stat">0.41</span>, maths <span class="katex">2</span>'
        "</p><pre>3</pre></article>"
    )
    assert [(n, stat) for n, _, stat in printed_numbers(page)] == [
        ("0.59", False),
        ("0.41", True),
    ]


@pytest.mark.skipif(not NATIVE, reason="compares two builds: run by nox -s kernels")
@pytest.mark.parametrize("name", PAGES)
def test_chapter_numbers_match_the_native_build(name):
    here = printed_numbers((HTML / name).read_text("utf-8"))
    native_page = Path(NATIVE) / name
    assert native_page.exists(), f"the native build has no {name}"
    there = printed_numbers(native_page.read_text("utf-8"))
    assert [stat for *_, stat in here] == [stat for *_, stat in there], (
        f"{name}: the two builds print different text"
    )
    far = [
        f"{c[-40:]!r}: {a} natively, {b} here" + (" (a statistic)" if stat else "")
        for (a, c, stat), (b, *_) in zip(there, here, strict=True)
        if moved(a, b, STAT_TOL if stat else REL_TOL)
    ]
    capability = os.environ.get("ATEN_CPU_CAPABILITY", "native")
    assert not far, (
        f"{name}: numbers that move by more than {REL_TOL:.0%} (statistics over "
        f"seeds: {STAT_TOL:.0%}) under ATEN_CPU_CAPABILITY={capability}: "
        + "; ".join(far)
    )
