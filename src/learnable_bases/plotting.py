"""Plotting helpers: one style, colour-blind-safe colours, ``ax=``-taking functions.

Every helper draws into a matplotlib ``Axes`` you pass and returns it, so a
gallery script composes figures in a few lines (the scikit-learn Display idea,
without classes). Colours are the Okabe–Ito palette, safe for colour-blind readers.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import torch
from matplotlib.axes import Axes

from . import activations as act
from . import basis
from ._checks import check_choice

#: Okabe–Ito colours, in the order curves use them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Eight distinguishable colours for families of basis functions (no yellow:
#: too pale on white).
BASIS_COLORS: tuple[str, ...] = (*PALETTE[:6], PALETTE[7], "#999999")

#: A fixed colour per activation, so the same function looks the same everywhere.
ACTIVATION_COLORS: dict[str, str] = {
    "step": PALETTE[7],
    "sigmoid": PALETTE[0],
    "tanh": PALETTE[2],
    "relu": PALETTE[3],
    "gelu": PALETTE[1],
    "gelu_erf": PALETTE[4],
}

STYLE: dict[str, object] = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (7.0, 3.6),
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "lines.linewidth": 2.0,
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
}


def use_style() -> None:
    """Apply the book's matplotlib style (fonts, colours, light grid) globally."""
    mpl.rcParams.update(STYLE)


def _check_ax(ax: object) -> Axes:
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes; got {type(ax).__name__}")
    return ax


def plot_activations(
    ax: Axes,
    names: Sequence[str] = ("step", "sigmoid", "tanh", "relu", "gelu"),
    *,
    derivative: bool = False,
    x: torch.Tensor | None = None,
) -> Axes:
    """Draw activations ``g(x)`` (or their derivatives ``g'(x)``) on one axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    names : sequence of str
        Activation names (see :data:`learnable_bases.activations.ACTIVATIONS`).
    derivative : bool, default False
        Draw ``g'(x)`` instead of ``g(x)``.
    x : torch.Tensor, shape (n,), optional
        Input grid; defaults to 801 points on ``[-4, 4]``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _check_ax(ax)
    if isinstance(names, str):
        raise TypeError("names must be a sequence of activation names, not a string")
    for name in names:
        check_choice("activation", name, act.ACTIVATIONS)
    if x is None:
        x = torch.linspace(-4, 4, 801, dtype=torch.float64)
    for name in names:
        y = act.derivative(name, x) if derivative else act.get_activation(name)(x)
        style = "--" if name == "gelu_erf" else "-"
        ax.plot(
            x.numpy(),
            y.numpy(),
            style,
            color=ACTIVATION_COLORS[name],
            label=act.LABELS[name],
        )
    ax.set_xlabel("pre-activation $z = v x + b$")
    ax.set_ylabel("$g'(z)$" if derivative else "$g(z)$")
    return ax


def plot_basis_functions(
    ax: Axes,
    x: torch.Tensor,
    features: torch.Tensor,
    *,
    colors: Sequence[str] | None = None,
    linewidth: float = 1.8,
) -> Axes:
    """Draw each column of ``features`` as one basis function ``phi_j(x)``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    x : torch.Tensor, shape (n,)
        Input grid.
    features : torch.Tensor, shape (n, n_functions)
        ``features[:, j]`` is ``phi_j`` on the grid.
    colors : sequence of str, optional
        Colours to cycle through; defaults to :data:`PALETTE`.
    linewidth : float, default 1.8
        Line width.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _check_ax(ax)
    x = torch.as_tensor(x)
    features = torch.as_tensor(features)
    if x.ndim != 1 or features.ndim != 2 or features.shape[0] != x.shape[0]:
        raise ValueError(
            "need x of shape (n,) and features of shape (n, n_functions); got "
            f"{tuple(x.shape)} and {tuple(features.shape)}"
        )
    colors = list(colors or BASIS_COLORS)
    xs = x.detach().numpy()
    for j in range(features.shape[1]):
        ax.plot(
            xs,
            features[:, j].detach().numpy(),
            color=colors[j % len(colors)],
            lw=linewidth,
        )
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$\phi_j(x) = g(v_j x + b_j)$")
    return ax


def plot_kink_approximation(
    ax: Axes,
    approx: basis.KinkApproximation,
    *,
    show_neurons: bool = True,
    show_fit: bool = True,
    neuron_color: str = "0.6",
    target_color: str = PALETTE[3],
) -> Axes:
    """Draw a sum-of-kinks fit: grey scaled neurons, their black sum, the target.

    Draw the neurons and the fit on one axes, or on two (``show_fit=False`` on
    one, ``show_neurons=False`` on the other) when the neurons are much larger
    than the target.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    approx : learnable_bases.basis.KinkApproximation
        A fit from :func:`learnable_bases.basis.kink_approximation`.
    show_neurons : bool, default True
        Draw each scaled neuron ``w_j relu(v_j (x - c_j))`` as a thin grey line.
    show_fit : bool, default True
        Draw the sum of the neurons plus ``w0`` (black) and the target (dashed).
    neuron_color : str, default "0.6"
        Colour of the individual neurons.
    target_color : str, default vermillion
        Colour of the dashed target curve.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _check_ax(ax)
    if not isinstance(approx, basis.KinkApproximation):
        raise TypeError(
            "approx must be a KinkApproximation from basis.kink_approximation; "
            f"got {type(approx).__name__}"
        )
    x = approx.x.numpy()
    if show_neurons:
        for j, neuron in enumerate(approx.neurons.numpy()):
            label = r"neurons $w_j\,g(v_j x + b_j)$" if j == 0 else None
            ax.plot(x, neuron, color=neuron_color, lw=0.9, label=label, zorder=1)
    if show_fit:
        ax.plot(x, approx.total.numpy(), color="black", lw=1.8, label=r"sum $+\ w_0$")
        ax.plot(
            x, approx.target.numpy(), "--", color=target_color, lw=2.2, label="target"
        )
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    return ax
