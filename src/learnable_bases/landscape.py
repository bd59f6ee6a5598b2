"""The landscape a training run moves through: gradient noise, paths and surfaces.

The book's pictures of stochastic gradient descent need more than a loop:

* :func:`gradient_noise` measures how far mini-batch gradients scatter around
  the full-batch gradient, and :func:`minibatch_variance_theory` gives the
  exact answer ``sigma^2 / B`` (with replacement) or
  ``sigma^2 / B * (N - B)/(N - 1)`` (without replacement);
  :func:`minibatch_gradients` returns the gradients themselves;
* :func:`parameter_path` records every parameter after every SGD step, drawing
  the same batches as :func:`learnable_bases.training.train`;
* :func:`loss_surface_2d` evaluates the loss on a grid of two parameters.

All take ``loss_fn(model, x, y) -> scalar tensor``, the mean of a per-sample
loss over the batch, e.g. :func:`learnable_bases.losses.mse_objective`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ._checks import (
    check_batch_size,
    check_bool,
    check_callable,
    check_data,
    check_int,
    check_int_sequence,
    check_model,
    check_positive_float,
    check_positive_int,
    check_real,
    check_seed,
    epoch_batches,
    evaluating,
    frozen,
    frozen_int,
    scalar_loss,
)
from .training import LOSS_FN, History, LossFn, NonFiniteLossError


def _checked(
    model: object, loss_fn: object, x: object, y: object
) -> tuple[nn.Module, LossFn, torch.Tensor, torch.Tensor, list[nn.Parameter]]:
    """The arguments that every function here takes, checked, and the model's
    trainable parameters."""
    model = check_model(model)
    loss_fn = check_callable("loss_fn", loss_fn, LOSS_FN)
    x, y = check_data(x, y)
    return model, loss_fn, x, y, [p for p in model.parameters() if p.requires_grad]


def _check_fits(name: str, sizes: object, n: int, replace: bool) -> None:
    """Without replacement (``not replace``), raise unless every batch size in
    ``sizes`` is at most ``n``; the message shows ``sizes`` as given."""
    if not replace and np.any(np.asarray(sizes) > n):
        raise ValueError(f"without replacement, {name} must be <= N={n}; got {sizes!r}")


def minibatch_variance_theory(
    sigma2: float,
    batch_size: int | Sequence[int] | np.ndarray,
    n: int,
    replace: bool = False,
) -> np.ndarray:
    """Exact total variance of a mini-batch mean gradient.

    For ``B`` samples drawn from ``N`` per-sample gradients with (population)
    total variance ``sigma2``::

        with replacement:     sigma2 / B
        without replacement:  sigma2 / B * (N - B) / (N - 1)

    Parameters
    ----------
    sigma2 : float
        Per-sample gradient variance, ``(1/N) sum_n ||g_n - g||^2`` (>= 0).
    batch_size : int or array_like of int, shape (k,)
        Batch sizes ``B`` (``1 <= B``; ``B <= N`` without replacement).
    n : int
        Dataset size ``N`` (>= 1).
    replace : bool, default False
        Whether batches are drawn with replacement.

    Returns
    -------
    float or np.ndarray, shape (k,)
        ``E ||g_B - g||^2``.

    Examples
    --------
    >>> from learnable_bases.landscape import minibatch_variance_theory
    >>> minibatch_variance_theory(1.0, [1, 2, 4], n=100, replace=True).tolist()
    [1.0, 0.5, 0.25]
    >>> minibatch_variance_theory(1.0, [1, 5], n=5).tolist()  # B = N: no noise
    [1.0, 0.0]
    """
    sigma2 = check_real("sigma2", sigma2, minimum=0)
    n = check_positive_int("n", n)
    b = np.asarray(batch_size)
    if b.dtype.kind not in "iu" or np.any(b < 1):
        raise ValueError(f"batch sizes must be integers >= 1; got {batch_size!r}")
    b = b.astype(float)
    if replace:
        return sigma2 / b
    _check_fits("batch sizes", batch_size, n, replace=False)
    # times the finite population correction
    return sigma2 / b * (np.ones_like(b) if n == 1 else (n - b) / (n - 1))


@dataclass(frozen=True, eq=False)
class GradientNoise:
    """Result of :func:`gradient_noise` (arrays are read-only).

    Attributes
    ----------
    batch_sizes : np.ndarray of int, shape (k,)
        The batch sizes ``B``.
    full_grad : np.ndarray, shape (p,)
        Full-batch gradient ``g`` over all ``p`` parameters, flattened.
    mean_grads : np.ndarray, shape (k, p)
        Average of the ``n_batches`` mini-batch gradients, for each ``B``.
    msd : np.ndarray, shape (k,)
        Mean squared deviation ``mean_b ||g_B - g||^2`` from the full gradient:
        an unbiased estimate of the total mini-batch variance.
    msd_se : np.ndarray, shape (k,)
        Standard error of ``msd`` (standard deviation of ``||g_B - g||^2`` over
        the batches, divided by ``sqrt(n_batches)``), e.g. for error bars.
    bias_sq : np.ndarray, shape (k,)
        ``||mean_grads - g||^2``; about ``msd / n_batches`` for an unbiased
        estimator.
    theory : np.ndarray, shape (k,)
        :func:`minibatch_variance_theory` for these ``B``.
    sigma2_grad : float
        Per-sample gradient variance ``(1/N) sum_n ||g_n - g||^2``, computed
        exactly from all ``N`` per-sample gradients.
    n : int
        Dataset size ``N``.
    n_batches : int
        Mini-batches drawn per batch size.
    replace : bool
        Whether batches were drawn with replacement.

    Examples
    --------
    >>> from learnable_bases.landscape import gradient_noise
    >>> from learnable_bases.losses import mse_objective
    >>> from learnable_bases.models import MLP
    >>> from learnable_bases.targets import sine_data
    >>> x, y = sine_data(32, 0.3, seed=0)
    >>> r = gradient_noise(MLP(1, 4, seed=0), mse_objective, x, y, [1, 4, 16], 20, 0)
    >>> r.full_grad.shape, r.mean_grads.shape, r.n, r.n_batches, r.replace
    ((13,), (3, 13), 32, 20, False)
    >>> r.msd.flags.writeable
    False
    """

    batch_sizes: np.ndarray
    full_grad: np.ndarray
    mean_grads: np.ndarray
    msd: np.ndarray
    msd_se: np.ndarray
    bias_sq: np.ndarray
    theory: np.ndarray
    sigma2_grad: float
    n: int
    n_batches: int
    replace: bool


def _flat_grad(loss: object, params: list[nn.Parameter]) -> np.ndarray:
    """The gradient of ``loss`` (a loss function's value) with respect to
    ``params``, flattened into one float64 vector."""
    # an unused parameter's gradient is zero (materialized), not None
    grads = torch.autograd.grad(scalar_loss(loss), params, materialize_grads=True)
    return torch.cat([g.reshape(-1) for g in grads]).detach().double().numpy()


def _random_batches(
    n: int, size: int, count: int, gen: torch.Generator, replace: bool
) -> list[torch.Tensor]:
    """``count`` random batches of ``size`` sample indices out of ``n``, drawn
    from ``gen`` with replacement, or without (each from a new permutation)."""
    if replace:
        return [torch.randint(n, (size,), generator=gen) for _ in range(count)]
    return [torch.randperm(n, generator=gen)[:size] for _ in range(count)]


def gradient_noise(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_sizes: Sequence[int] | np.ndarray,
    n_batches: int,
    seed: int,
    replace: bool = False,
) -> GradientNoise:
    """Measure the scatter of mini-batch gradients around the full gradient.

    The model is not changed. Gradients are taken at its current parameters
    with ``loss_fn`` itself, for ``n_batches`` random batches of each size;
    per-sample gradients (``N`` backward passes, so keep ``N`` in the
    thousands) give ``sigma2_grad``.

    Parameters
    ----------
    model : torch.nn.Module
        Model with trainable parameters.
    loss_fn : callable
        ``loss_fn(model, xb, yb) -> scalar tensor``, a mean over the batch.
    x : torch.Tensor, shape (N, ...)
        Inputs.
    y : torch.Tensor, shape (N, ...)
        Targets.
    batch_sizes : array_like of int, shape (k,)
        Batch sizes ``B >= 1`` (``<= N`` without replacement).
    n_batches : int
        Batches drawn per batch size (>= 2).
    seed : int
        Seed of the private generator that draws the batches.
    replace : bool, default False
        Draw each batch with replacement (``sigma2 / B`` exactly) or without
        (``sigma2 / B * (N - B)/(N - 1)``).

    Returns
    -------
    GradientNoise
        Full gradient, per-``B`` mean gradients, mean squared deviations and
        the theory values.

    Examples
    --------
    The measured scatter falls with the batch size as the theory says, within
    its sampling error:

    >>> from learnable_bases.landscape import gradient_noise
    >>> from learnable_bases.losses import mse_objective
    >>> from learnable_bases.models import MLP
    >>> from learnable_bases.targets import sine_data
    >>> x, y = sine_data(32, 0.3, seed=0)
    >>> model = MLP(1, 4, activation="tanh", seed=0)
    >>> r = gradient_noise(model, mse_objective, x, y, [1, 4, 16], n_batches=50, seed=0)
    >>> r.theory.round(2).tolist(), r.msd.round(2).tolist()
    ([7.4, 1.67, 0.24], [6.23, 1.79, 0.22])
    """
    model, loss_fn, x, y, params = _checked(model, loss_fn, x, y)
    n = x.shape[0]
    n_batches = check_int("n_batches", n_batches, minimum=2)
    gen = torch.Generator().manual_seed(check_seed(seed))
    replace = check_bool("replace", replace)
    bs = check_int_sequence("batch_sizes", np.atleast_1d(batch_sizes), minimum=1)
    _check_fits("batch sizes", bs.tolist(), n, replace)

    def grad(idx: slice | torch.Tensor) -> np.ndarray:  # on the samples x[idx]
        return _flat_grad(loss_fn(model, x[idx], y[idx]), params)

    with evaluating(model, grad=True):
        full = _flat_grad(loss_fn(model, x, y), params)
        per_sample = np.stack([grad(slice(i, i + 1)) for i in range(n)])
        # the batches of each B in turn, all drawn from gen; (B, batch, parameter)
        draws = [_random_batches(n, b, n_batches, gen, replace) for b in bs.tolist()]
        grads = np.array([[grad(idx) for idx in batches] for batches in draws])
    centred = per_sample - per_sample.mean(axis=0)
    sigma2 = float(np.mean(np.sum(centred**2, axis=1)))
    mean_grads = grads.mean(axis=1)
    sq_dev = np.sum((grads - full) ** 2, axis=2)
    return GradientNoise(
        batch_sizes=frozen_int(bs),
        full_grad=frozen(full),
        mean_grads=frozen(mean_grads),
        msd=frozen(sq_dev.mean(axis=1)),
        msd_se=frozen(sq_dev.std(axis=1, ddof=1) / math.sqrt(n_batches)),
        bias_sq=frozen(np.sum((mean_grads - full) ** 2, axis=1)),
        theory=frozen(minibatch_variance_theory(sigma2, bs, n, replace)),
        sigma2_grad=sigma2,
        n=n,
        n_batches=n_batches,
        replace=replace,
    )


# ---------------------------------------------------------------------------
# Mini-batch gradients and parameter paths (for pictures of SGD)
# ---------------------------------------------------------------------------


def _flat_params(params: list[torch.nn.Parameter]) -> np.ndarray:
    return torch.cat([p.detach().reshape(-1) for p in params]).double().numpy()


def minibatch_gradients(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    n_batches: int,
    seed: int,
    replace: bool = False,
) -> np.ndarray:
    """Draw mini-batch gradients at the model's current parameters.

    The model is not changed. Where :func:`gradient_noise` summarises the
    scatter, this returns the gradients themselves, e.g. for a histogram.

    Parameters
    ----------
    model : torch.nn.Module
        Model with trainable parameters.
    loss_fn : callable
        ``loss_fn(model, xb, yb) -> scalar tensor``, a mean over the batch.
    x : torch.Tensor, shape (N, ...)
        Inputs.
    y : torch.Tensor, shape (N, ...)
        Targets.
    batch_size : int
        Samples per batch ``B`` (``1 <= B``; ``B <= N`` without replacement).
    n_batches : int
        Number of batches drawn (>= 1).
    seed : int
        Seed of the private generator that draws the batches.
    replace : bool, default False
        Draw each batch with replacement, or without (as within an epoch).

    Returns
    -------
    np.ndarray, shape (n_batches, p)
        One flattened gradient over all ``p`` trainable parameters per batch,
        in the order of ``model.parameters()`` (float64).

    Examples
    --------
    >>> import numpy as np
    >>> from learnable_bases.landscape import minibatch_gradients
    >>> from learnable_bases.losses import mse_objective
    >>> from learnable_bases.models import MLP
    >>> from learnable_bases.targets import sine_data
    >>> x, y = sine_data(32, 0.3, seed=0)
    >>> model = MLP(1, 4, seed=0)  # p = 4 + 4 + 4 + 1 = 13 parameters
    >>> minibatch_gradients(model, mse_objective, x, y, 8, n_batches=5, seed=0).shape
    (5, 13)
    >>> g = minibatch_gradients(model, mse_objective, x, y, 32, n_batches=2, seed=0)
    >>> bool(np.allclose(g[0], g[1]))  # B = N: every batch is all the data
    True
    """
    model, loss_fn, x, y, params = _checked(model, loss_fn, x, y)
    n = x.shape[0]
    batch_size = check_positive_int("batch_size", batch_size)
    n_batches = check_positive_int("n_batches", n_batches)
    gen = torch.Generator().manual_seed(check_seed(seed))
    replace = check_bool("replace", replace)
    _check_fits("batch_size", batch_size, n, replace)
    batches = _random_batches(n, batch_size, n_batches, gen, replace)
    with evaluating(model, grad=True):
        grads = [_flat_grad(loss_fn(model, x[i], y[i]), params) for i in batches]
    return np.stack(grads)


def parameter_path(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    steps: int,
    lr: float,
    batch_size: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Plain (mini-batch) gradient descent that records every parameter vector.

    Each step is ``omega <- omega - lr * grad`` on one batch (``omega``: all the
    parameters). Batches come from a seeded permutation per epoch, as in
    :func:`train` with ``optimizer="sgd"`` (so the two agree step for step); a
    new epoch starts every
    ``ceil(N / batch_size)`` steps. The model is updated in place. Meant for
    models small enough to draw, e.g. two parameters over a loss contour.

    Parameters
    ----------
    model : torch.nn.Module
        Model with trainable parameters.
    loss_fn : callable
        ``loss_fn(model, xb, yb) -> scalar tensor``, a mean over the batch.
    x : torch.Tensor, shape (N, ...)
        Inputs.
    y : torch.Tensor, shape (N, ...)
        Targets.
    steps : int
        Number of updates (>= 1).
    lr : float
        Learning rate ``eta`` (> 0).
    batch_size : int, optional
        Samples per step (``1 <= batch_size <= N``); ``None`` is full-batch
        gradient descent.
    seed : int, default 0
        Seed of the private generator that shuffles the batches.

    Returns
    -------
    np.ndarray, shape (steps + 1, p)
        The flattened trainable parameters before the first step and after
        each step (float64), in the order of ``model.parameters()``.

    Raises
    ------
    NonFiniteLossError
        If a batch loss becomes NaN or infinite (the learning rate is too
        large); the message names the step and the learning rate.

    Examples
    --------
    Full-batch gradient descent on a straight line finds its slope and
    intercept (the start does not matter):

    >>> import torch
    >>> from learnable_bases.landscape import parameter_path
    >>> from learnable_bases.losses import mse_objective
    >>> x = torch.linspace(-1, 1, 20)[:, None]
    >>> model = torch.nn.Linear(1, 1)  # two parameters: weight, then bias
    >>> path = parameter_path(model, mse_objective, x, 2 * x + 1, steps=30, lr=0.5)
    >>> path.shape, path[-1].round(3).tolist()
    ((31, 2), [2.0, 1.0])
    """
    model, loss_fn, x, y, params = _checked(model, loss_fn, x, y)
    n = x.shape[0]
    steps = check_positive_int("steps", steps)
    lr = check_positive_float("lr", lr)
    seed = check_seed(seed)
    batch_size = check_batch_size(batch_size, n)
    gen = torch.Generator().manual_seed(seed)
    per_epoch = math.ceil(n / batch_size)
    path = [_flat_params(params)]
    losses = np.empty(steps)
    model.train()
    start = time.perf_counter()
    for k in range(steps):
        if k % per_epoch == 0:
            batches = list(epoch_batches(x, y, batch_size, gen))
        xb, yb = batches[k % per_epoch]
        loss = scalar_loss(loss_fn(model, xb, yb))
        losses[k] = loss.item()
        if not math.isfinite(losses[k]):
            raise NonFiniteLossError(
                History(
                    losses=frozen(np.empty(0)),
                    step_losses=frozen(losses[: k + 1]),
                    val_losses=None,
                    wall_time=time.perf_counter() - start,
                    epochs=k // per_epoch,
                    steps=k + 1,
                    lr=lr,
                    batch_size=batch_size,
                    optimizer="sgd",
                    seed=seed,
                )
            )
        # an unused parameter's gradient is zero: the step leaves it as it is
        grads = torch.autograd.grad(loss, params, materialize_grads=True)
        with torch.no_grad():
            for p, g in zip(params, grads, strict=True):
                p.add_(g, alpha=-lr)
        path.append(_flat_params(params))
    return np.stack(path)


def loss_surface_2d(
    model: nn.Module,
    loss_fn: LossFn,
    x: torch.Tensor,
    y: torch.Tensor,
    p1: np.ndarray,
    p2: np.ndarray,
) -> np.ndarray:
    """Full-data loss of a two-parameter model on a grid of parameter values.

    Parameters
    ----------
    model : torch.nn.Module
        Model with exactly two trainable scalar parameters in total (e.g.
        ``torch.nn.Linear(1, 1)``: weight, then bias). Restored afterwards.
    loss_fn : callable
        ``loss_fn(model, x, y) -> scalar tensor``.
    x : torch.Tensor, shape (N, ...)
        Inputs.
    y : torch.Tensor, shape (N, ...)
        Targets.
    p1 : array_like, shape (m1,)
        Values of the first parameter.
    p2 : array_like, shape (m2,)
        Values of the second parameter.

    Returns
    -------
    np.ndarray, shape (m2, m1)
        ``loss[j, i]`` at ``(p1[i], p2[j])``: the layout ``contour(p1, p2, loss)``
        expects.

    Examples
    --------
    >>> import torch
    >>> from learnable_bases.landscape import loss_surface_2d
    >>> from learnable_bases.losses import mse_objective
    >>> x = torch.linspace(-1, 1, 20)[:, None]
    >>> weights, biases = [0, 1, 2, 3, 4], [0, 1, 2]
    >>> loss = loss_surface_2d(
    ...     torch.nn.Linear(1, 1), mse_objective, x, 2 * x + 1, weights, biases
    ... )
    >>> loss.shape, round(float(loss[1, 2]), 6)  # zero at weight 2, bias 1
    ((3, 5), 0.0)
    """
    model, loss_fn, x, y, params = _checked(model, loss_fn, x, y)
    sizes = [p.numel() for p in params]
    if sum(sizes) != 2:
        raise ValueError(
            f"model must have exactly 2 trainable scalar parameters; got {sum(sizes)}"
        )
    grids = []
    for name, values in (("p1", p1), ("p2", p2)):
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be a finite 1D array (m,); got {arr.shape}")
        grids.append(arr)
    saved = [p.detach().clone() for p in params]
    out = np.empty((grids[1].size, grids[0].size))
    with evaluating(model):
        try:
            for j, b in enumerate(grids[1]):
                for i, a in enumerate(grids[0]):
                    values = torch.tensor([a, b]).split(sizes)
                    for p, v in zip(params, values, strict=True):
                        p.copy_(v.reshape(p.shape))
                    out[j, i] = float(scalar_loss(loss_fn(model, x, y)))
        finally:
            for p, s in zip(params, saved, strict=True):
                p.copy_(s)
    return out
