"""Going deep: what stacked layers compute, how gradients reach them, what depth buys.

* :func:`count_kinks` and :func:`kinks_by_depth` measure how many times the
  effective basis functions of random ReLU networks
  (:func:`learnable_bases.basis.random_deep_features`) change slope, layer by
  layer.
* :func:`backprop` computes the gradient of the squared error by the chain rule
  written out layer by layer (what ``loss.backward()`` does automatically).
* :func:`fit_field` trains an :class:`~learnable_bases.models.MLP` on noisy
  samples of a 2D field (:mod:`learnable_bases.targets`) and measures how well it
  recovers the whole surface; :func:`depth_sweep` repeats that for several depths.

Everything is seeded; the global random state is neither used nor changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from . import activations, basis, losses, targets
from ._checks import (
    check_int,
    check_interval,
    check_positive_float,
    check_positive_int,
    check_sequence,
    check_shape,
    check_tensor,
    frozen,
    frozen_int,
)
from .cache import cached
from .models import MLP
from .sweep import stacked_mse, train_stacked
from .training import History, train


# ------------------------------------------------------------------ kinks by depth
def count_kinks(
    x: torch.Tensor, features: torch.Tensor, rel_tol: float = 1e-6
) -> np.ndarray:
    """Number of slope changes of each column of ``features`` on the grid ``x``.

    For piecewise-linear functions (ReLU networks of a 1D input) a kink is where
    the slope between neighbouring grid points changes by more than
    ``rel_tol`` times the function's largest slope. A run of neighbouring
    flagged grid intervals counts once, so two kinks closer than the grid
    spacing count as one: use a fine grid.

    Parameters
    ----------
    x : torch.Tensor, shape (n,)
        Strictly increasing grid, ``n >= 3``.
    features : torch.Tensor, shape (n, k)
        ``features[:, j]`` is function ``j`` on the grid.
    rel_tol : float, default 1e-6
        Relative size of a slope change that counts as a kink (> 0).

    Returns
    -------
    np.ndarray of int, shape (k,)
        Kinks per function; a straight line has 0, ``relu(x - c)`` has 1.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.deep import count_kinks
    >>> x = torch.linspace(-3, 3, 601, dtype=torch.float64)
    >>> count_kinks(x, torch.stack([x, torch.relu(x - 0.5), x.abs() - 1], 1))
    array([0, 1, 1])
    """
    x = check_tensor("x", x, ndim=1)
    features = check_tensor("features", features, ndim=2)
    rel_tol = check_positive_float("rel_tol", rel_tol)
    if x.numel() < 3:
        raise ValueError(f"x needs at least 3 grid points; got {x.numel()}")
    check_shape("features", features, (x.numel(), "k"), " (rows must match x)")
    dx = torch.diff(x.to(torch.float64))
    if not (dx > 0).all():
        raise ValueError("x must be strictly increasing")
    slopes = torch.diff(features.detach().to(torch.float64), dim=0) / dx[:, None]
    scale = slopes.abs().max(dim=0).values.clamp_min(torch.finfo(torch.float64).tiny)
    flagged = torch.diff(slopes, dim=0).abs() > rel_tol * scale
    previous = torch.cat([torch.zeros_like(flagged[:1]), flagged[:-1]])
    return (flagged & ~previous).sum(dim=0).numpy().astype(int)


@cached
def kinks_by_depth(
    depths: Sequence[int],
    width: int,
    *,
    n_networks: int = 20,
    seed: int = 0,
    interval: tuple[float, float] = (-3.0, 3.0),
    n_grid: int = 6001,
) -> np.ndarray:
    """Kinks of the effective basis functions of random ReLU networks, by depth.

    For each depth, draws ``n_networks`` random networks with
    :func:`~learnable_bases.basis.random_deep_features` (seeds ``seed``,
    ``seed + 1``, ...) and counts the kinks of every last-layer function on a
    grid of ``interval``.

    Parameters
    ----------
    depths : sequence of int
        Numbers of hidden layers (each >= 1).
    width : int
        Units per hidden layer (>= 1).
    n_networks : int, default 20
        Random networks per depth (>= 1).
    seed : int, default 0
        Seed of the first network (>= 0).
    interval : (float, float), default (-3, 3)
        Input range.
    n_grid : int, default 6001
        Grid points (>= 3).

    Returns
    -------
    np.ndarray of int, shape (len(depths), n_networks * width)
        Row ``i`` holds the kink counts of all functions at ``depths[i]``.

    Examples
    --------
    With one hidden layer every basis function is a single ReLU kink:

    >>> from learnable_bases.deep import kinks_by_depth
    >>> counts = kinks_by_depth([1, 2], 4, n_networks=2, n_grid=601)
    >>> counts.shape
    (2, 8)
    >>> counts[0].tolist()
    [1, 1, 1, 1, 1, 1, 1, 1]
    """
    depths = _check_depths(depths)
    width, seeds, x = _random_networks(width, n_networks, seed, interval, n_grid)
    features = basis.random_deep_features
    rows = [
        [count_kinks(x, features(x, depth, width, "relu", seed=s)) for s in seeds]
        for depth in depths
    ]
    return np.stack([np.concatenate(row) for row in rows])


@cached
def output_kinks(
    depth: int,
    width: int,
    *,
    n_networks: int = 20,
    seed: int = 0,
    interval: tuple[float, float] = (-3.0, 3.0),
    n_grid: int = 60001,
) -> np.ndarray:
    """Kinks of the *output* of random ReLU networks with a random linear head.

    Network ``k`` is :func:`~learnable_bases.basis.random_deep_features` drawn
    from a generator seeded with ``seed + k`` (so its hidden layers are those
    of :func:`kinks_by_depth` with the same seed), followed by head weights
    ``w_j ~ N(0, 1)`` from the same generator. The output
    ``mu(x) = sum_j w_j h^{(L)}_j(x)`` bends wherever any of its basis
    functions bends, so this counts what the whole network can fold, not what
    one basis function does.

    Parameters
    ----------
    depth : int
        Hidden layers (>= 1).
    width : int
        Units per hidden layer (>= 1).
    n_networks : int, default 20
        Random networks (>= 1).
    seed : int, default 0
        Seed of the first network (>= 0).
    interval : (float, float), default (-3, 3)
        Input range; every first-layer kink lies inside it.
    n_grid : int, default 60001
        Grid points (>= 3); fine, since the output has the kinks of all
        ``width`` basis functions and two closer than the spacing count once.

    Returns
    -------
    np.ndarray of int, shape (n_networks,)
        Kinks of each network's output on the grid.

    Examples
    --------
    >>> from learnable_bases.deep import output_kinks
    >>> output_kinks(1, 5, n_networks=2).tolist()  # one kink per unit
    [5, 5]
    """
    depth = check_positive_int("depth", depth)
    width, seeds, x = _random_networks(width, n_networks, seed, interval, n_grid)
    counts = []
    for s in seeds:
        gen = torch.Generator().manual_seed(s)
        h = basis.random_deep_features(x, depth, width, "relu", seed=gen)
        w = torch.randn(width, 1, generator=gen, dtype=torch.float64)
        counts.append(int(count_kinks(x, h @ w)[0]))
    return np.array(counts)


def _random_networks(
    width: object, n_networks: object, seed: object, interval: object, n_grid: object
) -> tuple[int, range, torch.Tensor]:
    """Checked ``width``, the seeds of ``n_networks`` networks from ``seed`` on,
    and the float64 grid of ``n_grid`` points on ``interval``."""
    width = check_positive_int("width", width)
    n_networks = check_positive_int("n_networks", n_networks)
    n_grid = check_positive_int("n_grid", n_grid)
    seed = check_int("seed", seed, minimum=0)
    lo, hi = check_interval(interval)
    x = torch.linspace(lo, hi, n_grid, dtype=torch.float64)
    return width, range(seed, seed + n_networks), x


def sawtooth_kinks(depth: int, width: int, *, n_grid: int | None = None) -> int:
    """Kinks of a hand-built ReLU network that folds as much as depth allows.

    Every hidden layer of ``width`` units computes, on ``[0, 1]``, a zigzag
    that rises and falls ``width`` times between 0 and 1 (``width`` linear
    pieces, kinks at ``i / width``); stacking ``depth`` of them composes the
    zigzags, so the output has ``width ** depth`` pieces, ``width ** depth - 1``
    kinks, with ``depth * width`` neurons. (One hidden layer of ``width`` units
    has at most ``width`` kinks.) The count is measured on a grid of the output,
    not assumed.

    Parameters
    ----------
    depth : int
        Hidden layers (>= 1).
    width : int
        Units per layer (>= 2).
    n_grid : int, optional
        Grid points on ``[0, 1]``; by default ``8 * width ** depth + 1``, fine
        enough to resolve every kink.

    Returns
    -------
    int
        The kinks counted by :func:`count_kinks`.

    Examples
    --------
    Three units fold into 3 pieces; two such layers into ``3 ** 2 = 9`` pieces:

    >>> from learnable_bases.deep import sawtooth_kinks
    >>> sawtooth_kinks(1, 3), sawtooth_kinks(2, 3)
    (2, 8)
    """
    depth = check_positive_int("depth", depth)
    width = check_positive_int("width", width)
    if width < 2:
        raise ValueError(f"width must be at least 2 for a zigzag; got {width}")
    n_grid = check_positive_int("n_grid", n_grid or 8 * width**depth + 1)
    x = torch.linspace(0.0, 1.0, n_grid, dtype=torch.float64)
    # one layer: z(u) = sum_i a_i relu(u - i/width), slopes +-width alternately
    knots = torch.arange(width, dtype=torch.float64) / width
    slopes = width * (-1.0) ** torch.arange(width, dtype=torch.float64)
    a = torch.diff(slopes, prepend=torch.zeros(1, dtype=torch.float64))
    u = x[:, None]
    for _ in range(depth):
        u = torch.relu(u - knots) @ a[:, None]  # (n, width) ReLUs, then a sum
    return int(count_kinks(x, u)[0])


def _check_depths(depths: object) -> list[int]:
    depths = check_sequence("depths", depths, "positive integers", nonempty=True)
    return [check_positive_int("depth", d) for d in depths]


# ------------------------------------------------------------------- backprop
def backprop(
    model: MLP, x: torch.Tensor, y: torch.Tensor
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Gradients of the mean squared error, by the chain rule written out by hand.

    For ``mu = W^{(L+1)} h^{(L)} + b^{(L+1)}``, ``h^{(l)} = g(z^{(l)})`` and
    ``z^{(l)} = W^{(l)} h^{(l-1)} + b^{(l)}``, the backward pass starts from
    ``delta = dE/dmu = 2 (mu - y) / n`` and walks down the layers:

    * ``dE/dW^{(l)} = delta^T h^{(l-1)}`` and ``dE/db^{(l)} = sum(delta)``
      (summed over the batch),
    * ``dE/dh^{(l-1)} = delta W^{(l)}`` (back through the weights), then
    * ``delta = dE/dz^{(l-1)} = g'(z^{(l-1)}) * dE/dh^{(l-1)}`` (back through the
      activation).

    Each step multiplies by one factor of the chain rule: a weight matrix or the
    activation's derivative. This is what ``loss.backward()`` computes; the
    function exists to check that, not to replace it.

    Parameters
    ----------
    model : MLP
        A network with a linear head.
    x : torch.Tensor, shape (n, in_dim)
        Inputs, in the model's dtype.
    y : torch.Tensor, shape (n, out_dim)
        Targets.

    Returns
    -------
    list of (torch.Tensor, torch.Tensor), length depth + 1
        ``(dE/dW, dE/db)`` for the hidden layers, first to last, then the head;
        each with the shape of the parameter.

    Examples
    --------
    The hand-written chain rule agrees with ``loss.backward()``, layer by layer:

    >>> import torch
    >>> from learnable_bases.deep import backprop
    >>> from learnable_bases.models import MLP
    >>> model = MLP(2, 4, depth=2, seed=0).double()
    >>> x = torch.linspace(0, 1, 16, dtype=torch.float64).reshape(8, 2)
    >>> grads = backprop(model, x, torch.ones(8, 1, dtype=torch.float64))
    >>> ((model(x) - 1) ** 2).mean().backward()  # autograd fills each .grad
    >>> [torch.allclose(dw, m.weight.grad) and torch.allclose(db, m.bias.grad)
    ...  for (dw, db), m in zip(grads, (*model.layers, model.head))]
    [True, True, True]
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be an MLP; got {type(model).__name__}")
    if model.output != "linear":
        raise ValueError("backprop handles the linear head only (output='linear')")
    if model.skip_layer is not None:
        raise ValueError("backprop handles networks without a skip layer (skip=False)")
    with torch.no_grad():
        mu = model(x)  # checks x
        losses.mse(mu, y)  # checks y
        zs, hs, g = [], [x], activations.get_activation(model.activation)
        for layer in model.layers:
            zs.append(layer(hs[-1]))
            hs.append(g(zs[-1]))
        delta = 2.0 * (mu - y) / mu.numel()  # dE/dmu, shape (n, out_dim)
        grads = [(delta.T @ hs[-1], delta.sum(dim=0))]  # the head
        weight = model.head.weight
        for layer, z, h_in in zip(
            reversed(model.layers), reversed(zs), reversed(hs[:-1]), strict=True
        ):
            delta = activations.derivative(model.activation, z) * (delta @ weight)
            grads.append((delta.T @ h_in, delta.sum(dim=0)))
            weight = layer.weight
    return grads[::-1]


@cached
def gradients_by_layer(
    seeds: Sequence[int],
    *,
    init: str = "pytorch",
    width: int = 16,
    depth: int = 4,
    field: str = "spiral",
    n: int = 64,
    data_seed: int = 1,
) -> np.ndarray:
    """Largest weight gradient of each layer of freshly initialised networks.

    For each seed, an ``MLP(2, width, depth, init=init, seed=seed)`` in float64
    and ``n`` noisy samples of ``field`` (seed ``data_seed``, the same for all
    networks): the largest ``|dE/dW|`` of the squared error ``E``, per layer.

    Parameters
    ----------
    seeds : sequence of int
        Seeds of the initial weights.
    init : {"pytorch", "he"}, default "pytorch"
        PyTorch's default ``nn.Linear`` initialisation (weights uniform with
        variance ``1 / (3 fan_in)``) or He's (``N(0, 2 / fan_in)``).
    width, depth : int
        The network.
    field : str, default "spiral"
        The data (:func:`~learnable_bases.targets.sample_field`, noise 0.1).
    n : int, default 64
        Samples.
    data_seed : int, default 1
        Seed of the samples.

    Returns
    -------
    np.ndarray, shape (len(seeds), depth + 1)
        Column ``l`` is hidden layer ``l + 1``; the last column is the head.
        ``g[:, -1] / g[:, 0]`` is the head-to-first-layer ratio.

    Examples
    --------
    >>> from learnable_bases.deep import gradients_by_layer
    >>> g = gradients_by_layer([0, 1], width=8, depth=3, n=32)
    >>> g.shape, bool((g > 0).all())
    ((2, 4), True)
    """
    check_sequence("seeds", seeds, "ints", nonempty=True)
    # sample_field checks the field's name
    x, y = (t.double() for t in targets.sample_field(field, n, 0.1, data_seed))
    rows = []
    for s in seeds:
        model = MLP(2, width, depth, seed=s, init=init).double()
        losses.mse_objective(model, x, y).backward()
        layers = (*model.layers, model.head)
        rows.append([float(m.weight.grad.abs().max()) for m in layers])
    return frozen(np.array(rows))


# ------------------------------------------------------------------ 2D fields
def field_grid(n: int = 100) -> torch.Tensor:
    """Centres of an ``n x n`` grid of cells on the unit square.

    Row ``i * n + j`` is the point ``((j + 0.5) / n, (i + 0.5) / n)``, so
    ``values.reshape(n, n)`` is an image with ``x_2`` along rows (``origin =
    "lower"``) and ``x_1`` along columns.

    Parameters
    ----------
    n : int, default 100
        Cells per side (>= 1).

    Returns
    -------
    torch.Tensor, shape (n * n, 2)
        The points (float32).

    Examples
    --------
    >>> from learnable_bases.deep import field_grid
    >>> field_grid(2).tolist()
    [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]]
    >>> field_grid(100).shape
    torch.Size([10000, 2])
    """
    n = check_positive_int("n", n)
    c = (torch.arange(n, dtype=torch.float32) + 0.5) / n
    x2, x1 = torch.meshgrid(c, c, indexing="ij")
    return torch.stack([x1.reshape(-1), x2.reshape(-1)], dim=1)


@dataclass(frozen=True, eq=False)
class FieldFit:
    """A network trained on noisy samples of a 2D field (from :func:`fit_field`).

    Attributes
    ----------
    name : str
        The field, ``"blob"``, ``"moons"`` or ``"spiral"``.
    depth, width : int
        Hidden layers and neurons per layer.
    n_params : int
        Trainable parameters of the model.
    noise_sigma : float
        Standard deviation of the noise on the training targets.
    model : MLP
        The trained network, ``(n, 2) -> (n, 1)``.
    history : History
        The training record.
    x_train : torch.Tensor, shape (n_train, 2)
        Training inputs.
    y_train : torch.Tensor, shape (n_train, 1)
        Noisy training targets.
    truth : np.ndarray, shape (grid, grid)
        The true field on :func:`field_grid` (``truth[i, j]`` at row ``x_2``,
        column ``x_1``).
    prediction : np.ndarray, shape (grid, grid)
        The network's ``mu`` on the same grid.
    test_mse : float
        Mean of ``(prediction - truth)^2`` over the grid: the squared error of
        the inferred surface, averaged over the square (no noise involved).
    r2 : float
        ``1 - test_mse / var(truth)``: the fraction of the field's variation
        recovered (1 is perfect, 0 is no better than a constant).

    Examples
    --------
    >>> from learnable_bases.deep import fit_field
    >>> fit = fit_field("blob", width=8, n_train=64, batch_size=32, epochs=3, grid=10)
    >>> fit.name, fit.depth, fit.width, fit.n_params
    ('blob', 1, 8, 33)
    >>> fit.x_train.shape, fit.truth.shape, fit.prediction.shape
    (torch.Size([64, 2]), (10, 10), (10, 10))
    """

    name: str
    depth: int
    width: int
    n_params: int
    noise_sigma: float
    model: MLP
    history: History
    x_train: torch.Tensor
    y_train: torch.Tensor
    truth: np.ndarray
    prediction: np.ndarray
    test_mse: float
    r2: float

    def __repr__(self) -> str:
        return (
            f"FieldFit({self.name!r}, depth={self.depth}, width={self.width}, "
            f"test_mse={self.test_mse:.4g}, r2={self.r2:.3f})"
        )


@cached
def fit_field(
    name: str,
    depth: int = 1,
    width: int = 32,
    *,
    n_train: int = 1500,
    noise_sigma: float = 0.1,
    epochs: int = 100,
    lr: float = 5e-3,
    batch_size: int | None = 128,
    optimizer: str = "adam",
    activation: str = "relu",
    grid: int = 100,
    seed: int = 0,
    snapshots: Sequence[int] | None = None,
    val_fraction: float | None = None,
    patience: int | None = None,
    restore_best: bool | None = None,
    init: str = "pytorch",
) -> FieldFit:
    """Infer a 2D field from noisy samples with an MLP trained on the MSE.

    Draws ``n_train`` noisy samples with
    :func:`~learnable_bases.targets.sample_field`, trains
    ``MLP(2, width, depth, activation)`` on them with
    :func:`~learnable_bases.training.train` and compares the network with the
    noise-free field on a ``grid x grid`` grid of the unit square. The defaults
    take under a second on one CPU thread (1200 steps of 128 samples).

    Parameters
    ----------
    name : {"blob", "moons", "spiral"}
        The field.
    depth : int, default 1
        Hidden layers (>= 1).
    width : int, default 32
        Neurons per hidden layer (>= 1).
    n_train : int, default 1500
        Training samples (>= 1).
    noise_sigma : float, default 0.1
        Noise on the training targets (>= 0).
    epochs : int, default 100
        Passes over the training data (>= 1).
    lr : float, default 5e-3
        Learning rate (> 0).
    batch_size : int or None, default 128
        Mini-batch size; ``None`` for full-batch steps.
    optimizer : {"sgd", "adam"}, default "adam"
        Optimizer of :func:`~learnable_bases.training.train`.
    activation : str, default "relu"
        Activation of the hidden layers.
    grid : int, default 100
        Test grid cells per side (>= 2).
    seed : int, default 0
        Seeds the data, the initial weights and the batch order.
    snapshots : sequence of int, optional
        Epochs (0 is the initial model) after which to keep the model's
        ``state_dict``, in ``history.snapshots`` (see
        :func:`~learnable_bases.training.train`).
    val_fraction : float, optional
        Hold out this fraction of the ``n_train`` samples (split with ``seed``)
        as validation data; the network trains on the rest.
    patience : int, optional
        Stop when the validation loss has not improved for this many epochs
        (needs ``val_fraction``); ``epochs`` is then the most it may run.
    restore_best : bool, optional
        End with the weights of the best validation epoch (the default when
        ``patience`` is given).
    init : {"pytorch", "he"}, default "pytorch"
        Initial weights of the :class:`~learnable_bases.models.MLP`.

    Returns
    -------
    FieldFit
        The trained model, its history and its test error.

    Examples
    --------
    A tiny run (3 epochs of 2 batches) to show the call:

    >>> from learnable_bases.deep import fit_field
    >>> fit = fit_field("blob", width=8, n_train=64, batch_size=32, epochs=3, grid=10)
    >>> fit.history.epochs, fit.history.steps, fit.prediction.shape
    (3, 6, (10, 10))
    >>> bool(fit.history.final_loss < fit.history.losses[0])
    True
    """
    grid = check_int("grid", grid, minimum=2)
    x, y = targets.sample_field(name, n_train, noise_sigma, seed)  # checks name
    model = MLP(2, width, depth, activation, seed=seed, init=init)
    history = train(
        model,
        losses.mse_objective,
        x,
        y,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        optimizer=optimizer,
        seed=seed,
        progress=False,
        snapshots=snapshots,
        val_fraction=val_fraction,
        patience=patience,
        restore_best=restore_best,
    )
    return _field_fit(name, model, history, (x, y), noise_sigma, grid)


def _field_fit(
    name: str, model: MLP, history: History, data: tuple, noise_sigma: float, grid: int
) -> FieldFit:
    """The :class:`FieldFit` record of a model trained on ``data = (x, y)``: its
    test error on a grid."""
    points = field_grid(grid)
    model.eval()
    with torch.no_grad():
        prediction = model(points)[:, 0].double().numpy().reshape(grid, grid)
    truth = targets.FIELDS[name](points.double()).numpy().reshape(grid, grid)
    test_mse = float(np.mean((prediction - truth) ** 2))
    r2 = 1.0 - test_mse / float(np.var(truth))
    n_params = sum(p.numel() for p in model.parameters())
    fit = (model, history, *data, truth, prediction, test_mse, r2)
    return FieldFit(name, model.depth, model.width, n_params, float(noise_sigma), *fit)


@cached
def fit_fields(
    names: Sequence[str],
    depth: int = 1,
    width: int = 32,
    *,
    seeds: Sequence[int] = (0,),
    n_train: int = 1500,
    noise_sigma: float = 0.1,
    epochs: int = 100,
    lr: float = 5e-3,
    batch_size: int | None = 128,
    optimizer: str = "adam",
    activation: str = "relu",
    grid: int = 100,
    val_fraction: float | None = None,
    patience: int | None = None,
    restore_best: bool | None = None,
    init: str = "pytorch",
) -> list[list[FieldFit]]:
    """:func:`fit_field` for several fields and seeds, trained together.

    The ``len(names) * len(seeds)`` networks have one shape, so
    :func:`~learnable_bases.sweep.train_stacked` trains them at once, each on
    its own data; each equals the :func:`fit_field` with the same arguments up
    to float rounding (but keeps no snapshots).

    Parameters
    ----------
    names : sequence of {"blob", "moons", "spiral"}
        Fields.
    depth, width : int
        Hidden layers and neurons per layer of every network.
    seeds : sequence of int, default (0,)
        For each seed, a fit with that seed for the data, the initial weights
        and the batch order (as ``fit_field(..., seed=s)``).
    n_train, noise_sigma, epochs, lr, batch_size, optimizer, activation, grid :
        As in :func:`fit_field`.
    val_fraction, patience, restore_best, init :
        As in :func:`fit_field`: each network holds out its own part of its
        data (split with its seed) and stops on its own.

    Returns
    -------
    list of list of FieldFit
        ``fits[i][j]`` is field ``names[i]`` fitted with ``seeds[j]``.

    Examples
    --------
    >>> from learnable_bases.deep import fit_fields
    >>> fits = fit_fields(["blob", "moons"], width=8, seeds=[0, 1], n_train=64,
    ...                   batch_size=32, epochs=2, grid=10)
    >>> len(fits), len(fits[0])
    (2, 2)
    >>> fits[1][0].name, fits[1][0].history.epochs
    ('moons', 2)
    """
    check_sequence("names", names, "field names", nonempty=True)
    check_sequence("seeds", seeds, "ints", nonempty=True)
    grid = check_int("grid", grid, minimum=2)
    # sample_field checks each field's name
    members = [(name, s) for name in names for s in seeds]
    data = [targets.sample_field(name, n_train, noise_sigma, s) for name, s in members]
    models = [MLP(2, width, depth, activation, seed=s, init=init) for _, s in members]
    histories = train_stacked(
        models,
        stacked_mse,
        torch.stack([x for x, _ in data]),
        torch.stack([y for _, y in data]),
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        optimizer=optimizer,
        seeds=[s for _, s in members],
        progress=False,
        val_fraction=val_fraction,
        patience=patience,
        restore_best=restore_best,
    )
    runs = zip(members, models, histories, data, strict=True)
    fits = [_field_fit(n, m, h, xy, noise_sigma, grid) for (n, _), m, h, xy in runs]
    return [fits[i * len(seeds) : (i + 1) * len(seeds)] for i in range(len(names))]


@dataclass(frozen=True, eq=False)
class DepthSweep:
    """Result of :func:`depth_sweep` (arrays are read-only).

    Attributes
    ----------
    names : tuple of str
        Fields.
    depths : np.ndarray of int, shape (n_depths,)
        Numbers of hidden layers.
    seeds : np.ndarray of int, shape (n_seeds,)
        Seeds of the data, initial weights and batch order.
    fits : dict of str to tuple of tuple of FieldFit
        ``fits[name][i][j]``: the fit with ``depths[i]`` layers and ``seeds[j]``.

    Examples
    --------
    >>> from learnable_bases.deep import depth_sweep
    >>> sweep = depth_sweep(["blob"], [1, 2], seeds=[0, 1], width=8, n_train=64,
    ...                     batch_size=32, epochs=2, grid=10)
    >>> sweep.names, sweep.depths.tolist(), sweep.seeds.tolist()
    (('blob',), [1, 2], [0, 1])
    >>> [fit.depth for fit in sweep["blob"]], sweep.test_mse("blob").shape
    ([1, 2], (2, 2))
    """

    names: tuple[str, ...]
    depths: np.ndarray
    seeds: np.ndarray
    fits: dict[str, tuple[tuple[FieldFit, ...], ...]]

    def __getitem__(self, name: str) -> list[FieldFit]:
        """Fits of field ``name`` with the first seed, one per depth."""
        return [row[0] for row in self.fits[name]]

    def test_mse(self, name: str) -> np.ndarray:
        """Test errors of field ``name``, shape (n_depths, n_seeds)."""
        return frozen(np.array([[f.test_mse for f in row] for row in self.fits[name]]))


@cached
def depth_sweep(
    names: Sequence[str] = ("blob", "spiral"),
    depths: Sequence[int] = (1, 2, 3, 4),
    *,
    seeds: Sequence[int] = (0,),
    **kwargs: object,
) -> DepthSweep:
    """:func:`fit_field` for every field, depth and seed, all else equal.

    At each depth the networks of every field and seed are trained together
    by :func:`fit_fields`.

    Parameters
    ----------
    names : sequence of str, default ("blob", "spiral")
        Fields.
    depths : sequence of int, default (1, 2, 3, 4)
        Numbers of hidden layers.
    seeds : sequence of int, default (0,)
        Seeds of the data, the initial weights and the batch order.
    **kwargs
        Passed to :func:`fit_fields` (``width``, ``epochs``, ...); not
        ``depth``.

    Returns
    -------
    DepthSweep
        ``sweep[name][i]`` is the fit with ``depths[i]`` hidden layers and the
        first seed; ``sweep.test_mse(name)`` has every seed.

    Examples
    --------
    >>> from learnable_bases.deep import depth_sweep
    >>> sweep = depth_sweep(["blob", "spiral"], [1, 2], width=8, n_train=64,
    ...                     batch_size=32, epochs=2, grid=10)
    >>> [fit.depth for fit in sweep["spiral"]]
    [1, 2]
    >>> sweep.test_mse("spiral").shape  # (n_depths, n_seeds)
    (2, 1)
    """
    for key in ("name", "depth", "seed"):
        if key in kwargs:
            raise TypeError(f"depth_sweep sets {key!r} itself; do not pass it")
    depths = _check_depths(depths)
    # fit_fields checks names and seeds
    by_depth = [fit_fields(names, depth, seeds=seeds, **kwargs) for depth in depths]
    fits = {n: tuple(tuple(f[i]) for f in by_depth) for i, n in enumerate(names)}
    return DepthSweep(tuple(names), frozen_int(depths), frozen_int(list(seeds)), fits)


def equal_parameter_width(in_dim: int, width: int, depth: int) -> int:
    """Width of a one-hidden-layer MLP with as many parameters as a deep one.

    A depth-``L`` MLP with a scalar head has
    ``(d + 1) H + (L - 1)(H + 1) H + (H + 1)`` parameters; one hidden layer of
    width ``H'`` has ``(d + 2) H' + 1``. Returns the ``H'`` whose count is
    closest (ties go to the wider network).

    Parameters
    ----------
    in_dim : int
        Input dimension ``d`` (>= 1).
    width : int
        Width ``H`` of the deep network (>= 1).
    depth : int
        Its number of hidden layers ``L`` (>= 1).

    Returns
    -------
    int
        ``H'`` (>= 1).

    Examples
    --------
    Three hidden layers of 16 units on a 2D input have 609 parameters; one
    layer of 152 units has 609 too:

    >>> from learnable_bases.deep import equal_parameter_width
    >>> from learnable_bases.models import MLP, count_parameters
    >>> equal_parameter_width(2, 16, 3)
    152
    >>> count_parameters(MLP(2, 16, 3)), count_parameters(MLP(2, 152))
    (609, 609)
    """
    d = check_positive_int("in_dim", in_dim)
    h = check_positive_int("width", width)
    depth = check_positive_int("depth", depth)
    n_params = (d + 1) * h + (depth - 1) * (h + 1) * h + (h + 1)
    return max(1, int(np.floor((n_params - 1) / (d + 2) + 0.5)))
