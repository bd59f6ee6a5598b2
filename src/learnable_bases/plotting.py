"""Plotting helpers: one style, colour-blind-safe colours, ``ax=``-taking functions.

Every helper draws into a matplotlib ``Axes`` you pass and returns it, so a
gallery script composes figures in a few lines (the scikit-learn Display idea,
without classes). Colours are the Okabe–Ito palette, safe for colour-blind readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import cycle

import matplotlib as mpl
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import activations as act
from . import basis
from ._checks import check_ax, check_fraction, check_sequence, check_shape

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
    "gelu": PALETTE[4],  # purple: far from ReLU's vermillion
    "gelu_erf": PALETTE[5],
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
    """Apply the book's matplotlib style (fonts, colours, light grid) globally.

    Examples
    --------
    Inside ``matplotlib.rc_context()`` the style is undone on leaving the block.

    >>> import matplotlib as mpl
    >>> from learnable_bases.plotting import use_style
    >>> with mpl.rc_context():
    ...     use_style()
    ...     print(mpl.rcParams["axes.grid"], mpl.rcParams["figure.figsize"])
    True [7.0, 3.6]
    """
    mpl.rcParams.update(STYLE)


#: Attribute of a ``Figure`` holding its alt text (see :func:`set_alt_text`).
ALT_TEXT_ATTR = "lb_alt_text"


def set_alt_text(fig: Figure, text: str) -> Figure:
    """Attach a description of the figure for readers who cannot see it.

    The site's image scraper writes it as the ``alt`` of the figure's image, so
    it is set where the figure is made, in the gallery script.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to describe.
    text : str
        What the figure shows, in plain words: no TeX (``$`` or ``\\``), not a
        file name; at least three words.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``, for chaining.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from learnable_bases.plotting import ALT_TEXT_ATTR, set_alt_text
    >>> fig, ax = plt.subplots()
    >>> set_alt_text(fig, "A straight line rising to the right.") is fig
    True
    >>> getattr(fig, ALT_TEXT_ATTR)
    'A straight line rising to the right.'
    >>> plt.close(fig)
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure; got {type(fig).__name__}")
    if not isinstance(text, str):
        raise TypeError(f"alt text must be a str; got {type(text).__name__}")
    text = " ".join(text.split())
    if len(text.split()) < 3:
        raise ValueError(
            f"alt text must describe the figure in at least three words; got {text!r}"
        )
    if "$" in text or "\\" in text:
        raise ValueError(
            f"alt text must be plain words, without TeX ($ or \\); got {text!r}"
        )
    setattr(fig, ALT_TEXT_ATTR, text)
    return fig


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

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from learnable_bases.plotting import plot_activations
    >>> fig, ax = plt.subplots()
    >>> ax = plot_activations(ax, ["sigmoid", "relu"], derivative=True)
    >>> len(ax.lines), ax.get_ylabel()
    (2, "$g'(z)$")
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    if isinstance(names, str):
        raise TypeError("names must be a sequence of activation names, not a string")
    if x is None:
        x = torch.linspace(-4, 4, 801, dtype=torch.float64)
    for name in names:
        y = act.derivative(name, x) if derivative else act.get_activation(name)(x)
        style = "--" if name == "gelu_erf" else "-"
        color, label = ACTIVATION_COLORS[name], act.LABELS[name]
        ax.plot(x.numpy(), y.numpy(), style, color=color, label=label)
    ylabel = "$g'(z)$" if derivative else "$g(z)$"
    ax.set(xlabel="pre-activation $z = v x + b$", ylabel=ylabel)
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

    Examples
    --------
    Four ReLU kinks (and the constant) on a grid, one line per column:

    >>> import matplotlib.pyplot as plt
    >>> import torch
    >>> from learnable_bases.basis import relu_kink_basis
    >>> from learnable_bases.plotting import plot_basis_functions
    >>> x = torch.linspace(-3, 3, 61)
    >>> fig, ax = plt.subplots()
    >>> ax = plot_basis_functions(ax, x, relu_kink_basis(x, torch.linspace(-2, 2, 5)))
    >>> len(ax.lines)
    5
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    x = check_shape("x", torch.as_tensor(x), ("n",))
    features = torch.as_tensor(features)
    check_shape("features", features, (x.shape[0], "n_functions"), " (n = len(x))")
    xs = x.detach().numpy()
    for phi, color in zip(features.detach().numpy().T, cycle(colors or BASIS_COLORS)):
        ax.plot(xs, phi, color=color, lw=linewidth)
    ax.set(xlabel="$x$", ylabel=r"$\phi_j(x) = g(v_j x + b_j)$")
    return ax


def plot_kink_approximation(
    ax: Axes,
    approx: basis.KinkApproximation,
    *,
    show_neurons: bool = True,
    show_fit: bool = True,
    show_kinks: bool = False,
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
    show_kinks : bool, default False
        Mark the kink positions ``c_j`` with ticks along the bottom of the axes.
    neuron_color : str, default "0.6"
        Colour of the individual neurons.
    target_color : str, default vermillion
        Colour of the dashed target curve.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import torch
    >>> from learnable_bases.basis import kink_approximation
    >>> from learnable_bases.plotting import plot_kink_approximation
    >>> approx = kink_approximation(torch.sin, 4, n_grid=101)
    >>> fig, ax = plt.subplots()
    >>> ax = plot_kink_approximation(ax, approx, show_kinks=True)
    >>> len(ax.lines)  # 4 neurons, their sum, the target, the kink ticks
    7
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
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
    if show_kinks:
        knots = approx.knots.numpy()
        ax.plot(
            knots,
            0 * knots,
            "|",
            ms=10,
            mew=1.5,
            color="0.35",
            label="kinks",
            transform=ax.get_xaxis_transform(),
            clip_on=False,
        )
    ax.set(xlabel="$x$", ylabel="$f(x)$")
    return ax


# ---------------------------------------------------------------------------
# Training pictures: bands, loss curves, loss contours, parameter paths
# ---------------------------------------------------------------------------


def mark_step_directions(
    ax: Axes, v: torch.Tensor, b: torch.Tensor, *, colors: Sequence[str] | None = None
) -> Axes:
    """Mark which way each step neuron ``1[v_j x + b_j > 0]`` faces.

    Steps drawn on one axes overlap at 0 and 1, so nothing shows which side of
    its jump each one is on. This puts a triangle at each jump ``x = -b_j/v_j``,
    at height 1, pointing to the side where the neuron is on (right for
    ``v_j > 0``, left for ``v_j < 0``), in the neuron's colour.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    v : torch.Tensor, shape (n_neurons,) or (n_neurons, 1)
        Input weights of one-input neurons (none may be zero).
    b : torch.Tensor, shape (n_neurons,)
        Biases.
    colors : sequence of str, optional
        Colours to cycle through; defaults to the colours of
        :func:`plot_basis_functions`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    One triangle per neuron, at its jump ``-b_j / v_j``, pointing to where it is on:

    >>> import matplotlib.pyplot as plt
    >>> import torch
    >>> from learnable_bases.plotting import mark_step_directions
    >>> v, b = torch.tensor([1.0, -2.0]), torch.tensor([0.5, 1.0])
    >>> fig, ax = plt.subplots()
    >>> ax = mark_step_directions(ax, v, b)
    >>> [(float(m.get_xdata()[0]), m.get_marker()) for m in ax.lines]
    [(-0.5, '>'), (0.5, '<')]
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    v, b = (torch.as_tensor(t).detach().reshape(-1).double() for t in (v, b))
    check_shape("b", b, v.shape, " (one bias per weight)")
    if bool((v == 0).any()):
        raise ValueError("a step neuron with v_j = 0 has no jump to mark")
    for vj, bj, color in zip(v.tolist(), b.tolist(), cycle(colors or BASIS_COLORS)):
        marker = ">" if vj > 0 else "<"  # towards the side where the step is on
        ax.plot(-bj / vj, 1.0, marker, color=color, ms=9, mec="white")
    return ax


def plot_band(
    ax: Axes,
    x: np.ndarray | torch.Tensor,
    mu: np.ndarray | torch.Tensor,
    sigma: float | np.ndarray | torch.Tensor,
    *,
    color: str = PALETTE[0],
    label: str = "mean μ(x)",
    n_sigmas: Sequence[float] = (1, 2),
) -> Axes:
    """Draw a predicted mean with shaded ``± k sigma`` bands.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    x : array_like, shape (n,)
        Sorted inputs.
    mu : array_like, shape (n,)
        Predicted mean at ``x``.
    sigma : float or array_like, shape (n,)
        Predicted standard deviation (> 0), one value or one per input.
    color : str, default blue
        Colour of the line and the bands.
    label : str
        Legend label of the mean; the bands get ``±σ``, ``±2σ``, ...
    n_sigmas : sequence of float, default (1, 2)
        Band half-widths in units of ``sigma``, narrowest first (darkest).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from learnable_bases.plotting import plot_band
    >>> x = np.linspace(0, 1, 11)
    >>> fig, ax = plt.subplots()
    >>> ax = plot_band(ax, x, np.sin(x), 0.1)
    >>> len(ax.lines), len(ax.collections)  # the mean; the 1 and 2 sigma bands
    (1, 2)
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    x, mu = (np.asarray(a, dtype=float).reshape(-1) for a in (x, mu))
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), x.shape)
    check_shape("mu", mu, x.shape, " (the same length as x)")
    if np.any(sigma < 0) or not np.all(np.isfinite(sigma)):
        raise ValueError("sigma must be finite and >= 0")
    for j, k in enumerate(sorted(n_sigmas)):
        klabel = r"$\pm\sigma$" if k == 1 else rf"$\pm{k:g}\sigma$"
        band = (mu - k * sigma, mu + k * sigma)
        ax.fill_between(x, *band, color=color, alpha=0.35 / (j + 1), lw=0, label=klabel)
    ax.plot(x, mu, color=color, label=label)
    ax.set(xlabel="$x$", ylabel="$y$")
    return ax


def plot_loss_curve(
    ax: Axes,
    history: object,
    *,
    upto: int | None = None,
    label: str = "training",
    color: str = PALETTE[0],
    val_label: str = "validation",
    val_color: str = PALETTE[1],
) -> Axes:
    """Draw the per-epoch training (and validation) loss of a training run.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    history : learnable_bases.training.History
        The record returned by :func:`~learnable_bases.training.train`.
    upto : int, optional
        Draw only the first ``upto`` epochs, with a dot on the last one, but
        keep the axis limits of the whole run, so frames of a stepper line up.
    label, color : str
        Legend label and colour of the training curve.
    val_label, val_color : str
        The same for the validation curve (drawn if the history has one).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    A short run drawn up to epoch 5, with the axis limits of all 10 epochs:

    >>> import matplotlib.pyplot as plt
    >>> import torch
    >>> from learnable_bases.losses import mse_objective
    >>> from learnable_bases.models import MLP
    >>> from learnable_bases.plotting import plot_loss_curve
    >>> from learnable_bases.training import train
    >>> x = torch.linspace(-1, 1, 20)[:, None]
    >>> hist = train(MLP(1, 4, seed=0), mse_objective, x, x**2, epochs=10, lr=0.1)
    >>> fig, ax = plt.subplots()
    >>> ax = plot_loss_curve(ax, hist, upto=5)
    >>> len(ax.lines)  # the curve and the dot on its last epoch
    2
    >>> [float(v) for v in ax.get_xlim()]
    [1.0, 10.0]
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    losses = getattr(history, "losses", None)
    if losses is None:
        raise TypeError(f"history must be a training History; got {history!r}")
    val = history.val_losses
    n = len(losses) if upto is None else max(0, min(int(upto), len(losses)))
    epochs = np.arange(1, n + 1)
    ax.plot(epochs, losses[:n], color=color, label=label)
    if val is not None:
        ax.plot(epochs, val[:n], color=val_color, ls="--", label=val_label)
    if upto is not None and n > 0:  # mark where this frame has got to
        ax.plot(n, losses[n - 1], "o", color=color, ms=6)
        if val is not None:
            ax.plot(n, val[n - 1], "o", color=val_color, ms=6)
    both = np.concatenate([losses, [] if val is None else val])
    lo, hi = float(np.min(both)), float(np.max(both))
    pad = 0.05 * (hi - lo or 1.0)
    ax.set(xlim=(1, max(len(losses), 2)), ylim=(lo - pad, hi + pad))
    ax.set(xlabel="epoch", ylabel="loss")
    return ax


def plot_loss_contours(
    ax: Axes,
    p1: np.ndarray,
    p2: np.ndarray,
    loss: np.ndarray,
    *,
    n_levels: int = 12,
    color: str = "0.55",
) -> Axes:
    """Draw contour lines of a loss over two parameters, spaced geometrically.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    p1 : array_like, shape (m1,)
        Values of the first parameter (horizontal axis).
    p2 : array_like, shape (m2,)
        Values of the second parameter (vertical axis).
    loss : array_like, shape (m2, m1)
        ``loss[j, i]`` at ``(p1[i], p2[j])``, e.g. from
        :func:`~learnable_bases.landscape.loss_surface_2d`.
    n_levels : int, default 12
        Number of contour lines; they sit at geometrically spaced heights above
        the grid's minimum, so the valley floor is resolved as well as the walls.
    color : str, default "0.55"
        Line colour.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from learnable_bases.plotting import plot_loss_contours
    >>> p1 = p2 = np.linspace(-1, 1, 21)
    >>> loss = p1[None, :] ** 2 + 4 * p2[:, None] ** 2
    >>> fig, ax = plt.subplots()
    >>> plot_loss_contours(ax, p1, p2, loss, n_levels=5) is ax
    True
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    p1, p2, loss = (np.asarray(a, dtype=float) for a in (p1, p2, loss))
    check_shape("p1", p1, ("m1",))
    check_shape("p2", p2, ("m2",))
    check_shape("loss", loss, (p2.size, p1.size), " (m2, m1)")
    lo, hi = float(loss.min()), float(loss.max())
    span = hi - lo or 1.0
    levels = lo + span * np.geomspace(1e-3, 1.0, n_levels)
    ax.contour(p1, p2, loss, levels=levels, colors=color, linewidths=0.9)
    ax.set_aspect("equal", adjustable="box")
    return ax


def plot_path(
    ax: Axes,
    path: np.ndarray,
    *,
    color: str = PALETTE[0],
    label: str | None = None,
    marker: str = "o",
    markersize: float = 3.5,
    linewidth: float = 1.5,
) -> Axes:
    """Draw an optimisation path through two parameters, with its start marked.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    path : array_like, shape (steps + 1, 2)
        Parameter pairs, first to last (e.g. from
        :func:`~learnable_bases.quadratic.gd_path_2d` or
        :func:`~learnable_bases.landscape.parameter_path`).
    color : str, default blue
        Line and marker colour.
    label : str, optional
        Legend label.
    marker : str, default "o"
        Marker of the iterates.
    markersize, linewidth : float
        Marker size and line width.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from learnable_bases.plotting import plot_path
    >>> path = np.array([[1.0, 1.0], [0.5, 0.2], [0.2, 0.0]])
    >>> fig, ax = plt.subplots()
    >>> ax = plot_path(ax, path, label="gradient descent")
    >>> len(ax.lines)  # the path, then the square at its start
    2
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or path.shape[1] != 2 or path.shape[0] < 1:
        raise ValueError(f"path must have shape (steps + 1, 2); got {path.shape}")
    ax.plot(
        *path.T, marker=marker, ms=markersize, lw=linewidth, color=color, label=label
    )
    ax.plot(*path[0], "s", ms=7, color=color, mec="black", mew=0.8)
    return ax


# ---------------------------------------------------------------------------
# 2D fields on the unit square
# ---------------------------------------------------------------------------

#: Perceptually uniform, colour-blind-safe colour map of the 2D fields.
FIELD_CMAP = "viridis"


def plot_field(
    ax: Axes,
    values: np.ndarray | torch.Tensor | object | None,
    *,
    grid: int = 100,
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: str = FIELD_CMAP,
    points: np.ndarray | torch.Tensor | None = None,
    point_values: np.ndarray | torch.Tensor | None = None,
    point_size: float = 6.0,
) -> Axes:
    """Draw a field on the unit square as a colour map, optionally with samples.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    values : array_like, shape (n, n), callable or None
        The field on an ``n x n`` grid laid out as by
        :func:`learnable_bases.deep.field_grid` (rows along ``x_2``, columns
        along ``x_1``), or a function ``(m, 2) -> (m,)`` or ``(m, 1)`` such as
        a target of :mod:`learnable_bases.targets` or a trained model, which is
        evaluated on a ``grid x grid`` grid. ``None`` draws only the samples
        (then ``points``, ``vmin`` and ``vmax`` are required).
    grid : int, default 100
        Cells per side when ``values`` is a function.
    vmin, vmax : float, optional
        Ends of the colour scale; default to the field's range.
    cmap : str, default "viridis"
        Colour map (perceptually uniform).
    points : array_like, shape (k, 2), optional
        Sample locations to scatter on top.
    point_values : array_like, shape (k,) or (k, 1), optional
        Their values, coloured on the same scale (required with ``points``).
    point_size : float, default 6.0
        Marker area of the samples.

    Returns
    -------
    matplotlib.axes.Axes
        The colour map is ``ax.images[-1]`` (or, with ``values=None``, the
        scatter ``ax.collections[-1]``): pass it to ``fig.colorbar``.

    Examples
    --------
    A function of ``(m, 2)`` points, evaluated on a 20 x 20 grid, with a colour bar:

    >>> import matplotlib.pyplot as plt
    >>> from learnable_bases.plotting import plot_field
    >>> fig, ax = plt.subplots()
    >>> ax = plot_field(ax, lambda xy: xy[:, 0] * xy[:, 1], grid=20)
    >>> ax.images[-1].get_array().shape
    (20, 20)
    >>> colorbar = fig.colorbar(ax.images[-1], ax=ax)
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    if (points is None) != (point_values is None):
        raise ValueError("give both points and point_values, or neither")
    if values is None:
        if points is None or vmin is None or vmax is None:
            raise ValueError("values=None needs points, point_values, vmin and vmax")
        image = None
    elif callable(values):
        from .deep import field_grid

        with torch.no_grad():
            out = values(field_grid(grid))
        image = torch.as_tensor(out).detach().double().reshape(grid, grid).numpy()
    else:
        image = np.asarray(
            values.detach() if isinstance(values, torch.Tensor) else values, dtype=float
        )
        if image.ndim != 2 or image.shape[0] != image.shape[1]:
            raise ValueError(
                f"values must be a square (n, n) array or a function; got shape "
                f"{image.shape}"
            )
    lo = float(np.min(image)) if vmin is None else float(vmin)
    hi = float(np.max(image)) if vmax is None else float(vmax)
    scale = {"cmap": cmap, "vmin": lo, "vmax": hi}
    if image is not None:
        extent = (0.0, 1.0, 0.0, 1.0)
        ax.imshow(
            image, origin="lower", extent=extent, interpolation="nearest", **scale
        )
    if points is not None:
        pts = np.asarray(torch.as_tensor(points).detach(), dtype=float)
        vals = np.asarray(torch.as_tensor(point_values).detach(), dtype=float).ravel()
        check_shape("points", pts, ("k", 2))
        check_shape("point_values", vals, (pts.shape[0],), " (one per point)")
        # antialiased=False: crisp dots, a third of the PNG size
        ax.scatter(
            *pts.T, c=vals, s=point_size, **scale, edgecolors="none", antialiased=False
        )
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_ticks([0, 0.5, 1], ["0", "0.5", "1"])
    ax.grid(False)
    return ax


def finish_field_grid(axes: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Finish a rows-by-columns grid of :func:`plot_field` maps.

    Puts one horizontal colour bar under each column (for the first image of its
    top panel, so draw each column on one colour scale) and keeps axis labels on
    the outer panels only.

    Parameters
    ----------
    axes : numpy.ndarray of matplotlib.axes.Axes, shape (n_rows, n_cols)
        The grid, as returned by ``plt.subplots(n_rows, n_cols)``.
    labels : sequence of str, length n_cols
        Colour-bar label of each column.

    Returns
    -------
    numpy.ndarray
        ``axes``.

    Examples
    --------
    Two rows of two maps: a colour bar under each column, labels on the outer panels:

    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from learnable_bases.plotting import finish_field_grid, plot_field
    >>> fig, axes = plt.subplots(2, 2)
    >>> for ax in axes.flat:
    ...     ax = plot_field(ax, np.eye(4))
    >>> axes = finish_field_grid(axes, ["target", "fit"])
    >>> len(fig.axes), axes[0, 0].get_xlabel(), axes[1, 0].get_xlabel()
    (6, '', '$x_1$')
    >>> plt.close(fig)
    """
    axes = np.asarray(axes)
    if axes.ndim != 2:
        raise ValueError(f"axes must be a 2D grid of Axes; got shape {axes.shape}")
    of = "strings, one colour-bar label per column"
    check_sequence("labels", labels, of, length=axes.shape[1])
    for col, label in enumerate(labels):
        top = check_ax(axes[0, col])
        if not top.images:
            raise ValueError(f"column {col} has no image; draw it with plot_field")
        top.figure.colorbar(
            top.images[0], ax=list(axes[:, col]), location="bottom", shrink=0.85,
            label=label,
        )  # fmt: skip
    for ax in axes[:-1].flat:
        ax.set_xlabel("")
    for ax in axes[:, 1:].flat:
        ax.set_ylabel("")
    return axes


# ---------------------------------------------------------------------------
# Posterior pictures: credible ellipses, coverage
# ---------------------------------------------------------------------------


def plot_gaussian_contours(
    ax: Axes,
    mean: np.ndarray | torch.Tensor,
    cov: np.ndarray | torch.Tensor,
    *,
    levels: Sequence[float] = (0.68, 0.95),
    color: str = PALETTE[0],
    ls: str = "-",
    label: str | None = None,
    fill: bool = False,
) -> Axes:
    """Draw the highest-density ellipses of a 2-D Gaussian.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    mean : array_like, shape (2,)
        Centre.
    cov : array_like, shape (2, 2)
        Covariance (positive definite).
    levels : sequence of float, default (0.68, 0.95)
        Probability inside each ellipse, in ``(0, 1)``.
    color, ls : str
        Line colour and style.
    label : str, optional
        Legend label (given to the first ellipse only).
    fill : bool, default False
        Shade the innermost ellipse lightly.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from learnable_bases.plotting import plot_gaussian_contours
    >>> fig, ax = plt.subplots()
    >>> cov = [[1.0, 0.5], [0.5, 2.0]]
    >>> ax = plot_gaussian_contours(ax, [0.0, 0.0], cov, fill=True)
    >>> len(ax.lines), len(ax.patches)  # the 68 % and 95 % ellipses; the shading
    (2, 1)
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    mean, cov = np.asarray(mean, dtype=float).reshape(-1), np.asarray(cov, dtype=float)
    check_shape("mean", mean, (2,))
    check_shape("cov", cov, (2, 2))
    chol = np.linalg.cholesky(cov)
    angle = np.linspace(0, 2 * np.pi, 181)
    circle = np.stack([np.cos(angle), np.sin(angle)])
    for j, level in enumerate(sorted(levels)):
        level = check_fraction("levels", level)
        radius = np.sqrt(-2.0 * np.log(1.0 - level))  # chi-square, 2 dof
        pts = mean[:, None] + radius * chol @ circle
        ax.plot(*pts, ls, color=color, lw=1.8, label=label if j == 0 else None)
        if fill and j == 0:
            ax.fill(*pts, color=color, alpha=0.15, lw=0)
    return ax


def plot_coverage(
    ax: Axes,
    nominal: np.ndarray,
    empirical: np.ndarray,
    *,
    n: int | None = None,
    color: str = PALETTE[0],
    marker: str = "o",
    ls: str = "-",
    label: str | None = None,
) -> Axes:
    """Empirical against nominal coverage, with the diagonal of perfect calibration.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    nominal : array_like, shape (k,)
        Credibility levels.
    empirical : array_like, shape (k,)
        Fraction of true parameters inside each level's region.
    n : int, optional
        Number of simulations behind ``empirical``: shades the band of
        ``± 2`` binomial standard deviations around the diagonal.
    color, marker, ls : str
        Style of the curve.
    label : str, optional
        Legend label.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from learnable_bases.plotting import plot_coverage
    >>> fig, ax = plt.subplots()
    >>> ax = plot_coverage(ax, [0.5, 0.8, 0.95], [0.48, 0.81, 0.93], n=200)
    >>> len(ax.lines), len(ax.collections)  # diagonal and curve; the 2 sd band
    (2, 1)
    >>> plt.close(fig)
    """
    ax = check_ax(ax)
    nominal, empirical = (np.asarray(a, dtype=float) for a in (nominal, empirical))
    check_shape("nominal", nominal, ("n_levels",))
    check_shape("empirical", empirical, nominal.shape, " (the same length as nominal)")
    if not ax.lines:  # first curve on these axes: draw the reference once
        line = np.linspace(0, 1, 101)
        ax.plot(line, line, color="0.5", lw=1, ls=":")
        if n is not None:
            half = 2 * np.sqrt(line * (1 - line) / n)
            ax.fill_between(
                line, line - half, line + half, color="0.5", alpha=0.2, lw=0
            )
        ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal")
        ax.set(xlabel="credibility level (nominal)", ylabel="coverage (empirical)")
    ax.plot(nominal, empirical, ls, marker=marker, ms=4, color=color, label=label)
    return ax
