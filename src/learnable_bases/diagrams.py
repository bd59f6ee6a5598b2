"""Textbook diagrams: a feed-forward network and a single artificial neuron.

Both functions draw into a matplotlib ``Axes`` you pass and return it. They use
matplotlib only (markers, text boxes, annotations), mathtext labels, fonts of at
least 10 pt and the Okabe–Ito colours, and work for shallow and deep networks
(e.g. ``layer_sizes=[2, 16, 16, 16, 1]``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib import transforms
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.text import Text

from ._checks import (
    check_ax,
    check_bool,
    check_choice,
    check_int,
    check_real,
    check_sequence,
)
from .activations import ACTIVATIONS, LABELS, ONE_SIDED, get_activation
from .models import OUTPUTS
from .plotting import PALETTE

BLUE, ORANGE, GREEN, _, PURPLE = PALETTE[:5]  # vermillion is not used here
_MIN_FONTSIZE = 10.0
_CENTRED = {"ha": "center", "va": "center"}


# --------------------------------------------------------------------------- checks
def _check_layer_sizes(layer_sizes: object) -> list[int]:
    of = "positive integers such as [1, 8, 1] (input, hidden..., output)"
    sizes = list(check_sequence("layer_sizes", layer_sizes, of))
    if len(sizes) < 2:
        raise ValueError(
            "layer_sizes needs at least 2 layers (input and output), e.g. [1, 8, 1]; "
            f"got {sizes}"
        )
    return [check_int(f"layer_sizes[{i}]", s, minimum=1) for i, s in enumerate(sizes)]


def _check_fontsize(fontsize: object) -> float:
    name = f"fontsize (in pt, to stay readable at least {_MIN_FONTSIZE:g})"
    return check_real(name, fontsize, minimum=_MIN_FONTSIZE)


def _check_activation_or_none(activation: object) -> str | None:
    if activation is None:
        return None
    return check_choice("activation", activation, ACTIVATIONS)


def _light(color: str, alpha: float = 0.22) -> tuple[float, float, float, float]:
    """An opaque pale tint of ``color`` (mixed with white)."""
    r, g, b, _ = to_rgba(color)
    return (1 - alpha + alpha * r, 1 - alpha + alpha * g, 1 - alpha + alpha * b, 1.0)


def _axes_size_in(ax: Axes) -> tuple[float, float]:
    """Width and height of ``ax`` in inches, after the figure's layout engine."""
    fig = ax.figure
    engine = fig.get_layout_engine()
    if engine is not None:  # e.g. constrained layout: measure the final axes size
        engine.execute(fig)
    width, height = ax.get_position().size * fig.get_size_inches()
    return max(width, 1.0), max(height, 1.0)


# -------------------------------------------------------------------- the network
def _slots(size: int, max_drawn: int) -> list[int | None]:
    """Unit indices (0-based) per drawing slot; ``None`` marks the ellipsis."""
    if size <= max_drawn:
        return list(range(size))
    return [*range(max_drawn - 2), None, size - 1]


def _default_captions(sizes: list[int], output: str) -> list[str]:
    x = r"$\mathbf{x}$" if sizes[0] > 1 else "$x$"
    y = r"$\mathbf{y}$" if sizes[-1] > 1 else "$y$"
    if len(sizes) == 3:  # one hidden layer: its formula
        xv = r"\mathbf{v}_j^{T}\mathbf{x}" if sizes[0] > 1 else "v_j x"
        hidden = ["hidden layer\n" + rf"$h_j = g({xv} + b_j)$"]
    else:
        hidden = [
            f"layer {k}\n" + rf"$\mathbf{{h}}^{{({k})}}$"
            for k in range(1, len(sizes) - 1)
        ]
    return [f"input {x}", *hidden, f"output {y}\n{output} head"]


def _check_labels(labels: object, n_layers: int) -> list[str]:
    of = "strings, one caption per layer"
    labels = check_sequence("labels", labels, of, length=n_layers)
    if not all(isinstance(s, str) for s in labels):
        raise TypeError("every entry of labels must be a string")
    return list(labels)


def _network_layout(
    ax: Axes, n_slots: int, captions: list[str], fontsize: float
) -> tuple[float, float]:
    """Size the units from the axes' current size in inches and set the axes'
    limits (one layer per caption); return the units' diameter in inches and the
    font size inside them."""
    width_in, height_in = _axes_size_in(ax)
    n_lines = max(c.count("\n") + 1 for c in captions)
    caption_in = min(n_lines * 1.32 * fontsize / 72 + 0.06, 0.55 * height_in)
    slot_in = (height_in - caption_in) / n_slots
    column_in = width_in / len(captions)
    diameter_in = min(0.72 * slot_in, 0.35 * column_in, 0.5)
    inner_fontsize = max(_MIN_FONTSIZE, min(fontsize, 0.5 * 72 * diameter_in))

    half = n_slots / 2  # the slots span -half to half, centred on 0
    data_per_in = n_slots / (height_in - caption_in)
    ax.set_xlim(-0.5, len(captions) - 0.5)
    ax.set_ylim(-half - caption_in * data_per_in, half)
    ax.set_axis_off()
    return diameter_in, inner_fontsize


def _input_name(unit: int, n_inputs: int, max_drawn: int) -> str:
    if n_inputs == 1:
        return "$x$"
    if n_inputs > max_drawn and unit == n_inputs - 1:
        return "$x_d$"  # the true size is in the caption
    return f"$x_{{{unit + 1}}}$"


def _draw_glyph(ax: Axes, name: str, x: float, y: float, radius_in: float) -> None:
    """Sketch activation ``name`` (or ``"linear"``) inside the unit at ``(x, y)``."""
    t = g = torch.linspace(-1.0, 1.0, 41, dtype=torch.float64)  # g = t: "linear"
    if name != "linear":
        width = 2.0 if name in ONE_SIDED else 5.0  # the kink or jump in view
        g = get_activation(name)(width * t)
        g = 2 * (g - g.min()) / (g.max() - g.min()) - 1  # scaled into [-1, 1]
    shift = transforms.ScaledTranslation(x, y, ax.transData)  # to the unit's centre
    inches = ax.figure.dpi_scale_trans + shift
    stroke = {"color": "black", "lw": 1.3, "zorder": 4, "solid_capstyle": "round"}
    ax.plot(t.numpy() * radius_in, g.numpy() * radius_in, transform=inches, **stroke)


def draw_network(
    ax: Axes,
    layer_sizes: Sequence[int],
    *,
    labels: Sequence[str] | None = None,
    output: str = "linear",
    activation: str | None = "relu",
    max_drawn: int = 6,
    fontsize: float = 11.0,
) -> Axes:
    """Draw a feed-forward network: units as circles, weights as lines.

    Input units are labelled ``x_i``; hidden units show a small sketch of the
    activation ``g`` and output units one of the head (a line for ``"linear"``,
    an S-curve for ``"sigmoid"``). A layer with more than ``max_drawn`` units
    shows its first ``max_drawn - 2`` units, a vertical ellipsis and its last
    unit, and its caption gives the true size. Captions sit under each layer.

    The layout adapts to the axes' size in inches, so call this after creating
    the figure at its final size (e.g. ``figsize=(7, 3.5)``).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw; its axis lines are switched off.
    layer_sizes : sequence of int
        Units per layer, input first and output last, e.g. ``[1, 8, 1]`` or
        ``[2, 16, 16, 16, 1]``; at least 2 layers, each size >= 1.
    labels : sequence of str, optional
        One caption per layer (mathtext allowed, ``"\\n"`` for line breaks),
        replacing the defaults ("input x", "hidden layer h_j = g(v_j x + b_j)" or
        "layer l h^(l)", "output y / linear head").
    output : {"linear", "sigmoid"}, default "linear"
        What the head does (as :class:`~learnable_bases.models.MLP`'s
        ``output``), drawn in the output units and named in the caption.
    activation : str or None, default "relu"
        Activation sketched inside hidden units (a name from
        :data:`learnable_bases.activations.ACTIVATIONS`), or ``None`` for plain
        circles.
    max_drawn : int, default 6
        Most units drawn per layer (>= 3).
    fontsize : float, default 11.0
        Font size of captions in points (>= 10).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from learnable_bases.diagrams import draw_network
    >>> fig, ax = plt.subplots(figsize=(7, 3.5))
    >>> ax = draw_network(ax, [1, 8, 1])
    >>> ax.axison
    False
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    sizes = _check_layer_sizes(layer_sizes)
    output = check_choice("output", output, OUTPUTS)
    activation = _check_activation_or_none(activation)
    # first units, an ellipsis, the last unit
    max_drawn = check_int("max_drawn", max_drawn, minimum=3)
    fontsize = _check_fontsize(fontsize)
    if labels is None:
        captions = _default_captions(sizes, output)
    else:
        captions = _check_labels(labels, len(sizes))
    slots = [_slots(n, max_drawn) for n in sizes]
    for i, n in enumerate(sizes):
        if n > max_drawn:
            captions[i] += f"\n({n} units)"

    n_layers, n_slots = len(sizes), max(len(s) for s in slots)
    diameter_in, inner_fontsize = _network_layout(ax, n_slots, captions, fontsize)
    # unit centres, layer by layer
    centres = [
        [((len(s) - 1) / 2 - k, unit) for k, unit in enumerate(s)] for s in slots
    ]
    # the weights: thin grey lines between drawn units of adjacent layers
    for i in range(n_layers - 1):
        for y0, u0 in centres[i]:
            for y1, u1 in centres[i + 1]:
                if u0 is not None and u1 is not None:
                    ax.plot([i, i + 1], [y0, y1], color="0.6", lw=0.8, zorder=1)

    # the units: circles in the layers' colours holding the input names and the
    # glyphs of the hidden units and the head (shapes), and vertical ellipses
    colours = [BLUE] + [ORANGE] * (n_layers - 2) + [GREEN]
    shapes = [None] + [activation] * (n_layers - 2) + [output]
    dots_size = max(fontsize + 3, 1.2 * inner_fontsize)  # font size of the ellipses
    # a circle marker whose size ms (in points) is the diameter
    circle = {"marker": "o", "ms": 72 * diameter_in, "mew": 1.6, "ls": "none"}
    for col, (layer, colour) in enumerate(zip(centres, colours, strict=True)):
        for y, unit in layer:
            if unit is None:
                ax.text(col, y, r"$\vdots$", **_CENTRED, fontsize=dots_size, zorder=3)
                continue
            ax.plot([col], [y], mfc=_light(colour, 0.3), mec=colour, **circle, zorder=3)
            if col == 0:
                name = _input_name(unit, sizes[0], max_drawn)
                ax.text(col, y, name, **_CENTRED, fontsize=inner_fontsize, zorder=4)
            elif shapes[col] is not None:
                _draw_glyph(ax, shapes[col], col, y, 0.55 * diameter_in / 2)

    # captions hang from the lowest slot's centre, a unit's radius and 6 pt lower
    lowest = -(n_slots - 1) / 2
    below = {"xytext": (0, -36 * diameter_in - 6), "textcoords": "offset points"}
    text = {"ha": "center", "va": "top", "fontsize": fontsize, "linespacing": 1.3}
    for col, caption in enumerate(captions):
        ax.annotate(caption, xy=(col, lowest), **below, **text)
    return ax


# --------------------------------------------------------------------- the neuron
_SUM_X = 0.40  # the summation node's centre; all nodes sit at half height
_ARROW = {"arrowstyle": "-|>", "color": "black", "lw": 1.3, "mutation_scale": 14}


def _into(node: Text) -> dict:
    """Arrow properties for an arrow ending at the edge of ``node``'s box."""
    return {**_ARROW, "patchB": node.get_bbox_patch(), "shrinkB": 1}


def _node(
    ax: Axes, x: float, label: str, colour: str, fontsize: float, ha: str = "center"
) -> Text:
    """A rounded box at ``(x, 0.5)`` filled with a tint of ``colour``."""
    bbox = {"boxstyle": "round,pad=0.45", "lw": 1.6, "fc": _light(colour), "ec": colour}
    return ax.text(
        x, 0.5, label, ha=ha, va="center", fontsize=fontsize, zorder=3, bbox=bbox
    )


def _draw_inputs(
    ax: Axes, sum_node: Text, n_inputs: int, use_dots: bool, fontsize: float
) -> None:
    """The inputs of ``sum_node``: ``x_1 ... x_n`` (the last one ``x_d``, after a
    vertical ellipsis, if ``use_dots``) with arrows labelled ``v_i``, and the bias
    ``b_j`` from below."""
    names = [str(i) for i in range(1, n_inputs)] + ["d" if use_dots else str(n_inputs)]
    n_rows = n_inputs + use_dots
    rows = np.linspace(0.88, 0.12, n_rows) if n_rows > 1 else np.array([0.5])
    input_y = [*rows[:-2], rows[-1]] if use_dots else list(rows)
    x_in = 0.05
    circle = {"boxstyle": "circle,pad=0.3", "fc": _light(BLUE), "ec": BLUE, "lw": 1.6}
    # labels at points in axes fraction, with arrows to points of sum_node's box
    into_sum = {"xycoords": sum_node, "arrowprops": _into(sum_node), **_CENTRED}
    into_sum |= {"textcoords": "axes fraction", "fontsize": fontsize}
    # weight labels at points in axes fraction, shifted by offsets in points
    weight = {"xycoords": "axes fraction", "textcoords": "offset points", **_CENTRED}
    weight |= {"fontsize": fontsize - 1, "color": BLUE}
    width_in, height_in = _axes_size_in(ax)
    for name, y in zip(names, input_y, strict=True):
        # arrows end spread over the node's left edge, so they do not pile up
        end_frac = 0.5 + 0.3 * (y - 0.5) / 0.38
        x_label = f"$x_{{{name}}}$"
        ax.annotate(
            x_label, (0.0, end_frac), (x_in, y), **into_sum, zorder=3, bbox=circle
        )
        # weight label a third of the way along the arrow, on its upper side
        end = np.array([_SUM_X - 0.08, 0.5 + 0.1 * (end_frac - 0.5)])
        start = np.array([x_in, y])
        label_xy = start + 0.36 * (end - start)
        dx, dy = (end - start) * (width_in, height_in)
        normal = np.array([-dy, dx]) / np.hypot(dx, dy)
        ax.annotate(f"$v_{{{name}}}$", tuple(label_xy), tuple(9 * normal), **weight)
    if use_dots:
        ax.text(x_in, rows[-2], r"$\vdots$", **_CENTRED, fontsize=fontsize + 2)
    ax.annotate(r"$b_j$ (bias)", xy=(0.5, 0.0), xytext=(_SUM_X, 0.1), **into_sum)


def _draw_activation_inset(ax: Axes, activation: str, fontsize: float) -> None:
    """A small plot of the activation's curve above the ``g`` node."""
    inset = ax.inset_axes((0.58, 0.68, 0.12, 0.22))
    z = torch.linspace(-3, 3, 121, dtype=torch.float64)
    inset.plot(z.numpy(), get_activation(activation)(z).numpy(), color=GREEN)
    inset.axhline(0, color="0.7", lw=0.8, zorder=0)
    inset.axvline(0, color="0.7", lw=0.8, zorder=0)
    inset.set(xticks=[], yticks=[])
    inset.grid(False)
    name = LABELS[activation].split(" $")[0]  # the label without its formula
    inset.set_title("$g$ = " + name, fontsize=max(_MIN_FONTSIZE, fontsize - 2))


def draw_neuron(
    ax: Axes,
    n_inputs: int = 3,
    *,
    activation: str | None = "relu",
    ellipsis: bool = True,
    fontsize: float = 12.0,
) -> Axes:
    """Draw the artificial neuron ``phi_j = g(v_j^T x + b_j)``.

    Inputs ``x_1 ... x_d`` send arrows labelled with their weights ``v_1 ... v_d``
    into a summation node ``v_j^T x + b_j``; the bias ``b_j`` enters from below;
    the sum passes through the activation ``g``; the output is ``phi_j``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw; its axis lines are switched off. A figure of about
        ``(7, 3.5)`` inches suits the default font size.
    n_inputs : int, default 3
        Input nodes drawn (1 to 8).
    activation : str or None, default "relu"
        Activation whose curve is sketched above the ``g`` node, or ``None``.
    ellipsis : bool, default True
        With at least 2 inputs, label the last one ``x_d`` (weight ``v_d``) and put
        a vertical ellipsis before it, meaning "any number of inputs"; otherwise
        number the inputs ``1 ... n_inputs``.
    fontsize : float, default 12.0
        Font size in points (>= 10).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from learnable_bases.diagrams import draw_neuron
    >>> fig, ax = plt.subplots(figsize=(7, 3.5))
    >>> draw_neuron(ax, n_inputs=2, activation="tanh") is ax
    True
    >>> len(ax.child_axes)  # the inset sketching g
    1
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    n_inputs = check_int("n_inputs", n_inputs, minimum=1, maximum=8)
    activation = _check_activation_or_none(activation)
    ellipsis = check_bool("ellipsis", ellipsis)
    fontsize = _check_fontsize(fontsize)
    ax.set_axis_off()
    ax.set(xlim=(0, 1), ylim=(0, 1))

    pre = r"\mathbf{v}_j^{T}\mathbf{x} + b_j"  # the pre-activation
    sum_node = _node(ax, _SUM_X, f"${pre}$", ORANGE, fontsize)
    g_node = _node(ax, 0.64, r"$g(\cdot)$", GREEN, fontsize)
    out_node = _node(ax, 0.80, rf"$\phi_j = g({pre})$", PURPLE, fontsize, ha="left")
    _draw_inputs(ax, sum_node, n_inputs, ellipsis and n_inputs >= 2, fontsize)
    # sum -> g -> output
    for source, target in ((sum_node, g_node), (g_node, out_node)):
        arrow = {**_into(target), "patchA": source.get_bbox_patch(), "shrinkA": 1}
        ax.annotate(
            "",
            xy=(0.0, 0.5),
            xycoords=target,
            xytext=(1.0, 0.5),
            textcoords=source,
            arrowprops=arrow,
        )
    caption = {"va": "center", "fontsize": fontsize - 1, "color": "0.25"}
    ax.text(0.80, 0.66, "output", ha="left", **caption)
    ax.text(_SUM_X, 0.66, "weighted sum", ha="center", **caption)
    if activation is not None:
        _draw_activation_inset(ax, activation, fontsize)
    return ax
