"""Step-through figures: the book's answer to the lecture's "Next" buttons and sliders.

A :class:`Stepper` is a short sequence of matplotlib frames with one label each.
In a Jupyter notebook or on the website it shows as a small self-contained
widget (previous / next / play buttons, a slider and the frame's label, usable
from the keyboard). It loads nothing from the network. In a notebook the frames
are embedded PNG images; the website writes them as image files once, shares
them between the gallery page and the chapter, and loads every frame after the
first only when it is about to be shown.

Frames are rendered at twice the displayed resolution (``dpi=200`` for a figure
shown at 100 pixels per inch), so they stay sharp on high-resolution screens.

Make one with :func:`stepper_from_figures` (you draw the figures) or
:func:`stepper_from_function` (you give a function that draws frame ``i``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from PIL import Image

from ._checks import check_bool, check_callable, check_int, check_real, check_sequence

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The widget's behaviour and look, shipped beside this module; "%(id)s" in the
# script is replaced by the id of the stepper it drives.
_SCRIPT = resources.files(__package__).joinpath("stepper.js").read_text("utf-8")
_STYLE = resources.files(__package__).joinpath("stepper.css").read_text("utf-8")


@dataclass(frozen=True)
class Stepper:
    """Frames a reader steps through, with a label for each.

    Parameters
    ----------
    frames : tuple of bytes, length n_frames
        PNG images, one per frame.
    labels : tuple of str, length n_frames
        Text shown with each frame (e.g. ``"H = 8 neurons"``).
    alt : str
        Description of what the figure shows, for screen readers.
    pixel_ratio : float, default 2.0
        Image pixels per displayed (CSS) pixel: 2 for frames drawn at twice
        the resolution they are shown at.

    Examples
    --------
    Two frames of a line that tilts up; in a notebook ``s`` shows as the widget:

    >>> from learnable_bases.stepper import stepper_from_function
    >>> def draw(fig, i):
    ...     fig.add_subplot().plot([0, 1], [0, i])
    >>> s = stepper_from_function(
    ...     draw, ["flat", "up"], alt="A line tilting up", figsize=(2, 1.5)
    ... )
    >>> s
    Stepper(2 frames: flat, up)
    >>> len(s), s.to_html().startswith("<style>")
    (2, True)
    """

    frames: tuple[bytes, ...]
    labels: tuple[str, ...]
    alt: str
    pixel_ratio: float = 2.0

    def __post_init__(self) -> None:
        if len(self.frames) == 0:
            raise ValueError("a Stepper needs at least one frame")
        of = "strings, one label per frame"
        check_sequence("labels", self.labels, of, length=len(self.frames))
        if not all(
            isinstance(f, bytes) and f.startswith(_PNG_SIGNATURE) for f in self.frames
        ):
            raise TypeError("frames must be PNG images as bytes")
        if not all(isinstance(s, str) for s in self.labels):
            raise TypeError("labels must be strings")
        check_real("pixel_ratio", self.pixel_ratio, positive=True)

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"Stepper({len(self)} frames: {', '.join(self.labels)})"

    def to_html(self, frame_urls: Sequence[str] | None = None) -> str:
        """Return the widget as one HTML fragment.

        Parameters
        ----------
        frame_urls : sequence of str, length n_frames, optional
            Where the frames are served, one URL per frame (the website writes
            them as files). Frames after the first are then loaded lazily. By
            default the frames are embedded as data URIs, so the fragment is
            self-contained (what a notebook shows).

        Returns
        -------
        str
            A ``<div class="lb-stepper">`` holding the frames, the controls and
            a short inline script.
        """
        if frame_urls is not None:
            of = "strings, one URL per frame"
            check_sequence("frame_urls", frame_urls, of, length=len(self))
            if not all(isinstance(u, str) and u for u in frame_urls):
                raise TypeError("frame_urls must be non-empty strings")
        uid = "lb-stepper-" + hashlib.sha1(b"".join(self.frames)).hexdigest()[:12]
        n = len(self)
        alt = html.escape(self.alt, quote=True)
        imgs = []
        for k, (png, lab) in enumerate(zip(self.frames, self.labels, strict=True)):
            lazy = "" if frame_urls is None or k == 0 else ' loading="lazy"'
            if frame_urls is None:
                src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            else:
                src = html.escape(frame_urls[k], quote=True)
            # the PNG header holds the width and height in pixels
            size = (int.from_bytes(png[i : i + 4], "big") for i in (16, 20))
            width, height = (round(p / self.pixel_ratio) for p in size)
            hidden = "" if k == 0 else " hidden"
            lab_e = html.escape(lab, quote=True)
            imgs.append(
                f'<img class="lb-stepper-frame" src="{src}" width="{width}" '
                f'height="{height}"{lazy} alt="{alt} ({k + 1} of {n}: {lab_e})" '
                f'data-label="{lab_e}"{hidden}>'
            )
        return (
            f"<style>{_STYLE}</style>"
            f'<div class="lb-stepper" id="{uid}" data-start="0" data-frame="0" '
            f'role="group" aria-label="{alt}" tabindex="0">'
            + "".join(imgs)
            + '<div class="lb-stepper-controls">'
            '<button type="button" data-act="prev" aria-label="Previous frame"'
            " disabled>\u25c0 Previous</button>"
            '<button type="button" data-act="next" aria-label="Next frame"'
            f"{' disabled' if n == 1 else ''}>Next \u25b6</button>"
            '<button type="button" data-act="play" aria-pressed="false">'
            "\u25b6 Play</button>"
            f'<input type="range" min="0" max="{n - 1}" step="1" value="0" '
            'aria-label="Frame"><span class="lb-stepper-label" aria-live="polite">'
            f"1 / {n}: {html.escape(self.labels[0])}</span></div></div>"
            f"<script>{_SCRIPT % {'id': uid}}</script>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def palette_png(png: bytes, colors: int = 256) -> bytes:
    """Re-encode a PNG with a colour palette: about a third of the size.

    Line plots use few colours, so a 256-colour median-cut palette keeps every
    plotted colour exact (fewer colours would shift small-area ones).

    Parameters
    ----------
    png : bytes
        A PNG image.
    colors : int, default 256
        Palette size, 2 to 256.

    Returns
    -------
    bytes
        The palette PNG (on a white background if the input was transparent).

    Examples
    --------
    >>> import io
    >>> import matplotlib.pyplot as plt
    >>> from PIL import Image
    >>> from learnable_bases.stepper import palette_png
    >>> fig, ax = plt.subplots(figsize=(2, 1.5))
    >>> lines = ax.plot([0, 1], [0, 1])
    >>> buf = io.BytesIO()
    >>> fig.savefig(buf, format="png")
    >>> png = palette_png(buf.getvalue())
    >>> Image.open(io.BytesIO(png)).mode, len(png) < len(buf.getvalue())
    ('P', True)
    >>> plt.close(fig)
    """
    if not isinstance(png, bytes) or not png.startswith(_PNG_SIGNATURE):
        raise TypeError("png must be the bytes of a PNG image")
    colors = check_int("colors", colors, minimum=2, maximum=256)
    image = Image.open(io.BytesIO(png))
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    image = image.convert("RGB")
    palette = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=0)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _png_bytes(fig: Figure, dpi: float) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return palette_png(buf.getvalue())


def stepper_from_figures(
    figures: Sequence[Figure],
    labels: Sequence[str],
    *,
    alt: str,
    dpi: float = 200,
    close: bool = True,
) -> Stepper:
    """Turn matplotlib figures into a :class:`Stepper`, one frame per figure.

    Parameters
    ----------
    figures : sequence of matplotlib.figure.Figure, length n_frames
        The frames, in order. Give them the same size so the widget does not jump.
    labels : sequence of str, length n_frames
        One label per frame.
    alt : str
        Text alternative describing the figure as a whole.
    dpi : float, default 200
        Resolution of the PNG frames: twice the 100 pixels per inch at which
        the widget shows them, for high-resolution screens.
    close : bool, default True
        Close the figures afterwards (so they are not also shown as still images).

    Returns
    -------
    Stepper

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from learnable_bases.stepper import stepper_from_figures
    >>> figs = [plt.figure(figsize=(2, 1.5)) for _ in range(3)]
    >>> for k, fig in enumerate(figs):
    ...     lines = fig.add_subplot().plot([0, 1], [0, k])
    >>> s = stepper_from_figures(figs, ["flat", "up", "steep"], alt="A steeper line")
    >>> len(s), s.pixel_ratio, plt.fignum_exists(figs[0].number)  # figures closed
    (3, 2.0, False)
    """
    figures = list(figures)
    if isinstance(labels, str):
        raise TypeError("labels must be a sequence of strings, not one string")
    labels = tuple(str(s) for s in labels)
    if not all(isinstance(f, Figure) for f in figures):
        raise TypeError("figures must be matplotlib Figure objects")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must be a non-empty description of the figure")
    frames = tuple(_png_bytes(f, dpi) for f in figures)
    if close:
        for f in figures:
            plt.close(f)
    return Stepper(frames=frames, labels=labels, alt=alt, pixel_ratio=dpi / 100)


def stepper_from_function(
    draw: Callable[[Figure, int], None],
    labels: Sequence[str],
    *,
    alt: str,
    figsize: tuple[float, float] = (7.0, 3.6),
    dpi: float = 200,
    same_layout: bool = False,
) -> Stepper:
    """Build a :class:`Stepper` by calling ``draw(fig, i)`` on a fresh figure per frame.

    Parameters
    ----------
    draw : callable
        ``draw(fig, i)`` draws frame ``i`` (0-based) into the empty figure ``fig``.
    labels : sequence of str, length n_frames
        One label per frame; their number sets the number of frames.
    alt : str
        Text alternative describing the figure as a whole.
    figsize : (float, float), default (7.0, 3.6)
        Figure size in inches, the same for every frame.
    dpi : float, default 200
        Resolution of the PNG frames: twice the 100 pixels per inch at which
        the widget shows them, for high-resolution screens.
    same_layout : bool, default False
        Lay out the first frame only (matplotlib's constrained layout) and put
        every later frame's axes where the first frame has them. Use it when
        all frames have the same axes, limits, ticks and labels: the axes then
        stay put while the reader steps, and the layout, the slowest part of
        drawing a frame, runs once instead of once per frame. By default each
        frame is laid out on its own.

    Returns
    -------
    Stepper

    Raises
    ------
    ValueError
        With ``same_layout``, if a frame has a different number of axes than
        the first.

    Examples
    --------
    Frames with the same axes: ``same_layout`` lays out the first one only.

    >>> from learnable_bases.stepper import stepper_from_function
    >>> def draw(fig, i):
    ...     ax = fig.add_subplot()
    ...     lines = ax.plot([0, 1], [0, i])
    ...     ax.set(ylim=(0, 2), title=f"slope {i}")
    >>> s = stepper_from_function(
    ...     draw, ["0", "1"], alt="Lines of slope 0 and 1", figsize=(2, 1.5),
    ...     same_layout=True,
    ... )
    >>> len(s), s.labels
    (2, ('0', '1'))
    """
    draw = check_callable("draw", draw, "draw(fig, i)")
    same_layout = check_bool("same_layout", same_layout)
    figures: list[Figure] = []
    for i in range(len(labels)):
        fig = plt.figure(figsize=figsize, layout="constrained")
        draw(fig, i)
        if same_layout:
            _reuse_layout(fig, figures[0] if figures else None, i, dpi)
        figures.append(fig)
    return stepper_from_figures(figures, labels, alt=alt, dpi=dpi)


def _reuse_layout(fig: Figure, first: Figure | None, i: int, dpi: float) -> None:
    """Fix ``fig``'s layout: computed if it is the first frame, else copied.

    The layout is computed at the resolution the frames are saved at: text
    extents, and so the margins, depend on it.
    """
    if first is None:
        screen_dpi = fig.dpi
        fig.set_dpi(dpi)
        fig.draw_without_rendering()  # runs the constrained layout once
        fig.set_dpi(screen_dpi)
    elif len(fig.axes) != len(first.axes):
        raise ValueError(
            f"same_layout needs the same axes in every frame; frame {i} has "
            f"{len(fig.axes)}, frame 0 has {len(first.axes)}"
        )
    else:
        for ax, ax0 in zip(fig.axes, first.axes, strict=True):
            ax.set_position(ax0.get_position(original=True))
    fig.set_layout_engine("none")
