"""Learnable basis functions: neurons ``g(v x + b)``, sums of ReLU kinks, deep features.

A hidden neuron is a basis function ``phi_j(x) = g(v_j·x + b_j)`` whose weights
``v_j`` and bias ``b_j`` can be learned. This module draws such neurons at random,
evaluates them, shows that a sum of ReLU kinks reproduces any piecewise-linear
interpolant, fits the output weights ``w`` of ``f(x) = sum_j w_j phi_j(x) + w0`` by
least squares, measures how fast the best fit improves with the number of neurons,
computes the "effective basis functions" of deeper networks with random weights,
and splits a trained network's output into the terms ``w_j phi_j(x)`` of the
basis it learned (:func:`head_terms`).

Everything takes and returns :class:`torch.Tensor` (float64 is used where exactness
matters); random draws come from a :class:`torch.Generator`, never global state.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ._checks import (
    check_callable,
    check_int,
    check_interval,
    check_positive_float,
    check_positive_int,
    check_real,
    check_sequence,
    check_shape,
    check_tensor,
)
from .activations import ONE_SIDED, get_activation

#: Default input interval of the book's 1D figures.
DEFAULT_INTERVAL: tuple[float, float] = (-3.0, 3.0)


# --------------------------------------------------------------------------- checks
def _generator(seed: object) -> torch.Generator:
    """Turn ``seed`` (a non-negative int or a torch.Generator) into a Generator."""
    if isinstance(seed, torch.Generator):
        return seed
    seed = check_int("seed (or a torch.Generator)", seed, minimum=0)
    return torch.Generator().manual_seed(seed)


def _check_knots(knots: object) -> torch.Tensor:
    knots = check_tensor("knots", knots, ndim=1)
    if knots.numel() < 2:
        raise ValueError(f"knots needs at least 2 points; got {knots.numel()}")
    if not (knots[1:] > knots[:-1]).all():
        raise ValueError("knots must be strictly increasing")
    return knots


def _as_2d(name: str, value: object, rows: str) -> torch.Tensor:
    """``value`` (a tensor of shape ``(rows,)`` or ``(rows, in_dim)``) as 2D."""
    value = check_tensor(name, value)
    if value.ndim == 1:
        return value[:, None]
    if value.ndim != 2:
        raise ValueError(
            f"{name} must have shape ({rows},) or ({rows}, in_dim); "
            f"got shape {tuple(value.shape)}"
        )
    return value


# ------------------------------------------------------------------- random neurons
def random_neurons(
    n_neurons: int,
    *,
    seed: int | torch.Generator,
    in_dim: int = 1,
    weight_scale: float = 1.0,
    bias_scale: float | None = None,
    interval: tuple[float, float] = DEFAULT_INTERVAL,
    dtype: torch.dtype = torch.float64,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Draw random neuron parameters ``v_j, b_j`` for ``phi_j(x) = g(v_j·x + b_j)``.

    Weights are Gaussian, ``v ~ N(0, weight_scale**2)``. By default
    (``bias_scale=None``) each bias is set so that the neuron's transition lies
    *inside* the plotted domain: draw a point ``c_j`` uniformly in the box
    ``interval**in_dim`` and put ``b_j = -v_j . c_j``. The pre-activation
    ``v_j . x + b_j = v_j . (x - c_j)`` is then zero at ``c_j``: in 1D the ReLU
    kink, the step or the sigmoid's midpoint sits at ``x = c_j``, so every drawn
    neuron visibly bends somewhere in ``interval``. Pass a ``bias_scale`` to draw
    ``b ~ N(0, bias_scale**2)`` independently instead (transitions may then fall
    outside the domain).

    Parameters
    ----------
    n_neurons : int
        Number of neurons ``H`` (>= 1).
    seed : int or torch.Generator
        Seed (>= 0) for a fresh generator, or a generator to draw from.
    in_dim : int, default 1
        Input dimension ``d``.
    weight_scale : float, default 1.0
        Standard deviation of the weights (> 0).
    bias_scale : float, optional
        If given (> 0), standard deviation of independent Gaussian biases.
    interval : (float, float), default (-3.0, 3.0)
        Domain ``[lo, hi]`` (per coordinate) in which transitions are placed.
    dtype : torch.dtype, default torch.float64
        Floating dtype of the returned tensors.

    Returns
    -------
    v : torch.Tensor, shape (n_neurons, in_dim)
        Weights, one row per neuron.
    b : torch.Tensor, shape (n_neurons,)
        Biases.

    Examples
    --------
    >>> from learnable_bases.basis import random_neurons
    >>> v, b = random_neurons(5, seed=0)
    >>> v.shape, b.shape
    (torch.Size([5, 1]), torch.Size([5]))
    >>> bool(((-b / v[:, 0]).abs() <= 3).all())  # kinks inside [-3, 3]
    True
    """
    n_neurons = check_positive_int("n_neurons", n_neurons)
    in_dim = check_positive_int("in_dim", in_dim)
    weight_scale = check_positive_float("weight_scale", weight_scale)
    if bias_scale is not None:
        bias_scale = check_positive_float("bias_scale", bias_scale)
    lo, hi = check_interval(interval)
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(
            f"dtype must be a floating torch dtype such as torch.float64; got {dtype!r}"
        )
    gen = _generator(seed)
    v = weight_scale * torch.randn(n_neurons, in_dim, generator=gen, dtype=dtype)
    if bias_scale is None:
        c = lo + (hi - lo) * torch.rand(n_neurons, in_dim, generator=gen, dtype=dtype)
        b = -(v * c).sum(dim=1)
    else:
        b = bias_scale * torch.randn(n_neurons, generator=gen, dtype=dtype)
    return v, b


def neuron_features(
    x: torch.Tensor, v: torch.Tensor, b: torch.Tensor, activation: str
) -> torch.Tensor:
    """Evaluate the neurons ``phi_j(x_i) = g(v_j·x_i + b_j)`` at every input.

    Differentiable: gradients flow to ``x``, ``v`` and ``b`` through autograd.

    Parameters
    ----------
    x : torch.Tensor, shape (n,) or (n, in_dim)
        Inputs; shape ``(n,)`` means ``in_dim = 1``.
    v : torch.Tensor, shape (n_neurons, in_dim) or (n_neurons,)
        Weights, one row per neuron; shape ``(n_neurons,)`` means ``in_dim = 1``.
    b : torch.Tensor, shape (n_neurons,)
        Biases.
    activation : str
        Name of ``g``: one of ``"step"``, ``"sigmoid"``, ``"tanh"``, ``"relu"``,
        ``"gelu"``, ``"gelu_erf"``.

    Returns
    -------
    torch.Tensor, shape (n, n_neurons)
        The design matrix ``Phi[i, j] = phi_j(x_i)``, in the promoted dtype.

    Examples
    --------
    Two ReLU neurons, ``relu(x)`` and ``relu(1 - x)``, at three inputs:

    >>> import torch
    >>> from learnable_bases.basis import neuron_features
    >>> x = torch.tensor([-1.0, 0.0, 2.0])
    >>> v, b = torch.tensor([1.0, -1.0]), torch.tensor([0.0, 1.0])
    >>> neuron_features(x, v, b, "relu").tolist()
    [[0.0, 2.0], [0.0, 1.0], [2.0, 0.0]]
    """
    g = get_activation(activation)
    x = _as_2d("x", x, "n")
    v = _as_2d("v", v, "n_neurons")
    check_shape("v", v, ("n_neurons", x.shape[1]), " (its in_dim must match x's)")
    b = check_tensor("b", b, ndim=1)
    check_shape("b", b, (v.shape[0],), " (one bias per neuron, to match v)")
    dtype = torch.promote_types(torch.promote_types(x.dtype, v.dtype), b.dtype)
    return g(x.to(dtype) @ v.to(dtype).T + b.to(dtype))


def is_dead(v: torch.Tensor, b: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Which ReLU neurons are "dead" on the inputs ``x``.

    A ReLU neuron is dead when its pre-activation ``v_j . x_i + b_j <= 0`` for
    every input: it then outputs 0 everywhere and, since ``relu'(z) = 0`` for
    ``z <= 0``, gradient descent gives its ``v_j`` and ``b_j`` zero gradient,
    so it never recovers.

    Parameters
    ----------
    v : torch.Tensor, shape (n_neurons, in_dim) or (n_neurons,)
        Weights.
    b : torch.Tensor, shape (n_neurons,)
        Biases.
    x : torch.Tensor, shape (n,) or (n, in_dim)
        Inputs.

    Returns
    -------
    torch.Tensor of bool, shape (n_neurons,)
        ``True`` for the dead neurons.

    Examples
    --------
    ``relu(x)`` is alive on ``[-1, 1]``; ``relu(-x - 5)`` is zero there:

    >>> import torch
    >>> from learnable_bases.basis import is_dead
    >>> v, b = torch.tensor([[1.0], [-1.0]]), torch.tensor([0.0, -5.0])
    >>> is_dead(v, b, torch.linspace(-1, 1, 5)).tolist()
    [False, True]
    """
    with torch.no_grad():
        z = neuron_features(x, v, b, "relu")
    return (z <= 0).all(dim=0)


# --------------------------------------------------------------- sums of ReLU kinks
def relu_kink_basis(x: torch.Tensor, knots: torch.Tensor) -> torch.Tensor:
    """The constant plus one ReLU kink at each knot but the last.

    With knots ``t_0 < t_1 < ... < t_H`` the columns are
    ``[1, relu(x - t_0), relu(x - t_1), ..., relu(x - t_{H-1})]``: ``H`` neurons
    ``g(v_j x + b_j)`` with ``v_j = 1``, ``b_j = -t_j``, plus the constant for
    ``w0``. On ``[t_0, t_H]`` they span exactly the continuous piecewise-linear
    functions with breakpoints at the knots (the last knot needs no kink because
    the interval ends there); see :func:`relu_interpolant_weights`.

    Parameters
    ----------
    x : torch.Tensor, shape (n,)
        Inputs.
    knots : torch.Tensor, shape (H + 1,)
        Strictly increasing knot positions, at least 2.

    Returns
    -------
    torch.Tensor, shape (n, H + 1)
        Column 0 is all ones; column ``j >= 1`` is ``relu(x - knots[j - 1])``.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.basis import relu_kink_basis
    >>> knots = torch.tensor([0.0, 1.0, 2.0])
    >>> relu_kink_basis(torch.tensor([0.0, 1.0, 2.0]), knots).tolist()
    [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 2.0, 1.0]]
    """
    x = check_tensor("x", x, ndim=1)
    knots = _check_knots(knots)
    dtype = torch.promote_types(x.dtype, knots.dtype)
    x, knots = x.to(dtype), knots.to(dtype)
    kinks = torch.relu(x[:, None] - knots[None, :-1])
    return torch.cat([torch.ones_like(x)[:, None], kinks], dim=1)


def relu_interpolant_weights(knots: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """Weights making a sum of ReLU kinks interpolate ``values`` at ``knots``.

    The piecewise-linear interpolant with slopes
    ``s_k = (y_{k+1} - y_k) / (t_{k+1} - t_k)`` equals
    ``y_0 + s_0 relu(x - t_0) + sum_{k>=1} (s_k - s_{k-1}) relu(x - t_k)``
    on ``[t_0, t_H]``: each kink changes the slope by its weight.

    Parameters
    ----------
    knots : torch.Tensor, shape (H + 1,)
        Strictly increasing knot positions, at least 2.
    values : torch.Tensor, shape (H + 1,)
        Function values ``y_k`` at the knots.

    Returns
    -------
    torch.Tensor, shape (H + 1,)
        ``[w0, w_1, ..., w_H]`` to multiply the columns of
        :func:`relu_kink_basis`: ``relu_kink_basis(x, knots) @ weights``.

    Examples
    --------
    A hat function: slope +1, then -1, so the second kink has weight -2.

    >>> import torch
    >>> from learnable_bases.basis import relu_interpolant_weights, relu_kink_basis
    >>> knots = torch.tensor([0.0, 1.0, 2.0])
    >>> weights = relu_interpolant_weights(knots, torch.tensor([0.0, 1.0, 0.0]))
    >>> weights.tolist()
    [0.0, 1.0, -2.0]
    >>> (relu_kink_basis(torch.linspace(0, 2, 5), knots) @ weights).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    knots = _check_knots(knots)
    values = check_tensor("values", values, ndim=1)
    check_shape("values", values, knots.shape, " (one entry per knot)")
    dtype = torch.promote_types(knots.dtype, values.dtype)
    knots, values = knots.to(dtype), values.to(dtype)
    slopes = torch.diff(values) / torch.diff(knots)
    return torch.cat([values[:1], slopes[:1], torch.diff(slopes)])


def fit_output_weights(
    features: torch.Tensor, y: torch.Tensor, ridge: float = 0.0
) -> tuple[torch.Tensor, float]:
    """Least-squares output weights ``w, w0`` for fixed hidden units.

    Minimises ``||features @ w + w0 - y||^2 + ridge * ||w||^2`` (the bias ``w0``
    is not penalised) with :func:`torch.linalg.lstsq` in float64. For fixed
    ``v_j, b_j`` this is the linear-basis fit of lecture 2a, so it has a closed
    form; rank-deficient features (e.g. dead neurons) get the minimum-norm
    solution.

    Parameters
    ----------
    features : torch.Tensor, shape (n, H)
        Hidden-unit outputs ``Phi[i, j] = phi_j(x_i)``.
    y : torch.Tensor, shape (n,)
        Targets.
    ridge : float, default 0.0
        L2 penalty on ``w`` (>= 0).

    Returns
    -------
    w : torch.Tensor, shape (H,)
        Output weights, in the dtype of ``features``.
    w0 : float
        Output bias.

    Examples
    --------
    One feature ``x`` and targets ``2 x + 1``: the fit recovers ``w = 2, w0 = 1``.

    >>> import torch
    >>> from learnable_bases.basis import fit_output_weights
    >>> x = torch.linspace(0, 1, 5, dtype=torch.float64)
    >>> w, w0 = fit_output_weights(x[:, None], 2 * x + 1)
    >>> w.shape, round(float(w[0]), 6), round(w0, 6)
    (torch.Size([1]), 2.0, 1.0)
    """
    features = check_tensor("features", features, ndim=2)
    y = check_tensor("y", y, ndim=1)
    ridge = check_real("ridge", minimum=0, value=ridge)
    n, h = features.shape
    check_shape("y", y, (n,), " (as many entries as features has rows)")
    if h == 0:
        raise ValueError("features must have at least one column (hidden unit)")
    phi = features.detach().to(torch.float64)
    target = y.detach().to(torch.float64)
    design = torch.cat([phi, torch.ones(n, 1, dtype=torch.float64)], dim=1)
    if ridge > 0:
        penalty = torch.zeros(h, h + 1, dtype=torch.float64)
        penalty[:, :h] = math.sqrt(ridge) * torch.eye(h, dtype=torch.float64)
        design = torch.cat([design, penalty], dim=0)
        target = torch.cat([target, torch.zeros(h, dtype=torch.float64)])
    coef = torch.linalg.lstsq(design, target[:, None], driver="gelsd").solution[:, 0]
    return coef[:h].to(features.dtype), float(coef[h])


# ----------------------------------------------------------- universal approximation
@dataclass(frozen=True)
class KinkApproximation:
    """Best fit of a target by a sum of ``H`` ReLU kinks (see kink_approximation).

    Attributes
    ----------
    x : torch.Tensor, shape (n_grid,)
        The grid on which the fit was made and the error measured.
    target : torch.Tensor, shape (n_grid,)
        Target values on the grid.
    knots : torch.Tensor, shape (H,)
        Kink positions ``c_j``.
    v : torch.Tensor, shape (H,)
        Neuron weights ``v_j = +-1``: neuron ``j`` is ``relu(v_j (x - c_j))``.
    weights : torch.Tensor, shape (H,)
        Output weights ``w_j``.
    w0 : float
        Output bias.
    neurons : torch.Tensor, shape (H, n_grid)
        The scaled neurons ``w_j relu(v_j (x - c_j))``: the grey curves.
    total : torch.Tensor, shape (n_grid,)
        Their sum plus ``w0``: the black curve.
    max_error : float
        ``max |total - target|`` on the grid.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.basis import kink_approximation
    >>> from learnable_bases.targets import target_1d
    >>> fit = kink_approximation(target_1d, 8, n_grid=201)
    >>> fit.knots.shape, fit.neurons.shape
    (torch.Size([8]), torch.Size([8, 201]))
    >>> bool(torch.allclose(fit.neurons.sum(dim=0) + fit.w0, fit.total))
    True
    """

    x: torch.Tensor
    target: torch.Tensor
    knots: torch.Tensor
    v: torch.Tensor
    weights: torch.Tensor
    w0: float
    neurons: torch.Tensor
    total: torch.Tensor
    max_error: float


def _evaluate_target(
    target: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor
) -> torch.Tensor:
    y = check_callable("target", target, "target(x) -> y, tensors of shape (n,)")(x)
    if isinstance(y, torch.Tensor):
        y = y.detach().to(torch.float64)
    else:
        y = torch.as_tensor(np.asarray(y, dtype=np.float64), dtype=torch.float64)
    check_shape("target(x)", y, x.shape, " (the shape of x)")
    if not torch.isfinite(y).all():
        raise ValueError("target returned NaN or infinite values on the interval")
    return y


def kink_approximation(
    target: Callable[[torch.Tensor], torch.Tensor],
    H: int,
    interval: tuple[float, float] = DEFAULT_INTERVAL,
    *,
    n_grid: int = 2001,
) -> KinkApproximation:
    """Best fit of ``target`` on ``interval`` by ``H`` ReLU neurons plus a constant.

    How the neurons are chosen: the kinks are evenly spaced at the left ends of
    ``H`` equal segments, ``c_j = lo + j (hi - lo) / H`` for ``j = 0, ..., H-1``,
    and neuron ``j`` is ``relu(v_j (x - c_j))`` (bias ``b_j = -v_j c_j``). Neuron 0
    (kink at ``lo``, ``v_0 = +1``) is a ramp over the whole interval, the linear
    part; the others open towards the nearer end (``v_j = -1`` left of the
    midpoint, ``+1`` from it on), which keeps the plotted curves small. With the
    constant ``w0`` these span every continuous piecewise-linear function with
    ``H`` equal pieces on ``[lo, hi]`` (``H = 1`` is a straight line). The output
    weights are then the least-squares fit on a dense uniform grid of ``n_grid``
    points (:func:`fit_output_weights`): the best fit, in the mean-square sense,
    for those hidden units. The maximum error is measured on the same grid.

    Parameters
    ----------
    target : callable
        Maps a float64 tensor of shape ``(n,)`` to values of shape ``(n,)``
        (a tensor or array), e.g. :func:`~learnable_bases.targets.target_1d`.
    H : int
        Number of hidden neurons (>= 1).
    interval : (float, float), default (-3.0, 3.0)
        The domain ``[lo, hi]``.
    n_grid : int, default 2001
        Number of grid points (>= 2) for the fit and the error.

    Returns
    -------
    KinkApproximation
        The grid, target, kinks, weights, the scaled neurons
        ``w_j relu(v_j (x - c_j))``, their sum plus ``w0``, and the maximum error.

    Examples
    --------
    ``|x|`` is piecewise linear with its kink at 0, a knot when ``H = 2``, so the
    fit is exact; a smooth target is not:

    >>> import torch
    >>> from learnable_bases.basis import kink_approximation
    >>> from learnable_bases.targets import target_1d
    >>> fit = kink_approximation(torch.abs, 2, n_grid=201)
    >>> fit.knots.tolist(), fit.max_error < 1e-10
    ([-3.0, 0.0], True)
    >>> round(kink_approximation(target_1d, 8, n_grid=201).max_error, 2)
    0.2
    """
    H = check_positive_int("H", H)
    lo, hi = check_interval(interval)
    n_grid = check_int("n_grid", n_grid, minimum=2)
    x = torch.linspace(lo, hi, n_grid, dtype=torch.float64)
    y = _evaluate_target(target, x)
    knots = lo + (hi - lo) * torch.arange(H, dtype=torch.float64) / H
    v = torch.where(knots < 0.5 * (lo + hi), -1.0, 1.0).to(torch.float64)
    v[0] = 1.0  # the kink at lo: a ramp over the whole interval (the linear part)
    features = neuron_features(x, v, -v * knots, "relu")
    w, w0 = fit_output_weights(features, y)
    neurons = (features * w).T
    total = neurons.sum(dim=0) + w0
    max_error = float((total - y).abs().max())
    return KinkApproximation(x, y, knots, v, w, w0, neurons, total, max_error)


def _check_Hs(Hs: object) -> list[int]:
    check_sequence("Hs", Hs, "positive integers")
    if len(Hs) == 0:
        raise ValueError("Hs must contain at least one number of neurons")
    return [check_positive_int("each H in Hs", h) for h in Hs]


def approximation_errors(
    target: Callable[[torch.Tensor], torch.Tensor],
    Hs: Sequence[int],
    interval: tuple[float, float] = DEFAULT_INTERVAL,
    *,
    n_grid: int = 2001,
) -> np.ndarray:
    """Maximum error of the best ``H``-kink fit, for each ``H`` in ``Hs``.

    Parameters
    ----------
    target : callable
        As in :func:`kink_approximation`.
    Hs : sequence of int
        Numbers of neurons (each >= 1).
    interval : (float, float), default (-3.0, 3.0)
        The domain ``[lo, hi]``.
    n_grid : int, default 2001
        Grid size for the fit and the error.

    Returns
    -------
    numpy.ndarray, shape (len(Hs),)
        ``kink_approximation(target, H, interval).max_error`` for each ``H``.

    Examples
    --------
    >>> import numpy as np
    >>> from learnable_bases.basis import approximation_errors
    >>> from learnable_bases.targets import target_1d
    >>> errors = approximation_errors(target_1d, [4, 8, 16], n_grid=401)
    >>> errors.shape, bool((np.diff(errors) < 0).all())  # more neurons, less error
    ((3,), True)
    """
    Hs = _check_Hs(Hs)
    return np.array(
        [kink_approximation(target, h, interval, n_grid=n_grid).max_error for h in Hs],
        dtype=np.float64,
    )


def fit_rate(Hs: Sequence[int], errors: Sequence[float] | np.ndarray) -> float:
    """Slope of ``log(error)`` against ``log(H)``: the observed convergence rate.

    A least-squares line through the points ``(log H, log error)``. For
    piecewise-linear approximation of a smooth function the maximum error
    scales as ``H**-2``, so the slope is close to ``-2``.

    Parameters
    ----------
    Hs : sequence of int
        Numbers of neurons (each >= 1, at least two distinct values).
    errors : sequence of float or numpy.ndarray, shape (len(Hs),)
        Positive, finite errors.

    Returns
    -------
    float
        The fitted slope ``p`` in ``error ~ C H**p``.

    Examples
    --------
    Errors that fall by 4 each time ``H`` doubles have slope -2:

    >>> from learnable_bases.basis import fit_rate
    >>> round(fit_rate([1, 2, 4], [1.0, 0.25, 0.0625]), 6)
    -2.0
    """
    Hs = _check_Hs(Hs)
    check_sequence("errors", errors, "positive numbers")
    try:
        err = np.asarray(errors, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"errors must be real numbers; got {errors!r}") from exc
    check_shape("errors", err, (len(Hs),), " (one entry per H)")
    if not (np.isfinite(err).all() and (err > 0).all()):
        raise ValueError("errors must be finite and > 0 to take logarithms")
    if len(set(Hs)) < 2:
        raise ValueError("Hs needs at least two distinct values to fit a slope")
    slope, _ = np.polyfit(np.log(Hs), np.log(err), 1)
    return float(slope)


# ------------------------------------------------------------------ deep features
def random_deep_features(
    x: torch.Tensor,
    depth: int,
    width: int,
    activation: str = "relu",
    *,
    seed: int | torch.Generator,
) -> torch.Tensor:
    """Last-hidden-layer outputs of a random network: its effective basis functions.

    Layer 1 is :func:`random_neurons` on the range of ``x`` (each transition lies
    inside the data). Each later layer ``l`` has He/Kaiming-like weights
    ``W ~ N(0, gain**2 / width)`` (``gain = sqrt(2)`` for relu, gelu, gelu_erf
    and step, 1 for sigmoid and tanh) so deep ReLU stacks neither vanish nor
    explode, and the same "transition inside the domain" bias: unit ``k`` gets a
    random input point ``c_k`` from the range of ``x`` and
    ``b_k = -W_k . h^{(l-1)}(c_k)``, so its pre-activation crosses zero at
    ``c_k`` and no unit starts dead.

    Parameters
    ----------
    x : torch.Tensor, shape (n,) or (n, in_dim)
        Inputs (at least 2 distinct values per coordinate).
    depth : int
        Number of hidden layers (>= 1).
    width : int
        Units per hidden layer (>= 1).
    activation : str, default "relu"
        Activation name, as in :func:`neuron_features`.
    seed : int or torch.Generator
        Seed (>= 0) or generator for all draws.

    Returns
    -------
    torch.Tensor, shape (n, width)
        ``h^{(depth)}(x)``, in the dtype of ``x``.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.basis import random_deep_features
    >>> x = torch.linspace(-3, 3, 101, dtype=torch.float64)
    >>> h = random_deep_features(x, depth=3, width=8, seed=0)
    >>> h.shape, h.dtype, bool((h >= 0).all())  # ReLU outputs
    (torch.Size([101, 8]), torch.float64, True)
    """
    depth = check_positive_int("depth", depth)
    width = check_positive_int("width", width)
    g = get_activation(activation)
    x2 = _as_2d("x", x, "n")
    gen = _generator(seed)
    lo, hi = x2.min(dim=0).values, x2.max(dim=0).values
    if not (hi > lo).all():
        raise ValueError("x must span a range (at least two distinct values)")
    n_in, dtype = x2.shape[1], x2.dtype
    std = (math.sqrt(2.0) if activation in ONE_SIDED else 1.0) / math.sqrt(width)

    def random_points() -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(width, n_in, generator=gen, dtype=dtype)

    # layer 1: weights N(0, 1), transitions at random points of the data range
    v = torch.randn(width, n_in, generator=gen, dtype=dtype)
    layers = [(v, -(v * random_points()).sum(dim=1))]

    def forward(h: torch.Tensor) -> torch.Tensor:
        for weight, bias in layers:
            h = g(h @ weight.T + bias)
        return h

    for _ in range(depth - 1):
        weight = std * torch.randn(width, width, generator=gen, dtype=dtype)
        h_at_c = forward(random_points())  # (width, width): row k is h(c_k)
        layers.append((weight, -(weight * h_at_c).sum(dim=1)))
    return forward(x2)


# ------------------------------------------------------------ a trained basis
def head_terms(
    model: torch.nn.Module,
    x: torch.Tensor,
    state: Mapping[str, torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Split a network's output into one term per learned basis function.

    For a network whose linear head reads the last hidden layer,
    ``mu(x) = sum_j w_j h_j(x) + w_0``, return the terms ``w_j h_j(x)`` and
    their sum plus ``w_0``. The ``h_j = h^{(L)}_j`` are the basis functions the
    network learned (one neuron each with one hidden layer).

    Parameters
    ----------
    model : MLP or GaussianMLP
        A network with ``features(x)`` and a linear ``head`` with one output
        (for a :class:`~learnable_bases.models.GaussianMLP`, its mean network).
    x : torch.Tensor, shape (n, in_dim)
        Inputs.
    state : mapping of str to torch.Tensor, optional
        Parameters to use instead of the model's own, e.g. a snapshot from
        training (``history.snapshots[epoch]``, a ``state_dict`` of ``model``).
        The model itself is not changed.

    Returns
    -------
    terms : torch.Tensor, shape (n, width)
        ``terms[:, j] = w_j h_j(x)``.
    total : torch.Tensor, shape (n,)
        ``terms.sum(dim=1) + w_0``: the network's mean output (before a sigmoid
        head, if it has one).

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.basis import head_terms
    >>> from learnable_bases.models import MLP
    >>> model = MLP(1, 4, seed=0).double()
    >>> x = torch.linspace(-1, 1, 5, dtype=torch.float64)[:, None]
    >>> terms, total = head_terms(model, x)
    >>> terms.shape, bool(torch.allclose(total, model(x)[:, 0]))
    (torch.Size([5, 4]), True)
    """
    if state is not None:
        if not isinstance(state, Mapping):
            raise TypeError(f"state must be a state_dict (a mapping); got {state!r}")
        model = copy.deepcopy(model)
        model.load_state_dict(state)
    net = getattr(model, "mean", model)
    head = getattr(net, "head", None)
    has_features = callable(getattr(net, "features", None))
    if not has_features or not isinstance(head, torch.nn.Linear):
        raise TypeError(
            "model must be an MLP or GaussianMLP (with features() and a linear head); "
            f"got {type(model).__name__}"
        )
    if head.out_features != 1:
        raise ValueError(
            "model must have one output to split into terms; "
            f"it has {head.out_features}"
        )
    with torch.no_grad():
        terms = net.features(x) * head.weight[0]
        total = terms.sum(dim=1) + head.bias[0]
    return terms, total
